"""Relay-style connections with totalCount; page size is bounded."""

from typing import Generic, TypeVar

import strawberry

from backend.errors import UserInputError

T = TypeVar("T")
DEFAULT_PAGE = 20
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int
    page_info: PageInfo
    edges: list[Edge[T]]

    @classmethod
    def of(cls, nodes: list, cursors: list[str], total: int, has_next: bool) -> "Connection":
        return cls(total_count=total, page_info=PageInfo(has_next_page=has_next, end_cursor=cursors[-1] if cursors else None),
                   edges=[Edge(cursor=c, node=n) for c, n in zip(cursors, nodes, strict=True)])


def page_size(first: int | None, limit: int = MAX_PAGE) -> int:
    """Raised as a GraphQL error (not data): a query, unlike a mutation, has no userErrors field."""
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > limit:
        raise UserInputError(["first"], f"first は0〜{limit}で指定してください（指定値 {first}）。", "PAGE_SIZE")
    return first
