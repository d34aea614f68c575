from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base, utcnow
from backend.taxonomy import CareScene, ConsultationCategory, OrganizationType, SubjectFlag, members_of


class Person(Base):
    """Whom consultations are about, as the desk counts them (実人数): a case number of the hub and fiscal
    year (2026-0042), never a name, a birthdate or an address."""

    __tablename__ = "desk_person"
    __table_args__ = (UniqueConstraint("hub_id", "case_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    seq: Mapped[int]
    case_number: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consultation(Base):
    """One call to the desk. The subject is never named: age band, care level, living situation, flags.

    Scenes, categories and subject flags are bit masks so that filters and aggregates stay plain
    integer SQL on both SQLite and PostgreSQL (`scenes_mask & :wanted != 0`).
    """

    __tablename__ = "consultation"
    __table_args__ = (
        UniqueConstraint("created_by_id", "idempotency_key"),
        Index("ix_consultation_hub_received", "hub_id", "received_at"),
        Index("ix_consultation_assignee_status", "assignee_id", "status"),
        Index("ix_consultation_hub_fy", "hub_id", "fiscal_year"),
        # the prefecture dashboard's covering index (migration 0003)
        Index("ix_consultation_fy_hub", "fiscal_year", "hub_id", "primary_scene", "caller_role", "received_at",
              "closed_at", "outcome"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    channel: Mapped[str] = mapped_column(String(32))
    caller_role: Mapped[str] = mapped_column(String(40))
    caller_organization_type: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    # normalize(summary + action notes): width- and case-insensitive substring search
    search_text: Mapped[str] = mapped_column(Text)
    primary_scene: Mapped[str | None] = mapped_column(String(32))
    scenes_mask: Mapped[int] = mapped_column(default=0)
    scenes_confirmed: Mapped[bool] = mapped_column(default=False)
    # the classifier's suggestion, kept apart from the confirmed scenes:
    # [{"scene": "daily_care", "confidence": 0.8, "matched_terms": [...]}]
    suggested_scenes: Mapped[list[dict]] = mapped_column(JSON, default=list)
    lexicon_version: Mapped[str | None] = mapped_column(String(16))
    categories_mask: Mapped[int] = mapped_column(default=0)
    urgency: Mapped[int | None] = mapped_column(SmallInteger)
    age_band: Mapped[str | None] = mapped_column(String(16))
    care_level: Mapped[str | None] = mapped_column(String(20))
    living_situation: Mapped[str | None] = mapped_column(String(20))
    subject_flags_mask: Mapped[int] = mapped_column(default=0)
    follow_up_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="received")
    outcome: Mapped[str | None] = mapped_column(String(32))
    close_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # the person the call is about (a case number, never a name); None for 一般相談 (general_inquiry)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("desk_person.id"), index=True)
    general_inquiry: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 継続: the person had an earlier consultation (by received_at, id); kept by persons.renumber
    continuing: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 「地域課題として報告」: the coordinator puts it on the hub's issue board even when grouping did not
    report_as_issue: Mapped[bool] = mapped_column(default=False, server_default=false())

    actions: Mapped[list["Action"]] = relationship(lazy="raise", order_by="Action.performed_at")

    @property
    def scenes(self) -> list[CareScene]:
        return members_of(CareScene, self.scenes_mask)

    @property
    def categories(self) -> list[ConsultationCategory]:
        return members_of(ConsultationCategory, self.categories_mask)

    @property
    def subject_flags(self) -> list[SubjectFlag]:
        return members_of(SubjectFlag, self.subject_flags_mask)


class Action(Base):
    """One contact or step taken on a consultation."""

    __tablename__ = "consultation_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    performed_at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[int | None]
    # 連携先: the organisation types contacted or referred to (bit mask of OrganizationType)
    partners_mask: Mapped[int] = mapped_column(default=0, server_default="0")
    performed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def partners(self) -> list[OrganizationType]:
        return members_of(OrganizationType, self.partners_mask)
