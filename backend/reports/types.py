from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend import taxonomy as t
from backend.api.context import Context
from backend.api.enums import CallerRole, CareScene, RegionalIssueStatus
from backend.api.pagination import page_size
from backend.api.scalars import DateTime
from backend.regions import codes
from backend.regions.types import Area, Hub
from backend.reports import service
from backend.reports.suppression import Cell


@strawberry.type
class Count:
    count: int | None
    suppressed: bool

    @classmethod
    def of(cls, cell: Cell) -> Count:
        return cls(count=cell.count, suppressed=cell.suppressed)


@strawberry.type
class SceneCount:
    scene: CareScene
    label: str
    count: int | None
    suppressed: bool


@strawberry.type
class MonthCount:
    month: str
    count: int | None
    suppressed: bool


@strawberry.type
class CallerRoleCount:
    caller_role: CallerRole
    label: str
    count: int | None
    suppressed: bool


@strawberry.type
class AreaStats:
    area: Area
    total: Count
    by_scene: list[SceneCount]
    unclassified: Count = strawberry.field(description="consultations without a primary scene (未分類)")


@strawberry.type
class Resolution:
    closed: Count
    resolved_rate: float | None = strawberry.field(description="resolved / closed; null where it would reveal a small count")
    unresolved_no_resource: Count
    median_days_to_close: float | None


@strawberry.type
class PrefectureStats:
    fiscal_year: int
    label: str
    suppression_threshold: int
    total: Count
    by_scene: list[SceneCount] = strawberry.field(description="the eight care scenes; with `unclassified` they add up to `total`")
    unclassified: Count = strawberry.field(description="consultations without a primary scene (未分類)")
    by_area: list[AreaStats]
    by_month: list[MonthCount]
    by_caller_role: list[CallerRoleCount]
    resolution: Resolution


def _scenes(cells: dict[str, Cell]) -> list[SceneCount]:
    return [SceneCount(scene=s, label=s.label, count=cells[s.value].count, suppressed=cells[s.value].suppressed)
            for s in t.CareScene]


def stats_of(o: service.Overview) -> PrefectureStats:
    return PrefectureStats(
        fiscal_year=o.fiscal_year, label=o.label, suppression_threshold=o.threshold, total=Count.of(o.total),
        by_scene=_scenes(o.by_scene), unclassified=Count.of(o.by_scene[service.UNCLASSIFIED]),
        by_area=[AreaStats(area=Area(id=strawberry.ID(str(a.id)), name=a.name, prefecture_code=o.prefecture_code),
                           total=Count.of(a.total), by_scene=_scenes(a.by_scene),
                           unclassified=Count.of(a.by_scene[service.UNCLASSIFIED])) for a in o.areas],
        by_month=[MonthCount(month=m, count=c.count, suppressed=c.suppressed) for m, c in o.by_month.items()],
        by_caller_role=[CallerRoleCount(caller_role=r, label=r.label, count=o.by_caller_role[r.value].count,
                                        suppressed=o.by_caller_role[r.value].suppressed) for r in t.CallerRole],
        resolution=Resolution(closed=Count.of(o.closed), resolved_rate=o.resolved_rate,
                              unresolved_no_resource=Count.of(o.unresolved_no_resource),
                              median_days_to_close=o.median_days_to_close))


@strawberry.type
class PrefectureIssue:
    """A regional issue as the prefecture sees it: its title and size, never its consultations."""

    id: strawberry.ID
    title: str
    scene: CareScene
    status: RegionalIssueStatus
    area: Area
    consultation_count: int | None = strawberry.field(description="null below the suppression threshold")


@strawberry.type
class HubActivity:
    hub: Hub
    consultations: Count
    meetings_held: int
    issues_confirmed: int
    issues_addressed: int


@strawberry.type
class PrefectureReport:
    id: strawberry.ID
    status: str
    fiscal_year: int
    generated_at: DateTime | None
    html: str | None
    csv_url: str | None
    xlsx_url: str | None
    error: str | None = strawberry.field(description="Why the report could not be built (Japanese), when FAILED.")


async def _overview(info: Info[Context, None], code: str, fiscal_year: int) -> service.Overview | None:
    context = info.context

    async def make() -> service.Overview | None:
        async with context.read() as session:
            return await service.overview(session, actor=context.actor, prefecture_code=code, fiscal_year=fiscal_year,
                                          threshold=context.settings.suppression_threshold, cache=context.overviews)
    return await context.once(("overview", code, fiscal_year), make)   # stats and hubActivity share it


@strawberry.type
class Prefecture:
    code: str
    name: str

    @strawberry.field(description="Aggregates of the prefecture's hubs for a fiscal year, small counts hidden.")
    async def stats(self, info: Info[Context, None], fiscal_year: int) -> PrefectureStats | None:
        o = await _overview(info, self.code, fiscal_year)
        return stats_of(o) if o else None

    @strawberry.field(description="The prefecture's largest regional issues of the year (titles only).")
    async def top_issues(self, info: Info[Context, None], fiscal_year: int, first: int | None = 10
                         ) -> list[PrefectureIssue]:
        context = info.context
        async with context.read() as session:
            rows = await service.top_issues(session, actor=context.actor, prefecture_code=self.code,
                                            fiscal_year=fiscal_year, first=page_size(first),
                                            threshold=context.settings.suppression_threshold, cache=context.overviews)
        return [PrefectureIssue(id=strawberry.ID(str(i.id)), title=i.title, scene=t.CareScene(i.scene),
                                status=t.RegionalIssueStatus(i.status), consultation_count=i.consultation_count,
                                area=Area(id=strawberry.ID(str(i.area_id)), name=i.area_name, prefecture_code=self.code))
                for i in rows or []]

    @strawberry.field
    async def hub_activity(self, info: Info[Context, None], fiscal_year: int) -> list[HubActivity]:
        o = await _overview(info, self.code, fiscal_year)
        if o is None:
            return []
        return [HubActivity(hub=Hub(id=strawberry.ID(str(h.id)), name=h.name, area_id=h.area_id,
                                    known_area=Area(id=strawberry.ID(str(h.area_id)), name=h.area_name,
                                                    prefecture_code=self.code)),
                            consultations=Count.of(h.consultations), meetings_held=h.meetings_held,
                            issues_confirmed=h.issues_confirmed, issues_addressed=h.issues_addressed) for h in o.hubs]

    @classmethod
    def of(cls, code: str) -> Prefecture:
        return cls(code=code, name=codes.prefecture_names()[code])
