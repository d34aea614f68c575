"""The prefecture's figures for a fiscal year, computed in SQL: counts only, never text.
A fixed number of statements whatever the volume."""

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.consultations.models import Consultation
from backend.fiscal import day_start_utc, fiscal_months, today_jst
from backend.issues.models import RegionalIssue
from backend.meetings.models import HubMeeting
from backend.regions.models import Area, Hub
from backend.taxonomy import Outcome, RegionalIssueStatus

UNCLASSIFIED = "unclassified"


@dataclass
class Figures:
    areas: list[tuple[int, str]]                        # (id, name)
    hubs: list[tuple[int, str, int]]                    # (id, name, area id)
    hub_scene: dict[tuple[int, str], int]               # (hub id, scene value or UNCLASSIFIED) → count
    by_month: dict[str, int]
    by_caller_role: dict[str, int]
    closed: int
    resolved: int
    unresolved_no_resource: int
    days_to_close: list[float] | None                   # SQLite: the values; PostgreSQL: None (median computed in SQL)
    median_days_to_close: float | None
    meetings_held: dict[int, int] = field(default_factory=dict)
    issues_confirmed: dict[int, int] = field(default_factory=dict)
    issues_addressed: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.hub_scene.values())


def _in_prefecture(prefecture_code: str):
    return select(Hub.id).join(Area, Area.id == Hub.area_id).where(Area.prefecture_code == prefecture_code)


async def collect(session: AsyncSession, *, prefecture_code: str, fiscal_year: int) -> Figures:
    hubs_q = (await session.execute(select(Hub.id, Hub.name, Hub.area_id, Area.name).join(Area, Area.id == Hub.area_id)
                                    .where(Area.prefecture_code == prefecture_code).order_by(Area.id, Hub.id))).all()
    areas = list(dict.fromkeys((area_id, area_name) for _, _, area_id, area_name in hubs_q))
    hub_ids = [h[0] for h in hubs_q]
    scope = and_(Consultation.hub_id.in_(_in_prefecture(prefecture_code)), Consultation.fiscal_year == fiscal_year)

    hub_scene = {(hub, scene or UNCLASSIFIED): n for hub, scene, n in (await session.execute(
        select(Consultation.hub_id, Consultation.primary_scene, func.count()).where(scope)
        .group_by(Consultation.hub_id, Consultation.primary_scene))).all()}

    months = fiscal_months(fiscal_year)
    # month buckets as a CASE over the month starts: the same SQL on SQLite and PostgreSQL
    bounds = [day_start_utc(date(int(m[:4]), int(m[5:]), 1)) for m in months[1:]]
    bucket = case(*[(Consultation.received_at < b, i) for i, b in enumerate(bounds)], else_=len(bounds))
    by_month = dict.fromkeys(months, 0)
    for index, n in (await session.execute(select(bucket, func.count()).where(scope).group_by(bucket))).all():
        by_month[months[index]] = n

    by_role = dict((await session.execute(select(Consultation.caller_role, func.count()).where(scope)
                                          .group_by(Consultation.caller_role))).all())

    closed_scope = and_(scope, Consultation.closed_at.is_not(None))
    closed, resolved, no_resource = (await session.execute(select(
        func.count(), func.count().filter(Consultation.outcome == Outcome.RESOLVED.value),
        func.count().filter(Consultation.outcome == Outcome.UNRESOLVED_NO_RESOURCE.value)).where(closed_scope))).one()
    median = None
    days = None
    if session.bind.dialect.name == "postgresql":
        seconds = func.extract("epoch", Consultation.closed_at - Consultation.received_at)
        median = await session.scalar(select(func.percentile_cont(0.5).within_group(seconds)).where(closed_scope))
        median = None if median is None else float(median) / 86400
    else:
        days = list(await session.scalars(select(func.julianday(Consultation.closed_at) - func.julianday(Consultation.received_at))
                                          .where(closed_scope)))
        median = statistics.median(days) if days else None

    held = dict((await session.execute(select(HubMeeting.hub_id, func.count()).where(
        HubMeeting.hub_id.in_(hub_ids), HubMeeting.held_on >= date(fiscal_year, 4, 1),
        HubMeeting.held_on < date(fiscal_year + 1, 4, 1), HubMeeting.held_on <= today_jst())
        .group_by(HubMeeting.hub_id))).all()) if hub_ids else {}
    confirmed_states = [RegionalIssueStatus.CONFIRMED.value, RegionalIssueStatus.ON_AGENDA.value, RegionalIssueStatus.ADDRESSED.value]
    issue_rows = (await session.execute(select(
        RegionalIssue.hub_id, func.count().filter(RegionalIssue.status.in_(confirmed_states)),
        func.count().filter(RegionalIssue.status == RegionalIssueStatus.ADDRESSED.value))
        .where(RegionalIssue.hub_id.in_(hub_ids), RegionalIssue.fiscal_year == fiscal_year)
        .group_by(RegionalIssue.hub_id))).all() if hub_ids else []
    return Figures(areas=areas, hubs=[(h, name, a) for h, name, a, _ in hubs_q], hub_scene=hub_scene, by_month=by_month,
                   by_caller_role=by_role, closed=closed, resolved=resolved, unresolved_no_resource=no_resource,
                   days_to_close=days, median_days_to_close=median, meetings_held=held,
                   issues_confirmed={h: c for h, c, _ in issue_rows}, issues_addressed={h: a for h, _, a in issue_rows})


async def top_issues(session: AsyncSession, *, prefecture_code: str, fiscal_year: int, limit: int) -> list:
    return list((await session.execute(
        select(RegionalIssue, Area.id, Area.name).join(Hub, Hub.id == RegionalIssue.hub_id).join(Area, Area.id == Hub.area_id)
        .where(Area.prefecture_code == prefecture_code, RegionalIssue.fiscal_year == fiscal_year,
               RegionalIssue.status != RegionalIssueStatus.DISMISSED.value)
        .order_by(RegionalIssue.consultation_count.desc(), RegionalIssue.id).limit(limit))).all())
