from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class Job(Base):
    """The outbox and the record of every job. Status: queued, running, succeeded, failed."""

    __tablename__ = "job"
    __table_args__ = (
        # One pending job per key: a busy desk costs one regrouping run, not one per call.
        Index("uq_job_pending_key", "key", unique=True, sqlite_where=text("status = 'queued'"),
              postgresql_where=text("status = 'queued'")),
        Index("ix_job_status_run_after", "status", "run_after"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str | None] = mapped_column(String(120))
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    hub_id: Mapped[int | None]
    prefecture_code: Mapped[str | None] = mapped_column(String(2))
    created_by_id: Mapped[int | None]
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
