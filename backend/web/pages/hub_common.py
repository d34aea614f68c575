"""What the hub manager's pages share: the viewer's hub, the fiscal year and scene of a request, and the
contract's userErrors as the form's field errors."""

from backend.fiscal import FIRST_FISCAL_YEAR, fiscal_year_label, fiscal_year_of, today_jst
from backend.taxonomy import CareScene
from backend.web.core import PageNotFound, Viewer


def hub_of(me: Viewer) -> int:
    """The hub whose pages these are: the viewer's own. Whether they may see or change it is the
    services' decision (the API answers null or NOT_FOUND, shown as 404)."""
    if me.actor.hub_id is None:
        raise PageNotFound()
    return me.actor.hub_id


def fiscal_years() -> list[tuple[int, str]]:
    return [(y, fiscal_year_label(y)) for y in range(fiscal_year_of(today_jst()), FIRST_FISCAL_YEAR - 1, -1)]


def year_of(raw: str | None) -> int:
    if not raw:
        return fiscal_year_of(today_jst())
    if not raw.isdigit() or int(raw) not in dict(fiscal_years()):
        raise PageNotFound()
    return int(raw)


# the hub's issues of a year as choices (merge, agenda, a move's target): the board's own document would also
# fetch three example notes a card, which these forms do not show
ISSUE_CHOICES = """
query HubIssueChoices($hubId: ID!, $fiscalYear: Int!, $scene: CareScene) {
  hub(id: $hubId) {
    regionalIssues(fiscalYear: $fiscalYear, scene: $scene, first: 100) {
      edges { node { id title scene status consultationCount } }
    }
  }
}
"""
SCENES = [(s.name, s.label) for s in CareScene]


def scene_of(raw: str | None) -> str | None:
    """?scene= as the GraphQL enum name (ADMISSION_DISCHARGE); empty is every scene."""
    if not raw:
        return None
    if raw not in dict(SCENES):
        raise PageNotFound()
    return raw


def field_errors(user_errors: list[dict]) -> dict[str, str]:
    """userErrors → {form field: message}: the last named part of the path (["input", "issueIds", "0"] →
    issueIds), "_form" when the path names no field."""
    out: dict[str, str] = {}
    for e in user_errors:
        parts = [p for p in e["field"] if p != "input" and not p.isdigit()]
        out.setdefault(parts[-1] if parts else "_form", e["message"])
    return out


def is_missing(user_errors: list[dict]) -> bool:
    """A NOT_FOUND on the record the page is about (not on a field the person chose): the page is a 404."""
    return any(e["code"] in ("NOT_FOUND", "FORBIDDEN") for e in user_errors)
