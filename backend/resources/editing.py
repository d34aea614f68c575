"""Writing the directory: capabilities with their provenance, vacancy, hours, service areas and new
entries. Importers, the desk and facility contacts all go through `apply_capability` and
`refresh_derived`, so the search masks and the confirmation date can never disagree with the rows."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError, require_parsed
from backend.fiscal import japan_date, today_jst
from backend.regions import service as regions
from backend.resources import capabilities as taxonomy
from backend.resources import directory, opening
from backend.resources.models import (ResourceAttribute, ResourceCapacity, ResourceLocation, ResourcePhone,
                                      ResourceSchedule, ResourceService, ResourceServiceArea,
                                      ResourceServiceAtLocation)
from backend.resources.vocabulary import CapabilitySource, CapabilityValue, CapacityUnit, ServiceKind
from backend.text.normalize import name_key
from backend.validation import clean_text

MAX_CAPACITY = 10_000
CAPACITY_HORIZON = timedelta(days=92)   # vacancy is a statement about the coming days, not a standing fact


# --- capabilities --------------------------------------------------------------------------------

def apply_capability(service: ResourceService, attrs: dict[str, ResourceAttribute], *, key: str,
                     value: CapabilityValue, source: CapabilitySource, confirmed_on: date | None,
                     confirmed_by_id: int | None, confirmed_by_label: str | None, origin_id: int | None = None,
                     unless_newer: bool = False) -> bool:
    """Sets one capability of a service (attrs: its attributes by term, updated in place; new rows are
    returned through it for the caller to add). True when the value or its source changed.

    `unless_newer`: an import never overwrites a value someone confirmed after the import's as-of date."""
    row = attrs.get(key)
    if row is None:
        attrs[key] = ResourceAttribute(service_id=service.id, term=key, value=value.value, source=source.value,
                                       confirmed_on=confirmed_on, confirmed_by_id=confirmed_by_id,
                                       confirmed_by_label=confirmed_by_label, origin_id=origin_id)
        return True
    if unless_newer and row.confirmed_on is not None and confirmed_on is not None and row.confirmed_on > confirmed_on:
        return False
    changed = (row.value, row.source) != (value.value, source.value)
    row.value, row.source = value.value, source.value
    row.confirmed_on, row.confirmed_by_id, row.confirmed_by_label = confirmed_on, confirmed_by_id, confirmed_by_label
    row.origin_id = origin_id if origin_id is not None else row.origin_id
    return changed


def refresh_derived(service: ResourceService, attrs: Sequence[ResourceAttribute]) -> None:
    """The search masks and the latest confirmation, from the service's attributes."""
    capable = consult = 0
    for a in attrs:
        cap = taxonomy.taxonomy().get(a.term)
        if cap is None:
            continue
        if a.value == CapabilityValue.YES:
            capable |= cap.mask
        elif a.value == CapabilityValue.CONSULT:
            consult |= cap.mask
    service.capable_mask, service.consult_mask = capable, consult
    service.capabilities_confirmed_on = max((a.confirmed_on for a in attrs if a.confirmed_on), default=None)


async def attributes_of(session: AsyncSession, service_id: int) -> dict[str, ResourceAttribute]:
    return {a.term: a for a in await session.scalars(select(ResourceAttribute).where(
        ResourceAttribute.service_id == service_id).with_for_update())}


@dataclass
class CapabilityChange:
    key: str
    value: CapabilityValue


def _checked_changes(service: ResourceService, changes: Sequence[CapabilityChange], field: list[str]) -> list:
    out = []
    seen = set()
    for i, change in enumerate(changes):
        [cap] = taxonomy.parse_keys([change.key], [*field, str(i), "key"])
        if not cap.applies(service.kind):
            raise UserInputError([*field, str(i), "key"], f"「{cap.label}」は{ServiceKind(service.kind).label}には当てはまりません。",
                                 "NOT_APPLICABLE")
        if cap.key in seen:
            raise UserInputError([*field, str(i), "key"], f"「{cap.label}」が2回指定されています。", "DUPLICATE")
        seen.add(cap.key)
        out.append((cap, change.value))
    return out


