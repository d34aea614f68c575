"""Prefectures, municipalities (shipped reference data), areas and hubs."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.errors import Forbidden, NotFound, UserInputError
from backend.regions import codes
from backend.validation import clean_text
from backend.regions.models import Area, AreaMunicipality, Hub, Municipality, Prefecture


async def load_reference_data(session: AsyncSession) -> int:
    """Inserts the shipped prefectures and municipalities that are missing; a second run adds nothing."""
    have_pref = set(await session.scalars(select(Prefecture.code)))
    session.add_all(Prefecture(code=p.code, name=p.name) for p in codes.load_prefectures() if p.code not in have_pref)
    await session.flush()
    have = set(await session.scalars(select(Municipality.code)))
    new = [Municipality(code=m.code, code6=m.code6, prefecture_code=m.prefecture_code, name=m.name)
           for m in codes.load_municipalities() if m.code not in have]
    session.add_all(new)
    await session.flush()
    return len(new)


def parse_prefecture(raw: str, *, field: Sequence[str]) -> str:
    try:
        return codes.parse_prefecture_code(raw)
    except ValueError as e:
        raise UserInputError(field, getattr(e, "message", "都道府県コードが正しくありません。"),
                             getattr(e, "code", "INVALID")) from None


def municipality_code(raw: str, *, field: Sequence[str]) -> codes.Municipality:
    """Validates a 5- or 6-digit code against the shipped list, in memory (no database round trip)."""
    try:
        code = codes.parse_municipality_code(raw)
    except codes.InvalidMunicipalityCode as e:
        raise UserInputError(field, e.message, "INVALID_MUNICIPALITY_CODE") from None
    municipality = codes.lookup(code)
    if municipality is None:
        raise UserInputError(field, f"市町村コード {raw} は存在しません。", "UNKNOWN_MUNICIPALITY_CODE")
    return municipality


def prefecture_name(code: str) -> str:
    return codes.prefecture_names()[code]


async def get_hub(session: AsyncSession, *, hub_id: int) -> Hub | None:
    return await session.get(Hub, hub_id)


async def hub_prefecture(session: AsyncSession, *, hub_id: int) -> str | None:
    return await session.scalar(select(Area.prefecture_code).join(Hub, Hub.area_id == Area.id).where(Hub.id == hub_id))


async def get_visible_hub(session: AsyncSession, *, actor: Actor, hub_id: int) -> Hub | None:
    row = (await session.execute(select(Hub, Area.prefecture_code).join(Area, Area.id == Hub.area_id)
                                 .where(Hub.id == hub_id))).first()
    if row is None:
        return None
    if not policy.sees_hub(actor, row[0].id, row[1]):
        audit.denied("hub.read", "hub", row[0].id)
        return None
    return row[0]


async def create_area(session: AsyncSession, *, actor: Actor, prefecture_code: str, name: str,
                      municipality_codes: Sequence[str]) -> Area:
    if not policy.administers(actor):
        raise Forbidden(["input"])
    pref = parse_prefecture(prefecture_code, field=["input", "prefectureCode"])
    name = clean_text(name, ["input", "name"], label="圏域名", max_length=100, required=False, one_line=True)
    if not name:
        raise UserInputError(["input", "name"], "圏域名は1〜100文字で入力してください。")
    if not municipality_codes:
        raise UserInputError(["input", "municipalityCodes"], "市町村を1つ以上指定してください。", "REQUIRED")
    members: dict[str, codes.Municipality] = {}
    for i, raw in enumerate(municipality_codes):
        m = municipality_code(raw, field=["input", "municipalityCodes", str(i)])
        if m.prefecture_code != pref:
            raise UserInputError(["input", "municipalityCodes", str(i)],
                                 f"{m.name}（{m.code}）は指定の都道府県の市町村ではありません。", "OUT_OF_PREFECTURE")
        members[m.code] = m
    if await session.scalar(select(Area.id).where(Area.prefecture_code == pref, Area.name == name)):
        raise UserInputError(["input", "name"], "同じ名前の圏域が既にあります。", "DUPLICATE")
    area = Area(prefecture_code=pref, name=name,
                municipalities=[AreaMunicipality(municipality_code=c) for c in sorted(members)])
    session.add(area)
    await session.flush()
    audit.record(session, actor=actor, operation="area.create", entity_type="area", entity_id=area.id,
                 fields=["prefectureCode", "name", "municipalityCodes"])
    return area


async def create_hub(session: AsyncSession, *, actor: Actor, area_id: int, name: str) -> Hub:
    if not policy.administers(actor):
        raise Forbidden(["input"])
    if await session.get(Area, area_id) is None:
        raise NotFound(["input", "areaId"], "圏域")
    name = clean_text(name, ["input", "name"], label="拠点名", max_length=100, required=False, one_line=True)
    if not name:
        raise UserInputError(["input", "name"], "拠点名は1〜100文字で入力してください。")
    if await session.scalar(select(Hub.id).where(Hub.area_id == area_id, Hub.name == name)):
        raise UserInputError(["input", "name"], "同じ名前の拠点が既にあります。", "DUPLICATE")
    hub = Hub(area_id=area_id, name=name)
    session.add(hub)
    await session.flush()
    audit.record(session, actor=actor, operation="hub.create", entity_type="hub", entity_id=hub.id, fields=["areaId", "name"])
    return hub


async def list_hubs(session: AsyncSession, *, actor: Actor) -> list[tuple[Hub, str]]:
    """Every hub with its area's prefecture code, for set-up screens (admins)."""
    if not policy.administers(actor):
        raise Forbidden()
    rows = await session.execute(select(Hub, Area.prefecture_code).join(Area, Area.id == Hub.area_id)
                                 .order_by(Area.prefecture_code, Hub.name))
    return [(hub, code) for hub, code in rows.all()]


