"""Pages of rows and their opaque cursors, shared by the services that list things."""

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

from backend.errors import UserInputError

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    rows: list[T]
    total: int
    has_next: bool
    cursors: list[str]


def encode_cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode("|".join(map(str, parts)).encode()).decode()


def decode_cursor(cursor: str, *, parts: int) -> list[str]:
    try:
        values = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except Exception:
        values = []
    if len(values) != parts:
        raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
    return values
