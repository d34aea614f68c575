"""GraphQL for the desk report (additive): the figures, and generated documents with their downloads."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError
from backend.api.mutations import mutation
from backend.api.scalars import DateTime
from backend.jobs.types import Job
from backend.reports import desk, desk_service, models


@strawberry.type
class DeskReportRow:
    key: str
    label: str
    count: int | None
    suppressed: bool
    share: float | None
    previous_count: int | None
    previous_suppressed: bool
    previous_share: float | None


@strawberry.type
class DeskReportTable:
    key: str
    title: str
    multiple: bool = strawberry.field(description="複数回答: shares may add up to more than 1")
    rows: list[DeskReportRow]


@strawberry.type
class DeskReportFigures:
    hub_name: str
    label: str
    previous_label: str
    public: bool
    threshold: int
    tables: list[DeskReportTable]

    @classmethod
    def of(cls, r: desk.DeskReport) -> DeskReportFigures:
        return cls(hub_name=r.hub_name, label=r.label, previous_label=r.previous_label, public=r.public,
                   threshold=r.threshold, tables=[DeskReportTable(key=t.key, title=t.title, multiple=t.multiple, rows=[
                       DeskReportRow(key=w.key, label=w.label, count=w.current.count, suppressed=w.current.suppressed,
                                     share=w.current_share, previous_count=w.previous.count,
                                     previous_suppressed=w.previous.suppressed, previous_share=w.previous_share)
                       for w in t.rows]) for t in r.tables])


@strawberry.input
class DeskReportPeriod:
    kind: str = strawberry.field(description="month, quarter or fiscal_year")
    fiscal_year: int
    index: int | None = strawberry.field(default=None, description="the month (1–12) or quarter (1–4)")


@strawberry.type
class DeskReportFile:
    id: strawberry.ID
    label: str
    public: bool
    status: str = strawberry.field(description="queued, ready or failed")
    created_at: DateTime
    generated_at: DateTime | None
    error: str | None
    html_url: str | None
    csv_url: str | None
    xlsx_url: str | None

    @classmethod
    def of(cls, row: models.DeskReportFile, public_url: str) -> DeskReportFile:
        ready = row.status == "ready"
        base = f"{public_url.rstrip('/')}/desk-reports/{row.id}"
        return cls(id=strawberry.ID(str(row.id)), label=desk_service.period_of(row).label, public=row.public,
                   status=row.status, created_at=row.created_at, generated_at=row.generated_at,
                   error=row.error if row.status == "failed" else None,
                   html_url=f"{base}.html" if ready else None, csv_url=f"{base}.csv" if ready else None,
                   xlsx_url=f"{base}.xlsx" if ready else None)


@strawberry.type
class DeskReportPayload:
    report: DeskReportFile | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _period(p: DeskReportPeriod) -> desk.Period:
    return desk.Period.parse(p.kind, p.fiscal_year, p.index, ["period"])


@strawberry.type
class DeskReportQueries:
    @strawberry.field(description="The desk report's figures for the caller's own hub (its desk), or null.")
    async def desk_report(self, info: Info[Context, None], hub_id: strawberry.ID, period: DeskReportPeriod,
                          public: bool = False) -> DeskReportFigures | None:
        async with info.context.read() as session:
            report = await desk_service.figures(session, actor=info.context.actor, hub_id=hub_id,
                                                period=_period(period), public=public,
                                                threshold=info.context.settings.suppression_threshold)
        return DeskReportFigures.of(report) if report else None

    @strawberry.field(description="Desk reports generated for the hub, newest first.")
    async def desk_report_files(self, info: Info[Context, None], hub_id: strawberry.ID) -> list[DeskReportFile]:
        async with info.context.read() as session:
            rows = await desk_service.list_for_hub(session, actor=info.context.actor, hub_id=hub_id)
        return [DeskReportFile.of(r, info.context.settings.public_url) for r in rows]


@strawberry.type
class DeskReportMutations:
    @mutation(description="Orders the desk report's documents (HTML, CSV, XLSX); the workers build them.")
    async def generate_desk_report(self, info: Info[Context, None], hub_id: strawberry.ID, period: DeskReportPeriod,
                                   public: bool = False) -> DeskReportPayload:
        async with info.context.transaction() as session:
            row, job = await desk_service.request(session, actor=info.context.actor, hub_id=hub_id,
                                                  period=_period(period), public=public)
        await info.context.dispatch()
        return DeskReportPayload(report=DeskReportFile.of(row, info.context.settings.public_url), job=Job.of(job))
