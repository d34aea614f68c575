from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend import taxonomy as t
from backend.api.context import Context
from backend.api.enums import CareScene, ConsultationStatus, RegionalIssueStatus
from backend.api.pagination import Connection, page_size
from backend.api.scalars import DateTime
from backend.issues import models
from backend.regions.types import Hub


@strawberry.type
class TrendPoint:
    month: str
    count: int


@strawberry.type
class IssueConsultation:
    """A consultation as the hub's issue board lists it (its own hub only)."""

    id: strawberry.ID
    received_at: DateTime
    summary: str
    status: ConsultationStatus


@strawberry.type
class RegionalIssue:
    id: strawberry.ID
    title: str
    scene: CareScene
    status: RegionalIssueStatus
    note: str | None
    fiscal_year: int
    consultation_count: int
    unresolved_count: int
    key_terms: list[str]
    first_seen_at: DateTime | None
    last_seen_at: DateTime | None
    trend: list[TrendPoint]
    hub_id: strawberry.Private[int]

    @strawberry.field
    async def hub(self, info: Info[Context, None]) -> Hub:
        return Hub.of(await info.context.loaders.hub.load(self.hub_id))

    @strawberry.field(description="Newest first. Empty for roles that may not see consultations.")
    async def consultations(self, info: Info[Context, None], first: int | None = None) -> Connection[IssueConsultation]:
        n = page_size(first)
        if n == 0:
            return Connection.of([], [], 0, False)
        rows = await info.context.loaders.issue_consultations.load((int(self.id), n))
        if not rows:   # none, or none the caller may read: the count is not theirs either
            return Connection.of([], [], 0, False)
        nodes = [IssueConsultation(id=strawberry.ID(str(r.id)), received_at=r.received_at, summary=r.summary,
                                   status=t.ConsultationStatus(r.status)) for r in rows]
        return Connection.of(nodes, [str(r.id) for r in rows], self.consultation_count,
                             self.consultation_count > len(rows))

    @classmethod
    def of(cls, row: models.RegionalIssue) -> RegionalIssue:
        return cls(id=strawberry.ID(str(row.id)), title=row.title, scene=t.CareScene(row.scene),
                   status=t.RegionalIssueStatus(row.status), note=row.note, fiscal_year=row.fiscal_year,
                   consultation_count=row.consultation_count, unresolved_count=row.unresolved_count,
                   key_terms=list(row.key_terms or []), first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
                   trend=[TrendPoint(month=p["month"], count=p["count"]) for p in row.trend or []], hub_id=row.hub_id)
