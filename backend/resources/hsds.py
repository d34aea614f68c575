"""The directory as Open Referral HSDS 3.1: nested JSON (a service with its phones, schedules, service
areas, locations, attributes and capacities), list pages for the HSDS API, and the tabular data package
(one CSV per object and datapackage.json).

Mapping notes (this deployment's profile): capabilities are `attribute`s whose `taxonomy_term` is a
term of the shipped taxonomy (id: a UUID derived from its key) with the value 可 / 要相談 / 不可 / 不明;
who confirmed it and when travels in the attribute's `metadata` (last_action_date, updated_by), so the
confirmation is never confused with `last_modified`. A schedule is FREQ=WEEKLY with one BYDAY; the
Japanese public-holiday rule has no RRULE and is exported with freq empty and description 祝日. A
service area names a municipality (its code in `uri`, as urn:jp:municipality:NNNNN) or one 町丁目 of it.
Vacancy past its validity is left out (never the old number). Sources' credits are in the package."""

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.db import utcnow
from backend.regions import codes
from backend.resources import capabilities as taxonomy
from backend.resources import directory, opening
from backend.resources.directory import capacity_is_current
from backend.resources.models import ResourceImport, ResourceService
from backend.resources.vocabulary import CapabilitySource, CapabilityValue, CapacityUnit
from backend.resources.search import search_words

VERSION = "3.1"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://renkei-desk.jp/hsds")
PROFILE = "https://renkei-desk.jp/hsds/profile/jp-home-care"
OPENAPI = "https://raw.githubusercontent.com/openreferral/specification/3.1/schema/openapi.json"
TAXONOMY_NAME = "在宅医療・介護 対応力分類（連携デスク）"


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def taxonomy_id() -> str:
    return stable_id("taxonomy", taxonomy.taxonomy().version)


def term_id(key: str) -> str:
    return stable_id("term", key)


def unit_id(unit: str) -> str:
    return stable_id("unit", unit)


def _term(key: str) -> dict:
    cap = taxonomy.taxonomy().get(key)
    t = taxonomy.taxonomy()
    return {"id": term_id(key), "code": key, "name": cap.label if cap else key,
            "description": f"{t.group_label(cap.group)}: {cap.label}" if cap else key, "parent_id": None,
            "taxonomy": TAXONOMY_NAME, "language": "ja", "taxonomy_id": taxonomy_id(), "term_uri": None}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class Bundle:
    """Every row of a set of services, loaded with a fixed number of statements."""

    def __init__(self, services: Sequence[ResourceService]) -> None:
        self.services = list(services)

    async def load(self, session: AsyncSession) -> "Bundle":
        ids = [s.id for s in self.services]
        self.phones = await directory.phones_for(session, ids)
        self.schedules = await directory.schedules_for(session, ids)
        self.areas = await directory.areas_for(session, ids)
        self.attributes = await directory.attributes_for(session, ids)
        self.capacities = await directory.capacities_for(session, ids)
        self.locations = await directory.locations_for(session, ids)
        self.contacts = await directory.contacts_for(session, ids)
        self.organizations = await directory.organizations_by_ids(
            session, sorted({s.organization_id for s in self.services if s.organization_id}))
        return self


def service_brief(s: ResourceService, organizations: dict | None = None) -> dict:
    """The service's one-to-one fields (what the list endpoint returns)."""
    org = (organizations or {}).get(s.organization_id) if s.organization_id else None
    return {"id": s.uid, "organization_id": org.uid if org else None, "program_id": None, "name": s.name,
            "alternate_name": s.name_kana, "description": s.description, "url": s.url, "email": None,
            "status": s.status, "assured_date": s.capabilities_confirmed_on.isoformat() if s.capabilities_confirmed_on else None,
            "assurer_email": None, "alert": None, "last_modified": _iso(s.updated_at)}


def _phone(p, service_uid: str) -> dict:
    return {"id": p.uid, "service_id": service_uid, "number": p.number, "extension": None,
            "type": "fax" if p.type == "fax" else "voice", "description": p.description}


