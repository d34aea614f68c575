"""GraphQL for the resource directory: thin resolvers, input → service → payload. What the screens call:
the search beside intake (`resourceSearch`, `resourceService`, `resourceTaxonomy`), a facility contact's
capacity page (`myResourceService`, `updateResourceCapacity`, `setResourceOpenings`,
`setResourceServiceAreas`, `reportOwnCapabilities`), the desk (`verifyResourceService`, corrections),
admins (crosswalk, unmatched rows, imports), the issue board and the prefecture (unmet needs)."""

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from backend.api.errors import UserError
from backend.api.pagination import Connection, page_size
from backend.api.scalars import Date, DateTime
from backend.errors import UserInputError, parse_id
from backend.fiscal import today_jst
from backend.resources import corrections, directory, editing, matching, opening, referrals, search
from backend.resources import capabilities as taxonomy
from backend.resources import vocabulary as v
from backend.resources.models import ResourceImport as ImportRow
from backend.resources.types import (CapabilityValue, CapacityUnit, CorrectionStatus, ResourceCapacity,
                                     ResourceCorrection, ResourceIdentifier, ResourceImport, ResourceService,
                                     ResourceServiceKind, ResourceSource, ResourceTaxonomy, ResourceUnmatchedRow,
                                     UnmetNeed, VerificationChannel, resource_taxonomy)


@strawberry.input
class ResourceSearchFilter:
    text: str | None = strawberry.field(default=None, description="name or reading; width and kana do not matter")
    kinds: list[ResourceServiceKind] | None = None
    capabilities: list[str] | None = strawberry.field(default=None, description="capability keys, all required (AND)")
    populations: list[str] | None = strawberry.field(default=None, description="population keys, all required (AND)")
    include_consult: bool = strawberry.field(default=False, description="accept 要相談 as well as 可")
    municipality_code: str | None = strawberry.field(default=None, description="covers this municipality")
    chome: str | None = strawberry.field(default=None, description="…and this 町丁目 of it")
    open_now: bool = False
    open_tonight: bool = strawberry.field(default=False, description="open some time from 18:00 to 06:00 tonight")
    open_on: Date | None = strawberry.field(default=None, description="open some time that day (holiday hours on a 祝日)")
    with_vacancy: bool = strawberry.field(default=False, description="a current vacancy above zero")
    include_inactive: bool = False


@strawberry.type
class ResourceCalendar:
    today: Date
    today_is_holiday: bool
    holiday_name: str | None
    next_holiday: Date
    next_holiday_name: str


@strawberry.input
class CapabilityInput:
    key: str
    value: CapabilityValue


@strawberry.input
class VerifyResourceInput:
    service_id: strawberry.ID
    called_at: DateTime
    channel: VerificationChannel
    contact_person: str | None = strawberry.field(default=None, description="whom the desk spoke to (a role is enough)")
    note: str | None = None
    capabilities: list[CapabilityInput] = strawberry.field(default_factory=list,
                                                           description="values confirmed on this call, changed or not")
    resolves_corrections: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class OwnCapabilitiesInput:
    service_id: strawberry.ID
    capabilities: list[CapabilityInput]


@strawberry.input
class UpdateCapacityInput:
    service_id: strawberry.ID
    unit: CapacityUnit
    available: int
    valid_until: DateTime
    maximum: int | None = None


@strawberry.input
class OpeningInput:
    days: list[int] = strawberry.field(description="0–6 Monday–Sunday, 7 public holidays")
    opens_at: str
    closes_at: str = strawberry.field(description="HH:MM; earlier than opensAt runs past midnight; 24:00 = midnight")
    description: str | None = None


@strawberry.input
class SetOpeningsInput:
    service_id: strawberry.ID
    openings: list[OpeningInput]


@strawberry.input
class ServiceAreaInput:
    municipality_code: str
    chome: str | None = None


@strawberry.input
class SetServiceAreasInput:
    service_id: strawberry.ID
    areas: list[ServiceAreaInput]


@strawberry.input
class CreateResourceServiceInput:
    name: str
    kind: ResourceServiceKind
    municipality_code: str
    name_kana: str | None = None
    address: str | None = None
    phone: str | None = None
    url: str | None = None
    description: str | None = None


@strawberry.input
class ReportCorrectionInput:
    service_id: strawberry.ID
    field: str = strawberry.field(description="name, address, phone, hours, area, capacity, kind, status, url, contact, "
                                              "other, or capability:<key>")
    note: str


