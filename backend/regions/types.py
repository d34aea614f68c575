from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.enums import CareScene
from backend.api.pagination import Connection, page_size

if TYPE_CHECKING:
    from backend.issues.types import RegionalIssue
    from backend.meetings.schema import HubMember
    from backend.resources.types import UnmetNeed
    from backend.reports.types import Prefecture

from backend.regions import codes, models


@strawberry.type
class Municipality:
    code: str
    code6: str
    name: str
    prefecture_code: strawberry.Private[str]

    @strawberry.field
    def prefecture(self) -> Annotated[Prefecture, strawberry.lazy("backend.reports.types")]:
        from backend.reports.types import Prefecture
        return Prefecture.of(self.prefecture_code)

    @classmethod
    def of(cls, code: str) -> Municipality:
        m = codes.lookup(code)
        return cls(code=m.code, code6=m.code6, name=m.name, prefecture_code=m.prefecture_code)


@strawberry.type
class Area:
    id: strawberry.ID
    name: str
    prefecture_code: strawberry.Private[str]

    @strawberry.field
    def prefecture(self) -> Annotated[Prefecture, strawberry.lazy("backend.reports.types")]:
        from backend.reports.types import Prefecture
        return Prefecture.of(self.prefecture_code)

    @strawberry.field
    async def municipalities(self, info: Info[Context, None]) -> list[Municipality]:
        return [Municipality.of(c) for c in await info.context.loaders.area_municipalities.load(int(self.id))]

    @classmethod
    def of(cls, row: models.Area) -> Area:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, prefecture_code=row.prefecture_code)


@strawberry.type
class Hub:
    id: strawberry.ID
    name: str
    area_id: strawberry.Private[int]
    known_area: strawberry.Private[Area | None] = None  # when the caller already has it (the dashboard)

    @strawberry.field
    async def area(self, info: Info[Context, None]) -> Area:
        if self.known_area is not None:
            return self.known_area
        return Area.of(await info.context.loaders.area.load(self.area_id))

    @strawberry.field(description="The hub's regional issues of a fiscal year: on the agenda first, then by size.")
    async def regional_issues(self, info: Info[Context, None], fiscal_year: int, scene: CareScene | None = None, first: int | None = None,
                              after: str | None = None
                              ) -> Connection[Annotated[RegionalIssue, strawberry.lazy("backend.issues.types")]]:
        from backend.issues import service as issues
        from backend.issues.types import RegionalIssue as IssueType
        size = page_size(first)
        async with info.context.read() as session:
            page = await issues.board(session, actor=info.context.actor, hub_id=int(self.id), fiscal_year=fiscal_year,
                                      scene=scene, first=size, after=after)
        return Connection.of([IssueType.of(r) for r in page.rows], page.cursors, page.total, page.has_next)

    @strawberry.field(description="The members of the hub's 協議の場; null for anyone but its manager and admins.")
    async def members(self, info: Info[Context, None]) -> list[Annotated[HubMember, strawberry.lazy("backend.meetings.schema")]] | None:
        from backend.meetings import members
        from backend.meetings.schema import HubMember as MemberType
        async with info.context.read() as session:
            rows = await members.members(session, actor=info.context.actor, hub_id=int(self.id))
        return None if rows is None else [MemberType.of(r) for r in rows]

    @strawberry.field(description="Unmet needs from declined referrals (the directory), for the hub's desk; null for others.")
    async def unmet_needs(self, info: Info, fiscal_year: int
                          ) -> list[Annotated[UnmetNeed, strawberry.lazy("backend.resources.types")]] | None:
        from backend.resources import referrals
        from backend.resources.types import UnmetNeed as NeedType
        async with info.context.read() as session:
            rows = await referrals.hub_signals(session, actor=info.context.actor, hub_id=int(self.id), fiscal_year=fiscal_year)
        return None if rows is None else [NeedType.of(s) for s in rows]

    @classmethod
    def of(cls, row: models.Hub) -> Hub:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, area_id=row.area_id)
