"""Plain inputs to the consultation services: the API and the demo loader build these."""

from dataclasses import dataclass, field
from datetime import date, datetime

from backend.taxonomy import (AgeBand, CallerRole, CareLevel, CareScene, Channel, ConsultationCategory,
                              ConsultationStatus, LivingSituation, OrganizationType, Outcome, ResponseType,
                              SubjectFlag)
from backend.resources.vocabulary import DeclineReason, ReferralOutcome

UNSET = object()  # "left out" in an update, as opposed to an explicit null


@dataclass
class ReferralItem:
    """A service the desk contacted on an action (the resource directory) and what it answered."""

    service_id: object
    outcome: ReferralOutcome
    decline_reason: DeclineReason | None = None


@dataclass
class Subject:
    age_band: AgeBand | None = None
    care_level: CareLevel | None = None
    living_situation: LivingSituation | None = None
    flags: list[SubjectFlag] = field(default_factory=list)


@dataclass
class NewConsultation:
    idempotency_key: str
    received_at: datetime
    channel: Channel
    caller_role: CallerRole
    municipality_code: str
    summary: str
    caller_organization_type: OrganizationType | None = None
    primary_scene: CareScene | None = None
    scenes: list[CareScene] | None = None
    categories: list[ConsultationCategory] = field(default_factory=list)
    urgency: int | None = None
    subject: Subject | None = None
    follow_up_on: date | None = None
    # persons (実人数): an earlier consultation or a case number of the same person; 一般相談 has none
    general_inquiry: bool | None = None
    continues_consultation_id: str | None = None
    case_number: str | None = None
    report_as_issue: bool | None = None


@dataclass
class NewAction:
    consultation_id: str
    performed_at: datetime
    type: ResponseType
    note: str | None = None
    minutes: int | None = None
    # services contacted (resource directory) and the capabilities the patient needed
    referrals: list[ReferralItem] = field(default_factory=list)
    needed_capabilities: list[str] | None = None
    # 連携先: organisation types contacted or referred to
    partners: list[OrganizationType] = field(default_factory=list)


@dataclass
class ConsultationChanges:
    id: str
    version: int
    status: ConsultationStatus | object = UNSET
    primary_scene: CareScene | None | object = UNSET
    scenes: list[CareScene] | object = UNSET
    categories: list[ConsultationCategory] | object = UNSET
    urgency: int | None | object = UNSET
    follow_up_on: date | None | object = UNSET
    summary: str | object = UNSET
    assigned_to_id: str | None | object = UNSET
    general_inquiry: bool | None | object = UNSET
    continues_consultation_id: str | None | object = UNSET
    case_number: str | None | object = UNSET
    report_as_issue: bool | None | object = UNSET


@dataclass
class Closing:
    id: str
    version: int
    outcome: Outcome
    note: str | None = None


@dataclass
class ConsultationQuery:
    status: list[ConsultationStatus] | None = None
    scenes: list[CareScene] | None = None
    categories: list[ConsultationCategory] | None = None
    municipality_codes: list[str] | None = None
    received_from: date | None = None
    received_to: date | None = None
    text: str | None = None
    assigned_to_me: bool | None = None
    follow_up_due: bool | None = None
    case_number: str | None = None
