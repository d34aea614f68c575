"""Writing parsed records in one transaction: entries from the open data (介護サービス情報公表, ナビイ)
are created or updated through the crosswalk; ナビイ's hours go to the entries its facility files made;
a 名簿's filings become registration capabilities of the entries its institutions are matched to.

Idempotent: the same file again changes nothing and reports every row unchanged. An import never
removes an entry (a file may cover one prefecture or one service type); the crosswalk keeps the day each
identifier was last seen. Hours someone stated by hand are kept over imported ones, and an import never
overwrites a capability someone confirmed after the import's date."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import utcnow
from backend.fiscal import today_jst
from backend.resources import capabilities as taxonomy
from backend.resources import directory, editing, matching, opening
from backend.resources.importers import kaigo, kouseikyoku
from backend.resources.importers.common import Hours, Parsed, Problem, Record
from backend.resources.models import (ResourceIdentifier, ResourceImport, ResourceLocation,
                                      ResourceOrganization, ResourcePhone, ResourceSchedule, ResourceService,
                                      ResourceServiceArea, ResourceServiceAtLocation, ResourceUnmatched)
from backend.resources.vocabulary import (CapabilitySource, CapabilityValue, IdentifierScheme, MatchMethod,
                                          ServiceKind)
from backend.text.normalize import name_key

CHUNK = 500


@dataclass
class Unplaced:
    line: int
    value: str
    name: str
    reason: str              # no_candidate, ambiguous, unknown_id

    REASONS = {"no_candidate": "該当する項目なし", "ambiguous": "候補が複数", "unknown_id": "施設票にないID"}

    @property
    def reason_label(self) -> str:
        return self.REASONS[self.reason]


@dataclass
class Matched:
    line: int
    value: str
    service_id: int
    method: MatchMethod
    confidence: float


@dataclass
class Report:
    import_id: int
    kind: str
    source_label: str
    as_of: date
    credit: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    unmatched: list[Unplaced] = field(default_factory=list)
    matched: list[Matched] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    resolved_later: int = 0      # earlier unmatched rows this import let the crosswalk place


def credit_for(source: str, as_of: date) -> tuple[str, str]:
    info = taxonomy.sources()[source]
    return info["label"], info["credit"].format(as_of=f"{as_of.year}年{as_of.month}月{as_of.day}日")


async def run(session: AsyncSession, *, parsed: Parsed, file_name: str, data: bytes, actor: Actor) -> Report:
    label, credit = credit_for(parsed.source, parsed.as_of)
    imp = ResourceImport(kind=parsed.kind, source=parsed.source, file_name=file_name[:255],
                         sha256=hashlib.sha256(data).hexdigest(), as_of=parsed.as_of, credit=credit)
    session.add(imp)
    await session.flush()
    report = Report(import_id=imp.id, kind=parsed.kind, source_label=label, as_of=parsed.as_of, credit=credit,
                    warnings=list(parsed.warnings))
    if parsed.source == "kouseikyoku":
        await _apply_registrations(session, parsed, imp, report)
    elif parsed.hours:
        await _apply_hours(session, parsed.hours, report)
    else:
        await _apply_entries(session, parsed, imp, report)
        report.resolved_later = await _retry_unmatched(session)
    imp.added, imp.changed, imp.unchanged, imp.unmatched = (report.added, report.changed, report.unchanged,
                                                            len(report.unmatched))
    audit.record(session, actor=actor, operation="resource.import", entity_type="resource_import", entity_id=imp.id,
                 fields=["added", "changed", "unchanged", "unmatched"])
    return report


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _set(obj, **values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@dataclass
class _Loaded:
    """An entry's rows that imports touch, loaded a chunk at a time."""

    locations: dict[int, list] = field(default_factory=dict)
    phones: dict[int, list] = field(default_factory=dict)
    schedules: dict[int, list] = field(default_factory=dict)
    areas: dict[int, list] = field(default_factory=dict)

    @classmethod
    async def of(cls, session: AsyncSession, ids: list[int]) -> "_Loaded":
        if not ids:
            return cls()
        return cls(locations=await directory.locations_for(session, ids), phones=await directory.phones_for(session, ids),
                   schedules=await directory.schedules_for(session, ids), areas=await directory.areas_for(session, ids))

    def new(self, service_id: int) -> None:
        for table in (self.locations, self.phones, self.schedules, self.areas):
            table[service_id] = []


