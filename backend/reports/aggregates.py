"""The prefecture's figures for a fiscal year, computed in SQL: counts only, never text.

Six statements whatever the volume, each one pass over the consultations of the prefecture's hubs
for the year (index `ix_consultation_fy_hub`, covering on PostgreSQL, so the passes read the index
only):
  hubs of the prefecture · hub × scene with cumulative month counts · caller roles ·
  closed consultations by tenth of a day to close (closed, resolved, no-resource and the median) ·
  meetings held per hub · issues per hub.
The same SQL runs on SQLite and PostgreSQL; only the days-to-close expression differs by dialect.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.consultations.models import Consultation
from backend.fiscal import day_start_utc, fiscal_months, today_jst
from backend.issues.models import RegionalIssue
from backend.meetings.models import HubMeeting
from backend.regions.models import Area, Hub
from backend.taxonomy import Outcome, RegionalIssueStatus

# Consultations without a primary scene (the classifier found no scene term and the coordinator chose
# none) are their own part, 未分類, so the scene parts always add up to the total without claiming a
# scene the coordinator never gave.
UNCLASSIFIED = "unclassified"
CONFIRMED_STATES = (RegionalIssueStatus.CONFIRMED.value, RegionalIssueStatus.ON_AGENDA.value,
                    RegionalIssueStatus.ADDRESSED.value)


@dataclass(frozen=True)
class HubRow:
    id: int
    name: str
    area_id: int


@dataclass
class Figures:
    """Raw counts: nothing here is suppressed yet; the service passes them through suppression."""

    fiscal_year: int
    areas: list[tuple[int, str]]                        # (id, name), in id order
    hubs: list[HubRow]
    hub_scene: dict[tuple[int, str], int]               # (hub id, scene value or UNCLASSIFIED) → count
    by_month: dict[str, int]                            # "2025-04" … "2026-03", all twelve
    by_caller_role: dict[str, int]                      # caller role value → count (roles seen only)
    closed: int = 0
    resolved: int = 0
    unresolved_no_resource: int = 0
    median_days_to_close: float | None = None           # of the closed consultations, in days
    meetings_held: dict[int, int] = field(default_factory=dict)
    issues_confirmed: dict[int, int] = field(default_factory=dict)
    issues_addressed: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.hub_scene.values())

    def hub_total(self, hub_id: int) -> int:
        return sum(n for (hub, _), n in self.hub_scene.items() if hub == hub_id)


def _month_starts(fiscal_year: int) -> list:
    """UTC instants where the 2nd … 12th JST month of the fiscal year begin."""
    return [day_start_utc(date(int(m[:4]), int(m[5:]), 1)) for m in fiscal_months(fiscal_year)[1:]]


def _tenths_of_a_day_to_close(dialect: str):
    if dialect == "postgresql":
        return func.round(func.extract("epoch", Consultation.closed_at - Consultation.received_at) / 8640)
    return func.round((func.julianday(Consultation.closed_at) - func.julianday(Consultation.received_at)) * 10)


def median_of_histogram(buckets: list[tuple[float, int]]) -> float | None:
    """The median of values given as (value, how many), exact for values on the buckets' grid."""
    buckets = sorted((v, n) for v, n in buckets if n)
    total = sum(n for _, n in buckets)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]               # the middle one, or the middle two
    found, seen = [], 0
    for value, n in buckets:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / 2


