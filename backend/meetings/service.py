"""Hub meetings (協議の場): scheduling with an agenda of regional issues, the packet, sending it."""

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.consultations.models import Action, Consultation
from backend.db import utcnow
from backend.errors import NotFound, UserInputError, parse_id, require_parsed
from backend.fiscal import fiscal_year_label, fiscal_year_of, today_jst
from backend.issues.models import IssueMembership, RegionalIssue
from backend.jobs import service as jobs
from backend.jobs.models import Job
from backend.mail import service as mail
from backend.meetings.members import member_addresses, normalize_address
from backend.meetings.models import AgendaItem, HubMeeting
from backend.regions.models import Hub
from backend.taxonomy import CallerRole, CareScene, Outcome, RegionalIssueStatus, ResponseType
from backend.text.masking import mask_pii
from backend.validation import clean_text

TITLE_MAX = 200
FIRST_MEETING_DAY = date(2015, 4, 1)     # the programme's start
MEETING_HORIZON = timedelta(days=2 * 366)
MAX_AGENDA = 20
MAX_RECIPIENTS = 50
EXAMPLES = 3


async def schedule(session: AsyncSession, *, actor: Actor, hub_id, title: str, held_on, issue_ids: list,
                   recipient_emails: list[str]) -> tuple[HubMeeting, Job]:
    f = ["input"]
    hid = parse_id(hub_id, f + ["hubId"], "拠点")
    if not policy.manages(actor, hid) or await session.get(Hub, hid) is None:
        await audit.refused(session, Hub, hid, operation="meeting.schedule", entity_type="hub")
        raise NotFound(f + ["hubId"], "拠点")
    # one line: the title goes into an e-mail subject, where a line break would forge headers
    title = clean_text(title, f + ["title"], label="会議名", max_length=TITLE_MAX, required=False, one_line=True)
    if not title:
        raise UserInputError(f + ["title"], f"会議名は1〜{TITLE_MAX}文字で入力してください。")
    held_on = require_parsed(held_on, f + ["heldOn"], "開催日の形式が正しくありません（YYYY-MM-DD、実在する日付）。")
    if not FIRST_MEETING_DAY <= held_on <= today_jst() + MEETING_HORIZON:
        raise UserInputError(f + ["heldOn"], f"開催日は{FIRST_MEETING_DAY:%Y-%m-%d}から2年先までの日付で指定してください。",
                             "OUT_OF_RANGE")
    if not issue_ids:
        raise UserInputError(f + ["issueIds"], "議題にする地域課題を1つ以上指定してください。", "REQUIRED")
    if len(issue_ids) > MAX_AGENDA:
        raise UserInputError(f + ["issueIds"], f"議題は{MAX_AGENDA}件までです。", "TOO_MANY")
    issues = []
    for i, raw in enumerate(issue_ids):
        issue = await session.get(RegionalIssue, parse_id(raw, f + ["issueIds", str(i)], "地域課題"))
        if issue is None or issue.hub_id != hid:
            raise NotFound(f + ["issueIds", str(i)], "地域課題")
        if issue in issues:
            raise UserInputError(f + ["issueIds", str(i)], "同じ地域課題が重複しています。", "DUPLICATE")
        issues.append(issue)
    if not recipient_emails:
        raise UserInputError(f + ["recipientEmails"], "送付先を1件以上指定してください。", "REQUIRED")
    if len(recipient_emails) > MAX_RECIPIENTS:
        raise UserInputError(f + ["recipientEmails"], f"送付先は{MAX_RECIPIENTS}件までです。", "TOO_MANY")
    allowed = await member_addresses(session, hub_id=hid)
    recipients = []
    for i, raw in enumerate(recipient_emails):
        address = normalize_address(raw, f + ["recipientEmails", str(i)])
        if address not in allowed:
            # a packet carries example notes: it goes to the hub's 協議の場 and nowhere else
            raise UserInputError(f + ["recipientEmails", str(i)],
                                 "送付先はこの拠点の協議の場の委員に限られます（委員名簿に登録してください）。", "NOT_A_MEMBER")
        recipients.append(address)
    meeting = HubMeeting(hub_id=hid, title=title, held_on=held_on, recipient_emails=list(dict.fromkeys(recipients)),
                         created_by_id=actor.user_id)
    session.add(meeting)
    await session.flush()
    session.add_all(AgendaItem(meeting_id=meeting.id, position=i + 1, issue_id=issue.id) for i, issue in enumerate(issues))
    for issue in issues:
        if issue.status in (RegionalIssueStatus.CANDIDATE.value, RegionalIssueStatus.CONFIRMED.value):
            issue.status = RegionalIssueStatus.ON_AGENDA.value
    job = await jobs.queued(session, kind="build_packet",
                             args={"meeting_id": meeting.id}, actor=actor, hub_id=hid)
    audit.record(session, actor=actor, operation="meeting.schedule", entity_type="hub_meeting", entity_id=meeting.id,
                 fields=["title", "heldOn", "issueIds", "recipientEmails"])
    return meeting, job


