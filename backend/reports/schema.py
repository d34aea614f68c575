"""GraphQL for the prefecture dashboard and the yearly report: thin, the service checks scope."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError
from backend.api.mutations import mutation
from backend.jobs.types import Job
from backend.reports import models, service
from backend.reports.types import Prefecture, PrefectureReport


def report_of(row: models.PrefectureReport, public_url: str) -> PrefectureReport:
    ready = row.status == "ready"
    return PrefectureReport(id=strawberry.ID(str(row.id)), status=row.status, fiscal_year=row.fiscal_year,
                            generated_at=row.generated_at, html=row.html,
                            csv_url=f"{public_url}/reports/{row.id}.csv" if ready else None,
                            xlsx_url=f"{public_url}/reports/{row.id}.xlsx" if ready else None,
                            error=row.error if row.status == "failed" else None)


@strawberry.type
class ReportPayload:
    report: PrefectureReport | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReportQueries:
    @strawberry.field(description="A prefecture in the caller's scope (its analysts, administrators), or null.")
    def prefecture(self, info: Info[Context, None], code: str) -> Prefecture | None:
        pref = service.visible_prefecture_code(info.context.actor, code)
        return Prefecture.of(pref) if pref else None

    @strawberry.field
    async def prefecture_report(self, info: Info[Context, None], id: strawberry.ID) -> PrefectureReport | None:
        async with info.context.read() as session:
            row = await service.get_visible_report(session, actor=info.context.actor, report_id=id)
        return report_of(row, info.context.settings.public_url) if row else None


@strawberry.type
class ReportMutations:
    @mutation(description="Orders the yearly report (HTML with charts, CSV, XLSX); the workers build it.")
    async def generate_prefecture_report(self, info: Info[Context, None], prefecture_code: str,
                                         fiscal_year: int) -> ReportPayload:
        async with info.context.transaction() as session:
            report, job = await service.request_report(session, actor=info.context.actor,
                                                       prefecture_code=prefecture_code, fiscal_year=fiscal_year)
        await info.context.dispatch()
        return ReportPayload(report=report_of(report, info.context.settings.public_url), job=Job.of(job))
