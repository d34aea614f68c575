from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class PrefectureReport(Base):
    """status: queued, ready, failed. The documents carry suppressed figures only."""

    __tablename__ = "prefecture_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    html: Mapped[str | None] = mapped_column(Text)
    csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_at: Mapped[datetime | None]


class DeskReportFile(Base):
    """A desk report generated for a hub and period (evidence that it was compiled): status queued, ready,
    failed. The documents carry counts and labels only."""

    __tablename__ = "desk_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(16))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    period_index: Mapped[int] = mapped_column(SmallInteger)
    public: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    html: Mapped[str | None] = mapped_column(Text)
    csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_at: Mapped[datetime | None]
