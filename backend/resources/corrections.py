"""Keeping the directory true: anyone signed in reports an inaccuracy on a field; the desk calls the
service, records the call in the verification log (who called whom, when, what changed) and confirms or
changes capabilities in the same transaction, resolving the reports it answered."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError, parse_id, require_parsed
from backend.fiscal import japan_date
from backend.paging import Page, decode_cursor, encode_cursor
from backend.resources import capabilities as taxonomy
from backend.resources import directory, editing
from backend.resources.models import ResourceCorrection, ResourceVerification
from backend.resources.vocabulary import CapabilitySource, CorrectionStatus, VerificationChannel
from backend.validation import clean_text

FIELDS = {"name": "名称", "address": "所在地", "phone": "電話番号", "hours": "営業時間", "area": "対応地域",
          "capacity": "空き状況", "kind": "種別", "status": "運営状況", "url": "URL", "contact": "連絡先", "other": "その他"}
NOTE_MAX = 1000
EARLIEST_CALL = timedelta(days=366)


def field_label(key: str) -> str:
    if key.startswith("capability:"):
        cap = taxonomy.taxonomy().get(key.split(":", 1)[1])
        return f"対応項目「{cap.label}」" if cap else key
    return FIELDS.get(key, key)


def _field_key(raw: str, path: list[str]) -> str:
    key = (raw or "").strip()
    if key in FIELDS or (key.startswith("capability:") and taxonomy.taxonomy().get(key.split(":", 1)[1])):
        return key
    raise UserInputError(path, "誤りのある項目の指定が正しくありません。", "UNKNOWN_FIELD")


async def report(session: AsyncSession, *, actor: Actor, service_id: object, field_key: str,
                 note: str) -> ResourceCorrection:
    f = ["input"]
    service = await directory.require_visible(session, actor=actor, service_id=service_id, field=f + ["serviceId"])
    key = _field_key(field_key, f + ["field"])
    text = clean_text(note, f + ["note"], label="内容", max_length=NOTE_MAX)
    row = ResourceCorrection(service_id=service.id, field=key, note=text, reported_by_id=actor.user_id)
    session.add(row)
    await session.flush()
    audit.record(session, actor=actor, operation="resource.report_correction", entity_type="resource_correction",
                 entity_id=row.id, fields=["serviceId", "field", "note"])
    return row


async def corrections(session: AsyncSession, *, actor: Actor, status: CorrectionStatus | None, first: int,
                      after: str | None) -> Page[ResourceCorrection]:
    """The desk's queue, oldest open report first. Two statements whatever the page size."""
    if not policy.verifies_resources(actor) and not policy.is_admin(actor):
        return Page([], 0, False, [])
    conds = [ResourceCorrection.status == status.value] if status else []
    total = await session.scalar(select(func.count()).select_from(ResourceCorrection).where(*conds))
    if after:
        [cid] = decode_cursor(after, parts=1)
        if not cid.isdigit():
            raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
        conds.append(ResourceCorrection.id > int(cid))
    rows = list((await session.scalars(select(ResourceCorrection).where(*conds).order_by(ResourceCorrection.id)
                                       .limit(first + 1))).all())
    return Page(rows[:first], total or 0, len(rows) > first, [encode_cursor(r.id) for r in rows[:first]])


@dataclass
class Verification:
    service_id: object
    called_at: datetime
    channel: VerificationChannel
    contact_person: str | None = None
    note: str | None = None
    capabilities: Sequence[editing.CapabilityChange] = ()
    resolves: Sequence[object] = field(default_factory=list)   # correction ids this call answered


