"""The prefecture's dashboard and yearly report: aggregates with small cells suppressed, for the
prefecture's analysts (and administrators) only."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.accounts.models import User
from backend.audit import service as audit
from backend.consultations.models import Consultation
from backend.db import utcnow
from backend.errors import NotFound, UserInputError, parse_id
from backend.fiscal import fiscal_year_label, fiscal_year_of, today_jst
from backend.jobs import service as jobs
from backend.jobs.models import Job
from backend.regions import codes
from backend.regions.models import Area, Hub
from backend.reports import aggregates
from backend.reports.models import PrefectureReport
from backend.reports.suppression import Cell, Equation, one_way, rows_and_columns, suppress
from backend.taxonomy import CallerRole, CareScene, Role

SCENES = [s.value for s in CareScene] + [aggregates.UNCLASSIFIED]


@dataclass
class AreaFigures:
    id: int
    name: str
    total: Cell
    by_scene: dict[str, Cell]


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
    prefecture_code: str
    fiscal_year: int
    label: str
    threshold: int
    total: Cell
    by_scene: dict[str, Cell]
    areas: list[AreaFigures]
    by_month: dict[str, Cell]
    by_caller_role: dict[str, Cell]
    closed: Cell
    resolved_rate: float | None
    unresolved_no_resource: Cell
    median_days_to_close: float | None
    hubs: list[HubFigures]


def may_read(actor: Actor, prefecture_code: str) -> bool:
    return actor.role is Role.ADMIN or (actor.role is Role.PREFECTURE_ANALYST and actor.prefecture_code == prefecture_code)


def parse_prefecture(raw: str) -> str | None:
    try:
        return codes.parse_prefecture_code(raw)
    except codes.InvalidPrefectureCode:
        return None


async def overview(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int, threshold: int) -> Overview | None:
    if not may_read(actor, prefecture_code):
        return None
    f = await aggregates.collect(session, prefecture_code=prefecture_code, fiscal_year=fiscal_year)
    k = threshold
    area_of = {h: a for h, _, a in f.hubs}
    area_scene: dict[tuple[int, str], int] = {}
    for (hub, scene), n in f.hub_scene.items():
        area_scene[(area_of[hub], scene)] = area_scene.get((area_of[hub], scene), 0) + n
    # one system of equations for every published table that shares the total, the scenes or the areas
    values, equations = rows_and_columns(area_scene, [a for a, _ in f.areas] or [0], SCENES,
                                         row_key=lambda a: ("area", a), column_key=lambda s: ("scene", s), grand="total")
    for area_id, _ in f.areas:
        hubs = [h for h, _, a in f.hubs if a == area_id]
        for h in hubs:
            values[("hub", h)] = sum(n for (hub, _), n in f.hub_scene.items() if hub == h)
        equations.append(Equation(("area", area_id), tuple(("hub", h) for h in hubs)))
    month_values, month_eq = one_way("total", {("month", m): n for m, n in f.by_month.items()}, total=f.total)
    role_values, role_eq = one_way("total", {("role", r): n for r, n in f.by_caller_role.items()}, total=f.total)
    values.update(month_values)
    values.update(role_values)
    cells = suppress(values, [*equations, *month_eq, *role_eq], k)
    small = lambda n: Cell(None, True) if 0 < n < k else Cell.shown(n)  # noqa: E731  counts in no equation
    unresolved_rest = f.closed - f.resolved
    rate = (round(f.resolved / f.closed, 3) if f.closed >= k and (f.resolved == 0 or f.resolved >= k)
            and (unresolved_rest == 0 or unresolved_rest >= k) else None)
    hubs = [HubFigures(id=h, name=name, area_id=a, area_name=dict(f.areas)[a], consultations=cells[("hub", h)],
                       meetings_held=f.meetings_held.get(h, 0), issues_confirmed=f.issues_confirmed.get(h, 0),
                       issues_addressed=f.issues_addressed.get(h, 0)) for h, name, a in f.hubs]
    return Overview(
        prefecture_code=prefecture_code, fiscal_year=fiscal_year, label=fiscal_year_label(fiscal_year), threshold=k,
        total=cells["total"], by_scene={s.value: cells[("scene", s.value)] for s in CareScene},
        areas=[AreaFigures(id=a, name=name, total=cells[("area", a)],
                           by_scene={s.value: cells[(a, s.value)] for s in CareScene}) for a, name in f.areas],
        by_month={m: cells[("month", m)] for m in f.by_month},
        by_caller_role={r.value: cells[("role", r.value)] if ("role", r.value) in cells else Cell.shown(0) for r in CallerRole},
        closed=small(f.closed), resolved_rate=rate, unresolved_no_resource=small(f.unresolved_no_resource),
        median_days_to_close=round(f.median_days_to_close, 1) if f.median_days_to_close is not None and f.closed >= k else None,
        hubs=hubs)


async def top_issues(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int, first: int,
                     threshold: int) -> list[tuple]:
    """Issue titles may reach the prefecture; a count below the threshold is withheld (None)."""
    if not may_read(actor, prefecture_code):
        return []
    rows = await aggregates.top_issues(session, prefecture_code=prefecture_code, fiscal_year=fiscal_year, limit=first)
    return [(issue, area_id, area_name, issue.consultation_count if issue.consultation_count >= threshold else None)
            for issue, area_id, area_name in rows]


# --- reports -------------------------------------------------------------------------------------

async def request_report(session: AsyncSession, *, actor: Actor, prefecture_code: str, fiscal_year: int
                         ) -> tuple[PrefectureReport, Job]:
    code = parse_prefecture(prefecture_code)
    if code is None or not may_read(actor, code):
        raise NotFound(["prefectureCode"], "都道府県")
    if not 2015 <= fiscal_year <= fiscal_year_of(today_jst()):
        raise UserInputError(["fiscalYear"], f"{fiscal_year}年度の報告書は作成できません（2015年度〜今年度）。", "OUT_OF_RANGE")
    report = PrefectureReport(prefecture_code=code, fiscal_year=fiscal_year, requested_by_id=actor.user_id)
    session.add(report)
    await session.flush()
    job = await jobs.enqueue(session, kind="build_report", key=f"build_report:{report.id}",
                             args={"report_id": report.id}, actor=actor, prefecture_code=code)
    audit.record(session, actor=actor, operation="report.request", entity_type="prefecture_report", entity_id=report.id,
                 fields=["prefectureCode", "fiscalYear"])
    return report, job


async def visible_report(session: AsyncSession, *, actor: Actor, report_id) -> PrefectureReport | None:
    try:
        rid = parse_id(report_id, ["id"], "報告書")
    except UserInputError:
        return None
    report = await session.get(PrefectureReport, rid)
    return report if report is not None and may_read(actor, report.prefecture_code) else None


async def analysts_of(session: AsyncSession, prefecture_code: str) -> list[str]:
    return list(await session.scalars(select(User.email).where(
        User.role == Role.PREFECTURE_ANALYST.value, User.prefecture_code == prefecture_code, User.active.is_(True))
        .order_by(User.id)))


async def has_data(session: AsyncSession, *, prefecture_code: str, fiscal_year: int) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Consultation).join(Hub, Hub.id == Consultation.hub_id)
                                     .join(Area, Area.id == Hub.area_id)
                                     .where(Area.prefecture_code == prefecture_code, Consultation.fiscal_year == fiscal_year)))
