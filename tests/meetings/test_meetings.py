"""A hub manager schedules a meeting, the workers build its packet, and the packet is sent."""

from datetime import UTC, datetime
from email import message_from_bytes, policy

from sqlalchemy import func, select

from backend.jobs.dispatch import Dispatcher
from backend.meetings.models import HubMeeting
from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
RECORD = operation("coordinator.graphql", "RecordAction")
CLOSE = operation("coordinator.graphql", "CloseConsultation")
REQUEST = operation("hub.graphql", "RequestIssueGrouping")
BOARD = operation("hub.graphql", "HubIssueBoard")
SCHEDULE = operation("hub.graphql", "ScheduleHubMeeting")
PACKET = operation("hub.graphql", "HubMeetingPacket")
SEND = operation("hub.graphql", "SendHubMeetingPacket")
ADD_MEMBER = operation("hub.graphql", "AddHubMember")
MEMBERS = ["iin1@city.example.jp", "iin2@clinic.example.jp"]


async def add_members(gql, world, addresses=MEMBERS) -> list[str]:
    ids = []
    for i, email in enumerate(addresses):
        out = (await gql(world.manager, ADD_MEMBER, {"input": {"hubId": str(world.hub_id), "name": f"委員{i + 1}",
                                                               "organization": "医師会", "email": email}}))["data"]["addHubMember"]
        assert out["userErrors"] == [], out
        ids.append(out["member"]["id"])
    return ids
NOTES = ["来週退院の山田太郎さん（090-1234-5678）、訪問診療の医師が見つからないと病院MSW",
         "退院が決まったが在宅医が決まらず退院日が延びそう、〒940-0062 の自宅へ戻る予定",
         "退院予定の方の往診医を探しているが近くの診療所に断られた"]


async def issue_on_board(gql, app, world) -> dict:
    await add_members(gql, world)
    ids = []
    for note in NOTES:
        out = await gql(world.coordinator, LOG, {"input": log_input("15202", summary=note, callerRole="MEDICAL_SOCIAL_WORKER")})
        ids.append(out["data"]["logConsultation"]["consultation"]["id"])
    await gql(world.coordinator, RECORD, {"input": {"consultationId": ids[0], "performedAt": clock.now().isoformat(),
                                                    "type": "PHYSICIAN_MATCHING"}})
    await gql(world.coordinator, CLOSE, {"input": {"id": ids[1], "version": 1, "outcome": "UNRESOLVED_NO_RESOURCE"}})
    await gql(world.manager, REQUEST, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year()})
    await app.state.dispatcher.run_pending()
    hub = (await gql(world.manager, BOARD, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year()}))["data"]["hub"]
    return hub["regionalIssues"]["edges"][0]["node"]


def schedule_input(world, issue_id, **kw):
    data = {"hubId": str(world.hub_id), "title": "第2回 在宅医療・介護連携推進会議", "heldOn": "2025-06-10",
            "issueIds": [issue_id], "recipientEmails": MEMBERS}
    data.update(kw)
    return {"input": data}


async def test_scheduled_meeting_gets_a_masked_packet_and_puts_issues_on_the_agenda(gql, app, world):
    issue = await issue_on_board(gql, app, world)
    out = (await gql(world.manager, SCHEDULE, schedule_input(world, issue["id"])))["data"]["scheduleHubMeeting"]
    assert out["userErrors"] == [] and out["meeting"]["status"] == "SCHEDULED"
    await app.state.dispatcher.run_pending()
    meeting = (await gql(world.manager, PACKET, {"id": out["meeting"]["id"]}))["data"]["hubMeeting"]
    assert meeting["agenda"][0]["issue"]["id"] == issue["id"]
    packet = meeting["packet"]
    assert packet["status"] == "READY" and packet["generatedAt"]
    for part in (packet["html"], packet["text"]):
        assert "2025年6月10日" in part and "2025年度（令和7年度）" in part and "テスト拠点" in part
        assert "退院前に訪問診療医が決まらない" in part and "入退院支援" in part
        assert "医療ソーシャルワーカー" in part and "未解決（資源不足）" in part and "在宅医マッチング" in part
        assert "山田" not in part and "090-1234-5678" not in part and "940-0062" not in part
        assert "○○さん" in part and "［電話番号］" in part
    assert "<svg" in packet["html"]
    board = (await gql(world.manager, BOARD, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year()}))["data"]["hub"]
    assert board["regionalIssues"]["edges"][0]["node"]["status"] == "ON_AGENDA"


