"""Regional issues (地域課題): grouping a hub-year, curation by the hub's manager, and reads."""

from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.consultations.models import Consultation
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError, parse_id
from backend.fiscal import fiscal_months, fiscal_year_of, month_key, require_fiscal_year, today_jst
from backend.issues.models import IssueMembership, RegionalIssue
from backend.jobs import service as jobs
from backend.jobs.models import Job
from backend.regions import service as regions
from backend.regions.models import Hub
from backend.paging import Page, decode_cursor, encode_cursor
from backend.taxonomy import (REVIEWED_ISSUE_STATUSES, UNRESOLVED_OUTCOMES, CareScene, RegionalIssueStatus, members_of)
from backend.text import grouping
from backend.validation import clean_text

TITLE_MAX = 200
NOTE_MAX = 2000
STATUS_ORDER = {s.value: i for i, s in enumerate([RegionalIssueStatus.ON_AGENDA, RegionalIssueStatus.CONFIRMED,
                                                  RegionalIssueStatus.CANDIDATE, RegionalIssueStatus.ADDRESSED,
                                                  RegionalIssueStatus.DISMISSED])}
REVIEWED = {s.value for s in REVIEWED_ISSUE_STATUSES}


# --- scope ---------------------------------------------------------------------------------------

async def can_read_hub(session: AsyncSession, actor: Actor, hub_id: int) -> bool:
    return await regions.get_visible_hub(session, actor=actor, hub_id=hub_id) is not None


async def _managed_issue(session: AsyncSession, actor: Actor, raw_id, field: list[str]) -> RegionalIssue:
    issue = await session.get(RegionalIssue, parse_id(raw_id, field, "地域課題"), with_for_update=True)
    if issue is None or not policy.works_at(actor, issue.hub_id):
        if issue is not None:
            audit.denied("regional_issue.change", "regional_issue", issue.id)
        raise NotFound(field, "地域課題")
    if not policy.manages(actor, issue.hub_id):
        raise Forbidden(field, "地域課題を変更できるのは拠点管理者だけです。")
    return issue


# --- grouping ------------------------------------------------------------------------------------

async def request_grouping(session: AsyncSession, *, actor: Actor, hub_id: str | int, fiscal_year: int) -> Job:
    hid = parse_id(hub_id, ["hubId"], "拠点")
    if not policy.manages(actor, hid):
        await audit.refused(session, Hub, hid, operation="issues.request_grouping", entity_type="hub")
        raise NotFound(["hubId"], "拠点")
    first = await session.scalar(select(func.min(Consultation.fiscal_year)).where(Consultation.hub_id == hid))
    current = fiscal_year_of(today_jst())
    if first is None or not first <= fiscal_year <= current:
        span = f"{first}〜{current}年度" if first is not None else "まだ相談がありません"
        raise UserInputError(["fiscalYear"], f"{fiscal_year}年度はこの拠点のデータの範囲外です（{span}）。", "OUT_OF_RANGE")
    # a pending deferred run of the same hub-year is brought forward, not duplicated
    job = await jobs.queued(session, kind="group_hub", args={"hub_id": hid, "fiscal_year": fiscal_year},
                             actor=actor, hub_id=hid)
    audit.record(session, actor=actor, operation="issues.request_grouping", entity_type="hub", entity_id=hid,
                 fields=["fiscalYear"])
    return job


