"""Search built for a phone call: capability filters combined with AND (as bit masks on the service),
"covers this municipality / 町丁目", "open now / tonight / on a day" from the schedules in Japan time,
service kinds, vacancy, and free text on names and readings (width- and kana-insensitive). Ranked by how
recently the capabilities were confirmed; two statements whatever the page size."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.db import utcnow
from backend.errors import UserInputError, require_parsed
from backend.fiscal import today_jst
from backend.paging import Page, decode_cursor, encode_cursor
from backend.regions import service as regions
from backend.resources import capabilities as taxonomy
from backend.resources import opening
from backend.resources.editing import normalize_chome
from backend.resources.models import ResourceCapacity, ResourceSchedule, ResourceService, ResourceServiceArea
from backend.resources.vocabulary import ServiceKind, ServiceStatus, Staleness
from backend.text.normalize import name_key, normalize

TEXT_MAX = 100
FRESH_DAYS = 90
AGING_DAYS = 365


@dataclass
class SearchQuery:
    text: str | None = None
    kinds: list[ServiceKind] | None = None
    capabilities: list[str] | None = None
    populations: list[str] | None = None
    include_consult: bool = False
    municipality_code: str | None = None
    chome: str | None = None
    open_now: bool = False
    open_tonight: bool = False
    open_on: date | None = None
    with_vacancy: bool = False
    include_inactive: bool = False


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _open_during(windows: list[opening.Window]) -> object:
    """Some opening of the service overlaps one of the windows (and is valid on that day)."""
    clauses = []
    for w in windows:
        clauses.append(and_(ResourceSchedule.day == w.day, ResourceSchedule.opens_min < w.end,
                            ResourceSchedule.closes_min > w.start,
                            or_(ResourceSchedule.valid_from.is_(None), ResourceSchedule.valid_from <= w.on),
                            or_(ResourceSchedule.valid_to.is_(None), ResourceSchedule.valid_to >= w.on)))
    return exists().where(ResourceSchedule.service_id == ResourceService.id, or_(*clauses))


def filtered(q: SearchQuery, *, now: datetime) -> Select:
    f = ["filter"]
    conds: list = []
    if not q.include_inactive:
        conds.append(ResourceService.status == ServiceStatus.ACTIVE.value)
    caps = taxonomy.parse_keys(q.capabilities, f + ["capabilities"])
    pops = taxonomy.parse_keys(q.populations, f + ["populations"])
    for i, p in enumerate(pops):
        if p.group != "populations":
            raise UserInputError(f + ["populations", str(i)], f"「{p.label}」は対象者の項目ではありません。", "NOT_A_POPULATION")
    wanted = taxonomy.mask_of([*caps, *pops])
    if wanted:
        have = ResourceService.capable_mask.op("|")(ResourceService.consult_mask) if q.include_consult \
            else ResourceService.capable_mask
        conds.append(have.op("&")(wanted) == wanted)
    if q.kinds:
        conds.append(ResourceService.kind.in_([k.value for k in q.kinds]))
    if q.municipality_code:
        m = regions.municipality_code(q.municipality_code, field=f + ["municipalityCode"])
        chome = normalize_chome(q.chome) if q.chome and q.chome.strip() else ""
        if len(chome) > 100:
            raise UserInputError(f + ["chome"], "町丁目は100文字以内で指定してください。", "TOO_LONG")
        covers = ResourceServiceArea.chome == "" if not chome else ResourceServiceArea.chome.in_(["", chome])
        conds.append(exists().where(ResourceServiceArea.service_id == ResourceService.id,
                                    ResourceServiceArea.municipality_code == m.code, covers))
    elif q.chome:
        raise UserInputError(f + ["chome"], "町丁目を指定するときは市町村も指定してください。", "REQUIRED")
    windows: list[list[opening.Window]] = []
    if q.open_now:
        windows.append(opening.now_window(now))
    if q.open_tonight:
        windows.append(opening.tonight_windows(now))
    if q.open_on is not None:
        day = require_parsed(q.open_on, f + ["openOn"], "日付の形式が正しくありません（YYYY-MM-DD）。")
        if abs((day - today_jst()).days) > 366:
            raise UserInputError(f + ["openOn"], "日付は前後1年以内で指定してください。", "OUT_OF_RANGE")
        windows.append(opening.day_windows(day))
    conds += [_open_during(w) for w in windows]       # each asked-for time must hold
    if q.with_vacancy:
        conds.append(exists().where(ResourceCapacity.service_id == ResourceService.id, ResourceCapacity.available > 0,
                                    ResourceCapacity.valid_until > now))
    if q.text:
        if len(q.text) > TEXT_MAX:
            raise UserInputError(f + ["text"], f"検索語は{TEXT_MAX}文字以内で指定してください。", "TOO_LONG")
        for word in search_words(q.text):               # every word must appear
            conds.append(ResourceService.search_key.like(f"%{_like_escape(word)}%", escape="\\"))
    return select(ResourceService).where(*conds)


def search_words(text: str) -> list[str]:
    """The words typed, each as the names' search key writes it (blank-separated: each must appear)."""
    return [w for w in (name_key(part) for part in normalize(text).split(" ")) if w]


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    kind, position = decode_cursor(cursor, parts=2)
    if kind != "resource" or not position.isdigit():
        raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
    return int(position) + 1


async def search(session: AsyncSession, *, actor: Actor, query: SearchQuery, first: int,
                 after: str | None = None) -> Page[ResourceService]:
    """Most recently confirmed first (never confirmed last), then by id. A facility contact, whose scope
    is one entry, finds nothing here."""
    if not policy.reads_directory(actor):
        return Page([], 0, False, [])
    stmt = filtered(query, now=utcnow())
    start = _offset(after)
    # ids and the total (a window count) in one narrow pass over the directory; then the page's rows by id
    found = (await session.execute(stmt.with_only_columns(ResourceService.id, func.count().over().label("total"))
                                   .order_by(ResourceService.capabilities_confirmed_on.desc().nulls_last(),
                                             ResourceService.id).offset(start).limit(first + 1))).all()
    if found:
        total = found[0].total
    elif start:
        total = await session.scalar(stmt.with_only_columns(func.count(ResourceService.id)).order_by(None)) or 0
    else:
        total = 0
    has_next = len(found) > first
    ids = [r.id for r in found[:first]]
    by_id = {s.id: s for s in await session.scalars(select(ResourceService).where(ResourceService.id.in_(ids)))} \
        if ids else {}
    rows = [by_id[i] for i in ids]
    return Page(rows, total, has_next, [encode_cursor("resource", start + i) for i in range(len(rows))])


def staleness(confirmed_on: date | None, today: date) -> tuple[Staleness, int | None]:
    if confirmed_on is None:
        return Staleness.NEVER, None
    days = (today - confirmed_on).days
    if days <= FRESH_DAYS:
        return Staleness.FRESH, days
    return (Staleness.AGING if days <= AGING_DAYS else Staleness.STALE), days


def is_open(schedules, moment: datetime) -> bool:
    [w] = opening.now_window(moment)
    return any(s.day == w.day and s.opens_min <= w.start < s.closes_min
               and (s.valid_from is None or s.valid_from <= w.on) and (s.valid_to is None or s.valid_to >= w.on)
               for s in schedules)