async def set_capabilities(session: AsyncSession, *, actor: Actor, service: ResourceService,
                           changes: Sequence[CapabilityChange], source: CapabilitySource, confirmed_on: date,
                           field: list[str]) -> list[str]:
    """Applies confirmed values; returns the keys whose value or source changed. Every listed value is
    confirmed on `confirmed_on` by the actor, changed or not (a call that confirms nothing new still
    refreshes the date the desk last checked it)."""
    checked = _checked_changes(service, changes, field)
    attrs = await attributes_of(session, service.id)
    changed = []
    for cap, value in checked:
        if apply_capability(service, attrs, key=cap.key, value=value, source=source, confirmed_on=confirmed_on,
                            confirmed_by_id=actor.user_id, confirmed_by_label=actor.display_name or None):
            changed.append(cap.key)
    session.add_all(a for a in attrs.values() if a.id is None)
    refresh_derived(service, list(attrs.values()))
    await session.flush()
    return changed


async def self_report(session: AsyncSession, *, actor: Actor, service_id: object,
                      changes: Sequence[CapabilityChange]) -> ResourceService:
    """A facility contact states their own capabilities (事業所申告)."""
    service = await directory.require_visible(session, actor=actor, service_id=service_id,
                                              field=["input", "serviceId"], for_update=True)
    if not policy.keeps_resource(actor, service.id):
        raise Forbidden(["input", "serviceId"], "事業所申告ができるのはその事業所の担当者だけです。")
    changed = await set_capabilities(session, actor=actor, service=service, changes=changes,
                                     source=CapabilitySource.SELF_REPORTED, confirmed_on=today_jst(),
                                     field=["input", "capabilities"])
    audit.record(session, actor=actor, operation="resource.self_report", entity_type="resource_service",
                 entity_id=service.id, fields=[f"capability:{k}" for k in changed])
    return service


# --- vacancy ---------------------------------------------------------------------------------------

async def update_capacity(session: AsyncSession, *, actor: Actor, service_id: object, unit: CapacityUnit,
                          available: int, maximum: int | None, valid_until: datetime) -> ResourceCapacity:
    f = ["input"]
    service = await directory.require_visible(session, actor=actor, service_id=service_id, field=f + ["serviceId"],
                                              for_update=True)
    if not policy.updates_resource(actor, service.id):
        raise Forbidden(f + ["serviceId"], "空き状況を更新できるのは連携デスクとその事業所の担当者です。")
    if not 0 <= available <= MAX_CAPACITY:
        raise UserInputError(f + ["available"], f"空きは0〜{MAX_CAPACITY}で入力してください。", "OUT_OF_RANGE")
    if maximum is not None and not available <= maximum <= MAX_CAPACITY:
        raise UserInputError(f + ["maximum"], "最大数は空き以上で入力してください。", "OUT_OF_RANGE")
    valid_until = require_parsed(valid_until, f + ["validUntil"])
    if valid_until.tzinfo is None:
        raise UserInputError(f + ["validUntil"], "日時にはタイムゾーン（例: +09:00）を付けてください。", "INVALID_FORMAT")
    now = utcnow()
    if valid_until <= now:
        raise UserInputError(f + ["validUntil"], "有効期限は現在より後の日時にしてください。", "IN_PAST")
    if valid_until > now + CAPACITY_HORIZON:
        raise UserInputError(f + ["validUntil"], "有効期限は3か月以内にしてください（空き状況は先の見込みではなく今の状況です）。",
                             "OUT_OF_RANGE")
    row = await session.scalar(select(ResourceCapacity).where(
        ResourceCapacity.service_id == service.id, ResourceCapacity.unit == unit.value).with_for_update())
    if row is None:
        row = ResourceCapacity(service_id=service.id, unit=unit.value, available=available, maximum=maximum,
                               updated=now, valid_until=valid_until, updated_by_id=actor.user_id)
        session.add(row)
    else:
        row.available, row.maximum, row.updated, row.valid_until = available, maximum, now, valid_until
        row.updated_by_id = actor.user_id
    await session.flush()
    audit.record(session, actor=actor, operation="resource.capacity", entity_type="resource_service",
                 entity_id=service.id, fields=["unit", "available", "validUntil"] + (["maximum"] if maximum is not None else []))
    return row


