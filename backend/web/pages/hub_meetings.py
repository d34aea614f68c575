"""The hub manager's 協議の場: the meetings, scheduling one (the contract's ScheduleHubMeeting, with agenda
issues from HubIssueBoard and recipients from HubMembers), the packet previewed exactly as e-mailed (the
HubMeetingPacket html, served to a sandboxed iframe under a CSP of its own), dropping an example note,
sending (SendHubMeetingPacket) and each recipient's delivery (meetings/views.py, from the outbox)."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse

from backend.audit import service as audit
from backend.fiscal import today_jst
from backend.meetings import service as meetings
from backend.meetings import views
from backend.web import operations, security
from backend.web.core import PageNotFound, Viewer, redirect, render, viewer, web_of
from backend.web.pages.hub_common import ISSUE_CHOICES, field_errors, fiscal_years, hub_of, year_of

router = APIRouter()
EXAMPLES = """
query HubMeetingExamples($id: ID!) {
  hubMeeting(id: $id) { id status packet { status examples { issueId consultationId text } } }
}
"""
DROP = """
mutation DropPacketExample($meetingId: ID!, $consultationId: ID!) {
  dropPacketExample(meetingId: $meetingId, consultationId: $consultationId) {
    meeting { id }
    userErrors { field message code }
  }
}
"""
PACKET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'"
DONE = {"scheduled": "会議を登録しました。会議資料を作成しています。", "dropped": "例を資料から外し、資料を作り直しました。",
        "sending": "送付を受け付けました。送付状況は下の表で確認できます。"}
DELIVERY = {"not_sent": "未送付", "pending": "送信待ち", "sent": "送信済み", "failed": "送信できませんでした",
            "skipped": "送付せず（委員名簿から外れています）"}
PACKET = {"PENDING": "作成中", "READY": "作成済み", "FAILED": "作成できませんでした"}


def _meeting_id(raw: str) -> str:
    if not raw.isdigit() or len(raw) > 10:
        raise PageNotFound()
    return raw


@router.get("/meetings")
async def meetings_page(request: Request, me: Viewer = Depends(viewer)):
    hub_id = hub_of(me)
    web = web_of(request)
    async with web.sessions() as session:
        rows = await views.meetings_of(session, actor=me.actor, hub_id=hub_id)
    if rows is None:
        raise PageNotFound()
    return render(request, "hub/meetings.html", meetings=rows, packet_labels={k.lower(): v for k, v in PACKET.items()})


async def _new_page(request: Request, me: Viewer, *, year: int, form: dict, errors: dict | None = None,
                    status: int = 200):
    hub_id = hub_of(me)
    board = await operations.execute(request, me, ISSUE_CHOICES, "HubIssueChoices",
                                     {"hubId": str(hub_id), "fiscalYear": year})
    members = await operations.run(request, me, "hub.graphql", "HubMembers", {"hubId": str(hub_id)})
    if board.get("hub") is None or members.get("hub") is None or members["hub"]["members"] is None:
        raise PageNotFound()
    issues = [e["node"] for e in board["hub"]["regionalIssues"]["edges"] if e["node"]["status"] != "DISMISSED"]
    return render(request, "hub/meeting_new.html", status=status, issues=issues, members=members["hub"]["members"],
                  year=year, years=fiscal_years(), form=form, errors=errors or {})


@router.get("/meetings/new")
async def new_meeting(request: Request, fy: str | None = None, me: Viewer = Depends(viewer)):
    form = {"title": "", "heldOn": (today_jst() + timedelta(days=14)).isoformat(), "issueIds": None,
            "recipientEmails": None}
    return await _new_page(request, me, year=year_of(fy), form=form)


@router.post("/meetings/new")
async def schedule(request: Request, me: Viewer = Depends(viewer)):
    hub_id = hub_of(me)
    raw = await request.form()
    year = year_of(str(raw.get("fy", "")))
    form = {"title": str(raw.get("title", "")).strip(), "heldOn": str(raw.get("heldOn", "")).strip(),
            "issueIds": [str(v) for v in raw.getlist("issueIds")][:100],
            "recipientEmails": [str(v) for v in raw.getlist("recipientEmails")][:100]}
    variables = {"input": {"hubId": str(hub_id), "title": form["title"], "heldOn": form["heldOn"],
                           "issueIds": form["issueIds"], "recipientEmails": form["recipientEmails"]}}
    try:
        data = await operations.run(request, me, "hub.graphql", "ScheduleHubMeeting", variables)
    except operations.OperationFailed:
        # a date the Date scalar cannot read is a GraphQL error, not a userError: say it beside the field
        return await _new_page(request, me, year=year, form=form, status=400,
                               errors={"heldOn": "開催日を年・月・日で入力してください（例：2025-06-10）。"})
    result = data["scheduleHubMeeting"]
    if result["userErrors"]:
        errors = field_errors(result["userErrors"])
        if "hubId" in errors:
            raise PageNotFound()
        return await _new_page(request, me, year=year, form=form, errors=errors, status=400)
    return redirect(request, f"/meetings/{result['meeting']['id']}?done=scheduled")


async def _meeting(request: Request, me: Viewer, meeting_id: str) -> dict:
    hub_of(me)
    data = await operations.run(request, me, "hub.graphql", "HubMeetingPacket", {"id": _meeting_id(meeting_id)})
    if data.get("hubMeeting") is None:
        raise PageNotFound()
    return data["hubMeeting"]


async def _deliveries(request: Request, me: Viewer, meeting_id: str) -> list[views.Delivery]:
    web = web_of(request)
    async with audit.request_trail(web.sessions, me.actor), web.sessions() as session:
        row = await meetings.get_visible(session, actor=me.actor, meeting_id=meeting_id)
        found = await views.deliveries(session, actor=me.actor, meeting=row) if row else None
    if found is None:
        raise PageNotFound()
    return found


def _state(meeting: dict, deliveries: list[views.Delivery], sending: bool) -> dict:
    waiting = (meeting["packet"]["status"] == "PENDING" or (sending and meeting["status"] != "SENT")
               or any(d.status == "pending" for d in deliveries))
    return {"meeting": meeting, "deliveries": deliveries, "delivery_labels": DELIVERY, "packet_labels": PACKET,
            "waiting": waiting, "sending": sending}


@router.get("/meetings/{meeting_id}")
async def meeting_page(request: Request, meeting_id: str, done: str | None = None, me: Viewer = Depends(viewer)):
    meeting = await _meeting(request, me, meeting_id)
    examples = await operations.execute(request, me, EXAMPLES, "HubMeetingExamples", {"id": meeting_id})
    packet = (examples.get("hubMeeting") or {}).get("packet") or {"examples": []}
    titles = {a["issue"]["id"]: a["issue"]["title"] for a in meeting["agenda"]}
    notice = DONE.get(done or "")
    if done == "scheduled" and meeting["packet"]["status"] != "PENDING":
        notice = "会議を登録し、会議資料を作成しました。内容を確認してから送付してください。"
    return render(request, "hub/meeting.html", notice=notice,
                  examples=[dict(e, issue_title=titles.get(e["issueId"], "")) for e in packet["examples"]],
                  errors={}, **_state(meeting, await _deliveries(request, me, meeting_id), done == "sending"))


@router.get("/meetings/{meeting_id}/status")
async def meeting_status(request: Request, meeting_id: str, sending: str | None = None, me: Viewer = Depends(viewer)):
    """The packet's and the deliveries' state, polled by htmx while something is on its way; when the packet
    has just been built, the whole page reloads so that the preview and the examples appear."""
    meeting = await _meeting(request, me, meeting_id)
    if request.headers.get("hx-request") and request.query_params.get("packet") == "PENDING" \
            and meeting["packet"]["status"] != "PENDING":
        return security.secure_headers(HTMLResponse("", headers={"HX-Redirect": f"/meetings/{meeting_id}"}))
    return render(request, "hub/_meeting_state.html",
                  **_state(meeting, await _deliveries(request, me, meeting_id), sending == "1"))


@router.get("/meetings/{meeting_id}/packet")
async def packet_html(request: Request, meeting_id: str, me: Viewer = Depends(viewer)):
    """The packet's html exactly as mailed, for the preview's sandboxed iframe: no script may run in it and
    it may be framed by this site only."""
    meeting = await _meeting(request, me, meeting_id)
    html = meeting["packet"]["html"]
    if not html:
        raise PageNotFound()
    response = HTMLResponse(html, headers={"Content-Security-Policy": PACKET_CSP, "X-Frame-Options": "SAMEORIGIN"})
    return security.secure_headers(response)


@router.post("/meetings/{meeting_id}/drop")
async def drop_example(request: Request, meeting_id: str, me: Viewer = Depends(viewer)):
    hub_of(me)
    form = await request.form()
    data = await operations.execute(request, me, DROP, "DropPacketExample", {
        "meetingId": _meeting_id(meeting_id), "consultationId": str(form.get("consultationId", ""))})
    result = data["dropPacketExample"]
    if result["userErrors"]:
        errors = field_errors(result["userErrors"])
        if "meetingId" not in errors or any(e["code"] == "NOT_FOUND" for e in result["userErrors"]):
            raise PageNotFound()
        meeting = await _meeting(request, me, meeting_id)
        return render(request, "hub/meeting.html", status=400, notice=None, examples=[],
                      errors={"_form": errors["meetingId"]},
                      **_state(meeting, await _deliveries(request, me, meeting_id), False))
    return redirect(request, f"/meetings/{meeting_id}?done=dropped#examples")


@router.post("/meetings/{meeting_id}/send")
async def send(request: Request, meeting_id: str, me: Viewer = Depends(viewer)):
    hub_of(me)
    data = await operations.run(request, me, "hub.graphql", "SendHubMeetingPacket", {"meetingId": _meeting_id(meeting_id)})
    if data["sendHubMeetingPacket"]["userErrors"]:
        raise PageNotFound()
    return redirect(request, f"/meetings/{meeting_id}?done=sending#delivery")