async def verify(session: AsyncSession, *, actor: Actor, data: Verification) -> ResourceVerification:
    f = ["input"]
    if not policy.verifies_resources(actor):
        raise NotFound(f + ["serviceId"], directory.WHAT)
    service = await directory.require_visible(session, actor=actor, service_id=data.service_id, field=f + ["serviceId"],
                                              for_update=True)
    called_at = require_parsed(data.called_at, f + ["calledAt"])
    if called_at.tzinfo is None:
        raise UserInputError(f + ["calledAt"], "日時にはタイムゾーン（例: +09:00）を付けてください。", "INVALID_FORMAT")
    now = utcnow()
    if called_at > now + timedelta(minutes=10) or called_at < now - EARLIEST_CALL:
        raise UserInputError(f + ["calledAt"], "確認日時は1年以内の過去の日時にしてください。", "OUT_OF_RANGE")
    person = clean_text(data.contact_person, f + ["contactPerson"], label="確認した相手", max_length=100,
                        required=False, one_line=True)
    note = clean_text(data.note, f + ["note"], label="メモ", max_length=NOTE_MAX, required=False)
    changed = await editing.set_capabilities(session, actor=actor, service=service, changes=data.capabilities,
                                             source=CapabilitySource.DESK_VERIFIED, confirmed_on=japan_date(called_at),
                                             field=f + ["capabilities"])
    row = ResourceVerification(service_id=service.id, verified_by_id=actor.user_id, verified_at=called_at,
                               contact_person=person, channel=data.channel.value,
                               changed_fields=[f"capability:{k}" for k in changed], note=note)
    session.add(row)
    await session.flush()
    for i, raw in enumerate(data.resolves):
        await _resolve(session, actor=actor, correction_id=raw, status=CorrectionStatus.RESOLVED, verification=row,
                       field=f + ["resolves", str(i)], service_id=service.id)
    audit.record(session, actor=actor, operation="resource.verify", entity_type="resource_service", entity_id=service.id,
                 fields=["verification", *row.changed_fields])
    return row


async def _resolve(session: AsyncSession, *, actor: Actor, correction_id: object, status: CorrectionStatus,
                   verification: ResourceVerification | None, field: list[str],
                   service_id: int | None = None) -> ResourceCorrection:
    row = await session.get(ResourceCorrection, parse_id(correction_id, field, "修正依頼"), with_for_update=True)
    if row is None or (service_id is not None and row.service_id != service_id):
        raise NotFound(field, "修正依頼")
    if row.status != CorrectionStatus.OPEN:
        raise UserInputError(field, "この修正依頼は対応済みです。", "ALREADY_RESOLVED")
    row.status, row.resolved_by_id, row.resolved_at = status.value, actor.user_id, utcnow()
    row.verification_id = verification.id if verification else None
    audit.record(session, actor=actor, operation="resource.resolve_correction", entity_type="resource_correction",
                 entity_id=row.id, fields=["status"] + (["verification"] if verification else []))
    return row


async def resolve(session: AsyncSession, *, actor: Actor, correction_id: object,
                  status: CorrectionStatus) -> ResourceCorrection:
    if not policy.verifies_resources(actor):
        raise Forbidden(["id"], "修正依頼に対応できるのは連携デスクです。")
    if status is CorrectionStatus.OPEN:
        raise UserInputError(["status"], "対応結果を指定してください。", "INVALID")
    return await _resolve(session, actor=actor, correction_id=correction_id, status=status, verification=None,
                          field=["id"])


async def verifications_for(session: AsyncSession, ids: list[int], *, actor: Actor) -> dict[int, list[ResourceVerification]]:
    """The log of each service, newest first: the desk and admins read it (it names who was called)."""
    out: dict[int, list[ResourceVerification]] = {i: [] for i in ids}
    if not (policy.verifies_resources(actor) or policy.is_admin(actor)):
        return out
    for row in await session.scalars(select(ResourceVerification).where(ResourceVerification.service_id.in_(ids))
                                     .order_by(ResourceVerification.verified_at.desc(), ResourceVerification.id.desc())):
        out[row.service_id].append(row)
    return out


async def open_corrections_for(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    rows = await session.execute(select(ResourceCorrection.service_id, func.count())
                                 .where(ResourceCorrection.service_id.in_(ids),
                                        ResourceCorrection.status == CorrectionStatus.OPEN.value)
                                 .group_by(ResourceCorrection.service_id))
    return dict(rows.all())
