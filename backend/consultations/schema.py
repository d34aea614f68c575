"""GraphQL for consultations: thin resolvers, input → service → payload."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.mutations import mutation, to_domain
from backend.api.pagination import Connection, page_size
from backend.consultations import service
from backend.consultations.domain import Closing, ConsultationChanges, ConsultationQuery, NewAction, NewConsultation
from backend.consultations.types import (CloseConsultationInput, Consultation, ConsultationFilter, ConsultationPayload,
                                         LogConsultationInput, RecordActionInput, UpdateConsultationInput)
from backend.errors import UserInputError


@strawberry.type
class ConsultationQueries:
    @strawberry.field(description="One consultation of the caller's hub; null when missing or out of scope. Audited.")
    async def consultation(self, info: Info[Context, None], id: strawberry.ID) -> Consultation | None:
        async with info.context.transaction() as session:
            try:
                row = await service.require_visible(session, actor=info.context.actor, consultation_id=id)
            except UserInputError:
                return None
        return Consultation.of(row)

    @strawberry.field(description="Consultations in the caller's scope, newest first.")
    async def consultations(self, info: Info[Context, None], filter: ConsultationFilter | None = None,
                            first: int | None = None, after: str | None = None) -> Connection[Consultation]:
        size = page_size(first)
        query = to_domain(filter, ConsultationQuery) if filter else ConsultationQuery()
        async with info.context.read() as session:
            page = await service.search(session, actor=info.context.actor, query=query, first=size, after=after)
        return Connection.of([Consultation.of(r) for r in page.rows], page.cursors, page.total, page.has_next)


async def _write(info: Info[Context, None], operation, data) -> ConsultationPayload:
    async with info.context.transaction() as session:
        row = await operation(session, actor=info.context.actor, data=data)
    return ConsultationPayload(consultation=Consultation.of(row))


@strawberry.type
class ConsultationMutations:
    @mutation(description="Logs a call. The same idempotencyKey again returns the first consultation.")
    async def log_consultation(self, info: Info[Context, None], input: LogConsultationInput) -> ConsultationPayload:
        try:
            return await _write(info, service.log, to_domain(input, NewConsultation))
        except service.AlreadyLogged:
            async with info.context.read() as session:
                row = await service.find_logged(session, actor=info.context.actor, idempotency_key=input.idempotency_key)
            return ConsultationPayload(consultation=Consultation.of(row))

    @mutation()
    async def record_action(self, info: Info[Context, None], input: RecordActionInput) -> ConsultationPayload:
        return await _write(info, service.record_action, to_domain(input, NewAction))

    @mutation(description="Optimistic concurrency: a stale version answers STALE_VERSION and changes nothing.")
    async def update_consultation(self, info: Info[Context, None], input: UpdateConsultationInput) -> ConsultationPayload:
        return await _write(info, service.update, to_domain(input, ConsultationChanges))

    @mutation()
    async def close_consultation(self, info: Info[Context, None], input: CloseConsultationInput) -> ConsultationPayload:
        return await _write(info, service.close, to_domain(input, Closing))