async def test_sending_the_packet_mails_each_recipient_once(gql, app, world, settings, sessions, smtp_server):
    handler, config = smtp_server
    issue = await issue_on_board(gql, app, world)
    meeting = (await gql(world.manager, SCHEDULE, schedule_input(world, issue["id"])))["data"]["scheduleHubMeeting"]["meeting"]
    sent = (await gql(world.manager, SEND, {"meetingId": meeting["id"]}))["data"]["sendHubMeetingPacket"]
    assert sent["userErrors"] == [] and sent["job"]["kind"] == "send_packet"
    runner = Dispatcher(settings=settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{config.port}"}), sessions=sessions)
    await runner.run_pending()
    again = (await gql(world.manager, SEND, {"meetingId": meeting["id"]}))["data"]["sendHubMeetingPacket"]
    assert again["userErrors"] == []
    await runner.run_pending()
    assert sorted(e.rcpt_tos[0] for e in handler.envelopes) == ["iin1@city.example.jp", "iin2@clinic.example.jp"]
    msg = message_from_bytes(handler.envelopes[0].content, policy=policy.default)
    assert "第2回 在宅医療・介護連携推進会議" in msg["Subject"] and msg.get_content_type() == "multipart/alternative"
    assert "山田" not in msg.get_body(("html",)).get_content()
    status = (await gql(world.manager, PACKET, {"id": meeting["id"]}))["data"]["hubMeeting"]["status"]
    assert status == "SENT"


async def test_bad_meeting_input_is_refused_and_nothing_is_written(gql, app, world, other_world, sessions):
    issue = await issue_on_board(gql, app, world)
    other_issue = await issue_on_board(gql, app, other_world)
    cases = [
        (world.manager, schedule_input(world, issue["id"], heldOn="2025-02-30"), ["input", "heldOn"], "INVALID_FORMAT"),
        (world.manager, schedule_input(world, issue["id"], recipientEmails=["not an address"]), ["input", "recipientEmails", "0"], "INVALID_EMAIL"),
        (world.manager, schedule_input(world, other_issue["id"]), ["input", "issueIds", "0"], "NOT_FOUND"),
        (other_world.manager, schedule_input(world, issue["id"]), ["input", "hubId"], "NOT_FOUND"),
        (world.coordinator, schedule_input(world, issue["id"]), ["input", "hubId"], "NOT_FOUND"),
        (world.manager, schedule_input(world, issue["id"], title=" "), ["input", "title"], "INVALID"),
        # not on the hub's member list, though valid: a member of another hub, an outsider
        (world.manager, schedule_input(world, issue["id"], recipientEmails=[MEMBERS[0], "someone@else.example.com"]),
         ["input", "recipientEmails", "1"], "NOT_A_MEMBER"),
    ]
    for token, variables, field, code in cases:
        out = (await gql(token, SCHEDULE, variables))["data"]["scheduleHubMeeting"]
        assert out["meeting"] is None and out["userErrors"][0]["field"] == field and out["userErrors"][0]["code"] == code, out
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(HubMeeting).where(HubMeeting.hub_id == world.hub_id)) == 0
    missing = (await gql(world.manager, SEND, {"meetingId": "424242"}))["data"]["sendHubMeetingPacket"]
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await gql(other_world.manager, PACKET, {"id": "424242"}))["data"]["hubMeeting"] is None


