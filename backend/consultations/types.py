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
from backend.regions.types import Municipality
from backend.resources.types import DeclineReason, Referral, ReferralOutcome


def _opt(enum_cls, value):
    return enum_cls(value) if value is not None else None


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
                   note=row.note, minutes=row.minutes, performed_by_id=row.performed_by_id)


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
