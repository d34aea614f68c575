"""The audit trail: one row per read of a consultation's detail and per write, in the caller's
transaction. Only field names are recorded, never their values (free text is 要配慮個人情報)."""

from collections.abc import Iterable
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.audit.models import AuditEvent

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def record(session: AsyncSession, *, actor: Actor | None, operation: str, entity_type: str,
           entity_id: object | None, fields: Iterable[str] = ()) -> None:
    """`actor` None: nobody known acted (a failed log-in for an address that matches no account)."""
    session.add(AuditEvent(
        actor_id=actor.user_id if actor else None,
        actor_role=str(actor.role) if actor else None,
        operation=operation,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        fields=sorted(set(fields)),
        request_id=request_id.get(),
    ))
