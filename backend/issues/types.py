from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend import taxonomy as t
from backend.api.context import Context
from backend.api.enums import CareScene, ConsultationStatus, RegionalIssueStatus
from backend.api.pagination import Connection, page_size
from backend.api.scalars import DateTime
from backend.issues import models
from backend.issues.figures import IssueFigures, figures_for
from backend.regions.types import Hub


@strawberry.type
class TrendPoint:
    month: str
    count: int | None = strawberry.field(description="null where the small-cell rule hides it (analysts)")
    suppressed: bool


@strawberry.type
class IssueConsultation:
    """A consultation as the hub's issue board lists it (its own hub only)."""

    id: strawberry.ID
    received_at: DateTime
    summary: str
    status: ConsultationStatus


@strawberry.type
class RegionalIssue:
    """Figures are exact for the hub's desk; for anyone else who may read the issue they pass the one
    small-cell rule (issues/figures.py), whichever path led here."""

    id: strawberry.ID
    title: str
    scene: CareScene
    status: RegionalIssueStatus
    fiscal_year: int
    hub_id: strawberry.Private[int]
    row: strawberry.Private[models.RegionalIssue]

    def _figures(self, info: Info[Context, None]) -> IssueFigures:
        return info.context.memo(("issue-figures", self.row.id), lambda: figures_for(
            info.context.actor, self.row, threshold=info.context.settings.suppression_threshold))

    @strawberry.field(description="The manager's note; null for those outside the hub.")
    def note(self, info: Info[Context, None]) -> str | None:
        return self._figures(info).note

    @strawberry.field(description="null where the small-cell rule hides it (analysts)")
    def consultation_count(self, info: Info[Context, None]) -> int | None:
        return self._figures(info).consultation_count.count

    @strawberry.field(description="null where the small-cell rule hides it (analysts)")
    def unresolved_count(self, info: Info[Context, None]) -> int | None:
        return self._figures(info).unresolved_count.count

    @strawberry.field(description="Words of the notes: for the hub's desk only.")
    def key_terms(self, info: Info[Context, None]) -> list[str]:
        return self._figures(info).key_terms

    @strawberry.field(description="Exact for the hub's desk; the start of the month for others.")
    def first_seen_at(self, info: Info[Context, None]) -> DateTime | None:
        return self._figures(info).first_seen_at

    @strawberry.field(description="Exact for the hub's desk; the start of the month for others.")
    def last_seen_at(self, info: Info[Context, None]) -> DateTime | None:
        return self._figures(info).last_seen_at

    @strawberry.field
    def trend(self, info: Info[Context, None]) -> list[TrendPoint]:
        return [TrendPoint(month=m, count=c.count, suppressed=c.suppressed) for m, c in self._figures(info).trend]

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
        total = self.row.consultation_count
        return Connection.of(nodes, [str(r.id) for r in rows], total, total > len(rows))

    @classmethod
    def of(cls, row: models.RegionalIssue) -> RegionalIssue:
        return cls(id=strawberry.ID(str(row.id)), title=row.title, scene=t.CareScene(row.scene),
                   status=t.RegionalIssueStatus(row.status), fiscal_year=row.fiscal_year, hub_id=row.hub_id, row=row)
