from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class AuditEvent(Base):
    """Append-only (database triggers refuse UPDATE, DELETE and, on PostgreSQL, TRUNCATE; the one update a
    row may receive is its seal). Names of fields and ids of records, never their text."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("uq_audit_event_chain_seq", "chain_seq", unique=True),
                      # the admin's 監査ログ filters, newest first (backend/audit/queries.py)
                      Index("ix_audit_event_operation_id", "operation", "id"),
                      Index("ix_audit_event_actor_id_id", "actor_id", "id"),
                      Index("ix_audit_event_at", "at"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]
    actor_role: Mapped[str | None] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(String(32))
    record_ids: Mapped[list[int] | None] = mapped_column(JSON)   # the records a request returned or was denied
    # the seal: position in the hash chain, the previous row's hash, this row's hash (see audit/chain.py)
    chain_seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
