"""Consultations: the only code that reads or writes them, and the one place their scope is enforced."""

from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.accounts.models import User
from backend.audit import service as audit
from backend.consultations.domain import UNSET, Closing, ConsultationChanges, ConsultationQuery, NewAction, NewConsultation
from backend.consultations import persons
from backend.consultations.models import Action, Consultation, Person
from backend.db import utcnow
from backend.errors import MAX_ID, NotFound, UserInputError, require_parsed
from backend.errors import parse_id as parse_any_id
from backend.fiscal import day_end_utc, day_start_utc, fiscal_year_of, today_jst
from backend.jobs import service as jobs
from backend.paging import Page, decode_cursor, encode_cursor
from backend.regions import service as regions
from backend.resources import referrals
from backend.taxonomy import CareScene, ConsultationStatus, Role, mask_of, members_of
from backend.text import store as classifier
from backend.text.model import Example
from backend.text.normalize import normalize
from backend.validation import clean_text

SUMMARY_MAX = 2000
NOTE_MAX = 2000
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime.fromisoformat("2015-04-01T00:00:00+09:00")  # the programme's start
GROUPING_DELAY = timedelta(minutes=10)


_INSERT = insert(Consultation.__table__).returning(Consultation.id)


class AlreadyLogged(Exception):
    """The idempotency key was used before: the caller fetches the first consultation."""


def visible(stmt: Select, actor: Actor) -> Select:
    return stmt.where(policy.consultation_scope(actor, Consultation.hub_id))


def _require_desk(actor: Actor, field: list[str]) -> None:
    if not policy.writes_consultations(actor):
        # same answer as a missing record: a role without consultations cannot probe for them
        raise NotFound(field, "相談")


def parse_id(raw: str | int, field: list[str]) -> int:
    return parse_any_id(raw, field, "相談")


def _summary(value: str, field: list[str]) -> str:
    return clean_text(value, field, label="相談内容の要旨", max_length=SUMMARY_MAX)


def _note(value: str | None, field: list[str], label: str) -> str | None:
    return clean_text(value, field, label=label, max_length=NOTE_MAX, required=False)


def _moment(value: datetime, field: list[str]) -> datetime:
    value = require_parsed(value, field)
    if value.tzinfo is None:
        raise UserInputError(field, "日時にはタイムゾーン（例: +09:00）を付けてください。", "INVALID_FORMAT")
    if value > utcnow() + FUTURE_TOLERANCE:
        raise UserInputError(field, "未来の日時は指定できません。", "IN_FUTURE")
    if value < EARLIEST:
        raise UserInputError(field, "2015年4月より前の日時は指定できません。", "OUT_OF_RANGE")
    return value


def _urgency(value: int | None, field: list[str]) -> int | None:
    if value is not None and not 1 <= value <= 4:
        raise UserInputError(field, "緊急度は1〜4で指定してください。", "OUT_OF_RANGE")
    return value


def _follow_up(value: date | None, field: list[str]) -> date | None:
    value = require_parsed(value, field, "日付の形式が正しくありません（YYYY-MM-DD）。")
    if value is not None and not date(2015, 4, 1) <= value <= today_jst() + timedelta(days=3 * 366):
        raise UserInputError(field, "フォロー予定日が範囲外です。", "OUT_OF_RANGE")
    return value


def _scenes(primary: CareScene | None, scenes: list[CareScene] | None, field: list[str]) -> tuple[CareScene | None, list[CareScene]]:
    scenes = list(dict.fromkeys(scenes or []))
    if primary is not None and scenes and primary not in scenes:
        raise UserInputError(field + ["primaryScene"], "主な場面は場面の一覧に含めてください。", "INCONSISTENT")
    if primary is not None and not scenes:
        scenes = [primary]
    if scenes and primary is None:
        primary = scenes[0]
    return primary, scenes


def _as_dicts(suggestions) -> list[dict]:
    return [{"scene": s.scene.lower(), "confidence": s.confidence, "matched_terms": list(s.matched_terms),
             "adopted": s.adopted} for s in suggestions]


def suggest(summary: str) -> tuple[list[dict], str]:
    """The scene model's suggestion (never empty: the three likeliest scenes at least) and its version."""
    return _as_dicts(classifier.current_model().suggest(summary)), classifier.suggestion_version()


