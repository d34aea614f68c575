"""The audit trail as a hash chain. Rows are written by every transaction as it goes; a sealer (every minute,
and before a verification) gives each unsealed row, in the order they became visible, its place in the chain
and a hash over its content and the previous row's hash. `verify` walks the chain and names the first row
that was changed, or after which a row was removed.

Sealing after the fact keeps the chain out of every write's critical path (one lock per minute, not one per
request); the database triggers let a row be sealed once and never changed otherwise."""

import hashlib
import logging
import json
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.models import AuditEvent

log = logging.getLogger("renkei.audit")

GENESIS = "0" * 64
BATCH = 5000
_SEAL_LOCK = 7_041_302   # a constant advisory-lock key: one sealer at a time on PostgreSQL


def row_hash(row: AuditEvent, prev_hash: str) -> str:
    content = [row.id, row.at.isoformat(), row.actor_id, row.actor_role, row.operation, row.entity_type,
               row.entity_id, row.fields, row.request_id, row.record_ids, row.chain_seq]
    payload = prev_hash + json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


async def seal(session: AsyncSession) -> int:
    """Seals every committed unsealed row; returns how many. Call inside a transaction."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEAL_LOCK})
    last = (await session.execute(select(AuditEvent.chain_seq, AuditEvent.row_hash)
                                  .where(AuditEvent.chain_seq.is_not(None))
                                  .order_by(AuditEvent.chain_seq.desc()).limit(1))).first()
    seq, previous = (last[0], last[1]) if last else (0, GENESIS)
    sealed = 0
    while True:
        rows = (await session.scalars(select(AuditEvent).where(AuditEvent.row_hash.is_(None))
                                      .order_by(AuditEvent.id).limit(BATCH))).all()
        if not rows:
            if sealed:
                # an anchor outside the database: removing the chain's last rows shows against it
                log.info("audit chain sealed %d rows up to position %d, head %s", sealed, seq, previous)
            return sealed
        for row in rows:
            seq += 1
            row.chain_seq, row.prev_hash = seq, previous
            row.row_hash = previous = row_hash(row, previous)
        await session.flush()
        sealed += len(rows)


@dataclass(frozen=True)
class Verdict:
    checked: int
    unsealed: int
    broken_at: int | None = None      # the audit row id where the chain breaks
    reason: str | None = None
    head: str | None = None           # the last row's hash: compare it with the one logged at sealing

    @property
    def intact(self) -> bool:
        return self.broken_at is None


async def verify(session: AsyncSession) -> Verdict:
    previous, expected_seq, checked, last_id = GENESIS, 1, 0, None
    while True:
        rows = (await session.scalars(select(AuditEvent).where(AuditEvent.chain_seq >= expected_seq)
                                      .order_by(AuditEvent.chain_seq).limit(BATCH))).all()
        for row in rows:
            if row.chain_seq != expected_seq or row.prev_hash != previous:
                return Verdict(checked, 0, row.id, f"the row before audit row {row.id} (after {last_id}) was removed "
                                                   "or changed")
            if row_hash(row, previous) != row.row_hash:
                return Verdict(checked, 0, row.id, f"audit row {row.id} was changed")
            previous, expected_seq, checked, last_id = row.row_hash, expected_seq + 1, checked + 1, row.id
        if len(rows) < BATCH:
            break
    unsealed = await session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.row_hash.is_(None)))
    return Verdict(checked, unsealed or 0, head=None if previous == GENESIS else previous)
