"""GraphQL types of the resource directory. Leaf fields are plain attributes; nested lists come from
DataLoaders (each batch its own short session), so a page of results costs a fixed number of statements."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from backend import policy
from backend.api.scalars import Date, DateTime
from backend.db import utcnow
from backend.fiscal import today_jst
from backend.regions.types import Municipality
from backend.resources import capabilities as taxonomy
from backend.resources import models, opening, search
from backend.resources import vocabulary as v
from backend.resources.directory import Prefetched, capacity_is_current
from backend.resources.referrals import Signal

ResourceServiceKind = strawberry.enum(v.ServiceKind, name="ResourceServiceKind")
CapabilityValue = strawberry.enum(v.CapabilityValue, name="CapabilityValue")
CapabilitySource = strawberry.enum(v.CapabilitySource, name="CapabilitySource")
CapacityUnit = strawberry.enum(v.CapacityUnit, name="CapacityUnit")
ResourceServiceStatus = strawberry.enum(v.ServiceStatus, name="ResourceServiceStatus")
ReferralOutcome = strawberry.enum(v.ReferralOutcome, name="ReferralOutcome")
DeclineReason = strawberry.enum(v.DeclineReason, name="DeclineReason")
CorrectionStatus = strawberry.enum(v.CorrectionStatus, name="CorrectionStatus")
VerificationChannel = strawberry.enum(v.VerificationChannel, name="VerificationChannel")
MatchMethod = strawberry.enum(v.MatchMethod, name="MatchMethod")
Staleness = strawberry.enum(v.Staleness, name="Staleness")
IdentifierScheme = strawberry.enum(v.IdentifierScheme, name="IdentifierScheme")


@strawberry.type
class ResourceCapabilityTerm:
    key: str
    label: str
    group: str
    group_label: str
    applies_to: list[ResourceServiceKind] = strawberry.field(description="empty: any kind of service")


def _option(enum_gql, name: str):
    return strawberry.type(type(name, (), {"__annotations__": {"value": enum_gql, "label": str}}))


ResourceKindOption = _option(ResourceServiceKind, "ResourceKindOption")
CapabilityValueOption = _option(CapabilityValue, "CapabilityValueOption")
CapabilitySourceOption = _option(CapabilitySource, "CapabilitySourceOption")
CapacityUnitOption = _option(CapacityUnit, "CapacityUnitOption")
DeclineReasonOption = _option(DeclineReason, "DeclineReasonOption")
ReferralOutcomeOption = _option(ReferralOutcome, "ReferralOutcomeOption")
VerificationChannelOption = _option(VerificationChannel, "VerificationChannelOption")


@strawberry.type
class ResourceTaxonomy:
    version: str
    capabilities: list[ResourceCapabilityTerm]
    values: list[CapabilityValueOption]                      # type: ignore[valid-type]
    sources: list[CapabilitySourceOption]                    # type: ignore[valid-type]
    service_kinds: list[ResourceKindOption]                  # type: ignore[valid-type]
    capacity_units: list[CapacityUnitOption]                 # type: ignore[valid-type]
    decline_reasons: list[DeclineReasonOption]               # type: ignore[valid-type]
    referral_outcomes: list[ReferralOutcomeOption]           # type: ignore[valid-type]
    verification_channels: list[VerificationChannelOption]   # type: ignore[valid-type]


def resource_taxonomy() -> ResourceTaxonomy:
    t = taxonomy.taxonomy()
    return ResourceTaxonomy(
        version=t.version,
        capabilities=[ResourceCapabilityTerm(key=c.key, label=c.label, group=c.group, group_label=t.group_label(c.group),
                                             applies_to=sorted(c.applies_to, key=list(v.ServiceKind).index))
                      for c in t.capabilities],
        values=[CapabilityValueOption(value=m, label=m.label) for m in v.CapabilityValue],
        sources=[CapabilitySourceOption(value=m, label=m.label) for m in v.CapabilitySource],
        service_kinds=[ResourceKindOption(value=m, label=m.label) for m in v.ServiceKind],
        capacity_units=[CapacityUnitOption(value=m, label=m.label) for m in v.CapacityUnit],
        decline_reasons=[DeclineReasonOption(value=m, label=m.label) for m in v.DeclineReason],
        referral_outcomes=[ReferralOutcomeOption(value=m, label=m.label) for m in v.ReferralOutcome],
        verification_channels=[VerificationChannelOption(value=m, label=m.label) for m in v.VerificationChannel])


@strawberry.type(description="A capability's value with its provenance. `confirmedOn` is when someone (or a "
                             "source as of its date) confirmed it; it is never the row's update time.")
class ResourceCapability:
    key: str
    label: str
    group: str
    value: CapabilityValue
    value_label: str
    source: CapabilitySource
    source_label: str
    confirmed_on: Date | None
    confirmed_by: str | None

    @classmethod
    def of(cls, row: models.ResourceAttribute) -> ResourceCapability:
        cap = taxonomy.taxonomy().get(row.term)
        value, source = v.CapabilityValue(row.value), v.CapabilitySource(row.source)
        return cls(key=row.term, label=cap.label if cap else row.term, group=cap.group if cap else "",
                   value=value, value_label=value.label, source=source, source_label=source.label,
                   confirmed_on=row.confirmed_on, confirmed_by=row.confirmed_by_label)


@strawberry.type
class ResourcePhone:
    number: str
    type: str
    description: str | None


@strawberry.type
class ResourceLocation:
    name: str
    address: str | None
    building: str | None
    postal_code: str | None
    latitude: float | None
    longitude: float | None
    municipality: Municipality | None

    @classmethod
    def of(cls, row: models.ResourceLocation) -> ResourceLocation:
        return cls(name=row.name, address=row.address, building=row.building, postal_code=row.postal_code,
                   latitude=row.latitude, longitude=row.longitude,
                   municipality=Municipality.of(row.municipality_code) if row.municipality_code else None)


@strawberry.type
class ResourceServiceArea:
    municipality: Municipality
    chome: str | None = strawberry.field(description="a 町丁目; null: the whole municipality")
    inferred: bool = strawberry.field(description="assumed from the service's address until someone states its area")


@strawberry.type
class ResourceOpening:
    day: int = strawberry.field(description="0–6 Monday–Sunday, 7 public holidays (祝日)")
    day_label: str
    opens_at: str
    closes_at: str
    valid_from: Date | None
    valid_to: Date | None
    description: str | None
    rrule: str | None = strawberry.field(description="FREQ=WEEKLY;BYDAY=..; null for the holiday rule")

    @classmethod
    def of(cls, row: models.ResourceSchedule) -> ResourceOpening:
        return cls(day=row.day, day_label=opening.DAY_LABELS[row.day], opens_at=opening.format_minutes(row.opens_min),
                   closes_at=opening.format_minutes(row.closes_min), valid_from=row.valid_from, valid_to=row.valid_to,
                   description=row.description,
                   rrule=f"FREQ=WEEKLY;BYDAY={opening.RRULE_DAYS[row.day]}" if row.day < opening.HOLIDAY else None)


@strawberry.type(description="Vacancy. Past `validUntil` the number is unknown: `available` is null, never the old figure.")
class ResourceCapacity:
    unit: CapacityUnit
    unit_label: str
    available: int | None
    maximum: int | None
    current: bool
    updated_at: DateTime
    valid_until: DateTime

    @classmethod
    def of(cls, row: models.ResourceCapacity) -> ResourceCapacity:
        current = capacity_is_current(row, utcnow())
        unit = v.CapacityUnit(row.unit)
        return cls(unit=unit, unit_label=unit.label, available=row.available if current else None, maximum=row.maximum,
                   current=current, updated_at=row.updated, valid_until=row.valid_until)


@strawberry.type
class ResourceStaleness:
    level: Staleness
    label: str
    days: int | None = strawberry.field(description="days since the capabilities were last confirmed")
    confirmed_on: Date | None


@strawberry.type
class ResourceOrganization:
    name: str
    corporate_number: str | None


@strawberry.type
class ResourceIdentifier:
    id: strawberry.ID
    scheme: IdentifierScheme
    value: str
    method: MatchMethod
    method_label: str
    confidence: float
    confirmed: bool
    last_seen_on: Date | None
    service_id: strawberry.Private[int]

    @strawberry.field
    async def service(self, info: Info) -> ResourceService | None:
        row = await info.context.loaders.resource_service.load(self.service_id)
        return ResourceService.of(row) if row else None

    @classmethod
    def of(cls, row: models.ResourceIdentifier) -> ResourceIdentifier:
        method = v.MatchMethod(row.method)
        return cls(id=strawberry.ID(str(row.id)), scheme=v.IdentifierScheme(row.scheme), value=row.value, method=method,
                   method_label=method.label, confidence=row.confidence, confirmed=row.confirmed_at is not None,
                   last_seen_on=row.last_seen_on, service_id=row.service_id)


@strawberry.type
class ResourceVerification:
    id: strawberry.ID
    verified_at: DateTime
    verified_by: str | None
    contact_person: str | None
    channel: VerificationChannel
    changed_fields: list[str]
    note: str | None


@strawberry.type
class ResourceService:
    id: strawberry.ID
    uid: str
    name: str
    name_kana: str | None
    kind: ResourceServiceKind
    kind_label: str
    service_type: str | None
    status: ResourceServiceStatus
    url: str | None
    description: str | None
    declared_capacity: int | None = strawberry.field(description="定員 as published")
    source: str
    source_as_of: Date | None
    municipality: Municipality | None
    staleness: ResourceStaleness
    row_id: strawberry.Private[int]
    organization_id: strawberry.Private[int | None]
    prefetched: strawberry.Private[Prefetched | None] = None

    @strawberry.field
    async def organization(self, info: Info) -> ResourceOrganization | None:
        if self.organization_id is None:
            return None
        row = await info.context.loaders.resource_organization.load(self.organization_id)
        return ResourceOrganization(name=row.name, corporate_number=row.corporate_number) if row else None

    def _rows(self, info: Info, name: str, convert):
        """Prefetched with a search page (no round trip), else through the request's DataLoader. A plain
        (sync) resolver that may return an awaitable: graphql-core awaits it, and the common search
        result costs no coroutine per field."""
        if self.prefetched is not None:
            return convert(getattr(self.prefetched, name))

        async def load():
            return convert(await getattr(info.context.loaders, f"resource_{name}").load(self.row_id))
        return load()

    @strawberry.field
    def phones(self, info: Info) -> list[ResourcePhone]:
        return self._rows(info, "phones", lambda rows: [ResourcePhone(number=p.number, type=p.type,
                                                                      description=p.description) for p in rows])

    @strawberry.field
    def locations(self, info: Info) -> list[ResourceLocation]:
        return self._rows(info, "locations", lambda rows: [ResourceLocation.of(r) for r in rows])

    @strawberry.field
    async def service_areas(self, info: Info) -> list[ResourceServiceArea]:
        return [ResourceServiceArea(municipality=Municipality.of(a.municipality_code), chome=a.chome or None,
                                    inferred=a.inferred) for a in await info.context.loaders.resource_areas.load(self.row_id)]

    @strawberry.field
    def openings(self, info: Info) -> list[ResourceOpening]:
        return self._rows(info, "schedules", lambda rows: [ResourceOpening.of(r) for r in rows])

    @strawberry.field(description="Open at this moment, Japan time, by its schedules.")
    def open_now(self, info: Info) -> bool:
        return self._rows(info, "schedules", lambda rows: search.is_open(rows, utcnow()))

    @strawberry.field(description="Capabilities with provenance; `keys` limits them (e.g. the ones a search asked for).")
    def capabilities(self, info: Info, keys: list[str] | None = None) -> list[ResourceCapability]:
        wanted = set(keys) if keys is not None else None
        order = {c.key: i for i, c in enumerate(taxonomy.taxonomy().capabilities)}
        return self._rows(info, "attributes", lambda rows: [
            ResourceCapability.of(r) for r in sorted(rows, key=lambda r: order.get(r.term, 999))
            if wanted is None or r.term in wanted])

    @strawberry.field
    def capacity(self, info: Info) -> list[ResourceCapacity]:
        return self._rows(info, "capacities", lambda rows: [ResourceCapacity.of(r) for r in rows])

    @strawberry.field(description="Outside identifiers and how each was matched (administrators; empty for others).")
    async def identifiers(self, info: Info) -> list[ResourceIdentifier]:
        if not policy.curates_crosswalk(info.context.actor):
            return []
        return [ResourceIdentifier.of(r) for r in await info.context.loaders.resource_identifiers.load(self.row_id)]

    @strawberry.field(description="The verification log, newest first (the desk and administrators).")
    async def verifications(self, info: Info) -> list[ResourceVerification]:
        rows = await info.context.loaders.resource_verifications.load(self.row_id)
        found = await info.context.loaders.user.load_many([r.verified_by_id for r in rows if r.verified_by_id])
        by_id = {u.id: u for u in found if u}
        users = [by_id.get(r.verified_by_id) for r in rows]
        return [ResourceVerification(id=strawberry.ID(str(r.id)), verified_at=r.verified_at,
                                     verified_by=u.display_name if u else None, contact_person=r.contact_person,
                                     channel=v.VerificationChannel(r.channel), changed_fields=list(r.changed_fields or []),
                                     note=r.note) for r, u in zip(rows, users, strict=True)]

    @strawberry.field
    async def open_corrections(self, info: Info) -> int:
        return await info.context.loaders.resource_open_corrections.load(self.row_id)

    @classmethod
    def of(cls, row: models.ResourceService, today: date | None = None,
           prefetched: Prefetched | None = None) -> ResourceService:
        level, days = search.staleness(row.capabilities_confirmed_on, today or today_jst())
        kind, status = v.ServiceKind(row.kind), v.ServiceStatus(row.status)
        return cls(id=strawberry.ID(str(row.id)), uid=row.uid, name=row.name, name_kana=row.name_kana, kind=kind,
                   kind_label=kind.label, service_type=row.service_type, status=status, url=row.url,
                   description=row.description, declared_capacity=row.declared_capacity, source=row.source,
                   source_as_of=row.source_as_of,
                   municipality=Municipality.of(row.municipality_code) if row.municipality_code else None,
                   staleness=ResourceStaleness(level=level, label=level.label, days=days,
                                               confirmed_on=row.capabilities_confirmed_on),
                   row_id=row.id, organization_id=row.organization_id, prefetched=prefetched)


@strawberry.type
class ResourceCorrection:
    id: strawberry.ID
    field: str
    field_label: str
    note: str
    status: CorrectionStatus
    reported_at: DateTime
    resolved_at: DateTime | None
    service_id: strawberry.Private[int]

    @strawberry.field
    async def service(self, info: Info) -> ResourceService | None:
        row = await info.context.loaders.resource_service.load(self.service_id)
        return ResourceService.of(row) if row else None

    @classmethod
    def of(cls, row: models.ResourceCorrection) -> ResourceCorrection:
        from backend.resources.corrections import field_label
        return cls(id=strawberry.ID(str(row.id)), field=row.field, field_label=field_label(row.field), note=row.note,
                   status=v.CorrectionStatus(row.status), reported_at=row.reported_at, resolved_at=row.resolved_at,
                   service_id=row.service_id)


@strawberry.type
class ResourceUnmatchedRow:
    id: strawberry.ID
    scheme: IdentifierScheme
    value: str
    name: str
    line: int
    reason: str
    municipality: Municipality | None

    @classmethod
    def of(cls, row: models.ResourceUnmatched) -> ResourceUnmatchedRow:
        return cls(id=strawberry.ID(str(row.id)), scheme=v.IdentifierScheme(row.scheme), value=row.value, name=row.name,
                   line=row.line, reason=row.reason,
                   municipality=Municipality.of(row.municipality_code) if row.municipality_code else None)


@strawberry.type
class ResourceImport:
    id: strawberry.ID
    kind: str
    source_label: str
    file_name: str
    as_of: Date
    credit: str = strawberry.field(description="the attribution the source's licence (PDL1.0) requires; show it")
    added: int
    changed: int
    unchanged: int
    unmatched: int
    imported_at: DateTime

    @classmethod
    def of(cls, row: models.ResourceImport) -> ResourceImport:
        return cls(id=strawberry.ID(str(row.id)), kind=row.kind, source_label=taxonomy.sources()[row.source]["label"],
                   file_name=row.file_name, as_of=row.as_of, credit=row.credit, added=row.added, changed=row.changed,
                   unchanged=row.unchanged, unmatched=row.unmatched, imported_at=row.imported_at)


@strawberry.type
class DeclineCount:
    reason: DeclineReason
    label: str
    count: int


@strawberry.type(description="Consultations whose contacted services of one kind all declined, by area and need.")
class UnmetNeed:
    key: str
    title: str
    summary: str = strawberry.field(description="the title with area, year and count, as a packet or report prints it")
    kind: ResourceServiceKind
    needs: list[str]
    area_name: str
    fiscal_year: int
    count: int | None = strawberry.field(description="null when suppressed (an analyst, below the threshold)")
    suppressed: bool
    declines: list[DeclineCount] = strawberry.field(description="the hub's desk only")

    @classmethod
    def of(cls, s: Signal) -> UnmetNeed:
        return cls(key=s.key, title=s.title, summary=s.summary, kind=s.kind, needs=s.needs, area_name=s.area_name,
                   fiscal_year=s.fiscal_year, count=s.count.count, suppressed=s.count.suppressed,
                   declines=[DeclineCount(reason=v.DeclineReason(r), label=v.DeclineReason(r).label, count=n)
                             for r, n in sorted(s.reasons.items())])


@strawberry.type
class Referral:
    outcome: ReferralOutcome
    decline_reason: DeclineReason | None
    needs: list[str]
    service_id: strawberry.Private[int]

    @strawberry.field
    async def service(self, info: Info) -> ResourceService | None:
        row = await info.context.loaders.resource_service.load(self.service_id)
        return ResourceService.of(row) if row else None

    @classmethod
    def of(cls, row: models.ResourceReferral) -> Referral:
        return cls(outcome=v.ReferralOutcome(row.outcome),
                   decline_reason=v.DeclineReason(row.decline_reason) if row.decline_reason else None,
                   needs=list(row.needs or []), service_id=row.service_id)


@strawberry.type
class ResourceSource:
    key: str
    label: str
    url: str
    cadence: str
    last_as_of: Date | None
    credit: str | None