def adopted(suggestions: list[dict]) -> list[CareScene]:
    """The scenes a consultation takes when the coordinator gives none: the top one and any other
    the model is confident enough about (stored suggestions of older versions: all of them)."""
    return [CareScene(s["scene"]) for s in suggestions if s.get("adopted", True)]


async def log(session: AsyncSession, *, actor: Actor, data: NewConsultation) -> Consultation:
    """Records a call. A used idempotency key raises AlreadyLogged (the transaction is spoiled and
    must be rolled back); `find_logged` then returns the first consultation."""
    _require_desk(actor, ["input"])
    f = ["input"]
    key = data.idempotency_key.strip()
    if not 1 <= len(key) <= 100 or not key.isprintable():
        raise UserInputError(f + ["idempotencyKey"], "idempotencyKey は印字可能な1〜100文字で指定してください。")
    received_at = _moment(data.received_at, f + ["receivedAt"])
    municipality = regions.municipality_code(data.municipality_code, field=f + ["municipalityCode"])
    summary = _summary(data.summary, f + ["summary"])
    urgency = _urgency(data.urgency, f + ["urgency"])
    follow_up_on = _follow_up(data.follow_up_on, f + ["followUpOn"])
    primary, scenes = _scenes(data.primary_scene, data.scenes, f)
    await classifier.refresh(session)   # a version trained by a worker reaches this process within a minute
    suggestions, lexicon_version = suggest(summary)
    confirmed = bool(scenes)
    if not scenes:
        scenes = adopted(suggestions)
        primary = scenes[0] if scenes else None
    subject = data.subject
    person_id = await persons.resolve(session, actor=actor, hub_id=actor.hub_id, received_at=received_at,
                                      general_inquiry=data.general_inquiry,
                                      continues_consultation_id=data.continues_consultation_id,
                                      case_number=data.case_number)
    now = utcnow()
    values = dict(
        hub_id=actor.hub_id, municipality_code=municipality.code, idempotency_key=key,
        received_at=received_at, fiscal_year=fiscal_year_of(received_at), channel=data.channel.value,
        caller_role=data.caller_role.value,
        caller_organization_type=data.caller_organization_type.value if data.caller_organization_type else None,
        summary=summary, search_text=normalize(summary), primary_scene=primary.value if primary else None,
        scenes_mask=mask_of(scenes), scenes_confirmed=confirmed, suggested_scenes=suggestions,
        lexicon_version=lexicon_version, categories_mask=mask_of(data.categories), urgency=urgency,
        age_band=subject.age_band.value if subject and subject.age_band else None,
        care_level=subject.care_level.value if subject and subject.care_level else None,
        living_situation=subject.living_situation.value if subject and subject.living_situation else None,
        subject_flags_mask=mask_of(subject.flags) if subject else 0,
        follow_up_on=follow_up_on, status=ConsultationStatus.RECEIVED.value, version=1,
        created_by_id=actor.user_id, assignee_id=actor.user_id, created_at=now, updated_at=now,
        person_id=person_id, general_inquiry=person_id is None, continuing=False,
        report_as_issue=bool(data.report_as_issue),
    )
    # one Core INSERT … RETURNING id: the intake path has no use for the unit of work's bookkeeping
    try:
        consultation_id = await session.scalar(_INSERT, values)
    except IntegrityError:
        raise AlreadyLogged() from None
    if person_id is not None and (data.continues_consultation_id or data.case_number):
        values["continuing"] = (await persons.renumber(session, [person_id]))[consultation_id]
    consultation = Consultation(id=consultation_id, **values)   # what the caller shows; not in the session
    audit.record(session, actor=actor, operation="consultation.log", entity_type="consultation",
                 entity_id=consultation.id, fields=_given_fields(data))
    await _schedule_grouping(session, hub_id=actor.hub_id, fiscal_year=consultation.fiscal_year)
    return consultation


async def _schedule_grouping(session: AsyncSession, *, hub_id: int, fiscal_year: int) -> None:
    """One pending grouping per hub-year, a while after the last call: a busy desk costs one run."""
    await jobs.enqueue(session, kind="group_hub", args={"hub_id": hub_id, "fiscal_year": fiscal_year},
                       defer=GROUPING_DELAY, hub_id=hub_id)


