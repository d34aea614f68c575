"""What the coordinator's screens need besides the contract's operations: scene suggestions while a
note is typed (the same model and service the API uses when a call is logged) and, when an edit is
refused as stale, who changed the consultation last and which fields (from the audit trail: names of
fields, never their values)."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.accounts.models import User
from backend.audit.models import AuditEvent
from backend.consultations import service
from backend.errors import NotFound
from backend.regions import codes
from backend.regions import service as regions
from backend.regions.models import Area
from backend.text import store as classifier

MAX_SUGGESTED_TEXT = 4000   # the suggestion of a longer note is the suggestion of its start
WRITES = ("consultation.log", "consultation.update", "consultation.record_action", "consultation.close")


async def suggestions(session: AsyncSession, *, actor: Actor, summary: str) -> list[dict]:
    """The scene suggestions the API would store for this note if it were logged now: scene, confidence,
    matched terms, adopted. Only a desk may ask (others: NotFound, as for the consultations)."""
    service._require_desk(actor, ["summary"])
    text = summary.strip()[:MAX_SUGGESTED_TEXT]
    if not text:
        return []
    await classifier.refresh(session)   # one small query a minute at most
    found, _ = service.suggest(text)
    return found


@dataclass(frozen=True)
class DeskArea:
    hub: str
    area: str
    municipalities: list[tuple[str, str]]   # (code, name) of the hub's area, the intake's 市区町村 choices


async def desk_area(session: AsyncSession, *, actor: Actor) -> DeskArea:
    """The actor's hub and the municipalities of its area (a desk only; others: NotFound)."""
    service._require_desk(actor, ["hub"])
    hub = await regions.get_visible_hub(session, actor=actor, hub_id=actor.hub_id or 0)
    if hub is None:
        raise NotFound(["hub"], "拠点")
    area = await session.get(Area, hub.area_id)
    found = (await regions.area_municipality_codes(session, [hub.area_id]))[hub.area_id]
    places = [(code, m.name if (m := codes.lookup(code)) else code) for code in found]
    return DeskArea(hub=hub.name, area=area.name if area else "", municipalities=places)


@dataclass(frozen=True)
class LastChange:
    by: str | None          # the person's display name (None: a system process)
    at: datetime
    operation: str
    fields: list[str]       # GraphQL field names (summary, scenes...), never values


async def last_change(session: AsyncSession, *, actor: Actor, consultation_id: str | int) -> LastChange | None:
    """The newest write to a consultation in the actor's scope (NotFound otherwise), from the audit trail."""
    row = await service.require_visible(session, actor=actor, consultation_id=consultation_id, audit_read=False)
    found = (await session.execute(
        select(AuditEvent.at, AuditEvent.operation, AuditEvent.fields, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.entity_id == str(row.id), AuditEvent.entity_type == "consultation",
               AuditEvent.operation.in_(WRITES))
        .order_by(AuditEvent.id.desc()).limit(1))).first()
    if found is None:
        return None
    at = found.at if found.at.tzinfo else found.at.replace(tzinfo=UTC)   # SQLite hands back naive UTC
    return LastChange(by=found.display_name, at=at, operation=found.operation, fields=list(found.fields or []))