# --- entries: 介護サービス情報公表 and ナビイ's facility files --------------------------------------------

async def _apply_entries(session: AsyncSession, parsed: Parsed, imp: ResourceImport, report: Report) -> None:
    records = parsed.records
    if not records:
        return
    scheme = records[0].scheme
    pool: matching.CandidatePool | None = None
    orgs: dict[str, ResourceOrganization] = {}
    for chunk in _chunks(records):
        idents = {i.value: i for i in await session.scalars(select(ResourceIdentifier).where(
            ResourceIdentifier.scheme == scheme, ResourceIdentifier.value.in_([r.value for r in chunk])))}
        services = await directory.services_by_ids(session, [i.service_id for i in idents.values()])
        numbers = {r.corporate_number for r in chunk if r.corporate_number} - set(orgs)
        if numbers:
            orgs.update({o.corporate_number: o for o in await session.scalars(select(ResourceOrganization).where(
                ResourceOrganization.corporate_number.in_(numbers))) if o.corporate_number})
        loaded = await _Loaded.of(session, list(services))
        for r in chunk:
            ident = idents.get(r.value)
            created = False
            if ident is None:
                if pool is None:
                    pool = await matching.candidate_pool(session, kinds={x.kind.value for x in records},
                                                         without_scheme=scheme)
                found = pool.place(name=r.name, municipality_code=r.municipality_code, phone=r.phone)
                if isinstance(found, matching.Placement):
                    sid, method, confidence = found.service_id, found.method, found.confidence
                    pool.discard(sid)
                    service = await _service(session, sid)
                    more = await _Loaded.of(session, [sid])
                    for table in ("locations", "phones", "schedules", "areas"):
                        getattr(loaded, table)[sid] = getattr(more, table).get(sid, [])
                    report.matched.append(Matched(r.line, r.value, sid, method, confidence))
                else:
                    service = ResourceService(kind=r.kind.value, name=r.name, search_key=name_key(r.name), source=parsed.source)
                    session.add(service)
                    await session.flush()
                    loaded.new(service.id)
                    method, confidence, created = MatchMethod.CREATED, 1.0, True
                ident = ResourceIdentifier(service_id=service.id, scheme=scheme, value=r.value, method=method.value,
                                           confidence=confidence)
                session.add(ident)
                await session.flush()
                services[service.id] = service
            service = services[ident.service_id]
            changed = await _update_entry(session, service, r, parsed, loaded, orgs)
            changed |= _apply_phones(session, service, ident, r, loaded)
            if r.openings is not None:
                changed |= _apply_schedule(session, service, ident, r.openings, r.closed_days or [], loaded)
            ident.record, ident.last_import_id, ident.last_seen_on = r.payload(), imp.id, parsed.as_of
            if created:
                report.added += 1
            elif changed:
                report.changed += 1
            else:
                report.unchanged += 1
        await session.flush()


async def _update_entry(session: AsyncSession, service: ResourceService, r: Record, parsed: Parsed,
                        loaded: _Loaded, orgs: dict[str, ResourceOrganization]) -> bool:
    if service.source == parsed.source and service.source_as_of and parsed.as_of < service.source_as_of:
        return False                                  # an older snapshot than the one the entry shows
    changed = _set(service, kind=r.kind.value, service_type=r.service_type, name=r.name, name_kana=r.name_kana,
                   search_key=name_key(r.name, r.name_kana), url=r.url, declared_capacity=r.declared_capacity,
                   municipality_code=r.municipality_code)
    _set(service, source=parsed.source, source_as_of=parsed.as_of)
    org = None
    if r.corporate_number:
        org = orgs.get(r.corporate_number)
        if org is None:
            org = orgs[r.corporate_number] = ResourceOrganization(name=r.corporate_name or r.name,
                                                                  corporate_number=r.corporate_number)
            session.add(org)
        elif r.corporate_name:
            _set(org, name=r.corporate_name)
    elif service.organization_id is None:
        org = ResourceOrganization(name=r.name)
        session.add(org)
    if org is not None:
        if org.id is None:
            await session.flush()
        changed |= _set(service, organization_id=org.id)
    locations = loaded.locations.setdefault(service.id, [])
    if not locations:
        location = ResourceLocation(name=r.name, organization_id=service.organization_id)
        session.add(location)
        await session.flush()
        session.add(ResourceServiceAtLocation(service_id=service.id, location_id=location.id))
        locations.append(location)
        changed = True
    changed |= _set(locations[0], name=r.name, address=r.address, building=r.building, postal_code=r.postal_code,
                    municipality_code=r.municipality_code, latitude=r.latitude, longitude=r.longitude,
                    organization_id=service.organization_id)
    changed |= await ensure_inferred_area(session, service, loaded.areas.setdefault(service.id, []))
    return changed