async def regroup(session: AsyncSession, *, hub_id: int, fiscal_year: int) -> None:
    """Re-forms the hub-year's candidate issues; reviewed issues keep title and status and gain the new
    consultations that fit; a manager's moves stay. Idempotent, and a bounded number of statements."""
    rows = (await session.execute(
        select(Consultation.id, Consultation.summary, Consultation.primary_scene, Consultation.scenes_mask,
               Consultation.received_at, Consultation.report_as_issue)
        .where(Consultation.hub_id == hub_id, Consultation.fiscal_year == fiscal_year))).all()
    issues = list((await session.scalars(select(RegionalIssue).where(
        RegionalIssue.hub_id == hub_id, RegionalIssue.fiscal_year == fiscal_year).with_for_update())).all())
    members = (await session.execute(select(IssueMembership).where(
        IssueMembership.issue_id.in_([i.id for i in issues])))).scalars().all() if issues else []
    by_issue: dict[int, list[IssueMembership]] = defaultdict(list)
    for m in members:
        by_issue[m.issue_id].append(m)
    received = {r.id: (r.received_at, r.id) for r in rows}
    existing = []
    for i in issues:
        # what the manager vouched for: a reviewed issue's members, and consultations moved or merged by hand
        taught = sorted((m.consultation_id for m in by_issue[i.id] if i.status in REVIEWED or m.pinned),
                        key=lambda c: received.get(c, (utcnow(), c)))
        existing.append(grouping.ExistingIssue(
            id=i.id, scene=i.scene.upper(), signatures=tuple(i.signatures or ()), reviewed=i.status in REVIEWED,
            locked_ids=frozenset(taught), member_ids=frozenset(m.consultation_id for m in by_issue[i.id]),
            taught_ids=tuple(taught), excluded_ids=frozenset(i.excluded_ids or ())))
    notes = [grouping.Note(id=r.id, text=r.summary, received_at=r.received_at,
                           scenes=tuple(dict.fromkeys([*([r.primary_scene.upper()] if r.primary_scene else []),
                                                       *(s.name for s in members_of(CareScene, r.scenes_mask))])))
             for r in rows]
    drafts = grouping.group(notes, existing)
    drafts += _flagged_drafts(rows, drafts, existing)
    by_id = {i.id: i for i in issues}
    wanted: dict[int, set[int]] = {}            # issue id → members it should have (non-locked part)
    for d in drafts:
        issue = by_id.get(d.existing_id) if d.existing_id else None
        if issue is None:
            issue = RegionalIssue(hub_id=hub_id, fiscal_year=fiscal_year, scene=CareScene[d.scene].value, title=d.title,
                                  key_terms=d.key_terms, signatures=[d.signature], status=RegionalIssueStatus.CANDIDATE.value)
            session.add(issue)
            await session.flush()
            by_id[issue.id] = issue
        elif issue.status not in REVIEWED and d.signature == (issue.signatures or [None])[0]:
            issue.title, issue.key_terms = d.title, d.key_terms  # a merged issue keeps its own name
        wanted.setdefault(issue.id, set()).update(d.member_ids)
    # memberships: keep locked ones, replace the rest with what grouping decided
    locked = {(m.issue_id, m.consultation_id) for i in issues for m in by_issue[i.id]
              if i.status in REVIEWED or m.pinned}
    candidates = [i.id for i in issues if i.status not in REVIEWED]
    if candidates:  # what regrouping owns: the unpinned members of candidate issues
        await session.execute(delete(IssueMembership).where(IssueMembership.issue_id.in_(candidates),
                                                            IssueMembership.pinned.is_(False)))
    new_rows = []
    taken = {(by_id[i].scene, c) for i, c in locked}
    for issue_id, ids in wanted.items():
        scene = by_id[issue_id].scene
        for cid in sorted(ids):
            if (scene, cid) not in taken and (issue_id, cid) not in locked:
                new_rows.append({"issue_id": issue_id, "consultation_id": cid, "scene": scene, "pinned": False})
                taken.add((scene, cid))
    if new_rows:
        await session.execute(insert(IssueMembership), new_rows)
    # candidates that lost every member go; reviewed issues stay whatever happens
    keep = set(wanted) | {i for i, _ in locked}
    gone = [i.id for i in issues if i.id not in keep and i.status not in REVIEWED]
    if gone:
        await session.execute(delete(RegionalIssue).where(RegionalIssue.id.in_(gone)))
    await refresh_derived(session, issue_ids=[i for i in by_id if i not in gone])


FLAGGED_SIGNATURE = "flagged:{scene}"


def _flagged_drafts(rows, drafts: list[grouping.IssueDraft], existing: list[grouping.ExistingIssue]
                    ) -> list[grouping.IssueDraft]:
    """Consultations a coordinator reported as a regional issue (「地域課題として報告」) that grouping put
    nowhere: one issue per scene holds them, so the board shows them whatever the grouping found."""
    placed = {c for d in drafts for c in d.member_ids} | {c for e in existing for c in e.locked_ids}
    excluded = {c for e in existing for c in e.excluded_ids}
    by_scene: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r.report_as_issue and r.id not in placed and r.id not in excluded:
            by_scene[(r.primary_scene or CareScene.CROSS_CUTTING.value).upper()].append(r.id)
    holder = {sig: e.id for e in existing for sig in e.signatures}
    out = []
    for scene, ids in sorted(by_scene.items()):
        signature = FLAGGED_SIGNATURE.format(scene=scene.lower())
        out.append(grouping.IssueDraft(scene=scene, signature=signature, key_terms=[], member_ids=sorted(ids),
                                       title=f"コーディネーターが地域課題として報告した相談（{CareScene[scene].label}）",
                                       existing_id=holder.get(signature)))
    return out


