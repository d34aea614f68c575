"""What the directory's pages share: the taxonomy (labels and choices, from the contract's ResourceTaxonomy),
userErrors as the form's field errors, Japan-time form values and a municipality typed as a name or a code.
No rule of who may see or do what lives here: the services decide, through backend/policy.py."""

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from starlette.requests import Request

from backend.errors import MAX_ID
from backend.fiscal import JST
from backend.regions import codes
from backend.web import operations
from backend.web.core import PageNotFound, Viewer

FILE = "resources.graphql"


async def run(request: Request, me: Viewer, name: str, variables: dict | None = None) -> dict[str, Any]:
    return await operations.run(request, me, FILE, name, variables)


async def vocabulary(request: Request, me: Viewer) -> dict[str, Any]:
    """The taxonomy and calendar, with the capabilities grouped as the screens list them."""
    data = await run(request, me, "ResourceTaxonomy")
    t = data["resourceTaxonomy"]
    groups: dict[str, dict] = {}
    for c in t["capabilities"]:
        groups.setdefault(c["group"], {"key": c["group"], "label": c["groupLabel"], "items": []})["items"].append(c)
    return {**t, "groups": list(groups.values()), "labels": {c["key"]: c["label"] for c in t["capabilities"]},
            "calendar": data["resourceCalendar"]}


def errors_of(user_errors: list[dict], names: dict[str, str] | None = None) -> dict[str, str]:
    """userErrors as {form field: message}; a path's last part names the field (["input", "validUntil"])."""
    out: dict[str, str] = {}
    for e in user_errors:
        parts = [p for p in e["field"] if p != "input" and not str(p).isdigit()]
        key = parts[-1] if parts else "_form"
        out.setdefault((names or {}).get(key, key), e["message"])
    return out


def refused(user_errors: list[dict]) -> bool:
    """Out of scope or not there: the page answers 404, as the API answers NOT_FOUND or FORBIDDEN."""
    return any(e["code"] in ("NOT_FOUND", "FORBIDDEN") for e in user_errors)


def require_id(raw: str) -> str:
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        raise PageNotFound()
    return raw


def local_input(moment: datetime) -> str:
    """A value for <input type="datetime-local">, in Japan time."""
    return moment.astimezone(JST).strftime("%Y-%m-%dT%H:%M")


def from_local(raw: str) -> str:
    """A datetime-local value (Japan time) as ISO 8601 for the API; anything else is passed on for the
    API to refuse with its own message."""
    raw = raw.strip()
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=JST).isoformat()
    except ValueError:
        return raw


def now_local(hours: float = 0) -> str:
    from backend.db import utcnow
    return local_input(utcnow() + timedelta(hours=hours))


@cache
def _names() -> dict[str, list[str]]:
    by_name: dict[str, list[str]] = {}
    for m in codes.load_municipalities():
        by_name.setdefault(m.name, []).append(m.code)
    return by_name


def municipality_code(raw: str, prefecture: str | None = None) -> str:
    """A municipality typed as a code (5 or 6 digits) or a name (長岡市; 新潟県長岡市): its 5-digit code when
    the name is unambiguous (within the person's prefecture first), else the text as typed, for the API's
    own error message."""
    text = raw.strip().replace(" ", "").replace("　", "")
    if not text or text[:5].isdigit():
        return text
    for m in codes.load_municipalities():
        pref = codes.prefecture_names().get(m.prefecture_code, "")
        if text == pref + m.name:
            return m.code
    found = _names().get(text, [])
    if prefecture:
        found = [c for c in found if c.startswith(prefecture)] or found
    return found[0] if len(found) == 1 else text


def municipality_choices(prefecture: str | None) -> list[codes.Municipality]:
    if not prefecture:
        return []
    return [m for m in codes.load_municipalities() if m.prefecture_code == prefecture]


async def prefecture_of(request: Request, me: Viewer) -> str | None:
    """The person's prefecture (their hub's, or their own as an analyst): which municipalities to offer."""
    from backend.regions import service as regions
    from backend.web.core import web_of
    if me.actor.prefecture_code:
        return me.actor.prefecture_code
    if me.actor.hub_id is None:
        return None
    async with web_of(request).sessions() as session:
        return await regions.hub_prefecture(session, hub_id=me.actor.hub_id)


def known_municipality(code: str | None) -> bool:
    try:
        return bool(code) and codes.lookup(codes.parse_municipality_code(code or "")) is not None
    except ValueError:
        return False


def labelled(s: dict) -> dict:
    """An entry from ResourceServiceDetail with the Japanese labels its codes need on screen."""
    from backend.resources import capabilities as taxonomy
    from backend.resources import vocabulary as v
    from backend.resources.corrections import field_label
    sources = taxonomy.sources()
    source = sources[s["source"]]["label"] if s["source"] in sources else OWN_SOURCES.get(s["source"], s["source"])
    status = v.ServiceStatus[s["status"]].label if s["status"] in v.ServiceStatus.__members__ else s["status"]
    verifications = [{**x, "channelLabel": v.VerificationChannel[x["channel"]].label,
                      "changedLabels": [field_label(k) for k in x["changedFields"]]} for x in s.get("verifications", [])]
    return {**s, "sourceLabel": source, "statusLabel": status, "verifications": verifications}


OWN_SOURCES = {"manual": "デスクが登録", "demo": "デモ用の架空データ"}