async def get_visible(session: AsyncSession, *, actor: Actor, meeting_id) -> HubMeeting | None:
    try:
        mid = parse_id(meeting_id, ["id"], "会議")
    except UserInputError:
        return None
    meeting = await session.get(HubMeeting, mid)
    if meeting is None:
        return None
    if not policy.works_at(actor, meeting.hub_id):
        audit.denied("meeting.read", "hub_meeting", meeting.id)
        return None
    return meeting


async def request_send(session: AsyncSession, *, actor: Actor, meeting_id) -> Job:
    meeting = await session.get(HubMeeting, parse_id(meeting_id, ["meetingId"], "会議"))
    if meeting is None or not policy.manages(actor, meeting.hub_id):
        if meeting is not None:
            audit.denied("meeting.send", "hub_meeting", meeting.id)
        raise NotFound(["meetingId"], "会議")
    job = await jobs.queued(session, kind="send_packet",
                             args={"meeting_id": meeting.id}, actor=actor, hub_id=meeting.hub_id)
    audit.record(session, actor=actor, operation="meeting.send", entity_type="hub_meeting", entity_id=meeting.id)
    return job


async def agendas(session: AsyncSession, meeting_ids: list[int]) -> dict[int, list[tuple[int, RegionalIssue]]]:
    rows = await session.execute(select(AgendaItem.meeting_id, AgendaItem.position, RegionalIssue)
                                 .join(RegionalIssue, RegionalIssue.id == AgendaItem.issue_id)
                                 .where(AgendaItem.meeting_id.in_(meeting_ids)).order_by(AgendaItem.position))
    out: dict[int, list] = {m: [] for m in meeting_ids}
    for meeting_id, position, issue in rows:
        out[meeting_id].append((position, issue))
    return out


# --- the packet ----------------------------------------------------------------------------------

async def packet_context(session: AsyncSession, *, meeting: HubMeeting) -> dict:
    """Everything the packet shows, from SQL; example notes are masked, nothing else carries free text."""
    hub = await session.get(Hub, meeting.hub_id)
    agenda = (await agendas(session, [meeting.id]))[meeting.id]
    issue_ids = [issue.id for _, issue in agenda]
    members = (await session.execute(
        select(IssueMembership.issue_id, Consultation)
        .join(Consultation, Consultation.id == IssueMembership.consultation_id)
        .where(IssueMembership.issue_id.in_(issue_ids))
        .order_by(Consultation.received_at.desc(), Consultation.id.desc()))).all()
    by_issue: dict[int, list[Consultation]] = defaultdict(list)
    for issue_id, c in members:
        by_issue[issue_id].append(c)
    action_rows = (await session.execute(
        select(IssueMembership.issue_id, Action.type, func.count())
        .join(Action, Action.consultation_id == IssueMembership.consultation_id)
        .where(IssueMembership.issue_id.in_(issue_ids)).group_by(IssueMembership.issue_id, Action.type))).all()
    actions: dict[int, Counter] = defaultdict(Counter)
    for issue_id, kind, n in action_rows:
        actions[issue_id][ResponseType(kind).label] += n
    from backend.charts import bar_chart_svg
    items = []
    dropped = set(meeting.dropped_examples or [])
    for position, issue in agenda:
        cs = by_issue[issue.id]
        examples = [c for c in cs if c.id not in dropped][:EXAMPLES]
        unresolved = Counter(Outcome(c.outcome).label for c in cs if c.outcome and c.outcome.startswith("unresolved"))
        open_count = sum(1 for c in cs if c.status != "closed")
        months = [p["month"] for p in issue.trend or []]
        counts = [p["count"] for p in issue.trend or []]
        items.append({
            "position": position, "title": issue.title, "scene": CareScene(issue.scene).label,
            "status": RegionalIssueStatus(issue.status).label, "count": len(cs), "key_terms": issue.key_terms,
            "unresolved": issue.unresolved_count, "unresolved_reasons": unresolved.most_common(), "open": open_count,
            "months": list(zip(months, counts, strict=True)),
            "chart": bar_chart_svg("月別の相談件数", [f"{int(m[5:])}月" for m in months], counts) if months else "",
            "caller_roles": Counter(CallerRole(c.caller_role).label for c in cs).most_common(),
            "actions": actions[issue.id].most_common(),
            "examples": [mask_pii(c.summary) for c in examples],
            "example_ids": [c.id for c in examples],
        })
    fy = fiscal_year_of(meeting.held_on)
    return {"hub": hub.name, "title": meeting.title, "held_on": meeting.held_on, "fiscal_year": fiscal_year_label(fy),
            "items": items, "issue_ids": issue_ids}