# --- hours and area --------------------------------------------------------------------------------

@dataclass
class OpeningInput:
    days: list[int]                 # 0–6 Monday–Sunday, 7 public holidays
    opens_at: str
    closes_at: str
    description: str | None = None


async def _require_updatable(session: AsyncSession, actor: Actor, service_id: object) -> ResourceService:
    service = await directory.require_visible(session, actor=actor, service_id=service_id,
                                              field=["input", "serviceId"], for_update=True)
    if not policy.updates_resource(actor, service.id):
        raise Forbidden(["input", "serviceId"], "この事業所の情報を更新する権限がありません。")
    return service


def schedule_rows(service_id: int, openings: Sequence[OpeningInput], field: list[str],
                  origin_id: int | None = None) -> list[ResourceSchedule]:
    rows = []
    for i, o in enumerate(openings):
        f = [*field, str(i)]
        opens, closes = opening.parse_minutes(o.opens_at), opening.parse_minutes(o.closes_at)
        if opens is None or opens >= opening.DAY_MINUTES:
            raise UserInputError(f + ["opensAt"], "開始時刻は HH:MM（00:00〜23:59）で入力してください。", "INVALID_FORMAT")
        if closes is None:
            raise UserInputError(f + ["closesAt"], "終了時刻は HH:MM（00:00〜24:00）で入力してください。", "INVALID_FORMAT")
        if opens == closes:
            raise UserInputError(f + ["closesAt"], "開始と終了が同じ時刻です（24時間は 00:00〜24:00）。", "INVALID")
        if not o.days:
            raise UserInputError(f + ["days"], "曜日を1つ以上指定してください。", "REQUIRED")
        note = clean_text(o.description, f + ["description"], label="補足", max_length=100, required=False, one_line=True)
        for day in sorted(set(o.days)):
            if not 0 <= day <= opening.HOLIDAY:
                raise UserInputError(f + ["days"], "曜日の指定が正しくありません。", "INVALID")
            for d, a, b in opening.split_overnight(day, opens, closes):
                rows.append(ResourceSchedule(service_id=service_id, day=d, opens_min=a, closes_min=b,
                                             description=note, origin_id=origin_id))
    return rows


async def set_schedules(session: AsyncSession, *, actor: Actor, service_id: object,
                        openings: Sequence[OpeningInput]) -> ResourceService:
    """Replaces the entry's opening hours. Hours someone stated are kept over later imports."""
    service = await _require_updatable(session, actor, service_id)
    rows = schedule_rows(service.id, openings, ["input", "openings"])
    await session.execute(delete(ResourceSchedule).where(ResourceSchedule.service_id == service.id))
    session.add_all(rows)
    await session.flush()
    audit.record(session, actor=actor, operation="resource.schedules", entity_type="resource_service",
                 entity_id=service.id, fields=["schedules"])
    return service


_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _kanji_number(text: str) -> int | None:
    if not text or any(c not in "一二三四五六七八九十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)


def normalize_chome(text: str) -> str:
    """A 町丁目 as one key: NFKC, no blanks, kanji numerals before 丁目 as digits (大手通一丁目 = 大手通1丁目)."""
    value = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"([一二三四五六七八九十]+)丁目", lambda m: f"{_kanji_number(m.group(1))}丁目", value)


@dataclass
class AreaInput:
    municipality_code: str
    chome: str | None = None