async def ensure_inferred_area(session: AsyncSession, service: ResourceService, areas: list) -> bool:
    """Until someone states where a service goes, its own municipality is assumed (and marked so)."""
    code = service.municipality_code
    if not code or (areas and not all(a.inferred for a in areas)):
        return False
    if [a.municipality_code for a in areas] == [code]:
        return False
    for a in areas:
        _delete(session, a)
    areas[:] = [ResourceServiceArea(service_id=service.id, municipality_code=code, chome="", inferred=True)]
    session.add(areas[0])
    return True


def _apply_phones(session: AsyncSession, service: ResourceService, ident: ResourceIdentifier, r: Record,
                  loaded: _Loaded) -> bool:
    """The source's phone and fax numbers; numbers a desk added stay."""
    wanted = {(d, t): n for n, t in ((r.phone, "voice"), (r.fax, "fax")) if n and (d := editing.phone_digits(n))}
    rows = loaded.phones.setdefault(service.id, [])
    changed = False
    for row in list(rows):
        if row.origin_id == ident.id and (row.digits, row.type) not in wanted:
            rows.remove(row)
            _delete(session, row)
            changed = True
    have = {(row.digits, row.type) for row in rows}
    for (digits, kind), number in wanted.items():
        if (digits, kind) not in have:
            row = ResourcePhone(service_id=service.id, number=number, digits=digits, type=kind, origin_id=ident.id)
            session.add(row)
            rows.append(row)
            changed = True
    return changed


def _delete(session: AsyncSession, row) -> None:
    """Deletes a loaded row, or forgets one added in this run and not yet written."""
    if inspect(row).pending:
        session.expunge(row)
    else:
        session.sync_session.delete(row)


def _apply_schedule(session: AsyncSession, service: ResourceService, ident: ResourceIdentifier,
                    openings: Sequence[tuple[int, int, int]], closed: Sequence[int], loaded: _Loaded) -> bool:
    rows = loaded.schedules.setdefault(service.id, [])
    if any(s.origin_id is None for s in rows):
        return False                                   # someone stated the hours: they are kept
    wanted = sorted({part for day, opens, closes in openings if day not in closed
                     for part in opening.split_overnight(day, opens, closes)})
    mine = [s for s in rows if s.origin_id == ident.id]
    if sorted((s.day, s.opens_min, s.closes_min) for s in mine) == wanted:
        return False
    for s in mine:
        rows.remove(s)
        _delete(session, s)
    for day, opens, closes in wanted:
        row = ResourceSchedule(service_id=service.id, day=day, opens_min=opens, closes_min=closes, origin_id=ident.id)
        session.add(row)
        rows.append(row)
    return True


# --- ナビイ's hours -----------------------------------------------------------------------------------

async def _apply_hours(session: AsyncSession, hours: list[Hours], report: Report) -> None:
    for chunk in _chunks(hours):
        idents = {i.value: i for i in await session.scalars(select(ResourceIdentifier).where(
            ResourceIdentifier.scheme == chunk[0].scheme, ResourceIdentifier.value.in_([h.value for h in chunk])))}
        services = await directory.services_by_ids(session, [i.service_id for i in idents.values()])
        loaded = await _Loaded.of(session, list(services))
        for h in chunk:
            ident = idents.get(h.value)
            if ident is None:
                report.unmatched.append(Unplaced(h.line, h.value, "", "unknown_id"))
                continue
            closed = (ident.record or {}).get("closed_days") or []
            if _apply_schedule(session, services[ident.service_id], ident, h.openings, closed, loaded):
                report.changed += 1
            else:
                report.unchanged += 1
        await session.flush()


# --- the 名簿: registrations ---------------------------------------------------------------------------

def _registration_values(service: ResourceService, filed: Iterable[str]) -> list[tuple[str, CapabilityValue]]:
    """Every registration the 名簿 speaks for on this kind: 可 when filed, 不可 when not."""
    filed = set(filed)
    return [(c.key, CapabilityValue.YES if c.key in filed else CapabilityValue.NO)
            for c in taxonomy.registrations(service.kind)]