async def build_packet(session: AsyncSession, *, meeting_id: int) -> HubMeeting:
    from backend.templating import render
    meeting = await session.get(HubMeeting, meeting_id, with_for_update=True)
    context = await packet_context(session, meeting=meeting)
    meeting.packet_html = render("meetings/packet.html.j2", **context)
    meeting.packet_text = render("meetings/packet.txt.j2", **context)
    meeting.packet_examples = [{"issue_id": issue_id, "consultation_id": cid}
                               for issue_id, item in zip(context["issue_ids"], context["items"], strict=True)
                               for cid in item["example_ids"]]
    meeting.packet_status, meeting.packet_generated_at, meeting.packet_error = "ready", utcnow(), None
    await session.flush()
    return meeting


async def packet_examples(session: AsyncSession, *, meeting: HubMeeting) -> list[tuple[int, int, str]]:
    """(issue id, consultation id, masked text) of each example the packet shows, for the manager's check
    before sending; the request that shows them is audited with their ids."""
    ids = [e["consultation_id"] for e in meeting.packet_examples or []]
    if not ids:
        return []
    rows = {c.id: c for c in await session.scalars(select(Consultation).where(Consultation.id.in_(ids)))}
    audit.shown("consultation", ids)
    return [(e["issue_id"], e["consultation_id"], mask_pii(rows[e["consultation_id"]].summary))
            for e in meeting.packet_examples if e["consultation_id"] in rows]


async def drop_example(session: AsyncSession, *, actor: Actor, meeting_id, consultation_id) -> HubMeeting:
    """The manager takes an example note out of the packet before it leaves; the packet is rebuilt at once."""
    meeting = await session.get(HubMeeting, parse_id(meeting_id, ["meetingId"], "会議"), with_for_update=True)
    if meeting is None or not policy.manages(actor, meeting.hub_id):
        if meeting is not None:
            audit.denied("meeting.drop_example", "hub_meeting", meeting.id)
        raise NotFound(["meetingId"], "会議")
    cid = parse_id(consultation_id, ["consultationId"], "例")
    if cid not in {e["consultation_id"] for e in meeting.packet_examples or []}:
        raise NotFound(["consultationId"], "資料の例")
    if meeting.status == "sent":
        raise UserInputError(["meetingId"], "送付済みの資料は変更できません。", "ALREADY_SENT")
    meeting.dropped_examples = sorted({*(meeting.dropped_examples or []), cid})
    audit.record(session, actor=actor, operation="meeting.drop_example", entity_type="hub_meeting",
                 entity_id=meeting.id, fields=["examples"], record_ids=[cid])
    return await build_packet(session, meeting_id=meeting.id)


async def mark_packet_failed(session: AsyncSession, *, meeting_id: int, reason: str) -> None:
    meeting = await session.get(HubMeeting, meeting_id, with_for_update=True)
    if meeting is not None and meeting.status != "sent":
        meeting.packet_status, meeting.packet_error = "failed", reason


def packet_subject(hub_name: str, meeting: HubMeeting) -> str:
    """The packet e-mail's subject; the delivery list (meetings/views.py) finds the outbox rows by it."""
    return f"【{hub_name}】{meeting.title}（{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日）資料"


async def send_packet(session: AsyncSession, *, meeting_id: int) -> None:
    """One message a recipient (no one sees the others' addresses); a second run sends nothing more."""
    meeting = await session.get(HubMeeting, meeting_id, with_for_update=True)
    if meeting.status == "sent":
        return
    if meeting.packet_status != "ready":
        meeting = await build_packet(session, meeting_id=meeting_id)
    hub = await session.get(Hub, meeting.hub_id)
    subject = packet_subject(hub.name, meeting)
    members = await member_addresses(session, hub_id=meeting.hub_id)
    for address in meeting.recipient_emails:
        if address.lower() not in members:
            continue   # removed from the 協議の場 since the meeting was scheduled
        await mail.queue_message(session, kind="meeting_packet", recipients=[address], subject=subject,
                                 text=meeting.packet_text, html=meeting.packet_html)
    meeting.status = "sent"