def _given_fields(data) -> list[str]:
    names = {"idempotency_key": "idempotencyKey", "received_at": "receivedAt", "caller_role": "callerRole",
             "caller_organization_type": "callerOrganizationType", "municipality_code": "municipalityCode",
             "primary_scene": "primaryScene", "follow_up_on": "followUpOn", "assigned_to_id": "assignedToId",
             "general_inquiry": "generalInquiry", "continues_consultation_id": "continuesConsultationId",
             "case_number": "caseNumber", "report_as_issue": "reportAsIssue"}
    return [names.get(k, k) for k, v in vars(data).items() if v is not None and v is not UNSET and k not in ("id",)]


async def find_logged(session: AsyncSession, *, actor: Actor, idempotency_key: str) -> Consultation:
    row = await session.scalar(select(Consultation).where(
        Consultation.created_by_id == actor.user_id, Consultation.idempotency_key == idempotency_key.strip()))
    if row is None:  # the key's row vanished between the conflict and now: cannot happen, rows are kept
        raise NotFound(["input", "idempotencyKey"], "相談")
    return row


async def require_visible(session: AsyncSession, *, actor: Actor, consultation_id: str | int, audit_read: bool = True,
                          field: list[str] | None = None, for_update: bool = False,
                          operation: str = "consultation.read") -> Consultation:
    """One consultation in the actor's scope, or NotFound (an existing one out of scope: the attempt is
    audited). A read of the detail is audited."""
    field = field or ["id"]
    cid = parse_id(consultation_id, field)
    stmt = visible(select(Consultation).where(Consultation.id == cid), actor)
    if for_update:
        stmt = stmt.with_for_update()
    row = await session.scalar(stmt)
    if row is None:
        await audit.refused(session, Consultation, cid, operation=operation, entity_type="consultation")
        raise NotFound(field, "相談")
    if audit_read:
        audit.record(session, actor=actor, operation="consultation.read", entity_type="consultation", entity_id=row.id)
    return row


def _check_version(row: Consultation, version: int) -> None:
    if row.version != version:
        raise UserInputError(["input", "version"],
                             f"この相談は他の人が更新しています（現在の版 {row.version}）。再読み込みしてから編集してください。",
                             "STALE_VERSION")


async def record_action(session: AsyncSession, *, actor: Actor, data: NewAction) -> Consultation:
    row = await require_visible(session, actor=actor, consultation_id=data.consultation_id, audit_read=False,
                                field=["input", "consultationId"], for_update=True,
                                operation="consultation.record_action")
    performed_at = _moment(data.performed_at, ["input", "performedAt"])
    note = _note(data.note, ["input", "note"], "記録")
    if data.minutes is not None and not 0 <= data.minutes <= 24 * 60:
        raise UserInputError(["input", "minutes"], "所要時間（分）は0〜1440で指定してください。", "OUT_OF_RANGE")
    if row.status == ConsultationStatus.CLOSED:
        raise UserInputError(["input", "consultationId"], "終結した相談には対応を記録できません。先に再開してください。", "CLOSED")
    action = Action(consultation_id=row.id, performed_at=performed_at, type=data.type.value, note=note,
                    minutes=data.minutes, performed_by_id=actor.user_id,
                    partners_mask=mask_of(data.partners) if data.partners else 0)
    session.add(action)
    if data.referrals or data.needed_capabilities:
        await session.flush()
        await referrals.record(session, actor=actor, consultation_id=row.id, hub_id=row.hub_id,
                               fiscal_year=row.fiscal_year, action_id=action.id, items=data.referrals,
                               needs=data.needed_capabilities)
    if note:
        row.search_text = f"{row.search_text}\n{normalize(note)}"
    started = row.status == ConsultationStatus.RECEIVED  # the first action puts the case in progress
    if started:
        row.status = ConsultationStatus.IN_PROGRESS.value
    row.version += 1
    await session.flush()
    audit.record(session, actor=actor, operation="consultation.record_action", entity_type="consultation",
                 entity_id=row.id, fields=["actions"] + (["status"] if started else [])
                 + (["referrals"] if data.referrals else []) + (["partners"] if data.partners else []))
    return row