async def refresh_derived(session: AsyncSession, *, issue_ids: Sequence[int]) -> None:
    """Counts, first/last seen and the monthly trend, from the members (one read, one write per issue)."""
    if not issue_ids:
        return
    rows = (await session.execute(
        select(IssueMembership.issue_id, Consultation.received_at, Consultation.outcome, Consultation.fiscal_year)
        .join(Consultation, Consultation.id == IssueMembership.consultation_id)
        .where(IssueMembership.issue_id.in_(issue_ids)))).all()
    stats: dict[int, list] = defaultdict(list)
    for issue_id, received_at, outcome, fy in rows:
        stats[issue_id].append((received_at, outcome, fy))
    issues = (await session.scalars(select(RegionalIssue).where(RegionalIssue.id.in_(issue_ids)))).all()
    unresolved = {o.value for o in UNRESOLVED_OUTCOMES}
    for issue in issues:
        items = stats.get(issue.id, [])
        months = Counter(month_key(r) for r, _, _ in items)
        issue.consultation_count = len(items)
        issue.unresolved_count = sum(1 for _, o, _ in items if o in unresolved)
        issue.first_seen_at = min((r for r, _, _ in items), default=None)
        issue.last_seen_at = max((r for r, _, _ in items), default=None)
        issue.trend = [{"month": m, "count": months.get(m, 0)} for m in fiscal_months(issue.fiscal_year)]
    await session.flush()


# --- curation ------------------------------------------------------------------------------------

async def update_issue(session: AsyncSession, *, actor: Actor, issue_id, title=None, status=None, note=None,
                       note_given: bool = False) -> RegionalIssue:
    issue = await _managed_issue(session, actor, issue_id, ["input", "id"])
    changed = []
    if title is not None:
        title = clean_text(title, ["input", "title"], label="課題名", max_length=TITLE_MAX, required=False, one_line=True)
        if not title:
            raise UserInputError(["input", "title"], f"課題名は1〜{TITLE_MAX}文字で入力してください。", "INVALID")
        issue.title = title
        changed.append("title")
    if status is not None:
        issue.status = RegionalIssueStatus(status).value
        changed.append("status")
    if note_given:
        issue.note = clean_text(note, ["input", "note"], label="メモ", max_length=NOTE_MAX, required=False)
        changed.append("note")
    await session.flush()
    audit.record(session, actor=actor, operation="issue.update", entity_type="regional_issue", entity_id=issue.id, fields=changed)
    return issue


async def merge(session: AsyncSession, *, actor: Actor, into_id, from_ids: Sequence) -> RegionalIssue:
    into = await _managed_issue(session, actor, into_id, ["input", "intoId"])
    if not from_ids:
        raise UserInputError(["input", "fromIds"], "統合する課題を指定してください。", "REQUIRED")
    sources = []
    for i, raw in enumerate(from_ids):
        src = await _managed_issue(session, actor, raw, ["input", "fromIds", str(i)])
        if src.id == into.id:
            raise UserInputError(["input", "fromIds", str(i)], "統合先と同じ課題は指定できません。", "INVALID")
        if (src.hub_id, src.scene, src.fiscal_year) != (into.hub_id, into.scene, into.fiscal_year):
            raise UserInputError(["input", "fromIds", str(i)], "統合できるのは同じ拠点・同じ場面・同じ年度の課題だけです。", "SCENE_MISMATCH")
        sources.append(src)
    source_ids = [s.id for s in sources]
    already = set(await session.scalars(select(IssueMembership.consultation_id).where(IssueMembership.issue_id == into.id)))
    moving = (await session.scalars(select(IssueMembership).where(IssueMembership.issue_id.in_(source_ids)))).all()
    # merged by hand: the members are the manager's now (pinned), and examples of this issue for grouping
    rows = {m.consultation_id: True for m in moving if m.consultation_id not in already}
    await session.execute(delete(IssueMembership).where(IssueMembership.issue_id.in_(source_ids)))
    await session.execute(update(IssueMembership).where(IssueMembership.issue_id == into.id).values(pinned=True))
    if rows:
        await session.execute(insert(IssueMembership), [
            {"issue_id": into.id, "consultation_id": c, "scene": into.scene, "pinned": p} for c, p in rows.items()])
    into.signatures = list(dict.fromkeys([*(into.signatures or ()), *(sig for s in sources for sig in (s.signatures or ()))]))
    into.key_terms = list(dict.fromkeys([*into.key_terms, *(t for s in sources for t in s.key_terms)]))[:8]
    await session.execute(delete(RegionalIssue).where(RegionalIssue.id.in_(source_ids)))
    await refresh_derived(session, issue_ids=[into.id])
    audit.record(session, actor=actor, operation="issue.merge", entity_type="regional_issue", entity_id=into.id,
                 fields=["members", "signatures"] + [f"merged:{i}" for i in source_ids])
    return into


