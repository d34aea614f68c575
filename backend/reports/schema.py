"""GraphQL for the prefecture dashboard and the yearly report."""

import strawberry
from strawberry.types import Info

from backend.accounts.actor import SYSTEM
from backend.api.errors import UserError
from backend.errors import UserInputError
from backend.jobs.types import Job
from backend.regions import codes
from backend.regions.types import Area, Hub, Prefecture
from backend.reports import models, service
from backend.reports.types import Count, HubActivity, PrefectureIssue, PrefectureReport
from backend.taxonomy import CareScene, RegionalIssueStatus


async def overview(info: Info, code: str, fiscal_year: int) -> service.Overview | None:
    if not service.may_read(info.context.actor, code):  # scope first: the cache is shared by every caller
        return None
    k = info.context.settings.suppression_threshold

    async def make():
        async with info.context.read() as session:
            return await service.overview(session, actor=SYSTEM, prefecture_code=code, fiscal_year=fiscal_year, threshold=k)
    key = (code, fiscal_year, k)
    return await info.context.once(key, lambda: info.context.overviews.get(key, make))


async def top_issues(info: Info, code: str, fiscal_year: int, first: int) -> list[PrefectureIssue]:
    if not service.may_read(info.context.actor, code):
        return []
    k = info.context.settings.suppression_threshold

    async def make():
        async with info.context.read() as session:
            return await service.top_issues(session, actor=SYSTEM, prefecture_code=code, fiscal_year=fiscal_year,
                                            first=first, threshold=k)
    rows = await info.context.overviews.get(("top", code, fiscal_year, k, first), make)
    return [PrefectureIssue(id=strawberry.ID(str(i.id)), title=i.title, scene=CareScene(i.scene),
                            status=RegionalIssueStatus(i.status), consultation_count=i.consultation_count,
                            area=Area(id=strawberry.ID(str(i.area_id)), name=i.area_name, prefecture_code=code))
            for i in rows or []]


async def hub_activity(info: Info, code: str, fiscal_year: int) -> list[HubActivity]:
    o = await overview(info, code, fiscal_year)
    if o is None:
        return []
    return [HubActivity(hub=Hub(id=strawberry.ID(str(h.id)), name=h.name, area_id=h.area_id,
                                known_area=Area(id=strawberry.ID(str(h.area_id)), name=h.area_name, prefecture_code=code)),
                        consultations=Count.of(h.consultations), meetings_held=h.meetings_held,
                        issues_confirmed=h.issues_confirmed, issues_addressed=h.issues_addressed) for h in o.hubs]


def report_of(row: models.PrefectureReport, public_url: str) -> PrefectureReport:
    ready = row.status == "ready"
    return PrefectureReport(id=strawberry.ID(str(row.id)), status=row.status, fiscal_year=row.fiscal_year,
                            generated_at=row.generated_at, html=row.html,
                            csv_url=f"{public_url}/reports/{row.id}.csv" if ready else None,
                            xlsx_url=f"{public_url}/reports/{row.id}.xlsx" if ready else None)


@strawberry.type
class ReportPayload:
    report: PrefectureReport | None = None
    job: Job | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReportQueries:
    @strawberry.field(description="A prefecture in the caller's scope (its analysts, administrators), or null.")
    def prefecture(self, info: Info, code: str) -> Prefecture | None:
        pref = service.parse_prefecture(code)
        if pref is None or not service.may_read(info.context.actor, pref):
            return None
        return Prefecture(code=pref, name=codes.prefecture_names()[pref])

    @strawberry.field
    async def prefecture_report(self, info: Info, id: strawberry.ID) -> PrefectureReport | None:
        async with info.context.read() as session:
            row = await service.visible_report(session, actor=info.context.actor, report_id=id)
        return report_of(row, info.context.settings.public_url) if row else None


@strawberry.type
class ReportMutations:
    @strawberry.mutation(description="Orders the yearly report (HTML with charts, CSV, XLSX); the workers build it.")
    async def generate_prefecture_report(self, info: Info, prefecture_code: str, fiscal_year: int) -> ReportPayload:
        try:
            async with info.context.transaction() as session:
                report, job = await service.request_report(session, actor=info.context.actor,
                                                           prefecture_code=prefecture_code, fiscal_year=fiscal_year)
        except UserInputError as e:
            return ReportPayload(user_errors=[UserError.of(e)])
        await info.context.dispatch()
        return ReportPayload(report=report_of(report, info.context.settings.public_url), job=Job.of(job))
