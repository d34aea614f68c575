"""GraphQL for consultations: thin resolvers, input → service → payload."""

import strawberry
from strawberry.types import Info

from backend.api.errors import UserError
from backend.api.pagination import Connection, page_size
from backend.consultations import service
from backend.consultations.domain import UNSET, Closing, ConsultationChanges, ConsultationQuery, NewAction, NewConsultation, Subject
from backend.consultations.types import (CloseConsultationInput, Consultation, ConsultationFilter, ConsultationPayload,
                                         LogConsultationInput, RecordActionInput, UpdateConsultationInput)
from backend.errors import UserInputError
from backend.resources.referrals import ReferralItem


def _unset(value):
    return UNSET if value is strawberry.UNSET else value


def _new(data: LogConsultationInput) -> NewConsultation:
    subject = data.subject
    return NewConsultation(
        idempotency_key=data.idempotency_key, received_at=data.received_at, channel=data.channel,
        caller_role=data.caller_role, municipality_code=data.municipality_code, summary=data.summary,
        caller_organization_type=data.caller_organization_type, primary_scene=data.primary_scene,
        scenes=data.scenes, categories=data.categories or [], urgency=data.urgency,
        subject=Subject(subject.age_band, subject.care_level, subject.living_situation, subject.flags or [])
        if subject else None,
        follow_up_on=data.follow_up_on)


def _query(f: ConsultationFilter | None) -> ConsultationQuery:
    if f is None:
        return ConsultationQuery()
    return ConsultationQuery(status=f.status, scenes=f.scenes, categories=f.categories,
                             municipality_codes=f.municipality_codes, received_from=f.received_from,
                             received_to=f.received_to, text=f.text, assigned_to_me=f.assigned_to_me,
                             follow_up_due=f.follow_up_due)


@strawberry.type
class ConsultationQueries:
    @strawberry.field(description="One consultation of the caller's hub; null when missing or out of scope. Audited.")
    async def consultation(self, info: Info, id: strawberry.ID) -> Consultation | None:
        async with info.context.transaction() as session:
            try:
                row = await service.require_visible(session, actor=info.context.actor, consultation_id=id)
            except UserInputError:
                return None
        return Consultation.of(row)

    @strawberry.field(description="Consultations in the caller's scope, newest first.")
    async def consultations(self, info: Info, filter: ConsultationFilter | None = None, first: int | None = None,
                            after: str | None = None) -> Connection[Consultation]:
        size = page_size(first)
        async with info.context.read() as session:
            page = await service.search(session, actor=info.context.actor, query=_query(filter), first=size, after=after)
        return Connection.of([Consultation.of(r) for r in page.rows], page.cursors, page.total, page.has_next)


async def _write(info: Info, operation, **kwargs) -> ConsultationPayload:
    try:
        async with info.context.transaction() as session:
            row = await operation(session, actor=info.context.actor, **kwargs)
    except UserInputError as e:
        return ConsultationPayload(user_errors=[UserError.of(e)])
    return ConsultationPayload(consultation=Consultation.of(row))


@strawberry.type
class ConsultationMutations:
    @strawberry.mutation(description="Logs a call. The same idempotencyKey again returns the first consultation.")
    async def log_consultation(self, info: Info, input: LogConsultationInput) -> ConsultationPayload:
        try:
            return await _write(info, service.log, data=_new(input))
        except service.AlreadyLogged:
            async with info.context.read() as session:
                row = await service.find_logged(session, actor=info.context.actor, idempotency_key=input.idempotency_key)
            return ConsultationPayload(consultation=Consultation.of(row))

    @strawberry.mutation
    async def record_action(self, info: Info, input: RecordActionInput) -> ConsultationPayload:
        return await _write(info, service.record_action, data=NewAction(
            consultation_id=input.consultation_id, performed_at=input.performed_at, type=input.type,
            note=input.note, minutes=input.minutes, needed_capabilities=input.needed_capabilities,
            referrals=[ReferralItem(service_id=r.service_id, outcome=r.outcome, decline_reason=r.decline_reason)
                       for r in input.referrals or []]))

    @strawberry.mutation(description="Optimistic concurrency: a stale version answers STALE_VERSION and changes nothing.")
    async def update_consultation(self, info: Info, input: UpdateConsultationInput) -> ConsultationPayload:
        return await _write(info, service.update, data=ConsultationChanges(
            id=input.id, version=input.version, status=_unset(input.status), primary_scene=_unset(input.primary_scene),
            scenes=_unset(input.scenes), categories=_unset(input.categories), urgency=_unset(input.urgency),
            follow_up_on=_unset(input.follow_up_on), summary=_unset(input.summary),
            assigned_to_id=_unset(input.assigned_to_id)))

    @strawberry.mutation
    async def close_consultation(self, info: Info, input: CloseConsultationInput) -> ConsultationPayload:
        return await _write(info, service.close, data=Closing(id=input.id, version=input.version,
                                                              outcome=input.outcome, note=input.note))
