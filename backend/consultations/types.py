from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend import taxonomy as t
from backend.accounts.types import User
from backend.api.context import Context
from backend.api.enums import (
    AgeBand,
    CallerRole,
    CareLevel,
    CareScene,
    Channel,
    ContactKind,
    ConsultationCategory,
    ConsultationStatus,
    LivingSituation,
    OrganizationType,
    Outcome,
    ResponseType,
    SubjectFlag,
)
from backend.api.errors import UserError
from backend.api.scalars import Date, DateTime
from backend.consultations import models
from backend.taxonomy import members_of
from backend.regions.types import Municipality
from backend.resources.types import DeclineReason, Referral, ReferralOutcome


def _opt(enum_cls, value):
    return enum_cls(value) if value is not None else None


def contact_kind(row: models.Consultation) -> t.ContactKind:
    if row.general_inquiry or row.person_id is None:
        return t.ContactKind.GENERAL
    return t.ContactKind.CONTINUING if row.continuing else t.ContactKind.FIRST


@strawberry.type
class SceneSuggestion:
    scene: CareScene
    confidence: float
    matched_terms: list[str]


@strawberry.type
class Subject:
    age_band: AgeBand | None
    care_level: CareLevel | None
    living_situation: LivingSituation | None
    flags: list[SubjectFlag]


@strawberry.type
class Action:
    id: strawberry.ID
    performed_at: DateTime
    type: ResponseType
    note: str | None
    minutes: int | None
    performed_by_id: strawberry.Private[int]
    partners: list[OrganizationType] = strawberry.field(
        description="連携先: the organisation types contacted or referred to in this action")

    @strawberry.field
    async def performed_by(self, info: Info[Context, None]) -> User | None:
        row = await info.context.loaders.user.load(self.performed_by_id)
        return User.of(row) if row else None

    @strawberry.field(description="Services contacted in this action and their answers.")
    async def referrals(self, info: Info) -> list[Referral]:
        return [Referral.of(r) for r in await info.context.loaders.action_referrals.load(int(self.id))]

    @classmethod
    def of(cls, row: models.Action) -> Action:
        return cls(id=strawberry.ID(str(row.id)), performed_at=row.performed_at, type=t.ResponseType(row.type),
                   note=row.note, minutes=row.minutes, performed_by_id=row.performed_by_id,
                   partners=members_of(t.OrganizationType, row.partners_mask or 0))


@strawberry.type
class RegionalIssueRef:
    id: strawberry.ID
    title: str
    scene: CareScene


@strawberry.type
class Consultation:
    """A consultation as its own hub's desk sees it. Leaf fields are plain attributes (fast)."""

    id: strawberry.ID
    received_at: DateTime
    channel: Channel
    caller_role: CallerRole
    caller_organization_type: OrganizationType | None
    status: ConsultationStatus
    outcome: Outcome | None
    urgency: int | None
    primary_scene: CareScene | None
    scenes: list[CareScene]
    scenes_confirmed: bool
    suggested_scenes: list[SceneSuggestion]
    categories: list[ConsultationCategory]
    summary: str
    follow_up_on: Date | None
    closed_at: DateTime | None
    version: int
    subject: Subject
    municipality: Municipality
    row_id: strawberry.Private[int]
    created_by_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int | None]
    general_inquiry: bool = strawberry.field(description="一般相談: about no particular person (counts in 延べ件数 only)")
    contact_kind: ContactKind = strawberry.field(description="初回, 継続 or 一般相談")
    report_as_issue: bool = strawberry.field(description="「地域課題として報告」: put forward to the hub's issue board")
    person_id: strawberry.Private[int | None] = None

    @strawberry.field(description="The desk-internal case number of the person (e.g. 2026-0042; never a name); "
                                  "null for 一般相談.")
    async def case_number(self, info: Info[Context, None]) -> str | None:
        if self.person_id is None:
            return None
        return await info.context.loaders.case_number.load(self.person_id)

    @strawberry.field(description="Minutes of all actions summed (null when no action recorded minutes).")
    async def total_minutes(self, info: Info[Context, None]) -> int | None:
        minutes = [a.minutes for a in await info.context.loaders.actions.load(self.row_id) if a.minutes is not None]
        return sum(minutes) if minutes else None

    @strawberry.field
    async def actions(self, info: Info[Context, None]) -> list[Action]:
        return [Action.of(a) for a in await info.context.loaders.actions.load(self.row_id)]

    @strawberry.field
    async def regional_issues(self, info: Info[Context, None]) -> list[RegionalIssueRef]:
        rows = await info.context.loaders.issues_of_consultation.load(self.row_id)
        return [RegionalIssueRef(id=strawberry.ID(str(r.id)), title=r.title, scene=t.CareScene(r.scene)) for r in rows]

    @strawberry.field
    async def created_by(self, info: Info[Context, None]) -> User | None:
        row = await info.context.loaders.user.load(self.created_by_id)
        return User.of(row) if row else None

    @strawberry.field
    async def assigned_to(self, info: Info[Context, None]) -> User | None:
        if self.assignee_id is None:
            return None
        row = await info.context.loaders.user.load(self.assignee_id)
        return User.of(row) if row else None

    @classmethod
    def of(cls, row: models.Consultation) -> Consultation:
        return cls(
            id=strawberry.ID(str(row.id)), row_id=row.id, received_at=row.received_at,
            channel=t.Channel(row.channel), caller_role=t.CallerRole(row.caller_role),
            caller_organization_type=_opt(t.OrganizationType, row.caller_organization_type),
            status=t.ConsultationStatus(row.status), outcome=_opt(t.Outcome, row.outcome), urgency=row.urgency,
            primary_scene=_opt(t.CareScene, row.primary_scene), scenes=row.scenes,
            scenes_confirmed=row.scenes_confirmed,
            suggested_scenes=[SceneSuggestion(scene=t.CareScene(s["scene"]), confidence=s["confidence"],
                                              matched_terms=s["matched_terms"]) for s in row.suggested_scenes or []],
            categories=row.categories, summary=row.summary, follow_up_on=row.follow_up_on,
            closed_at=row.closed_at, version=row.version,
            subject=Subject(age_band=_opt(t.AgeBand, row.age_band), care_level=_opt(t.CareLevel, row.care_level),
                            living_situation=_opt(t.LivingSituation, row.living_situation), flags=row.subject_flags),
            municipality=Municipality.of(row.municipality_code),
            created_by_id=row.created_by_id, assignee_id=row.assignee_id,
            general_inquiry=bool(row.general_inquiry), report_as_issue=bool(row.report_as_issue),
            contact_kind=contact_kind(row), person_id=row.person_id,
        )




