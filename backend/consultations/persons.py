"""Persons as a desk counts them (実人数): a consultation is about a person of the hub (a case number such as
2026-0042, numbered per hub and fiscal year), or about no particular person (一般相談). A person is nothing
but that number: no name, birthdate or address is ever stored, so the link cannot identify anyone.

Each consultation of a person is 初回 (the person's earliest, by received_at then id) or 継続 (any later
one); `renumber` keeps the stored flag right whenever a person gains or loses a consultation."""

import re
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.consultations.models import Consultation, Person
from backend.errors import NotFound, UserInputError, parse_id
from backend.fiscal import fiscal_year_of

CASE_NUMBER = re.compile(r"^(\d{4})-(\d{4,6})$")
ATTEMPTS = 5   # concurrent intakes of one hub may race for the next number: the unique key decides


def case_number(fiscal_year: int, seq: int) -> str:
    return f"{fiscal_year}-{seq:04d}"


def parse_case_number(raw: str, field: list[str]) -> str:
    value = (raw or "").strip().translate(str.maketrans("０１２３４５６７８９－ー", "0123456789--"))
    if not CASE_NUMBER.match(value):
        raise UserInputError(field, "相談番号は「2026-0042」の形（年度4桁-番号）で指定してください。", "INVALID_FORMAT")
    return value


async def new_person(session: AsyncSession, *, hub_id: int, received_at: datetime) -> Person:
    """The next case number of the hub's fiscal year (savepoint and retry when another intake took it)."""
    fiscal_year = fiscal_year_of(received_at)
    for _ in range(ATTEMPTS):
        seq = (await session.scalar(select(func.max(Person.seq)).where(
            Person.hub_id == hub_id, Person.fiscal_year == fiscal_year)) or 0) + 1
        person = Person(hub_id=hub_id, fiscal_year=fiscal_year, seq=seq, case_number=case_number(fiscal_year, seq))
        try:
            async with session.begin_nested():
                session.add(person)
                await session.flush()
            return person
        except IntegrityError:
            continue
    raise UserInputError(["input"], "相談番号を採番できませんでした。もう一度お試しください。", "CONFLICT")


async def resolve(session: AsyncSession, *, actor: Actor, hub_id: int, received_at: datetime,
                  general_inquiry: bool | None, continues_consultation_id: str | None, case_number: str | None,
                  current_person_id: int | None = None) -> int | None:
    """The person a consultation is about: an earlier consultation's, a case number's, a new one, or None
    for 一般相談. Out of scope or missing answers like not-found."""
    f = ["input"]
    if general_inquiry:
        if continues_consultation_id or case_number:
            raise UserInputError(f + ["generalInquiry"], "一般相談は特定の方の継続相談にできません。", "INCONSISTENT")
        return None
    chosen: int | None = None
    if continues_consultation_id:
        cid = parse_id(continues_consultation_id, f + ["continuesConsultationId"], "相談")
        found = (await session.execute(select(Consultation.id, Consultation.person_id).where(
            Consultation.id == cid, Consultation.hub_id == hub_id,
            policy.consultation_scope(actor, Consultation.hub_id)))).first()
        if found is None:
            raise NotFound(f + ["continuesConsultationId"], "相談")
        if found.person_id is None:
            raise UserInputError(f + ["continuesConsultationId"], "一般相談には継続相談をつなげられません。", "INCONSISTENT")
        earlier = found.person_id
        chosen = earlier
    if case_number:
        number = parse_case_number(case_number, f + ["caseNumber"])
        by_number = await session.scalar(select(Person.id).where(Person.hub_id == hub_id, Person.case_number == number))
        if by_number is None:
            raise NotFound(f + ["caseNumber"], "相談番号")
        if chosen is not None and chosen != by_number:
            raise UserInputError(f + ["caseNumber"], "相談番号と継続元の相談が別の方を指しています。", "INCONSISTENT")
        chosen = by_number
    if chosen is not None:
        return chosen
    if current_person_id is not None:
        return current_person_id
    return (await new_person(session, hub_id=hub_id, received_at=received_at)).id


async def renumber(session: AsyncSession, person_ids) -> dict[int, bool]:
    """Sets 初回/継続 on every consultation of the persons (a person has few: one read, a write per change);
    returns consultation id → continuing."""
    ids = sorted({p for p in person_ids if p is not None})
    if not ids:
        return {}
    rows = (await session.execute(select(Consultation.id, Consultation.person_id, Consultation.continuing)
                                  .where(Consultation.person_id.in_(ids))
                                  .order_by(Consultation.person_id, Consultation.received_at, Consultation.id))).all()
    out: dict[int, bool] = {}
    seen: set[int] = set()
    flip: dict[bool, list[int]] = defaultdict(list)
    for cid, pid, stored in rows:
        continuing = pid in seen
        seen.add(pid)
        out[cid] = continuing
        if continuing != stored:
            flip[continuing].append(cid)
    for value, cids in flip.items():
        await session.execute(update(Consultation).where(Consultation.id.in_(cids)).values(continuing=value)
                              .execution_options(synchronize_session="fetch"))
    return out


async def case_numbers(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    rows = await session.execute(select(Person.id, Person.case_number).where(Person.id.in_(person_ids)))
    return dict(rows.all())
