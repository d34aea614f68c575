"""A regional issue's figures as the caller may see them. The hub's desk sees them exact; anyone else who
may read the issue (its prefecture's analysts, admins) sees them through the one suppression rule of
`reports/suppression.py`: counts 1–9 hidden with the monthly trend protected against subtraction, first
and last seen coarsened to the month, and nothing that comes from the notes' words or the manager's note."""

from dataclasses import dataclass
from datetime import datetime, time

from backend import policy
from backend.accounts.actor import Actor
from backend.fiscal import JST, japan_date
from backend.issues.models import RegionalIssue
from backend.reports.suppression import Cell, one_way, suppress


@dataclass(frozen=True)
class IssueFigures:
    consultation_count: Cell
    unresolved_count: Cell
    trend: list[tuple[str, Cell]]
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    key_terms: list[str]
    note: str | None


def month_start(moment: datetime | None) -> datetime | None:
    """The first instant (Japan time) of the month an instant fell in."""
    if moment is None:
        return None
    return datetime.combine(japan_date(moment).replace(day=1), time(), JST)


def figures_for(actor: Actor, issue: RegionalIssue, *, threshold: int) -> IssueFigures:
    trend = [(p["month"], p["count"]) for p in issue.trend or []]
    if policy.sees_consultations_of(actor, issue.hub_id):
        return IssueFigures(consultation_count=Cell.shown(issue.consultation_count),
                            unresolved_count=Cell.shown(issue.unresolved_count),
                            trend=[(m, Cell.shown(n)) for m, n in trend], first_seen_at=issue.first_seen_at,
                            last_seen_at=issue.last_seen_at, key_terms=list(issue.key_terms or []), note=issue.note)
    # the months add up to the count: one equation, so no hidden month can be worked out from the rest
    values, equations = one_way("count", {("month", m): n for m, n in trend}, total=issue.consultation_count)
    values["unresolved"] = issue.unresolved_count
    cells = suppress(values, equations, threshold)
    return IssueFigures(consultation_count=cells["count"], unresolved_count=cells["unresolved"],
                        trend=[(m, cells[("month", m)]) for m, _ in trend],
                        first_seen_at=month_start(issue.first_seen_at), last_seen_at=month_start(issue.last_seen_at),
                        key_terms=[], note=None)