async def test_a_template_error_fails_the_packet_job_with_a_clear_message(gql, app, world, sessions, monkeypatch, tmp_path):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from backend import templating
    from backend.jobs.models import Job

    issue = await issue_on_board(gql, app, world)
    broken = tmp_path / "meetings"
    broken.mkdir()
    (broken / "packet.html.j2").write_text("{{ hub }} {{ no_such_field.title }}", encoding="utf-8")
    (broken / "packet.txt.j2").write_text("{{ hub }}", encoding="utf-8")
    monkeypatch.setattr(templating, "environment",
                        lambda: Environment(loader=FileSystemLoader(tmp_path), undefined=StrictUndefined, autoescape=True))
    out = (await gql(world.manager, SCHEDULE, schedule_input(world, issue["id"])))["data"]["scheduleHubMeeting"]
    await app.state.dispatcher.run_pending()
    async with sessions() as s:
        job_id = await s.scalar(select(Job.id).where(Job.key == f"build_packet:{out['meeting']['id']}"))
    job = (await gql(world.manager, operation("hub.graphql", "Job"), {"id": str(job_id)}))["data"]["job"]
    assert job["status"] == "failed" and "no_such_field" in job["error"]
    packet = (await gql(world.manager, PACKET.replace("packet { status", "packet { error status"),
                        {"id": out["meeting"]["id"]}))["data"]["hubMeeting"]["packet"]
    # the manager sees that it failed and what to do, not a packet pending forever
    assert packet["status"] == "FAILED" and packet["html"] is None and "会議資料を作成できませんでした" in packet["error"]


EXAMPLES = """query PacketExamples($id: ID!) {
  hubMeeting(id: $id) { packet { status html text examples { issueId consultationId text } } }
}"""
DROP = """mutation Drop($meetingId: ID!, $consultationId: ID!) {
  dropPacketExample(meetingId: $meetingId, consultationId: $consultationId) {
    meeting { id packet { status html text } }
    userErrors { field message code }
  }
}"""


async def test_the_manager_checks_each_masked_example_and_drops_one_before_sending(gql, app, world, settings, sessions,
                                                                                  smtp_server):
    from backend.audit.models import AuditEvent
    handler, config = smtp_server
    issue = await issue_on_board(gql, app, world)
    meeting = (await gql(world.manager, SCHEDULE, schedule_input(world, issue["id"])))["data"]["scheduleHubMeeting"]["meeting"]
    await app.state.dispatcher.run_pending()
    packet = (await gql(world.manager, EXAMPLES, {"id": meeting["id"]}))["data"]["hubMeeting"]["packet"]
    examples = packet["examples"]
    assert len(examples) == 3 and all(e["issueId"] == issue["id"] for e in examples)
    assert all("山田" not in e["text"] and "090-1234-5678" not in e["text"] for e in examples)   # shown masked
    dropped = next(e for e in examples if "940" in e["text"] or "［郵便番号］" in e["text"])
    assert dropped["text"] in packet["text"]
    # a coordinator may not change the packet; the manager may
    refused = (await gql(world.coordinator, DROP, {"meetingId": meeting["id"], "consultationId": dropped["consultationId"]}))
    assert refused["data"]["dropPacketExample"]["userErrors"][0]["code"] == "NOT_FOUND"
    out = (await gql(world.manager, DROP, {"meetingId": meeting["id"], "consultationId": dropped["consultationId"]}))
    result = out["data"]["dropPacketExample"]
    assert result["userErrors"] == [] and dropped["text"] not in result["meeting"]["packet"]["text"]
    assert dropped["text"] not in result["meeting"]["packet"]["html"]
    after = (await gql(world.manager, EXAMPLES, {"id": meeting["id"]}))["data"]["hubMeeting"]["packet"]["examples"]
    assert dropped["consultationId"] not in {e["consultationId"] for e in after} and len(after) == 2
    await gql(world.manager, SEND, {"meetingId": meeting["id"]})
    await Dispatcher(settings=settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{config.port}"}),
                     sessions=sessions).run_pending()
    mails = [message_from_bytes(e.content, policy=policy.default) for e in handler.envelopes]
    assert mails and all(dropped["text"] not in m.get_body(("plain",)).get_content() for m in mails)
    late = (await gql(world.manager, DROP, {"meetingId": meeting["id"], "consultationId": after[0]["consultationId"]}))
    assert late["data"]["dropPacketExample"]["userErrors"][0]["code"] == "ALREADY_SENT"
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "hub_meeting",
                                                         AuditEvent.entity_id == meeting["id"]))).all()
        read = (await s.scalars(select(AuditEvent).where(AuditEvent.operation == "consultation.list_read",
                                                         AuditEvent.actor_id == world.manager_id))).all()
    assert "meeting.drop_example" in [r.operation for r in rows]
    assert any(int(dropped["consultationId"]) in (r.record_ids or []) for r in read)   # the check itself is audited