@strawberry.input
class SubjectInput:
    age_band: AgeBand | None = None
    care_level: CareLevel | None = None
    living_situation: LivingSituation | None = None
    flags: list[SubjectFlag] | None = None


@strawberry.input
class LogConsultationInput:
    idempotency_key: str
    received_at: DateTime
    channel: Channel
    caller_role: CallerRole
    municipality_code: str
    summary: str
    caller_organization_type: OrganizationType | None = None
    primary_scene: CareScene | None = None
    scenes: list[CareScene] | None = None
    categories: list[ConsultationCategory] | None = None
    urgency: int | None = None
    subject: SubjectInput | None = None
    follow_up_on: Date | None = None
    general_inquiry: bool | None = strawberry.field(
        default=None, description="一般相談 (a rule, a resource, a training): about no particular person")
    continues_consultation_id: strawberry.ID | None = strawberry.field(
        default=None, description="継続相談: an earlier consultation of the hub about the same person")
    case_number: str | None = strawberry.field(
        default=None, description="継続相談 by the person's desk-internal case number (e.g. 2026-0042)")
    report_as_issue: bool | None = strawberry.field(
        default=None, description="「地域課題として報告」: put forward to the hub's issue board")


@strawberry.input
class ConsultationFilter:
    status: list[ConsultationStatus] | None = None
    scenes: list[CareScene] | None = None
    categories: list[ConsultationCategory] | None = None
    municipality_codes: list[str] | None = None
    received_from: Date | None = None
    received_to: Date | None = None
    text: str | None = None
    assigned_to_me: bool | None = None
    follow_up_due: bool | None = None
    case_number: str | None = strawberry.field(default=None, description="the consultations of one person")


@strawberry.input
class ReferralInput:
    service_id: strawberry.ID
    outcome: ReferralOutcome
    decline_reason: DeclineReason | None = None


@strawberry.input
class RecordActionInput:
    consultation_id: strawberry.ID
    performed_at: DateTime
    type: ResponseType
    note: str | None = None
    minutes: int | None = None
    referrals: list[ReferralInput] | None = strawberry.field(
        default=None, description="services contacted (resource directory), each accepted or declined with a reason")
    needed_capabilities: list[str] | None = strawberry.field(
        default=None, description="capability keys the patient needed (resourceTaxonomy), for unmet-need signals")
    partners: list[OrganizationType] | None = strawberry.field(
        default=None, description="連携先: organisation types contacted or referred to")


@strawberry.input
class UpdateConsultationInput:
    id: strawberry.ID
    version: int
    status: ConsultationStatus | None = strawberry.UNSET
    primary_scene: CareScene | None = strawberry.UNSET
    scenes: list[CareScene] | None = strawberry.UNSET
    categories: list[ConsultationCategory] | None = strawberry.UNSET
    urgency: int | None = strawberry.UNSET
    follow_up_on: Date | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    assigned_to_id: strawberry.ID | None = strawberry.UNSET
    general_inquiry: bool | None = strawberry.UNSET
    continues_consultation_id: strawberry.ID | None = strawberry.UNSET
    case_number: str | None = strawberry.UNSET
    report_as_issue: bool | None = strawberry.UNSET


@strawberry.input
class CloseConsultationInput:
    id: strawberry.ID
    version: int
    outcome: Outcome
    note: str | None = None


@strawberry.type
class ConsultationPayload:
    consultation: Consultation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
