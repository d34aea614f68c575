"""The directory's tables, shaped like Open Referral HSDS 3.x (organization, service, location,
service_at_location, phone, contact, schedule, service_area, attribute, service_capacity), plus what a
desk needs around them: the crosswalk of outside identifiers, imports and their unmatched rows,
referrals with their outcomes, corrections and the verification log.

Every HSDS object carries a `uid` (the UUID HSDS exchanges); rows are joined on integer ids."""

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


def new_uid() -> str:
    return str(uuid.uuid4())


class ResourceOrganization(Base):
    """HSDS organization: the operator (法人) or, for a medical institution without one in the data, itself."""

    __tablename__ = "resource_organization"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    name: Mapped[str] = mapped_column(String(200))
    corporate_number: Mapped[str | None] = mapped_column(String(13), unique=True)   # 法人番号
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ResourceService(Base):
    """HSDS service: what one provider offers (a clinic's care, a station's visiting nursing).

    `capable_mask` / `consult_mask` hold the capabilities valued 可 / 要相談 as bits (capabilities.toml),
    kept by the service layer whenever an attribute changes, so capability filters are integer SQL.
    `capabilities_confirmed_on` is the latest day any capability was confirmed: search ranks by it and
    shows its age. `updated_at` is bookkeeping and never shown as a verification date."""

    __tablename__ = "resource_service"
    __table_args__ = (Index("ix_resource_service_rank", "status", "capabilities_confirmed_on", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("resource_organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    service_type: Mapped[str | None] = mapped_column(String(60))   # the source's own name of the type
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(Text)                  # text/normalize: name and reading, kana folded
    status: Mapped[str] = mapped_column(String(20), default="active")
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"), index=True)
    declared_capacity: Mapped[int | None]                          # 定員, as published
    capable_mask: Mapped[int] = mapped_column(BigInteger, default=0)
    consult_mask: Mapped[int] = mapped_column(BigInteger, default=0)
    capabilities_confirmed_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(24), default="manual")   # kaigo, navii, manual
    source_as_of: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ResourceLocation(Base):
    __tablename__ = "resource_location"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("resource_organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    building: Mapped[str | None] = mapped_column(String(200))      # 方書
    postal_code: Mapped[str | None] = mapped_column(String(8))
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class ResourceServiceAtLocation(Base):
    __tablename__ = "resource_service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"))
    location_id: Mapped[int] = mapped_column(ForeignKey("resource_location.id"), index=True)


class ResourcePhone(Base):
    __tablename__ = "resource_phone"
    __table_args__ = (UniqueConstraint("service_id", "digits", "type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(30))
    digits: Mapped[str] = mapped_column(String(20), index=True)    # the number's digits: the crosswalk matches on it
    type: Mapped[str] = mapped_column(String(8), default="voice")  # voice, fax
    description: Mapped[str | None] = mapped_column(String(100))
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("resource_identifier.id", ondelete="SET NULL"))


class ResourceContact(Base):
    """A desk's counterpart at the service: a role or department, not necessarily a person's name."""

    __tablename__ = "resource_contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))


class ResourceSchedule(Base):
    """HSDS schedule as a weekly RRULE (FREQ=WEEKLY;BYDAY=one day) with opening minutes after midnight.
    `day` 0–6 is Monday–Sunday, 7 a Japanese public holiday (HSDS has no holiday rule: exported with a
    description). An opening past midnight is stored as two rows, so "open at" is one range test."""

    __tablename__ = "resource_schedule"
    __table_args__ = (Index("ix_resource_schedule_day", "day", "opens_min", "closes_min", "service_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(SmallInteger)
    opens_min: Mapped[int] = mapped_column(SmallInteger)
    closes_min: Mapped[int] = mapped_column(SmallInteger)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(String(100))
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("resource_identifier.id", ondelete="SET NULL"))


class ResourceServiceArea(Base):
    """Where the service goes: a municipality, or one 町丁目 of it (`chome` '' = the whole municipality).
    `inferred` marks the area assumed from the service's own address until someone states its area."""

    __tablename__ = "resource_service_area"
    __table_args__ = (UniqueConstraint("service_id", "municipality_code", "chome"),
                      Index("ix_resource_service_area_cover", "municipality_code", "chome", "service_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"))
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    chome: Mapped[str] = mapped_column(String(100), default="")
    inferred: Mapped[bool] = mapped_column(default=False)


class ResourceAttribute(Base):
    """HSDS attribute linking a service to a capability term, with its value and provenance."""

    __tablename__ = "resource_attribute"
    __table_args__ = (UniqueConstraint("service_id", "term"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    confirmed_on: Mapped[date | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_by_label: Mapped[str | None] = mapped_column(String(200))   # a person's name or a source's
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("resource_identifier.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ResourceCapacity(Base):
    """HSDS service_capacity. Past `valid_until` it reads as unknown: the old number is never shown."""

    __tablename__ = "resource_capacity"
    __table_args__ = (UniqueConstraint("service_id", "unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(8))
    available: Mapped[int] = mapped_column(Integer)
    maximum: Mapped[int | None]
    updated: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ResourceImport(Base):
    """One run of an importer: what file, which source and date, what it did, the credit it requires."""

    __tablename__ = "resource_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(24))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date]
    credit: Mapped[str] = mapped_column(Text)
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResourceIdentifier(Base):
    """The crosswalk: an outside identifier (介護保険事業所番号, ナビイ ID, 医療機関コード) and the
    directory entry it stands for, with how the match was made and how sure it is. `record` keeps the
    source's row as last imported, so an admin can split a wrong match into an entry of its own."""

    __tablename__ = "resource_identifier"
    __table_args__ = (UniqueConstraint("scheme", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(24))
    value: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(24))
    confidence: Mapped[float] = mapped_column(Float)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_at: Mapped[datetime | None]
    record: Mapped[dict] = mapped_column(JSON, default=dict)
    last_import_id: Mapped[int | None] = mapped_column(ForeignKey("resource_import.id"))
    last_seen_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResourceUnmatched(Base):
    """A row an import could not place (no candidate, or more than one equally good): kept for an admin."""

    __tablename__ = "resource_unmatched"
    __table_args__ = (UniqueConstraint("scheme", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("resource_import.id"), index=True)
    line: Mapped[int]
    scheme: Mapped[str] = mapped_column(String(24))
    value: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(String(16))     # no_candidate, ambiguous
    record: Mapped[dict] = mapped_column(JSON, default=dict)
    resolved_service_id: Mapped[int | None] = mapped_column(ForeignKey("resource_service.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]


class ResourceReferral(Base):
    """A service contacted in an action on a consultation, and its answer. Hub, area and fiscal year are
    copied from the consultation so unmet-need signals are counted without touching its text."""

    __tablename__ = "resource_referral"
    __table_args__ = (Index("ix_resource_referral_hub_fy", "hub_id", "fiscal_year"),
                      Index("ix_resource_referral_area_fy", "area_id", "fiscal_year"))
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("consultation_action.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id"), index=True)
    service_kind: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)      # capability keys the patient needed
    hub_id: Mapped[int] = mapped_column(ForeignKey("hub.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResourceCorrection(Base):
    """Someone says a field of an entry is wrong; the desk checks and resolves it."""

    __tablename__ = "resource_correction"
    __table_args__ = (Index("ix_resource_correction_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[datetime | None]
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("resource_verification.id"))


class ResourceVerification(Base):
    """The desk's verification log: who called whom at the service, when, and which fields changed."""

    __tablename__ = "resource_verification"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("resource_service.id", ondelete="CASCADE"), index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    verified_at: Mapped[datetime]
    contact_person: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    changed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
