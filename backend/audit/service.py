"""The audit trail: who did what to which record, and which records a request showed them. One row per
write and per read of a consultation's detail, in the caller's transaction; one row per request for the
records a list or a board returned, and one for each attempt that scope refused, written before the
response (the request's own transaction may have been rolled back). Only field names and record ids are
recorded, never their values (free text is 要配慮個人情報)."""

from collections import defaultdict
from collections.abc import Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.accounts.actor import Actor
from backend.audit.models import AuditEvent
from backend.db import transaction

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def record(session: AsyncSession, *, actor: Actor | None, operation: str, entity_type: str,
           entity_id: object | None, fields: Iterable[str] = (), record_ids: Iterable[int] | None = None) -> None:
    """`actor` None: nobody known acted (a failed log-in for an address that matches no account)."""
    session.add(AuditEvent(
        actor_id=actor.user_id if actor else None,
        actor_role=str(actor.role) if actor else None,
        operation=operation,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        fields=sorted(set(fields)),
        request_id=request_id.get(),
        record_ids=sorted(set(record_ids)) if record_ids is not None else None,
    ))


@dataclass
class RequestTrail:
    """What one request read and what scope refused it, gathered while it runs."""

    read: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    denied: list[tuple[str, str, object]] = field(default_factory=list)   # (operation, entity type, id)


_trail: ContextVar[RequestTrail | None] = ContextVar("audit_trail", default=None)


def shown(entity_type: str, ids: Iterable[int]) -> None:
    """Records of `entity_type` whose text this request returns (a list, a board, a packet)."""
    trail = _trail.get()
    if trail is not None:
        trail.read[entity_type].update(ids)


def denied(operation: str, entity_type: str, entity_id: object) -> None:
    """An attempt on an existing record outside the caller's scope (answered like not-found)."""
    trail = _trail.get()
    if trail is not None:
        trail.denied.append((operation, entity_type, entity_id))


async def refused(session: AsyncSession, model: type, entity_id: object, *, operation: str, entity_type: str) -> None:
    """Out of scope is answered like not found; when the record does exist, the attempt is kept."""
    if entity_id is not None and await session.get(model, entity_id) is not None:
        denied(operation, entity_type, entity_id)


@asynccontextmanager
async def request_trail(sessions: async_sessionmaker[AsyncSession], actor: Actor):
    """Around one request: afterwards, one row naming what it showed and one per refused attempt, committed
    before the response leaves."""
    trail = RequestTrail()
    token = _trail.set(trail)
    try:
        yield trail
    finally:
        _trail.reset(token)
    if trail.read or trail.denied:
        async with transaction(sessions) as session:
            for entity_type, ids in sorted(trail.read.items()):
                record(session, actor=actor, operation=f"{entity_type}.list_read", entity_type=entity_type,
                       entity_id=None, record_ids=ids)
            for operation, entity_type, entity_id in trail.denied:
                record(session, actor=actor, operation=f"{operation}.denied", entity_type=entity_type,
                       entity_id=entity_id)