@dataclass(frozen=True)
class AreaListing:
    """An area as the admin's set-up screen lists it: its municipalities (code, name) and its hubs."""

    id: int
    name: str
    prefecture_code: str
    prefecture_name: str
    municipalities: list[tuple[str, str]]
    hubs: list[Hub]


async def list_areas(session: AsyncSession, *, actor: Actor) -> list[AreaListing]:
    """Every area with its municipalities and hubs, by prefecture code then name (admins): three statements."""
    if not policy.administers(actor):
        raise Forbidden()
    areas = (await session.scalars(select(Area).order_by(Area.prefecture_code, Area.name))).all()
    members = await area_municipality_codes(session, [a.id for a in areas])
    hubs: dict[int, list[Hub]] = {a.id: [] for a in areas}
    for hub in await session.scalars(select(Hub).order_by(Hub.name)):
        hubs.setdefault(hub.area_id, []).append(hub)
    names = codes.prefecture_names()
    return [AreaListing(id=a.id, name=a.name, prefecture_code=a.prefecture_code,
                        prefecture_name=names.get(a.prefecture_code, a.prefecture_code),
                        municipalities=[(c, m.name if (m := codes.lookup(c)) else c) for c in members[a.id]],
                        hubs=hubs[a.id]) for a in areas]


def municipalities_of(prefecture_code: str) -> list[codes.Municipality]:
    """The shipped municipalities of a prefecture (reference data, in memory), in code order."""
    return [m for m in codes.load_municipalities() if m.prefecture_code == prefecture_code]


async def hubs_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, Hub]:
    return {h.id: h for h in await session.scalars(select(Hub).where(Hub.id.in_(ids)))}


async def areas_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, Area]:
    return {a.id: a for a in await session.scalars(select(Area).where(Area.id.in_(ids)))}


async def area_municipality_codes(session: AsyncSession, area_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = await session.execute(select(AreaMunicipality.area_id, AreaMunicipality.municipality_code)
                                 .where(AreaMunicipality.area_id.in_(area_ids)).order_by(AreaMunicipality.municipality_code))
    out: dict[int, list[str]] = {i: [] for i in area_ids}
    for area_id, code in rows:
        out[area_id].append(code)
    return out


async def count_municipalities(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Municipality))
