"""The crosswalk: which directory entry an outside record stands for. No key links the sources, so a
record is placed by, in order of trust: its own identifier seen before (1.0), a code both sources use
(a 訪問看護ステーション's number, 0.95), its phone number (0.9 in the same municipality, 0.8 otherwise),
its name in its municipality (0.7). A tie at the best level is not guessed: the row stays unmatched for
an admin. Admins confirm a match (confidence 1.0), split a wrong one into an entry of its own, or place
an unmatched row by hand."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError, parse_id
from backend.paging import Page, decode_cursor, encode_cursor
from backend.resources.editing import phone_digits
from backend.resources.models import (ResourceAttribute, ResourceIdentifier, ResourcePhone, ResourceSchedule,
                                      ResourceService, ResourceUnmatched)
from backend.resources.vocabulary import MatchMethod
from backend.text.normalize import name_key

CONFIDENCE = {MatchMethod.CREATED: 1.0, MatchMethod.ADMIN: 1.0, MatchMethod.CODE: 0.95,
              MatchMethod.NAME_MUNICIPALITY: 0.7}
PHONE_SAME_MUNICIPALITY, PHONE_ELSEWHERE = 0.9, 0.8
REVIEW_BELOW = 0.9

_LEGAL_FORM = re.compile(r"^(医療法人(社団|財団)?|社会医療法人|特定医療法人|社会福祉法人|一般社団法人|公益社団法人|"
                         r"一般財団法人|公益財団法人|株式会社|有限会社|合同会社|特定非営利活動法人|NPO法人)")


def match_keys(name: str) -> set[str]:
    """Keys a name is matched on: the whole name, and its last part when the operator's name comes
    first (医療法人社団さくら会　さくらクリニック → さくらくりにっく)."""
    keys = {name_key(name)}
    parts = [p for p in re.split(r"[\s　]+", name.strip()) if p]
    if len(parts) > 1 and _LEGAL_FORM.match(parts[0]):
        keys.add(name_key(parts[-1]))
    return {k for k in keys if k}


@dataclass(frozen=True)
class Placement:
    service_id: int
    method: MatchMethod
    confidence: float


@dataclass
class Candidate:
    id: int
    municipality_code: str | None
    keys: set[str]
    phones: set[str] = field(default_factory=set)


class CandidatePool:
    """Entries a record may be matched to, indexed in memory for one import run."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.by_phone: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[tuple[str, str | None], set[int]] = defaultdict(set)
        self.municipality: dict[int, str | None] = {}
        for c in candidates:
            self.add(c)

    def add(self, c: Candidate) -> None:
        self.municipality[c.id] = c.municipality_code
        for digits in c.phones:
            self.by_phone[digits].add(c.id)
        for key in c.keys:
            self.by_name[(key, c.municipality_code)].add(c.id)

    def discard(self, service_id: int) -> None:
        """A service matched once is no candidate for another record of the same scheme."""
        for ids in (*self.by_phone.values(), *self.by_name.values()):
            ids.discard(service_id)

    def place(self, *, name: str, municipality_code: str | None, phone: str | None) -> Placement | str:
        """Where the record goes, or why it cannot be placed: "no_candidate" or "ambiguous"."""
        digits = phone_digits(phone)
        if digits and self.by_phone.get(digits):
            ids = self.by_phone[digits]
            local = {i for i in ids if municipality_code and self.municipality.get(i) == municipality_code}
            if len(local) == 1:
                return Placement(next(iter(local)), MatchMethod.PHONE, PHONE_SAME_MUNICIPALITY)
            if len(ids) == 1:
                return Placement(next(iter(ids)), MatchMethod.PHONE, PHONE_ELSEWHERE)
            return "ambiguous"
        if municipality_code:
            ids = set().union(*(self.by_name.get((k, municipality_code), set()) for k in match_keys(name)))
            if len(ids) == 1:
                return Placement(next(iter(ids)), MatchMethod.NAME_MUNICIPALITY, CONFIDENCE[MatchMethod.NAME_MUNICIPALITY])
            if len(ids) > 1:
                return "ambiguous"
        return "no_candidate"


async def candidate_pool(session: AsyncSession, *, kinds: Iterable[str], without_scheme: str,
                         prefixes: Iterable[str] | None = None) -> CandidatePool:
    """Entries of these kinds that no identifier of `without_scheme` points at yet (optionally only in
    municipalities whose codes start with one of `prefixes`, the prefectures a file covers)."""
    taken = select(ResourceIdentifier.service_id).where(ResourceIdentifier.scheme == without_scheme)
    stmt = select(ResourceService.id, ResourceService.municipality_code, ResourceService.name).where(
        ResourceService.kind.in_(list(kinds)), ResourceService.id.not_in(taken))
    if prefixes is not None:
        prefixes = sorted(set(prefixes))
        if not prefixes:
            return CandidatePool([])
        stmt = stmt.where(or_(*(ResourceService.municipality_code.like(f"{p}%") for p in prefixes)))
    rows = (await session.execute(stmt)).all()
    ids = [r.id for r in rows]
    phones: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), 1000):
        for sid, digits in await session.execute(select(ResourcePhone.service_id, ResourcePhone.digits).where(
                ResourcePhone.service_id.in_(ids[start:start + 1000]), ResourcePhone.type == "voice")):
            phones[sid].add(digits)
    return CandidatePool(Candidate(id=r.id, municipality_code=r.municipality_code, keys=match_keys(r.name),
                                   phones=phones[r.id]) for r in rows)


# --- admin: review, confirm, split, place ------------------------------------------------------------