async def update(session: AsyncSession, *, actor: Actor, data: ConsultationChanges) -> Consultation:
    f = ["input"]
    row = await require_visible(session, actor=actor, consultation_id=data.id, audit_read=False, field=f + ["id"],
                                for_update=True, operation="consultation.update")
    _check_version(row, data.version)
    changed: list[str] = []
    if data.status is not UNSET:
        if data.status is None or data.status == ConsultationStatus.CLOSED:
            raise UserInputError(f + ["status"], "終結は closeConsultation で行ってください。", "INVALID")
        if row.status == ConsultationStatus.CLOSED:  # reopening
            row.outcome = row.closed_at = row.close_note = None
        row.status = data.status.value
        changed.append("status")
    if data.scenes is not UNSET or data.primary_scene is not UNSET:
        scenes = row.scenes if data.scenes is UNSET or data.scenes is None else data.scenes
        primary = data.primary_scene if data.primary_scene is not UNSET else None
        if data.scenes is not UNSET and data.scenes is not None and not data.scenes:
            raise UserInputError(f + ["scenes"], "場面を1つ以上指定してください。", "REQUIRED")
        if primary is None and data.primary_scene is UNSET:
            current = CareScene(row.primary_scene) if row.primary_scene else None
            primary = current if current in scenes else None
        primary, scenes = _scenes(primary, scenes, f)
        row.scenes_mask = mask_of(scenes)
        row.primary_scene = primary.value if primary else None
        row.scenes_confirmed = True
        changed += ["scenes", "primaryScene"]
    if data.categories is not UNSET:
        row.categories_mask = mask_of(data.categories or [])
        changed.append("categories")
    if data.urgency is not UNSET:
        row.urgency = _urgency(data.urgency, f + ["urgency"])
        changed.append("urgency")
    if data.follow_up_on is not UNSET:
        row.follow_up_on = _follow_up(data.follow_up_on, f + ["followUpOn"])
        changed.append("followUpOn")
    if data.summary is not UNSET:
        row.summary = _summary(data.summary or "", f + ["summary"])
        notes = await session.scalars(select(Action.note).where(Action.consultation_id == row.id, Action.note.is_not(None)))
        row.search_text = "\n".join([normalize(row.summary), *map(normalize, notes)])
        if not row.scenes_confirmed:
            await classifier.refresh(session)
            row.suggested_scenes, row.lexicon_version = suggest(row.summary)
        changed.append("summary")
    if data.assigned_to_id is not UNSET:
        row.assignee_id = await _assignee(session, actor=actor, raw=data.assigned_to_id, field=f + ["assignedToId"])
        changed.append("assignedToId")
    changed += await _relink(session, actor=actor, row=row, data=data)
    if data.report_as_issue is not UNSET:
        row.report_as_issue = bool(data.report_as_issue)
        changed.append("reportAsIssue")
    if changed:
        row.version += 1
        await session.flush()
    audit.record(session, actor=actor, operation="consultation.update", entity_type="consultation",
                 entity_id=row.id, fields=changed)
    return row


async def _relink(session: AsyncSession, *, actor: Actor, row: Consultation, data: ConsultationChanges) -> list[str]:
    """A changed person link (another earlier consultation, a case number, 一般相談 or back): both the old
    and the new person's 初回/継続 are set again."""
    given = {k: getattr(data, k) for k in ("general_inquiry", "continues_consultation_id", "case_number")
             if getattr(data, k) is not UNSET}
    if not given:
        return []
    general = bool(given.get("general_inquiry"))   # a link given without the flag means "about a person"
    continues, number = given.get("continues_consultation_id"), given.get("case_number")
    if continues is not None and str(continues) == str(row.id):
        raise UserInputError(["input", "continuesConsultationId"], "同じ相談を継続元にはできません。", "INCONSISTENT")
    old = row.person_id
    new = await persons.resolve(session, actor=actor, hub_id=row.hub_id, received_at=row.received_at,
                                general_inquiry=general, continues_consultation_id=continues, case_number=number,
                                current_person_id=old)
    row.person_id, row.general_inquiry = new, new is None
    await session.flush()
    flags = await persons.renumber(session, [old, new])
    row.continuing = flags.get(row.id, False)
    return [_given_fields_names[k] for k in given]


_given_fields_names = {"general_inquiry": "generalInquiry", "continues_consultation_id": "continuesConsultationId",
                       "case_number": "caseNumber"}


