"""The prefecture's dashboard and yearly report: aggregates with small cells suppressed, for the
prefecture's analysts (and administrators) only. Out of scope looks exactly like not found."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import SYSTEM, Actor
from backend.accounts.models import User
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import NotFound, UserInputError, parse_id
from backend.fiscal import fiscal_year_label, fiscal_year_of, require_fiscal_year, today_jst
from backend.jobs import service as jobs
from backend.jobs.models import Job
from backend.regions import codes
from backend.reports import aggregates
from backend.reports.cache import OverviewCache
from backend.reports.models import PrefectureReport
from backend.reports.suppression import Cell, Equation, one_way, rows_and_columns, suppress
from backend.resources import referrals
from backend.settings import Settings
from backend.taxonomy import CallerRole, CareScene, Role

T = TypeVar("T")
UNCLASSIFIED = aggregates.UNCLASSIFIED
SCENES = [s.value for s in CareScene] + [UNCLASSIFIED]
REPORT_TOP_ISSUES = 10
FIRST_REPORT_YEAR = 2015  # the 在宅医療・介護連携推進事業 became every municipality's duty in FY2015


@dataclass
class AreaFigures:
    id: int
    name: str
    total: Cell
    by_scene: dict[str, Cell]                 # every scene value and UNCLASSIFIED


@dataclass
class HubFigures:
    id: int
    name: str
    area_id: int
    area_name: str
    consultations: Cell
    meetings_held: int
    issues_confirmed: int
    issues_addressed: int


@dataclass
class Overview:
    """Everything the dashboard and the report publish, already suppressed: no raw small count in here."""

    prefecture_code: str
    prefecture_name: str
    fiscal_year: int
    label: str
    threshold: int
    total: Cell
    by_scene: dict[str, Cell]                 # every scene value and UNCLASSIFIED
    areas: list[AreaFigures]
    by_month: dict[str, Cell]                 # the twelve months of the fiscal year, "2025-04" …
    by_caller_role: dict[str, Cell]           # every caller role value
    closed: Cell
    resolved_rate: float | None
    unresolved_no_resource: Cell
    median_days_to_close: float | None
    hubs: list[HubFigures]

    @property
    def has_data(self) -> bool:
        return self.total.suppressed or bool(self.total.count)


def parse_prefecture(raw: str) -> str | None:
    try:
        return codes.parse_prefecture_code(raw)
    except codes.InvalidPrefectureCode:
        return None


def _published_cells(f: aggregates.Figures, k: int) -> dict:
    """Every count the dashboard and the report publish, suppressed together as one system: the tables
    share the total, the scene totals and the area totals, so a cell hidden in one is hidden in all.

    Cell keys: "total", ("scene", s), ("area", a), (a, s), ("hub", h), ("month", m), ("role", r),
    "closed", "resolved", "no_resource"; unpublished but derivable remainders take part too, so they
    are protected like any published cell (the open consultations, the other outcomes)."""
    areas = [a for a, _ in f.areas]
    area_scene: dict[tuple[int, str], int] = {}
    area_of = {h.id: h.area_id for h in f.hubs}
    for (hub, scene), n in f.hub_scene.items():
        area_scene[(area_of[hub], scene)] = area_scene.get((area_of[hub], scene), 0) + n
    values, equations = rows_and_columns(area_scene, areas or [0], SCENES, row_key=lambda a: ("area", a),
                                         column_key=lambda s: ("scene", s), grand="total")
    for area in areas:
        hubs = [h.id for h in f.hubs if h.area_id == area]
        values.update({("hub", h): f.hub_total(h) for h in hubs})
        equations.append(Equation(("area", area), tuple(("hub", h) for h in hubs)))
    # the months come from the same statement as the total, so they add up to it; the roles come from
    # another, and a consultation logged in between would leave an (unpublished, protected) remainder
    values.update({("month", m): n for m, n in f.by_month.items()})
    equations.append(Equation("total", tuple(("month", m) for m in f.by_month)))
    roles, role_equations = one_way("total", {("role", r): n for r, n in f.by_caller_role.items()}, total=f.total)
    values.update({key: n for key, n in roles.items() if key != "total"})
    equations += role_equations
    # closed = resolved + no resource + other outcomes; total = closed + still open. The resolved count
    # is published through the rate (rate × closed gives it back), so it is a cell like the others.
    values.update({"closed": f.closed, "resolved": f.resolved, "no_resource": f.unresolved_no_resource,
                   "other_outcomes": f.closed - f.resolved - f.unresolved_no_resource, "open": f.total - f.closed})
    equations += [Equation("closed", ("resolved", "no_resource", "other_outcomes")), Equation("total", ("closed", "open"))]
    return suppress(values, equations, k)


def visible_prefecture_code(actor: Actor, prefecture_code: str) -> str | None:
    """The prefecture's code when the actor may read its figures; None when out of scope or malformed."""
    code = parse_prefecture(prefecture_code)
    if code is None:
        return None
    if not policy.reads_prefecture(actor, code):
        audit.denied("prefecture.read", "prefecture", code)
        return None
    return code