async def move(session: AsyncSession, *, actor: Actor, consultation_id, from_issue_id, to_issue_id=None
               ) -> tuple[RegionalIssue, RegionalIssue | None]:
    src = await _managed_issue(session, actor, from_issue_id, ["input", "fromIssueId"])
    cid = parse_id(consultation_id, ["input", "consultationId"], "相談")
    membership = await session.get(IssueMembership, (src.id, cid))
    if membership is None:
        raise NotFound(["input", "consultationId"], "この課題の相談")
    dst = None
    if to_issue_id is not None:
        dst = await _managed_issue(session, actor, to_issue_id, ["input", "toIssueId"])
        if dst.id == src.id:
            raise UserInputError(["input", "toIssueId"], "移動元と同じ課題です。", "INVALID")
        if (dst.hub_id, dst.scene, dst.fiscal_year) != (src.hub_id, src.scene, src.fiscal_year):
            raise UserInputError(["input", "toIssueId"], "相談は同じ場面・同じ年度の課題にしか移せません。", "SCENE_MISMATCH")
    await session.delete(membership)
    await session.flush()
    if dst is not None:
        session.add(IssueMembership(issue_id=dst.id, consultation_id=cid, scene=dst.scene, pinned=True))
    else:  # taken out by hand: regrouping must not put it back into this scene's issues
        src.excluded_ids = sorted({*(src.excluded_ids or ()), cid})
    await session.flush()
    await refresh_derived(session, issue_ids=[src.id] + ([dst.id] if dst else []))
    audit.record(session, actor=actor, operation="issue.move_consultation", entity_type="regional_issue", entity_id=src.id,
                 fields=["members", f"consultation:{cid}"] + ([f"to:{dst.id}"] if dst else []))
    return src, dst


# --- reads ---------------------------------------------------------------------------------------

def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    kind, position = decode_cursor(cursor, parts=2)
    if kind != "issue" or not position.isdigit() or len(position) > 6:
        raise UserInputError(["after"], "カーソルが正しくありません。", "INVALID_CURSOR")
    return int(position) + 1


async def board(session: AsyncSession, *, actor: Actor, hub_id: int, fiscal_year: int, scene: CareScene | None,
                first: int, after: str | None) -> Page[RegionalIssue]:
    """The hub's issues of a year: on the agenda first, then confirmed, candidates, addressed, dismissed;
    within each, the most consultations first. Two statements whatever the size."""
    if not await can_read_hub(session, actor, hub_id):
        return Page([], 0, False, [])
    require_fiscal_year(fiscal_year, ["fiscalYear"])
    conds = [RegionalIssue.hub_id == hub_id, RegionalIssue.fiscal_year == fiscal_year]
    if scene is not None:
        conds.append(RegionalIssue.scene == scene.value)
    total = await session.scalar(select(func.count()).select_from(RegionalIssue).where(*conds))
    order = case(STATUS_ORDER, value=RegionalIssue.status, else_=9)
    start = _offset(after)
    rows = list((await session.scalars(select(RegionalIssue).where(*conds)
                                       .order_by(order, RegionalIssue.consultation_count.desc(), RegionalIssue.id)
                                       .offset(start).limit(first + 1))).all())
    has_next = len(rows) > first
    rows = rows[:first]
    return Page(rows, total or 0, has_next, [encode_cursor("issue", start + i) for i in range(len(rows))])


