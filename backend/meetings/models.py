from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class HubMeeting(Base):
    """協議の場. status: scheduled, sent, held. packet_status: pending, ready, failed."""

    __tablename__ = "hub_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    recipient_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    packet_status: Mapped[str] = mapped_column(String(16), default="pending")
    packet_html: Mapped[str | None] = mapped_column(Text)
    packet_text: Mapped[str | None] = mapped_column(Text)
    packet_generated_at: Mapped[datetime | None]
    packet_error: Mapped[str | None] = mapped_column(Text)   # why the packet could not be built or sent, in Japanese
    # the example notes the packet shows ([{"issue_id", "consultation_id"}]) and those the manager dropped
    packet_examples: Mapped[list[dict]] = mapped_column(JSON, default=list)
    dropped_examples: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaItem(Base):
    __tablename__ = "meeting_agenda_item"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("hub_meeting.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("regional_issue.id"))


class HubMember(Base):
    """A member of the hub's 協議の場: the only people a meeting packet may be sent to. A removed member
    keeps the row (removed_at) so that what was sent to whom stays readable."""

    __tablename__ = "hub_member"
    __table_args__ = (
        Index("uq_hub_member_active_email", "hub_id", "email", unique=True,
              sqlite_where=text("removed_at IS NULL"), postgresql_where=text("removed_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    organization: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))   # lower-cased
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