async def _cached(cache: OverviewCache | None, key: tuple, make: Callable[[], Awaitable[T]]) -> T:
    return await make() if cache is None else await cache.get(key, make)


async def overview(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int,
                   threshold: int, cache: OverviewCache | None = None) -> Overview | None:
    """The prefecture's published figures, or None out of scope. Scope is checked before the cache is
    consulted: the cache is shared by every caller of the process."""
    code = visible_prefecture_code(actor, prefecture_code)
    if code is None:
        return None
    require_fiscal_year(fiscal_year, ["fiscalYear"])

    async def make() -> Overview:
        figures = await aggregates.collect(session, prefecture_code=code, fiscal_year=fiscal_year)
        return summarise(figures, prefecture_code=code, threshold=threshold)
    return await _cached(cache, ("overview", code, fiscal_year, threshold), make)


def summarise(f: aggregates.Figures, *, prefecture_code: str, threshold: int) -> Overview:
    """The raw figures as they may be published (pure: the property tests drive it directly)."""
    cells = _published_cells(f, threshold)
    closed, resolved = cells["closed"], cells["resolved"]
    # the rate needs a closed count of at least the threshold, and reveals the resolved count
    rate = (round(resolved.count / closed.count, 3) if not closed.suppressed and not resolved.suppressed
            and closed.count >= threshold else None)
    area_names = dict(f.areas)
    return Overview(
        prefecture_code=prefecture_code, prefecture_name=codes.prefecture_names()[prefecture_code],
        fiscal_year=f.fiscal_year, label=fiscal_year_label(f.fiscal_year), threshold=threshold, total=cells["total"],
        by_scene={s: cells[("scene", s)] for s in SCENES},
        areas=[AreaFigures(id=a, name=name, total=cells[("area", a)], by_scene={s: cells[(a, s)] for s in SCENES})
               for a, name in f.areas],
        by_month={m: cells[("month", m)] for m in f.by_month},
        by_caller_role={r.value: cells.get(("role", r.value), Cell.shown(0)) for r in CallerRole},
        closed=closed, resolved_rate=rate, unresolved_no_resource=cells["no_resource"],
        median_days_to_close=f.median_days_to_close if f.closed >= threshold else None,
        hubs=[HubFigures(id=h.id, name=h.name, area_id=h.area_id, area_name=area_names[h.area_id],
                         consultations=cells[("hub", h.id)], meetings_held=f.meetings_held.get(h.id, 0),
                         issues_confirmed=f.issues_confirmed.get(h.id, 0),
                         issues_addressed=f.issues_addressed.get(h.id, 0)) for h in f.hubs])


async def top_issues(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int, first: int,
                     threshold: int, cache: OverviewCache | None = None) -> list[aggregates.TopIssue] | None:
    """Issue titles may reach the prefecture; a count below the threshold is withheld (None)."""
    code = visible_prefecture_code(actor, prefecture_code)
    if code is None:
        return None
    require_fiscal_year(fiscal_year, ["fiscalYear"])

    async def make() -> list[aggregates.TopIssue]:
        rows = await aggregates.top_issues(session, prefecture_code=code, fiscal_year=fiscal_year, limit=first)
        return [replace(i, consultation_count=None) if 0 < i.consultation_count < threshold else i for i in rows]
    return await _cached(cache, ("top", code, fiscal_year, threshold, first), make)


# --- the yearly report ----------------------------------------------------------------------------

async def request_report(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int
                         ) -> tuple[PrefectureReport, Job]:
    """Orders the report; the `build_report` job builds it. A year without data still gets a report,
    an empty one that says so."""
    code = visible_prefecture_code(actor, prefecture_code)
    if code is None:
        raise NotFound(["prefectureCode"], "都道府県")
    current = fiscal_year_of(today_jst())
    if not FIRST_REPORT_YEAR <= fiscal_year <= current:
        raise UserInputError(["fiscalYear"], f"{fiscal_year}年度の報告書は作成できません"
                             f"（{FIRST_REPORT_YEAR}年度から{current}年度までです）。", "OUT_OF_RANGE")
    report = PrefectureReport(prefecture_code=code, fiscal_year=fiscal_year, requested_by_id=actor.user_id)
    session.add(report)
    await session.flush()
    job = await jobs.queued(session, kind="build_report",
                             args={"report_id": report.id}, actor=actor, prefecture_code=code)
    audit.record(session, actor=actor, operation="report.request", entity_type="prefecture_report",
                 entity_id=report.id, fields=["prefectureCode", "fiscalYear"])
    return report, job