async def set_service_areas(session: AsyncSession, *, actor: Actor, service_id: object,
                            areas: Sequence[AreaInput]) -> ResourceService:
    service = await _require_updatable(session, actor, service_id)
    if not areas:
        raise UserInputError(["input", "areas"], "対応地域を1つ以上指定してください。", "REQUIRED")
    rows: dict[tuple[str, str], ResourceServiceArea] = {}
    for i, a in enumerate(areas):
        f = ["input", "areas", str(i)]
        m = regions.municipality_code(a.municipality_code, field=f + ["municipalityCode"])
        chome = clean_text(a.chome, f + ["chome"], label="町丁目", max_length=100, required=False, one_line=True)
        key = (m.code, normalize_chome(chome) if chome else "")
        rows[key] = ResourceServiceArea(service_id=service.id, municipality_code=key[0], chome=key[1], inferred=False)
    await session.execute(delete(ResourceServiceArea).where(ResourceServiceArea.service_id == service.id))
    session.add_all(rows.values())
    await session.flush()
    audit.record(session, actor=actor, operation="resource.service_areas", entity_type="resource_service",
                 entity_id=service.id, fields=["serviceAreas"])
    return service


# --- new entries -----------------------------------------------------------------------------------

@dataclass
class NewService:
    name: str
    kind: ServiceKind
    municipality_code: str
    name_kana: str | None = None
    address: str | None = None
    phone: str | None = None
    url: str | None = None
    description: str | None = None
    extra: dict = field(default_factory=dict)


PHONE = re.compile(r"^\+?[\d\-()（）ー－‐ 　]{6,30}$")


def phone_digits(number: str | None) -> str | None:
    """The digits of a Japanese phone number (0 and 9–10 more digits), or None when it is not one."""
    if not number:
        return None
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    return digits if digits.startswith("0") and 10 <= len(digits) <= 11 else None


async def create_service(session: AsyncSession, *, actor: Actor, data: NewService) -> ResourceService:
    """An entry the open data does not carry (a new clinic, a private service), added by a desk."""
    if not policy.verifies_resources(actor):
        raise Forbidden(["input"], "資源を登録できるのは連携デスクです。")
    f = ["input"]
    name = clean_text(data.name, f + ["name"], label="名称", max_length=200, one_line=True)
    kana = clean_text(data.name_kana, f + ["nameKana"], label="フリガナ", max_length=200, required=False, one_line=True)
    m = regions.municipality_code(data.municipality_code, field=f + ["municipalityCode"])
    address = clean_text(data.address, f + ["address"], label="所在地", max_length=300, required=False, one_line=True)
    description = clean_text(data.description, f + ["description"], label="説明", max_length=2000, required=False)
    url = clean_text(data.url, f + ["url"], label="URL", max_length=500, required=False, one_line=True)
    if url and not re.match(r"^https?://", url):
        raise UserInputError(f + ["url"], "URL は http:// または https:// で始めてください。", "INVALID_FORMAT")
    digits, phone = None, (data.phone or "").strip()
    if phone:
        digits = phone_digits(phone)
        if digits is None or not PHONE.match(phone):
            raise UserInputError(f + ["phone"], "電話番号の形式が正しくありません（例: 0258-12-3456）。", "INVALID_FORMAT")
    service = ResourceService(kind=data.kind.value, name=name, name_kana=kana, search_key=name_key(name, kana),
                              municipality_code=m.code, url=url, description=description, source="manual")
    session.add(service)
    await session.flush()
    location = ResourceLocation(name=name, address=address, municipality_code=m.code)
    session.add(location)
    await session.flush()
    session.add(ResourceServiceAtLocation(service_id=service.id, location_id=location.id))
    session.add(ResourceServiceArea(service_id=service.id, municipality_code=m.code, chome="", inferred=True))
    if digits:
        session.add(ResourcePhone(service_id=service.id, number=phone, digits=digits))
    await session.flush()
    audit.record(session, actor=actor, operation="resource.create", entity_type="resource_service", entity_id=service.id,
                 fields=[k for k in ("name", "kind", "municipalityCode", "nameKana", "address", "phone", "url", "description")
                         if k in ("name", "kind", "municipalityCode") or getattr(data, _snake(k))])
    return service


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def confirmed_day(moment: datetime) -> date:
    return japan_date(moment)


async def require_desk(actor: Actor, field: list[str]) -> None:
    if not policy.verifies_resources(actor):
        raise NotFound(field, directory.WHAT)