async def issue_consultations(session: AsyncSession, keys: list[tuple[int, int]], *, actor: Actor
                              ) -> dict[tuple[int, int], list]:
    """For the board's nested `consultations(first: n)`: the newest n members of each issue, one statement.
    Issue titles may reach the prefecture; the consultations behind them stay with the hub's desk."""
    issue_ids = sorted({i for i, _ in keys})
    limit = max(n for _, n in keys)
    ranked = (select(IssueMembership.issue_id, Consultation,
                     func.row_number().over(partition_by=IssueMembership.issue_id,
                                            order_by=(Consultation.received_at.desc(), Consultation.id.desc())).label("rn"))
              .join(Consultation, Consultation.id == IssueMembership.consultation_id)
              .where(IssueMembership.issue_id.in_(issue_ids), policy.consultation_scope(actor, Consultation.hub_id))
              ).subquery()
    from sqlalchemy.orm import aliased
    c = aliased(Consultation, ranked)
    rows = (await session.execute(select(ranked.c.issue_id, c).where(ranked.c.rn <= limit)
                                  .order_by(ranked.c.issue_id, ranked.c.rn))).all()
    grouped: dict[int, list] = defaultdict(list)
    for issue_id, consultation in rows:
        grouped[issue_id].append(consultation)
    return {(i, n): grouped[i][:n] for i, n in keys}


async def member_counts(session: AsyncSession, issue_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(select(IssueMembership.issue_id, func.count()).where(
        IssueMembership.issue_id.in_(issue_ids)).group_by(IssueMembership.issue_id))
    return dict(rows.all())


async def get_visible(session: AsyncSession, *, actor: Actor, issue_id) -> RegionalIssue | None:
    try:
        iid = parse_id(issue_id, ["id"], "地域課題")
    except UserInputError:
        return None
    issue = await session.get(RegionalIssue, iid)
    if issue is None:
        return None
    if not await can_read_hub(session, actor, issue.hub_id):
        audit.denied("regional_issue.read", "regional_issue", issue.id)
        return None
    return issue


async def issues_for_consultations(session: AsyncSession, consultation_ids: list[int]) -> dict[int, list[RegionalIssue]]:
    rows = await session.execute(
        select(IssueMembership.consultation_id, RegionalIssue)
        .join(RegionalIssue, RegionalIssue.id == IssueMembership.issue_id)
        .where(IssueMembership.consultation_id.in_(consultation_ids))
        .order_by(RegionalIssue.id))
    out: dict[int, list[RegionalIssue]] = {i: [] for i in consultation_ids}
    for cid, issue in rows:
        out[cid].append(issue)
    return out


async def raise_issue(session: AsyncSession, *, actor: Actor, hub_id: int, fiscal_year: int, scene: CareScene,
                      title: str, signature: str, consultation_ids: Sequence[int]) -> RegionalIssue:
    """A regional issue the hub's manager raises from a signal outside grouping (the directory's unmet
    needs): confirmed at once, so regrouping keeps it and its members; raising the same signal again
    adds the consultations that joined it since. A consultation already in a reviewed issue of the scene
    stays there; one in a candidate moves here."""
    if not policy.manages(actor, hub_id):
        raise NotFound(["hubId"], "拠点")
    issue = next((i for i in await session.scalars(select(RegionalIssue).where(
        RegionalIssue.hub_id == hub_id, RegionalIssue.fiscal_year == fiscal_year).with_for_update())
        if signature in (i.signatures or [])), None)
    if issue is None:
        issue = RegionalIssue(hub_id=hub_id, fiscal_year=fiscal_year, scene=scene.value, title=title[:TITLE_MAX],
                              key_terms=[], signatures=[signature], status=RegionalIssueStatus.CONFIRMED.value)
        session.add(issue)
        await session.flush()
    ids = sorted(set(await session.scalars(select(Consultation.id).where(
        Consultation.id.in_(list(consultation_ids)), Consultation.hub_id == hub_id))))
    current = {m.consultation_id: m for m in await session.scalars(select(IssueMembership).where(
        IssueMembership.consultation_id.in_(ids), IssueMembership.scene == issue.scene))} if ids else {}
    holders = {i.id: i for i in await session.scalars(select(RegionalIssue).where(
        RegionalIssue.id.in_({m.issue_id for m in current.values()})))} if current else {}
    touched = {issue.id}
    for cid in ids:
        m = current.get(cid)
        if m is not None and (m.issue_id == issue.id or holders[m.issue_id].status in REVIEWED):
            continue
        if m is not None:
            touched.add(m.issue_id)
            await session.delete(m)
            await session.flush()
        session.add(IssueMembership(issue_id=issue.id, consultation_id=cid, scene=issue.scene, pinned=True))
    await session.flush()
    await refresh_derived(session, issue_ids=sorted(touched))
    audit.record(session, actor=actor, operation="issue.raise", entity_type="regional_issue", entity_id=issue.id,
                 fields=["members", "signatures"])
    return issue
