"""Taxonomies a prefecture can adapt: an admin renames, reorders, retires and adds categories and response
types, each mapped to one care scene, as a new version in force from a date — data, no migration. A
shipped value is never dropped (retired values stay for old records); reports read the labels in force
at their period's start (`in_force`), so older periods keep their older labels."""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.errors import Forbidden, UserInputError
from backend.taxonomies.models import TaxonomyVersion
from backend.taxonomy import CATEGORY_SCENE, CareScene, ConsultationCategory, ResponseType

KINDS = {"category": ConsultationCategory, "response_type": ResponseType}
KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
LABEL_MAX = 60


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    order: int
    scene: str
    retired: bool = False


def shipped(kind: str) -> list[Term]:
    """The shipped list (domain.md): what is in force before any version."""
    scene = (lambda m: CATEGORY_SCENE[m].value) if kind == "category" else (lambda m: CareScene.CROSS_CUTTING.value)
    return [Term(m.value, m.label, i + 1, scene(m)) for i, m in enumerate(KINDS[kind])]


def _clean(kind: str, terms: list[Term]) -> list[Term]:
    f = ["terms"]
    keys = [t.key for t in terms]
    if len(set(keys)) != len(keys):
        raise UserInputError(f, "同じキーが2回指定されています。", "DUPLICATE")
    missing = {m.value for m in KINDS[kind]} - set(keys)
    if missing:
        raise UserInputError(f, "既存の値は削除できません。使わなくなった値は「廃止」にしてください"
                             f"（{'、'.join(sorted(missing))}）。", "RETIRE_NOT_DELETE")
    out = []
    for i, t in enumerate(terms):
        label = (t.label or "").strip()
        if not KEY.match(t.key):
            raise UserInputError(f + [str(i), "key"], "キーは半角英小文字・数字・_ で2〜40文字にしてください。", "INVALID_FORMAT")
        if not 1 <= len(label) <= LABEL_MAX or not label.isprintable():
            raise UserInputError(f + [str(i), "label"], f"表示名は1〜{LABEL_MAX}文字で指定してください。", "INVALID")
        if t.scene not in {s.value for s in CareScene}:
            raise UserInputError(f + [str(i), "scene"], "場面を選択してください。", "INVALID")
        out.append(Term(t.key, label, int(t.order), t.scene, bool(t.retired)))
    return sorted(out, key=lambda t: (t.order, t.key))


async def publish(session: AsyncSession, *, actor: Actor, kind: str, valid_from: date, terms: list[Term],
                  prefecture_code: str | None = None) -> TaxonomyVersion:
    if not policy.is_admin(actor):
        raise Forbidden()
    if kind not in KINDS:
        raise UserInputError(["kind"], "種類は category か response_type です。", "INVALID")
    cleaned = _clean(kind, terms)
    row = TaxonomyVersion(kind=kind, prefecture_code=prefecture_code, valid_from=valid_from,
                          created_by_id=actor.user_id, terms=[vars(t) for t in cleaned])
    session.add(row)
    await session.flush()
    audit.record(session, actor=actor, operation="taxonomy.publish", entity_type="taxonomy_version", entity_id=row.id,
                 fields=["kind", "validFrom", "terms"])
    return row


async def in_force(session: AsyncSession, *, kind: str, on: date, prefecture_code: str | None = None) -> list[Term]:
    """The list in force on a day: the prefecture's latest version from before it, else the deployment's, else
    the shipped list."""
    for code in ([prefecture_code] if prefecture_code else []) + [None]:
        row = await session.scalar(select(TaxonomyVersion).where(
            TaxonomyVersion.kind == kind, TaxonomyVersion.valid_from <= on,
            TaxonomyVersion.prefecture_code.is_(None) if code is None else TaxonomyVersion.prefecture_code == code)
            .order_by(TaxonomyVersion.valid_from.desc(), TaxonomyVersion.id.desc()).limit(1))
        if row is not None:
            return [Term(**t) for t in row.terms]
    return shipped(kind)


@dataclass(frozen=True)
class Overview:
    kind: str
    prefecture_code: str | None
    current: list[Term]
    versions: list[TaxonomyVersion]


async def overview(session: AsyncSession, *, actor: Actor, kind: str, prefecture_code: str | None, today: date
                   ) -> Overview | None:
    """The admin's view of a list: what is in force today and every version; None for anyone else."""
    if not policy.is_admin(actor) or kind not in KINDS:
        return None
    versions = list(await session.scalars(select(TaxonomyVersion).where(
        TaxonomyVersion.kind == kind,
        TaxonomyVersion.prefecture_code.is_(None) if prefecture_code is None
        else TaxonomyVersion.prefecture_code == prefecture_code)
        .order_by(TaxonomyVersion.valid_from.desc(), TaxonomyVersion.id.desc())))
    current = await in_force(session, kind=kind, on=today, prefecture_code=prefecture_code)
    return Overview(kind, prefecture_code, current, versions)