async def _assignee(session: AsyncSession, *, actor: Actor, raw: str | None, field: list[str]) -> int | None:
    if raw is None:
        return None
    uid = parse_any_id(raw, field, "担当者")
    user = await session.get(User, uid)
    if user is None or not policy.may_be_assigned(actor, user_role=Role(user.role), user_hub_id=user.hub_id,
                                                  active=user.active):
        raise NotFound(field, "担当者")
    return uid


async def close(session: AsyncSession, *, actor: Actor, data: Closing) -> Consultation:
    row = await require_visible(session, actor=actor, consultation_id=data.id, audit_read=False, field=["input", "id"],
                                for_update=True, operation="consultation.close")
    _check_version(row, data.version)
    if row.status == ConsultationStatus.CLOSED:
        raise UserInputError(["input", "id"], "この相談は既に終結しています。", "ALREADY_CLOSED")
    note = _note(data.note, ["input", "note"], "終結メモ")
    row.status = ConsultationStatus.CLOSED.value
    row.outcome = data.outcome.value
    row.closed_at = utcnow()
    row.close_note = note
    if note:
        row.search_text = f"{row.search_text}\n{normalize(note)}"
    row.version += 1
    await session.flush()
    audit.record(session, actor=actor, operation="consultation.close", entity_type="consultation",
                 entity_id=row.id, fields=["status", "outcome", "closedAt"] + (["note"] if note else []))
    await _schedule_grouping(session, hub_id=row.hub_id, fiscal_year=row.fiscal_year)
    return row


# --- lists -------------------------------------------------------------------------------------

def _cursor(row: Consultation) -> str:
    return encode_cursor(row.received_at.isoformat(), row.id)


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    when, cid = decode_cursor(cursor, parts=2)
    try:
        moment, row_id = datetime.fromisoformat(when), int(cid)
    except ValueError:
        moment, row_id = None, 0
    # a cursor is ours or nothing: an aware instant of the programme's years and a 32-bit id
    if moment is None or moment.tzinfo is None or not EARLIEST <= moment <= utcnow() + timedelta(days=366) \
            or not 0 < row_id <= MAX_ID:
        raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
    return moment, row_id


def _within_programme(day: date) -> date:
    return min(max(day, EARLIEST.date()), today_jst() + timedelta(days=366))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(actor: Actor, q: ConsultationQuery) -> Select:
    stmt = visible(select(Consultation), actor)
    conds = []
    if q.status:
        conds.append(Consultation.status.in_([s.value for s in q.status]))
    if q.scenes:
        conds.append(Consultation.scenes_mask.op("&")(mask_of(q.scenes)) != 0)
    if q.categories:
        conds.append(Consultation.categories_mask.op("&")(mask_of(q.categories)) != 0)
    if q.municipality_codes:
        codes = [regions.municipality_code(c, field=["filter", "municipalityCodes", str(i)]).code
                 for i, c in enumerate(q.municipality_codes)]
        conds.append(Consultation.municipality_code.in_(codes))
    # a range wider than the programme's years means "all of them": clamped, so 0001-01-01 or 9999-12-31
    # answer like any other day instead of overflowing the calendar
    if q.received_from is not None:
        day = _within_programme(require_parsed(q.received_from, ["filter", "receivedFrom"]))
        conds.append(Consultation.received_at >= day_start_utc(day))
    if q.received_to is not None:
        day = _within_programme(require_parsed(q.received_to, ["filter", "receivedTo"]))
        conds.append(Consultation.received_at < day_end_utc(day))
    if q.text:
        text = clean_text(q.text, ["filter", "text"], label="検索語", max_length=200, required=False, one_line=True)
        needle = normalize(text or "")
        if needle:
            conds.append(Consultation.search_text.like(f"%{_like_escape(needle)}%", escape="\\"))
    if q.case_number:
        number = persons.parse_case_number(q.case_number, ["filter", "caseNumber"])
        conds.append(Consultation.person_id.in_(select(Person.id).where(Person.case_number == number)))
    if q.assigned_to_me:
        conds.append(Consultation.assignee_id == actor.user_id)
    if q.follow_up_due:
        conds.append(and_(Consultation.follow_up_on <= today_jst(), Consultation.status != ConsultationStatus.CLOSED.value))
    elif q.follow_up_due is False:
        conds.append(or_(Consultation.follow_up_on.is_(None), Consultation.follow_up_on > today_jst(),
                         Consultation.status == ConsultationStatus.CLOSED.value))
    return stmt.where(*conds)


