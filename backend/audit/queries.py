"""Reading the audit trail (admins): recent events filtered by operation, actor and Japan-time days, a page at
a time from the newest (keyset on the id: the same cost on the first page and the thousandth), and the
hash chain's verification. The rows hold names and ids only, so there is nothing of a person's text to show."""

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.accounts.models import User
from backend.audit import catalogue, chain
from backend.audit.models import AuditEvent
from backend.db import utcnow
from backend.errors import Forbidden, UserInputError
from backend.fiscal import day_end_utc, day_start_utc

OPERATION_FILTER = re.compile(r"^(\*\.denied|[a-z_]+(\.[a-z_]+)*(\.\*)?)$")   # exact, "group.*" or "*.denied"


@dataclass(frozen=True)
class EventFilter:
    operation: str | None = None
    actor_id: int | None = None
    since: date | None = None      # Japan-time days, both included
    until: date | None = None


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    actor_role: str | None
    operation: str
    entity_type: str
    entity_id: str | None
    fields: list[str]
    record_ids: list[int]
    request_id: str | None
    sealed: bool


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    next_before: int | None        # the id to continue from (older events), None on the last page


def check_filter(f: EventFilter) -> EventFilter:
    if f.operation is not None and not OPERATION_FILTER.match(f.operation):
        raise UserInputError(["operation"], "操作の指定が正しくありません。一覧から選んでください。", "INVALID")
    if f.since and f.until and f.since > f.until:
        raise UserInputError(["until"], "終了日は開始日以降の日付を指定してください。", "INVALID_RANGE")
    return f


async def recent(session: AsyncSession, *, actor: Actor, where: EventFilter, before_id: int | None = None,
                 limit: int = 50) -> EventPage:
    """The newest events matching the filter, older than `before_id`: two statements (events, their actors)."""
    if not policy.administers(actor):
        raise Forbidden()
    check_filter(where)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if where.operation:
        # groups become lists of known operations, so that the (operation, id) index serves them too
        if where.operation == "*.denied":
            query = query.where(AuditEvent.operation.in_(catalogue.denied_operations()))
        elif where.operation.endswith(".*"):
            prefix = where.operation[:-1]
            query = query.where(AuditEvent.operation.in_([o for o in catalogue.OPERATIONS if o.startswith(prefix)]))
        else:
            query = query.where(AuditEvent.operation == where.operation)
    if where.actor_id is not None:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.since:
        query = query.where(AuditEvent.at >= day_start_utc(where.since))
    if where.until:
        query = query.where(AuditEvent.at < day_end_utc(where.until))
    rows = list((await session.scalars(query)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
    names = dict((await session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids)))).all()
                 ) if actor_ids else {}
    events = [Event(id=r.id, at=r.at, actor_id=r.actor_id, actor_name=names.get(r.actor_id) if r.actor_id else None,
                    actor_role=r.actor_role, operation=r.operation, entity_type=r.entity_type, entity_id=r.entity_id,
                    fields=list(r.fields or []), record_ids=list(r.record_ids or []), request_id=r.request_id,
                    sealed=r.row_hash is not None) for r in rows]
    return EventPage(events=events, next_before=rows[-1].id if more and rows else None)


@dataclass(frozen=True)
class Verification:
    verdict: chain.Verdict
    at: datetime                   # when this verification ran


class _LastVerification:
    """chain.verify reads the whole trail (seconds for a few hundred thousand rows): the admin's page shows the
    last verdict while it is younger than `max_age`, and concurrent requests share one run."""

    def __init__(self) -> None:
        self.result: Verification | None = None
        self.checked_at = 0.0
        self.lock = asyncio.Lock()

    async def get(self, session: AsyncSession, *, max_age: float) -> Verification:
        async with self.lock:
            if self.result is None or time.monotonic() - self.checked_at > max_age:
                self.result = Verification(await chain.verify(session), utcnow())
                self.checked_at = time.monotonic()
            return self.result


_last = _LastVerification()
VERIFY_MAX_AGE = 300.0


async def verify_chain(session: AsyncSession, *, actor: Actor, fresh: bool = False) -> Verification:
    """The whole chain checked (rows sealed so far; the sealer adds new rows every minute), at most every five
    minutes per process unless `fresh` is asked for."""
    if not policy.administers(actor):
        raise Forbidden()
    return await _last.get(session, max_age=0.0 if fresh else VERIFY_MAX_AGE)