async def _code_match(session: AsyncSession, r: Record) -> int | None:
    """A 訪問看護ステーション's code is also its 介護保険事業所番号."""
    if r.kind is not ServiceKind.VISITING_NURSE or not r.code or not kaigo.is_visiting_nurse_station(r.code):
        return None
    return await session.scalar(select(ResourceIdentifier.service_id).where(
        ResourceIdentifier.scheme == kaigo.SCHEME,
        ResourceIdentifier.value == kaigo.office_value(r.code, ServiceKind.VISITING_NURSE)))


async def _apply_registrations(session: AsyncSession, parsed: Parsed, imp: ResourceImport, report: Report) -> None:
    scheme = IdentifierScheme.MEDICAL_INSTITUTION.value
    pools: dict[tuple[str, ...], matching.CandidatePool] = {}
    prefixes = {r.value[:2] for r in parsed.records}
    for chunk in _chunks(parsed.records):
        idents = {i.value: i for i in await session.scalars(select(ResourceIdentifier).where(
            ResourceIdentifier.scheme == scheme, ResourceIdentifier.value.in_([r.value for r in chunk])))}
        for r in chunk:
            ident = idents.get(r.value)
            new_match = False
            if ident is None:
                kinds = tuple(k.value for k in kouseikyoku.section_kinds(r.service_type or ""))
                if kinds not in pools:
                    pools[kinds] = await matching.candidate_pool(session, kinds=kinds, without_scheme=scheme,
                                                                 prefixes=prefixes)
                pool = pools[kinds]
                found = await _place(session, r, pool, scheme)
                if isinstance(found, str):
                    report.unmatched.append(Unplaced(r.line, r.value, r.name, found))
                    await _keep_unmatched(session, imp, r, found)
                    continue
                sid, method, confidence = found.service_id, found.method, found.confidence
                pool.discard(sid)
                ident = ResourceIdentifier(service_id=sid, scheme=scheme, value=r.value, method=method.value,
                                           confidence=confidence)
                session.add(ident)
                await session.flush()
                report.matched.append(Matched(r.line, r.value, sid, method, confidence))
                new_match = True
            changed = await _register(session, ident, r, parsed.as_of, imp)
            if new_match or changed:
                report.changed += 1
            else:
                report.unchanged += 1
        await session.flush()


async def _place(session: AsyncSession, r: Record, pool: matching.CandidatePool,
                 scheme: str) -> matching.Placement | str:
    """A 名簿 row's entry: by a code both sources use first, then the crosswalk's phone and name rules."""
    sid = await _code_match(session, r)
    if sid is not None and not await _has_identifier(session, sid, scheme):
        return matching.Placement(sid, MatchMethod.CODE, matching.CONFIDENCE[MatchMethod.CODE])
    return pool.place(name=r.name, municipality_code=r.municipality_code, phone=r.phone)


async def _service(session: AsyncSession, service_id: int, *, lock: bool = False) -> ResourceService:
    service = await session.get(ResourceService, service_id, with_for_update=lock)
    if service is None:                     # the crosswalk only points at entries that exist (FK, cascade)
        raise LookupError(f"resource_service {service_id}")
    return service


async def _has_identifier(session: AsyncSession, service_id: int, scheme: str) -> bool:
    return await session.scalar(select(ResourceIdentifier.id).where(ResourceIdentifier.service_id == service_id,
                                                                    ResourceIdentifier.scheme == scheme)) is not None


async def _register(session: AsyncSession, ident: ResourceIdentifier, r: Record, as_of: date,
                    imp: ResourceImport) -> bool:
    service = await _service(session, ident.service_id, lock=True)
    label = f"{taxonomy.sources()['kouseikyoku']['label']} {as_of.year}年{as_of.month}月{as_of.day}日時点"
    attrs = await editing.attributes_of(session, service.id)
    changed = False
    for key, value in _registration_values(service, r.registrations or []):
        changed |= editing.apply_capability(service, attrs, key=key, value=value, source=CapabilitySource.NOTIFICATION,
                                            confirmed_on=as_of, confirmed_by_id=None, confirmed_by_label=label,
                                            origin_id=ident.id, unless_newer=True)
    session.add_all(a for a in attrs.values() if a.id is None)
    editing.refresh_derived(service, list(attrs.values()))
    loaded = await _Loaded.of(session, [service.id])
    changed |= _apply_phones(session, service, ident, r, loaded)
    ident.record, ident.last_import_id, ident.last_seen_on = r.payload(), imp.id, as_of
    await session.execute(delete(ResourceUnmatched).where(ResourceUnmatched.scheme == ident.scheme,
                                                          ResourceUnmatched.value == ident.value,
                                                          ResourceUnmatched.resolved_service_id.is_(None)))
    await session.flush()
    return changed