async def collect(session: AsyncSession, *, prefecture_code: str, fiscal_year: int) -> Figures:
    hub_rows = (await session.execute(
        select(Hub.id, Hub.name, Hub.area_id, Area.name).join(Area, Area.id == Hub.area_id)
        .where(Area.prefecture_code == prefecture_code).order_by(Area.id, Hub.id))).all()
    months = fiscal_months(fiscal_year)
    figures = Figures(fiscal_year=fiscal_year, areas=list(dict.fromkeys((a, an) for _, _, a, an in hub_rows)),
                      hubs=[HubRow(h, name, a) for h, name, a, _ in hub_rows], hub_scene={},
                      by_month=dict.fromkeys(months, 0), by_caller_role={})
    hub_ids = [h.id for h in figures.hubs]
    if not hub_ids:
        return figures
    # the hub ids as a literal list, not a subquery: the planner then walks the index for exactly them
    scope = (Consultation.fiscal_year == fiscal_year, Consultation.hub_id.in_(hub_ids))

    # months as cumulative counts "received before the n-th month start" in the same pass as hub × scene:
    # a handful of comparisons a row is cheaper than a second pass (and than grouping by a CASE, whose
    # group count the planner cannot estimate)
    starts = _month_starts(fiscal_year)
    rows = (await session.execute(
        select(Consultation.hub_id, Consultation.primary_scene, func.count(),
               *[func.count().filter(Consultation.received_at < s) for s in starts])
        .where(*scope).group_by(Consultation.hub_id, Consultation.primary_scene))).all()
    cumulative = [0] * len(months)
    for hub, scene, n, *before in rows:
        figures.hub_scene[(hub, scene or UNCLASSIFIED)] = n
        for i, b in enumerate([*before, n]):
            cumulative[i] += b
    for i, month in enumerate(months):
        figures.by_month[month] = cumulative[i] - (cumulative[i - 1] if i else 0)

    figures.by_caller_role = dict((await session.execute(
        select(Consultation.caller_role, func.count()).where(*scope).group_by(Consultation.caller_role))).all())

    tenths = _tenths_of_a_day_to_close(session.bind.dialect.name)
    histogram = (await session.execute(
        select(tenths, func.count(), func.count().filter(Consultation.outcome == Outcome.RESOLVED.value),
               func.count().filter(Consultation.outcome == Outcome.UNRESOLVED_NO_RESOURCE.value))
        .where(*scope, Consultation.closed_at.is_not(None)).group_by(tenths))).all()
    figures.closed = sum(n for _, n, _, _ in histogram)
    figures.resolved = sum(r for _, _, r, _ in histogram)
    figures.unresolved_no_resource = sum(u for _, _, _, u in histogram)
    median = median_of_histogram([(float(t) / 10, n) for t, n, _, _ in histogram if t is not None])
    figures.median_days_to_close = None if median is None else round(median, 1)

    # a meeting counts as held once its day has come (a scheduled one later in the year has not been held)
    figures.meetings_held = dict((await session.execute(
        select(HubMeeting.hub_id, func.count())
        .where(HubMeeting.hub_id.in_(hub_ids), HubMeeting.held_on >= date(fiscal_year, 4, 1),
               HubMeeting.held_on < date(fiscal_year + 1, 4, 1), HubMeeting.held_on <= today_jst())
        .group_by(HubMeeting.hub_id))).all())
    for hub, confirmed, addressed in (await session.execute(
            select(RegionalIssue.hub_id, func.count().filter(RegionalIssue.status.in_(CONFIRMED_STATES)),
                   func.count().filter(RegionalIssue.status == RegionalIssueStatus.ADDRESSED.value))
            .where(RegionalIssue.hub_id.in_(hub_ids), RegionalIssue.fiscal_year == fiscal_year)
            .group_by(RegionalIssue.hub_id))).all():
        figures.issues_confirmed[hub], figures.issues_addressed[hub] = confirmed, addressed
    return figures


@dataclass(frozen=True)
class TopIssue:
    id: int
    title: str
    scene: str
    status: str
    area_id: int
    area_name: str
    consultation_count: int | None  # None once withheld below the suppression threshold


async def top_issues(session: AsyncSession, *, prefecture_code: str, fiscal_year: int, limit: int) -> list[TopIssue]:
    """The prefecture's largest issues; a dismissed issue is no issue. Titles only: an issue's note
    is never even read here."""
    return [TopIssue(*row) for row in (await session.execute(
        select(RegionalIssue.id, RegionalIssue.title, RegionalIssue.scene, RegionalIssue.status, Area.id, Area.name,
               RegionalIssue.consultation_count).join(Hub, Hub.id == RegionalIssue.hub_id)
        .join(Area, Area.id == Hub.area_id)
        .where(Area.prefecture_code == prefecture_code, RegionalIssue.fiscal_year == fiscal_year,
               RegionalIssue.status != RegionalIssueStatus.DISMISSED.value)
        .order_by(RegionalIssue.consultation_count.desc(), RegionalIssue.id).limit(limit))).all()]
