from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class RegionalIssue(Base):
    """地域課題: one hub's recurring collaboration problem in one care scene and fiscal year.

    Counts, first/last seen and the monthly trend are derived from the members and stored by the
    service that changes membership, so the board and the dashboard read them without joins.
    """

    __tablename__ = "regional_issue"
    __table_args__ = (Index("ix_regional_issue_hub_fy_scene", "hub_id", "fiscal_year", "scene"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    scene: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    key_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    # which grouped problems this issue stands for ("problem:<id>" or "terms:<a+b>"); a merge unions them,
    # so regrouping keeps sending those consultations to the issue the manager kept
    signatures: Mapped[list[str]] = mapped_column(JSON, default=list)
    # consultations a manager took out of this issue: regrouping leaves them out of this scene
    excluded_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="candidate")
    note: Mapped[str | None] = mapped_column(Text)
    consultation_count: Mapped[int] = mapped_column(default=0)
    unresolved_count: Mapped[int] = mapped_column(default=0)
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    trend: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{"month": "2025-04", "count": 3}]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IssueMembership(Base):
    """A consultation belongs to at most one issue per scene."""

    __tablename__ = "issue_membership"
    __table_args__ = (UniqueConstraint("consultation_id", "scene"),)
    issue_id: Mapped[int] = mapped_column(ForeignKey("regional_issue.id", ondelete="CASCADE"), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), primary_key=True)
    scene: Mapped[str] = mapped_column(String(32))
    # pinned by a manager's move: regrouping leaves it where the manager put it
    pinned: Mapped[bool] = mapped_column(default=False)