async def _keep_unmatched(session: AsyncSession, imp: ResourceImport, r: Record, reason: str) -> None:
    row = await session.scalar(select(ResourceUnmatched).where(ResourceUnmatched.scheme == r.scheme,
                                                               ResourceUnmatched.value == r.value))
    if row is None:
        row = ResourceUnmatched(scheme=r.scheme, value=r.value, import_id=imp.id, line=r.line, name=r.name,
                                reason=reason)
        session.add(row)
    row.import_id, row.line, row.name, row.reason = imp.id, r.line, r.name[:200], reason
    row.municipality_code, row.record = r.municipality_code, r.payload()
    row.resolved_service_id = row.resolved_at = None


def record_of(payload: dict) -> Record:
    data = dict(payload)
    data["kind"] = ServiceKind(data["kind"])
    data["openings"] = [tuple(o) for o in data["openings"]] if data.get("openings") is not None else None
    return Record(**data)


async def place_record(session: AsyncSession, *, unmatched: ResourceUnmatched, service: ResourceService,
                       method: MatchMethod, confidence: float, actor: Actor | None = None) -> ResourceIdentifier:
    """An unmatched 名簿 row placed on an entry (by an admin, or by a later import's crosswalk)."""
    imp = await session.get(ResourceImport, unmatched.import_id)
    if imp is None:
        raise LookupError(f"resource_import {unmatched.import_id}")
    ident = ResourceIdentifier(service_id=service.id, scheme=unmatched.scheme, value=unmatched.value,
                               method=method.value, confidence=confidence,
                               confirmed_by_id=actor.user_id if actor and method is MatchMethod.ADMIN else None,
                               confirmed_at=utcnow() if method is MatchMethod.ADMIN else None)
    session.add(ident)
    await session.flush()
    await _register(session, ident, record_of(unmatched.record), imp.as_of, imp)
    unmatched.resolved_service_id, unmatched.resolved_at = service.id, utcnow()
    return ident


async def _retry_unmatched(session: AsyncSession) -> int:
    """Entries an import just made may be what earlier 名簿 rows were waiting for."""
    rows = list(await session.scalars(select(ResourceUnmatched).where(ResourceUnmatched.resolved_service_id.is_(None))
                                      .order_by(ResourceUnmatched.id)))
    placed = 0
    pools: dict[tuple[str, ...], matching.CandidatePool] = {}
    for row in rows:
        r = record_of(row.record)
        kinds = tuple(k.value for k in kouseikyoku.section_kinds(r.service_type or ""))
        if kinds not in pools:
            pools[kinds] = await matching.candidate_pool(session, kinds=kinds, without_scheme=row.scheme,
                                                         prefixes={r.value[:2]})
        found = await _place(session, r, pools[kinds], row.scheme)
        if isinstance(found, str):
            continue
        pools[kinds].discard(found.service_id)
        await place_record(session, unmatched=row, service=await _service(session, found.service_id),
                           method=found.method, confidence=found.confidence)
        placed += 1
    return placed


# --- for the crosswalk's split ---------------------------------------------------------------------------

async def entry_from_record(session: AsyncSession, payload: dict) -> ResourceService:
    r = record_of(payload)
    service = ResourceService(kind=r.kind.value, name=r.name, search_key=name_key(r.name, r.name_kana),
                              source="manual")
    session.add(service)
    await session.flush()
    loaded = _Loaded()
    loaded.new(service.id)
    parsed = Parsed(source="manual", kind="split", as_of=today_jst(), records=[r])
    await _update_entry(session, service, r, parsed, loaded, {})
    await session.flush()
    return service


async def refresh_services(session: AsyncSession, ids: Sequence[int]) -> None:
    attrs = await directory.attributes_for(session, list(ids))
    for service in (await directory.services_by_ids(session, list(ids))).values():
        editing.refresh_derived(service, attrs.get(service.id, []))
    await session.flush()