def _schedule(r, service_uid: str) -> dict:
    holiday = r.day == opening.HOLIDAY
    return {"id": r.uid, "service_id": service_uid, "valid_from": r.valid_from.isoformat() if r.valid_from else None,
            "valid_to": r.valid_to.isoformat() if r.valid_to else None, "timezone": 9, "wkst": "MO",
            "freq": None if holiday else "WEEKLY", "interval": None if holiday else 1,
            "byday": None if holiday else opening.RRULE_DAYS[r.day],
            "opens_at": opening.format_minutes(r.opens_min), "closes_at": opening.format_minutes(r.closes_min),
            "description": "祝日" if holiday else r.description,
            "notes": "国民の祝日・休日（振替休日を含む）に適用" if holiday else None}


def _area(a, service_uid: str) -> dict:
    m = codes.lookup(a.municipality_code)
    name = f"{m.name if m else a.municipality_code}{' ' + a.chome if a.chome else ''}"
    return {"id": a.uid, "service_id": service_uid, "name": name,
            "description": "所在地から推定（未確認）" if a.inferred else None, "extent": None, "extent_type": None,
            "uri": f"urn:jp:municipality:{a.municipality_code}" + (f":{a.chome}" if a.chome else "")}


def _attribute(a, service_uid: str, nested: bool = True) -> dict:
    value = CapabilityValue(a.value)
    cap = taxonomy.taxonomy().get(a.term)
    out = {"id": a.uid, "link_id": service_uid, "taxonomy_term_id": term_id(a.term), "link_type": "capability",
           "link_entity": "service", "value": value.label, "label": cap.label if cap else a.term}
    if nested:
        out["taxonomy_term"] = _term(a.term)
        out["metadata"] = [_provenance(a)]
    return out


def _provenance(a) -> dict:
    return {"id": stable_id("metadata", a.uid), "resource_id": a.uid, "resource_type": "attribute",
            "last_action_date": a.confirmed_on.isoformat() if a.confirmed_on else None,
            "last_action_type": CapabilitySource(a.source).label, "field_name": "value", "previous_value": "",
            "replacement_value": CapabilityValue(a.value).label, "updated_by": a.confirmed_by_label or ""}


def _capacity(c, service_uid: str, nested: bool = True) -> dict:
    unit = CapacityUnit(c.unit)
    out = {"id": c.uid, "service_id": service_uid, "unit_id": unit_id(c.unit), "available": c.available,
           "maximum": c.maximum, "description": f"空き（{unit.label}）、{c.valid_until.isoformat()}まで有効",
           "updated": c.updated.isoformat()}
    if nested:
        out["unit"] = {"id": unit_id(c.unit), "name": unit.label, "scheme": None, "identifier": c.unit, "uri": None}
    return out


def _location(loc) -> dict:
    m = codes.lookup(loc.municipality_code) if loc.municipality_code else None
    address = None
    if loc.address:
        address = {"id": stable_id("address", loc.uid), "location_id": loc.uid, "attention": None,
                   "address_1": loc.address, "address_2": loc.building, "city": m.name if m else "",
                   "region": None, "state_province": codes.prefecture_names().get(m.prefecture_code, "") if m else "",
                   "postal_code": loc.postal_code or "", "country": "JP", "address_type": "physical"}
    return {"id": loc.uid, "location_type": "physical", "name": loc.name, "latitude": loc.latitude,
            "longitude": loc.longitude, "external_identifier": loc.municipality_code,
            "external_identifier_type": "municipality_code", "addresses": [address] if address else []}


def service_full(s: ResourceService, b: Bundle, now: datetime) -> dict:
    uid = s.uid
    out = service_brief(s, b.organizations)
    org = b.organizations.get(s.organization_id) if s.organization_id else None
    out["organization"] = ({"id": org.uid, "name": org.name, "description": org.name, "tax_id": org.corporate_number}
                           if org else None)
    out["phones"] = [_phone(p, uid) for p in b.phones.get(s.id, [])]
    out["schedules"] = [_schedule(r, uid) for r in b.schedules.get(s.id, [])]
    out["service_areas"] = [_area(a, uid) for a in b.areas.get(s.id, [])]
    out["service_at_locations"] = [{"id": stable_id("sal", uid, loc.uid), "service_id": uid, "location_id": loc.uid,
                                    "location": _location(loc)} for loc in b.locations.get(s.id, [])]
    out["contacts"] = [{"id": c.uid, "service_id": uid, "name": c.name, "title": c.title, "department": c.department,
                        "email": c.email} for c in b.contacts.get(s.id, [])]
    out["attributes"] = [_attribute(a, uid) for a in b.attributes.get(s.id, [])]
    out["capacities"] = [_capacity(c, uid) for c in b.capacities.get(s.id, []) if capacity_is_current(c, now)]
    return out