def _require_curator(actor: Actor, field: list[str]) -> None:
    if not policy.curates_crosswalk(actor):
        raise Forbidden(field, "照合を確定・分割できるのは管理者です。")


async def identifiers(session: AsyncSession, *, actor: Actor, needs_review: bool | None, first: int,
                      after: str | None) -> Page[ResourceIdentifier]:
    if not policy.curates_crosswalk(actor):
        return Page([], 0, False, [])
    conds: list = []
    if needs_review:
        conds += [ResourceIdentifier.confidence < REVIEW_BELOW, ResourceIdentifier.confirmed_at.is_(None)]
    total = await session.scalar(select(func.count()).select_from(ResourceIdentifier).where(*conds))
    if after:
        [last] = decode_cursor(after, parts=1)
        if not last.isdigit():
            raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
        conds.append(ResourceIdentifier.id > int(last))
    rows = list((await session.scalars(select(ResourceIdentifier).where(*conds).order_by(ResourceIdentifier.id)
                                       .limit(first + 1))).all())
    return Page(rows[:first], total or 0, len(rows) > first, [encode_cursor(r.id) for r in rows[:first]])


async def confirm(session: AsyncSession, *, actor: Actor, identifier_id: object) -> ResourceIdentifier:
    _require_curator(actor, ["identifierId"])
    row = await session.get(ResourceIdentifier, parse_id(identifier_id, ["identifierId"], "照合"), with_for_update=True)
    if row is None:
        raise NotFound(["identifierId"], "照合")
    row.confidence, row.confirmed_by_id, row.confirmed_at = 1.0, actor.user_id, utcnow()
    audit.record(session, actor=actor, operation="resource.confirm_match", entity_type="resource_identifier",
                 entity_id=row.id, fields=["confidence", "confirmedBy"])
    return row


async def split(session: AsyncSession, *, actor: Actor, identifier_id: object) -> ResourceService:
    """A wrong match made into an entry of its own, built from the source's row as last imported; the
    hours, phones and capabilities that came through this identifier move with it."""
    from backend.resources.importers import apply  # the importer builds entries from records
    _require_curator(actor, ["identifierId"])
    row = await session.get(ResourceIdentifier, parse_id(identifier_id, ["identifierId"], "照合"), with_for_update=True)
    if row is None:
        raise NotFound(["identifierId"], "照合")
    if row.method == MatchMethod.CREATED.value:
        raise UserInputError(["identifierId"], "この識別子から作られた項目は分割できません。", "NOT_A_MATCH")
    old_service_id = row.service_id
    service = await apply.entry_from_record(session, row.record)
    row.service_id, row.method, row.confidence = service.id, MatchMethod.CREATED.value, 1.0
    row.confirmed_by_id, row.confirmed_at = actor.user_id, utcnow()
    for model in (ResourceSchedule, ResourcePhone):
        await session.execute(update(model).where(model.origin_id == row.id).values(service_id=service.id))
    moved = list(await session.scalars(select(ResourceAttribute).where(ResourceAttribute.origin_id == row.id)))
    for attr in moved:
        attr.service_id = service.id
    await session.flush()
    await apply.refresh_services(session, [old_service_id, service.id])
    audit.record(session, actor=actor, operation="resource.split_match", entity_type="resource_identifier",
                 entity_id=row.id, fields=["serviceId", f"from:{old_service_id}"])
    return service


async def unmatched(session: AsyncSession, *, actor: Actor, first: int, after: str | None) -> Page[ResourceUnmatched]:
    if not policy.curates_crosswalk(actor):
        return Page([], 0, False, [])
    conds: list = [ResourceUnmatched.resolved_service_id.is_(None)]
    total = await session.scalar(select(func.count()).select_from(ResourceUnmatched).where(*conds))
    if after:
        [last] = decode_cursor(after, parts=1)
        if not last.isdigit():
            raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
        conds.append(ResourceUnmatched.id > int(last))
    rows = list((await session.scalars(select(ResourceUnmatched).where(*conds).order_by(ResourceUnmatched.id)
                                       .limit(first + 1))).all())
    return Page(rows[:first], total or 0, len(rows) > first, [encode_cursor(r.id) for r in rows[:first]])


async def place_unmatched(session: AsyncSession, *, actor: Actor, unmatched_id: object,
                          service_id: object) -> ResourceIdentifier:
    """An admin says which entry an unmatched row stands for; its registrations apply at once."""
    from backend.resources import directory
    from backend.resources.importers import apply
    _require_curator(actor, ["unmatchedId"])
    row = await session.get(ResourceUnmatched, parse_id(unmatched_id, ["unmatchedId"], "未照合の行"), with_for_update=True)
    if row is None or row.resolved_service_id is not None:
        raise NotFound(["unmatchedId"], "未照合の行")
    service = await directory.require_visible(session, actor=actor, service_id=service_id, field=["serviceId"],
                                              for_update=True)
    if await session.scalar(select(ResourceIdentifier.id).where(ResourceIdentifier.scheme == row.scheme,
                                                                ResourceIdentifier.service_id == service.id)):
        raise UserInputError(["serviceId"], "この項目には同じ種類の識別子が既にあります。", "ALREADY_MATCHED")
    identifier = await apply.place_record(session, unmatched=row, service=service, method=MatchMethod.ADMIN,
                                          confidence=1.0, actor=actor)
    audit.record(session, actor=actor, operation="resource.place_unmatched", entity_type="resource_identifier",
                 entity_id=identifier.id, fields=["serviceId"])
    return identifier