@strawberry.type
class ResourceServicePayload:
    service: ResourceService | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ResourceCapacityPayload:
    capacity: ResourceCapacity | None = None
    service: ResourceService | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ResourceCorrectionPayload:
    correction: ResourceCorrection | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ResourceIdentifierPayload:
    identifier: ResourceIdentifier | None = None
    service: ResourceService | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RaiseUnmetNeedPayload:
    regional_issue_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _query(f: ResourceSearchFilter | None) -> search.SearchQuery:
    if f is None:
        return search.SearchQuery()
    return search.SearchQuery(text=f.text, kinds=f.kinds, capabilities=f.capabilities, populations=f.populations,
                              include_consult=f.include_consult, municipality_code=f.municipality_code, chome=f.chome,
                              open_now=f.open_now, open_tonight=f.open_tonight, open_on=f.open_on,
                              with_vacancy=f.with_vacancy, include_inactive=f.include_inactive)


def _changes(items) -> list[editing.CapabilityChange]:
    return [editing.CapabilityChange(key=c.key, value=c.value) for c in items]


@strawberry.type
class ResourceQueries:
    @strawberry.field(description="The capability taxonomy and every directory vocabulary, with Japanese labels.")
    def resource_taxonomy(self) -> ResourceTaxonomy:
        return resource_taxonomy()

    @strawberry.field(description="Today in Japan and the next public holiday (for 'open this holiday').")
    def resource_calendar(self) -> ResourceCalendar:
        today = today_jst()
        name = opening.holiday_name(today)
        day, next_name = opening.next_holiday(today)
        return ResourceCalendar(today=today, today_is_holiday=name is not None, holiday_name=name,
                                next_holiday=day, next_holiday_name=next_name)

    @strawberry.field(description="Search the directory; most recently confirmed first. Empty for facility contacts.")
    async def resource_search(self, info: Info, filter: ResourceSearchFilter | None = None, first: int | None = None,
                              after: str | None = None) -> Connection[ResourceService]:
        size = page_size(first)
        async with info.context.read() as session:
            page = await search.search(session, actor=info.context.actor, query=_query(filter), first=size, after=after)
            nested = await directory.prefetch(session, [r.id for r in page.rows])
        today = today_jst()
        return Connection.of([ResourceService.of(r, today, nested[r.id]) for r in page.rows], page.cursors, page.total,
                             page.has_next)

    @strawberry.field
    async def resource_service(self, info: Info, id: strawberry.ID) -> ResourceService | None:
        async with info.context.read() as session:
            row = await directory.get_visible(session, actor=info.context.actor, service_id=id)
        return ResourceService.of(row) if row else None

    @strawberry.field(description="A facility contact's own entry (their capacity page); null for other roles.")
    async def my_resource_service(self, info: Info) -> ResourceService | None:
        actor = info.context.actor
        if actor.service_id is None:
            return None
        async with info.context.read() as session:
            row = await directory.get_visible(session, actor=actor, service_id=actor.service_id)
        return ResourceService.of(row) if row else None

    @strawberry.field(description="Reported inaccuracies, oldest first (the desk and administrators).")
    async def resource_corrections(self, info: Info, status: CorrectionStatus | None = v.CorrectionStatus.OPEN,
                                   first: int | None = None, after: str | None = None) -> Connection[ResourceCorrection]:
        async with info.context.read() as session:
            page = await corrections.corrections(session, actor=info.context.actor, status=status, first=page_size(first),
                                                 after=after)
        return Connection.of([ResourceCorrection.of(r) for r in page.rows], page.cursors, page.total, page.has_next)

    @strawberry.field(description="The crosswalk of outside identifiers (administrators); needsReview: unconfirmed "
                                  "matches below 0.9 confidence.")
    async def resource_crosswalk(self, info: Info, needs_review: bool | None = None, first: int | None = None,
                                 after: str | None = None) -> Connection[ResourceIdentifier]:
        async with info.context.read() as session:
            page = await matching.identifiers(session, actor=info.context.actor, needs_review=needs_review,
                                              first=page_size(first), after=after)
        return Connection.of([ResourceIdentifier.of(r) for r in page.rows], page.cursors, page.total, page.has_next)

    @strawberry.field(description="Rows an import could not place (administrators).")
    async def resource_unmatched(self, info: Info, first: int | None = None,
                                 after: str | None = None) -> Connection[ResourceUnmatchedRow]:
        async with info.context.read() as session:
            page = await matching.unmatched(session, actor=info.context.actor, first=page_size(first), after=after)
        return Connection.of([ResourceUnmatchedRow.of(r) for r in page.rows], page.cursors, page.total, page.has_next)

    @strawberry.field(description="The sources, the date of the data last imported from each, and the credit to show.")
    async def resource_sources(self, info: Info) -> list[ResourceSource]:
        async with info.context.read() as session:
            latest = dict((await session.execute(select(ImportRow.source, func.max(ImportRow.id))
                                                 .group_by(ImportRow.source))).all())
            rows = {r.source: r for r in await session.scalars(select(ImportRow).where(ImportRow.id.in_(latest.values())))}
        return [ResourceSource(key=k, label=s["label"], url=s["url"], cadence=s["cadence"],
                               last_as_of=rows[k].as_of if k in rows else None,
                               credit=rows[k].credit if k in rows else None) for k, s in taxonomy.sources().items()]

    @strawberry.field(description="Recent imports (administrators and the desk).")
    async def resource_imports(self, info: Info, first: int | None = 20) -> list[ResourceImport]:
        from backend import policy
        if not (policy.is_admin(info.context.actor) or policy.verifies_resources(info.context.actor)):
            return []
        async with info.context.read() as session:
            rows = await session.scalars(select(ImportRow).order_by(ImportRow.id.desc()).limit(page_size(first)))
        return [ResourceImport.of(r) for r in rows]

    @strawberry.field(description="A prefecture's unmet needs by area (its analysts, administrators); counts below "
                                  "the suppression threshold are hidden. Null out of scope.")
    async def prefecture_unmet_needs(self, info: Info, prefecture_code: str, fiscal_year: int) -> list[UnmetNeed] | None:
        from backend.reports.service import visible_prefecture_code
        code = visible_prefecture_code(info.context.actor, prefecture_code)
        if code is None:
            return None
        async with info.context.read() as session:
            rows = await referrals.prefecture_signals(session, actor=info.context.actor, prefecture_code=code,
                                                      fiscal_year=fiscal_year,
                                                      threshold=info.context.settings.suppression_threshold)
        return None if rows is None else [UnmetNeed.of(s) for s in rows]