# --- the API's reads ---------------------------------------------------------------------------------

async def page_of_services(session: AsyncSession, *, actor: Actor, page: int, per_page: int, search: str | None,
                           taxonomy_term_id: str | None, organization_id: str | None,
                           modified_after: datetime | None) -> dict:
    conds = []
    if not policy.reads_directory(actor):
        conds.append(ResourceService.id == (actor.service_id or 0))
    if search:
        for word in search_words(search):
            conds.append(ResourceService.search_key.contains(word, autoescape=True))
    if taxonomy_term_id:
        cap = next((c for c in taxonomy.taxonomy().capabilities if term_id(c.key) == taxonomy_term_id), None)
        if cap is None:
            conds.append(ResourceService.id == 0)
        else:
            conds.append(ResourceService.capable_mask.op("&")(cap.mask) != 0)
    if organization_id:
        from backend.resources.models import ResourceOrganization
        conds.append(ResourceService.organization_id == select(ResourceOrganization.id).where(
            ResourceOrganization.uid == organization_id).scalar_subquery())
    if modified_after:
        conds.append(ResourceService.updated_at >= modified_after)
    total = await session.scalar(select(func.count()).select_from(ResourceService).where(*conds)) or 0
    rows = list(await session.scalars(select(ResourceService).where(*conds).order_by(ResourceService.id)
                                      .offset((page - 1) * per_page).limit(per_page)))
    orgs = await directory.organizations_by_ids(session, sorted({s.organization_id for s in rows if s.organization_id}))
    pages = max(1, -(-total // per_page))
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": len(rows),
            "first_page": page == 1, "last_page": page >= pages, "empty": total == 0,
            "contents": [service_brief(s, orgs) for s in rows]}


async def service_by_uid(session: AsyncSession, *, actor: Actor, uid: str) -> dict | None:
    row = await session.scalar(select(ResourceService).where(ResourceService.uid == uid))
    if row is None or not policy.sees_resource(actor, row.id):
        return None
    bundle = await Bundle([row]).load(session)
    return service_full(row, bundle, utcnow())


async def credits(session: AsyncSession) -> list[dict]:
    latest = dict((await session.execute(select(ResourceImport.source, func.max(ResourceImport.id))
                                         .group_by(ResourceImport.source))).all())
    rows = await session.scalars(select(ResourceImport).where(ResourceImport.id.in_(latest.values())))
    return [{"title": r.credit, "path": taxonomy.sources()[r.source]["url"]} for r in rows]


# --- exports -------------------------------------------------------------------------------------------

async def _everything(session: AsyncSession) -> tuple[list[ResourceService], Bundle]:
    services = list(await session.scalars(select(ResourceService).order_by(ResourceService.id)))
    bundles = []
    for start in range(0, len(services), 1000):
        bundles.append(await Bundle(services[start:start + 1000]).load(session))
    merged = Bundle(services)
    for name in ("phones", "schedules", "areas", "attributes", "capacities", "locations", "contacts", "organizations"):
        table: dict = {}
        for b in bundles:
            table.update(getattr(b, name))
        setattr(merged, name, table)
    if not bundles:
        await merged.load(session)
    return services, merged


async def export_json(session: AsyncSession) -> bytes:
    services, bundle = await _everything(session)
    now = utcnow()
    body = {"version": VERSION, "profile": PROFILE, "generated": now.isoformat(), "sources": await credits(session),
            "services": [service_full(s, bundle, now) for s in services]}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


TABLES = {  # resource name → (path, fields)
    "organization": ("organizations.csv", ["id", "name", "alternate_name", "description", "email", "website", "tax_status",
                                           "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"]),
    "service": ("services.csv", ["id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
                                 "email", "status", "assured_date", "assurer_email", "alert", "last_modified"]),
    "location": ("locations.csv", ["id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
                                   "transportation", "latitude", "longitude", "external_identifier",
                                   "external_identifier_type"]),
    "address": ("addresses.csv", ["id", "location_id", "attention", "address_1", "address_2", "city", "region",
                                  "state_province", "postal_code", "country", "address_type"]),
    "service_at_location": ("service_at_location.csv", ["id", "service_id", "location_id", "description"]),
    "phone": ("phones.csv", ["id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
                             "number", "extension", "type", "description"]),
    "contact": ("contacts.csv", ["id", "organization_id", "service_id", "service_at_location_id", "location_id", "name",
                                 "title", "department", "email"]),
    "schedule": ("schedules.csv", ["id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
                                   "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
                                   "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
                                   "schedule_link", "attending_type", "notes"]),
    "service_area": ("service_areas.csv", ["id", "service_id", "service_at_location_id", "name", "description", "extent",
                                           "extent_type", "uri"]),
    "taxonomy": ("taxonomies.csv", ["id", "name", "description", "uri", "version"]),
    "taxonomy_term": ("taxonomy_terms.csv", ["id", "code", "name", "description", "parent_id", "taxonomy", "language",
                                             "taxonomy_id", "term_uri"]),
    "attribute": ("attributes.csv", ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label"]),
    "metadata": ("metadata.csv", ["id", "resource_id", "resource_type", "last_action_date", "last_action_type",
                                  "field_name", "previous_value", "replacement_value", "updated_by"]),
    "unit": ("units.csv", ["id", "name", "scheme", "identifier", "uri"]),
    "service_capacity": ("service_capacity.csv", ["id", "service_id", "unit_id", "available", "maximum", "description",
                                                  "updated"]),
}


async def export_datapackage(session: AsyncSession) -> bytes:
    services, b = await _everything(session)
    now = utcnow()
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for org in b.organizations.values():
        rows["organization"].append({"id": org.uid, "name": org.name, "description": org.name, "tax_id": org.corporate_number})
    seen_locations = set()
    for s in services:
        full = service_full(s, b, now)
        rows["service"].append(full)
        for sal in full["service_at_locations"]:
            rows["service_at_location"].append(sal)
            loc = sal["location"]
            if loc["id"] not in seen_locations:
                seen_locations.add(loc["id"])
                rows["location"].append({**loc, "organization_id": full["organization_id"]})
                rows["address"].extend(loc["addresses"])
        rows["phone"].extend(full["phones"])
        rows["contact"].extend(full["contacts"])
        rows["schedule"].extend(full["schedules"])
        rows["service_area"].extend(full["service_areas"])
        for a in full["attributes"]:
            rows["attribute"].append(a)
            rows["metadata"].extend(a["metadata"])
        rows["service_capacity"].extend(full["capacities"])
    t = taxonomy.taxonomy()
    rows["taxonomy"].append({"id": taxonomy_id(), "name": TAXONOMY_NAME, "version": t.version,
                             "description": "在宅医療・介護連携の資源検索で使う対応力の分類（訪問・体制、届出・指定、医療処置、対象者）"})
    rows["taxonomy_term"] = [_term(c.key) for c in t.capabilities]
    rows["unit"] = [{"id": unit_id(u.value), "name": u.label, "identifier": u.value} for u in CapacityUnit]
    buffer = io.BytesIO()
    resources = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (path, fields) in TABLES.items():
            text = io.StringIO()
            w = csv.DictWriter(text, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
            w.writeheader()
            for row in rows[name]:
                w.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in fields})
            z.writestr(path, text.getvalue().encode("utf-8"))
            resources.append({"name": name, "path": path, "profile": "tabular-data-resource", "format": "csv",
                              "mediatype": "text/csv", "encoding": "utf-8",
                              "schema": {"fields": [{"name": f, "type": "string"} for f in fields], "primaryKey": "id"}})
        package = {"name": "renkei_desk_resource_directory", "title": "連携デスク 資源ディレクトリ",
                   "profile": "tabular-data-package", "version": VERSION, "created": now.isoformat(),
                   "homepage": "http://docs.openreferral.org", "sources": await credits(session), "resources": resources}
        z.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8"))
    return buffer.getvalue()