async def search(session: AsyncSession, *, actor: Actor, query: ConsultationQuery, first: int,
                 after: str | None = None) -> Page[Consultation]:
    """Newest first, keyset-paginated. Two statements whatever the page size."""
    stmt = _filtered(actor, query)
    total = await session.scalar(stmt.with_only_columns(func.count(Consultation.id)).order_by(None))
    if after:
        when, cid = _decode_cursor(after)
        stmt = stmt.where(or_(Consultation.received_at < when,
                              and_(Consultation.received_at == when, Consultation.id < cid)))
    rows = list((await session.scalars(stmt.order_by(Consultation.received_at.desc(), Consultation.id.desc())
                                       .limit(first + 1))).all())
    has_next = len(rows) > first
    rows = rows[:first]
    audit.shown("consultation", [r.id for r in rows])
    return Page(rows=rows, total=total or 0, has_next=has_next, cursors=[_cursor(r) for r in rows])


async def actions_for(session: AsyncSession, consultation_ids: list[int]) -> dict[int, list[Action]]:
    rows = await session.scalars(select(Action).where(Action.consultation_id.in_(consultation_ids))
                                 .order_by(Action.performed_at, Action.id))
    out: dict[int, list[Action]] = {i: [] for i in consultation_ids}
    for a in rows:
        out[a.consultation_id].append(a)
    return out


async def insert_many(session: AsyncSession, rows: list[dict]) -> None:
    """Bulk load for the demo and benchmark data (already validated, no audit: not a user's write)."""
    if rows:
        await session.execute(insert(Consultation), rows)


async def reclassify(session: AsyncSession, *, batch: int = 2000) -> int:
    """Re-scores the consultations suggested by another model or lexicon version. Confirmed scenes
    are the coordinator's and stay; the suggestion is refreshed for every row."""
    model = await classifier.refresh(session, force=True)
    version = classifier.suggestion_version()
    changed = 0
    last_id = 0
    while True:
        rows = (await session.scalars(select(Consultation).where(
            Consultation.id > last_id, or_(Consultation.lexicon_version.is_(None), Consultation.lexicon_version != version))
            .order_by(Consultation.id).limit(batch))).all()
        if not rows:
            return changed
        for row, suggestions in zip(rows, model.suggest_many([r.summary for r in rows])):
            row.suggested_scenes, row.lexicon_version = _as_dicts(suggestions), version
            if not row.scenes_confirmed:
                scenes = adopted(row.suggested_scenes)
                row.scenes_mask = mask_of(scenes)
                row.primary_scene = scenes[0].value if scenes else None
            changed += 1
        last_id = rows[-1].id
        await session.flush()


async def needs_reclassification(session: AsyncSession) -> bool:
    await classifier.refresh(session, force=True)
    version = classifier.suggestion_version()
    return await session.scalar(select(Consultation.id).where(
        or_(Consultation.lexicon_version.is_(None), Consultation.lexicon_version != version)).limit(1)) is not None


LOCAL_WEIGHT = 2.0   # a desk's own confirmed note counts twice a shipped one: it is how this deployment writes


async def train_classifier(session: AsyncSession) -> tuple[str, bool]:
    """The nightly `train` job: a scene model version that also learns from every consultation whose
    scenes a coordinator gave or corrected. A new version queues `reclassify` for the rest."""
    rows = (await session.execute(select(Consultation.summary, Consultation.scenes_mask, Consultation.primary_scene)
                                  .where(Consultation.scenes_confirmed.is_(True), Consultation.primary_scene.is_not(None))
                                  .order_by(Consultation.id))).all()
    examples = [Example(text=summary, scenes=tuple(s.name for s in members_of(CareScene, mask)),
                        primary=CareScene(primary).name, weight=LOCAL_WEIGHT) for summary, mask, primary in rows]
    model, new = await classifier.train(session, confirmed=examples)
    if new:
        await jobs.enqueue(session, kind="reclassify", args={"version": classifier.suggestion_version()})
    return model.version, new