async def _service_payload(info: Info, operation, **kwargs) -> ResourceServicePayload:
    try:
        async with info.context.transaction() as session:
            row = await operation(session, actor=info.context.actor, **kwargs)
    except UserInputError as e:
        return ResourceServicePayload(user_errors=[UserError.of(e)])
    return ResourceServicePayload(service=ResourceService.of(row))


@strawberry.type
class ResourceMutations:
    @strawberry.mutation(description="The desk's call to a service: logged (who, whom, when, what changed), the "
                                     "capabilities confirmed as デスク確認, the corrections it answered resolved.")
    async def verify_resource_service(self, info: Info, input: VerifyResourceInput) -> ResourceServicePayload:
        async def run(session, *, actor):
            await corrections.verify(session, actor=actor, data=corrections.Verification(
                service_id=input.service_id, called_at=input.called_at, channel=input.channel,
                contact_person=input.contact_person, note=input.note, capabilities=_changes(input.capabilities),
                resolves=list(input.resolves_corrections)))
            return await directory.require_visible(session, actor=actor, service_id=input.service_id)
        return await _service_payload(info, run)

    @strawberry.mutation(description="A facility contact states their own capabilities (事業所申告).")
    async def report_own_capabilities(self, info: Info, input: OwnCapabilitiesInput) -> ResourceServicePayload:
        return await _service_payload(info, editing.self_report, service_id=input.service_id,
                                      changes=_changes(input.capabilities))

    @strawberry.mutation(description="Vacancy (床/枠/件) until a moment: after it, the number reads as unknown.")
    async def update_resource_capacity(self, info: Info, input: UpdateCapacityInput) -> ResourceCapacityPayload:
        try:
            async with info.context.transaction() as session:
                row = await editing.update_capacity(session, actor=info.context.actor, service_id=input.service_id,
                                                    unit=input.unit, available=input.available, maximum=input.maximum,
                                                    valid_until=input.valid_until)
                service = await directory.require_visible(session, actor=info.context.actor, service_id=row.service_id)
        except UserInputError as e:
            return ResourceCapacityPayload(user_errors=[UserError.of(e)])
        return ResourceCapacityPayload(capacity=ResourceCapacity.of(row), service=ResourceService.of(service))

    @strawberry.mutation(description="Replaces the opening hours (kept over later imports).")
    async def set_resource_openings(self, info: Info, input: SetOpeningsInput) -> ResourceServicePayload:
        return await _service_payload(info, editing.set_schedules, service_id=input.service_id, openings=[
            editing.OpeningInput(days=o.days, opens_at=o.opens_at, closes_at=o.closes_at, description=o.description)
            for o in input.openings])

    @strawberry.mutation(description="Replaces where the service goes: municipalities or 町丁目.")
    async def set_resource_service_areas(self, info: Info, input: SetServiceAreasInput) -> ResourceServicePayload:
        return await _service_payload(info, editing.set_service_areas, service_id=input.service_id, areas=[
            editing.AreaInput(municipality_code=a.municipality_code, chome=a.chome) for a in input.areas])

    @strawberry.mutation(description="An entry the open data does not carry (the desk).")
    async def create_resource_service(self, info: Info, input: CreateResourceServiceInput) -> ResourceServicePayload:
        return await _service_payload(info, editing.create_service, data=editing.NewService(
            name=input.name, kind=input.kind, municipality_code=input.municipality_code, name_kana=input.name_kana,
            address=input.address, phone=input.phone, url=input.url, description=input.description))

    @strawberry.mutation(description="Anyone signed in reports an inaccuracy on a field of an entry.")
    async def report_resource_correction(self, info: Info, input: ReportCorrectionInput) -> ResourceCorrectionPayload:
        try:
            async with info.context.transaction() as session:
                row = await corrections.report(session, actor=info.context.actor, service_id=input.service_id,
                                               field_key=input.field, note=input.note)
        except UserInputError as e:
            return ResourceCorrectionPayload(user_errors=[UserError.of(e)])
        return ResourceCorrectionPayload(correction=ResourceCorrection.of(row))

    @strawberry.mutation(description="Closes a report without a call (the desk): RESOLVED or DISMISSED.")
    async def resolve_resource_correction(self, info: Info, id: strawberry.ID,
                                          status: CorrectionStatus) -> ResourceCorrectionPayload:
        try:
            async with info.context.transaction() as session:
                row = await corrections.resolve(session, actor=info.context.actor, correction_id=id, status=status)
        except UserInputError as e:
            return ResourceCorrectionPayload(user_errors=[UserError.of(e)])
        return ResourceCorrectionPayload(correction=ResourceCorrection.of(row))

    @strawberry.mutation(description="An administrator confirms a crosswalk match (confidence 1.0).")
    async def confirm_resource_match(self, info: Info, identifier_id: strawberry.ID) -> ResourceIdentifierPayload:
        try:
            async with info.context.transaction() as session:
                row = await matching.confirm(session, actor=info.context.actor, identifier_id=identifier_id)
        except UserInputError as e:
            return ResourceIdentifierPayload(user_errors=[UserError.of(e)])
        return ResourceIdentifierPayload(identifier=ResourceIdentifier.of(row))

    @strawberry.mutation(description="An administrator splits a wrong match into an entry of its own.")
    async def split_resource_match(self, info: Info, identifier_id: strawberry.ID) -> ResourceIdentifierPayload:
        try:
            async with info.context.transaction() as session:
                service = await matching.split(session, actor=info.context.actor, identifier_id=identifier_id)
        except UserInputError as e:
            return ResourceIdentifierPayload(user_errors=[UserError.of(e)])
        return ResourceIdentifierPayload(service=ResourceService.of(service))

    @strawberry.mutation(description="An administrator places an unmatched import row on an entry.")
    async def place_unmatched_resource_row(self, info: Info, unmatched_id: strawberry.ID,
                                           service_id: strawberry.ID) -> ResourceIdentifierPayload:
        try:
            async with info.context.transaction() as session:
                row = await matching.place_unmatched(session, actor=info.context.actor, unmatched_id=unmatched_id,
                                                     service_id=service_id)
        except UserInputError as e:
            return ResourceIdentifierPayload(user_errors=[UserError.of(e)])
        return ResourceIdentifierPayload(identifier=ResourceIdentifier.of(row))

    @strawberry.mutation(description="The hub's manager raises an unmet-need signal as a confirmed regional issue.")
    async def raise_unmet_need(self, info: Info, hub_id: strawberry.ID, fiscal_year: int, key: str) -> RaiseUnmetNeedPayload:
        from backend.issues import service as issues
        try:
            async with info.context.transaction() as session:
                hid = parse_id(hub_id, ["hubId"], "拠点")
                signal = await referrals.signal_of_hub(session, actor=info.context.actor, hub_id=hid,
                                                       fiscal_year=fiscal_year, key=key)
                issue = await issues.raise_issue(session, actor=info.context.actor, hub_id=hid, fiscal_year=fiscal_year,
                                                 scene=signal.scene, title=signal.title, signature=signal.key,
                                                 consultation_ids=signal.consultation_ids)
        except UserInputError as e:
            return RaiseUnmetNeedPayload(user_errors=[UserError.of(e)])
        return RaiseUnmetNeedPayload(regional_issue_id=strawberry.ID(str(issue.id)))