async def get_visible_report(session: AsyncSession, *, actor: Actor, report_id) -> PrefectureReport | None:
    try:
        rid = parse_id(report_id, ["id"], "報告書")
    except UserInputError:
        return None
    report = await session.get(PrefectureReport, rid)
    if report is None:
        return None
    if not policy.reads_prefecture(actor, report.prefecture_code):
        audit.denied("report.read", "prefecture_report", report.id)
        return None
    return report


@dataclass(frozen=True)
class ReportSummary:
    """A report as the analyst's list shows it: no document body (the list and its polling stay light)."""

    id: int
    prefecture_code: str
    fiscal_year: int
    status: str                       # queued, ready, failed
    created_at: datetime
    generated_at: datetime | None
    error: str | None                 # the Japanese reason, when failed
    requested_by: str | None          # the display name of who ordered it

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


def _summaries():
    return (select(PrefectureReport.id, PrefectureReport.prefecture_code, PrefectureReport.fiscal_year,
                   PrefectureReport.status, PrefectureReport.created_at, PrefectureReport.generated_at,
                   PrefectureReport.error, User.display_name)
            .outerjoin(User, User.id == PrefectureReport.requested_by_id))


async def list_reports(session: AsyncSession, *, actor: Actor, prefecture_code: str, limit: int = 30
                       ) -> list[ReportSummary] | None:
    """The prefecture's reports, newest first (one statement); None out of scope."""
    code = visible_prefecture_code(actor, prefecture_code)
    if code is None:
        return None
    rows = await session.execute(_summaries().where(PrefectureReport.prefecture_code == code)
                                 .order_by(PrefectureReport.id.desc()).limit(limit))
    return [ReportSummary(*row) for row in rows.all()]


async def report_summary(session: AsyncSession, *, actor: Actor, report_id: int) -> ReportSummary | None:
    """One report's state (the list's polling); None when missing or out of scope, alike."""
    row = (await session.execute(_summaries().where(PrefectureReport.id == report_id))).first()
    if row is None:
        return None
    summary = ReportSummary(*row)
    if not policy.reads_prefecture(actor, summary.prefecture_code):
        audit.denied("report.read", "prefecture_report", summary.id)
        return None
    return summary


async def report_for_download(session: AsyncSession, *, actor: Actor, report_id) -> PrefectureReport | None:
    """A ready report in the actor's scope, its download recorded (who, which report; never its figures)."""
    report = await get_visible_report(session, actor=actor, report_id=report_id)
    if report is None or report.status != "ready":
        return None
    audit.record(session, actor=actor, operation="report.download", entity_type="prefecture_report",
                 entity_id=report.id, fields=["prefectureCode", "fiscalYear"])
    return report


async def build_report(session: AsyncSession, *, report_id: int, settings: Settings
                       ) -> tuple[PrefectureReport, Overview] | None:
    """Builds the three documents from one suppressed overview (so they show the same figures).
    None when there is nothing to do: the report is gone or an earlier run built it already."""
    from backend.reports import documents  # imports this module for its dataclasses
    report = await session.get(PrefectureReport, report_id, with_for_update=True)
    if report is None or report.status == "ready":
        return None
    k = settings.suppression_threshold
    o = await overview(session, actor=SYSTEM, prefecture_code=report.prefecture_code, fiscal_year=report.fiscal_year,
                       threshold=k)
    top = await top_issues(session, actor=SYSTEM, prefecture_code=report.prefecture_code,
                           fiscal_year=report.fiscal_year, first=REPORT_TOP_ISSUES, threshold=k)
    # unmet needs from the directory's declined referrals, suppressed like every other count here
    needs = await referrals.prefecture_signals(session, actor=SYSTEM, prefecture_code=report.prefecture_code,
                                               fiscal_year=report.fiscal_year, threshold=k) or []
    report.html = documents.render_html(o, o.prefecture_name, top, needs)
    report.csv = documents.render_csv(o, o.prefecture_name, top, needs)
    report.xlsx = documents.render_xlsx(o, o.prefecture_name, top, needs)
    report.status, report.generated_at, report.error = "ready", utcnow(), None
    await session.flush()
    return report, o


async def mark_failed(session: AsyncSession, *, report_id: int) -> None:
    """The build job gave up: the analyst sees why instead of a report queued forever."""
    report = await session.get(PrefectureReport, report_id, with_for_update=True)
    if report is not None and report.status != "ready":
        report.status = "failed"
        report.error = "報告書を作成できませんでした。時間をおいて作成し直すか、管理者に連絡してください。"


async def analysts_of(session: AsyncSession, prefecture_code: str) -> list[str]:
    return list(await session.scalars(select(User.email).where(
        User.role == Role.PREFECTURE_ANALYST.value, User.prefecture_code == prefecture_code, User.active.is_(True))
        .order_by(User.id)))
