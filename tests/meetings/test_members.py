"""The hub's 協議の場 members: who manages the list, and that packets go to them only."""

from email import message_from_bytes, policy

from sqlalchemy import select

from backend.audit.models import AuditEvent
from backend.jobs.dispatch import Dispatcher
from tests.helpers import operation
from tests.meetings.test_meetings import MEMBERS, SCHEDULE, SEND, add_members, issue_on_board, schedule_input

LIST = operation("hub.graphql", "HubMembers")
ADD = operation("hub.graphql", "AddHubMember")
REMOVE = operation("hub.graphql", "RemoveHubMember")


def member_input(world, **kw):
    return {"input": {"hubId": str(world.hub_id), "name": "佐藤 花子", "organization": "○○市医師会",
                      "email": "Hanako.Sato@Ishikai.example.jp", **kw}}


async def test_the_manager_keeps_the_member_list_and_every_change_is_audited(gql, world, sessions):
    added = (await gql(world.manager, ADD, member_input(world)))["data"]["addHubMember"]
    assert added["userErrors"] == []
    assert added["member"]["email"] == "hanako.sato@ishikai.example.jp" and added["member"]["organization"] == "○○市医師会"
    listed = (await gql(world.manager, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"]
    assert [m["name"] for m in listed] == ["佐藤 花子"]
    assert (await gql(world.admin, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"] == listed
    removed = (await gql(world.manager, REMOVE, {"id": added["member"]["id"]}))["data"]["removeHubMember"]
    assert removed["userErrors"] == [] and removed["member"]["id"] == added["member"]["id"]
    assert (await gql(world.manager, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"] == []
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "hub_member",
                                                         AuditEvent.entity_id == added["member"]["id"])
                               .order_by(AuditEvent.id))).all()
    assert [r.operation for r in rows] == ["hub_member.add", "hub_member.remove"]
    assert all("佐藤" not in repr(r.fields) and "ishikai" not in repr(r.fields) for r in rows)


async def test_others_can_neither_read_nor_change_the_list(gql, world, other_world):
    [member_id] = await add_members(gql, world, ["iin@city.example.jp"])
    assert (await gql(world.coordinator, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"] is None
    assert (await gql(other_world.manager, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"] is None
    for token in (world.coordinator, other_world.manager, world.analyst):
        out = (await gql(token, ADD, member_input(world)))["data"]["addHubMember"]
        assert out["member"] is None and out["userErrors"][0]["code"] == "NOT_FOUND"
        out = (await gql(token, REMOVE, {"id": member_id}))["data"]["removeHubMember"]
        assert out["member"] is None and out["userErrors"][0]["code"] == "NOT_FOUND"
    assert len((await gql(world.manager, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"]) == 1


async def test_bad_member_input_is_a_user_error_and_writes_nothing(gql, world):
    await add_members(gql, world, ["iin@city.example.jp"])
    cases = [
        ({"email": "not an address"}, "email", "INVALID_EMAIL"),
        ({"email": "IIN@city.example.jp"}, "email", "DUPLICATE"),
        ({"name": "  "}, "name", "REQUIRED"),
        ({"name": "佐藤\n花子"}, "name", "INVALID_CHARACTER"),
        ({"name": "佐藤\x00花子"}, "name", "INVALID_CHARACTER"),
        ({"organization": "あ" * 201}, "organization", "TOO_LONG"),
    ]
    for override, field, code in cases:
        out = (await gql(world.manager, ADD, member_input(world, **override)))["data"]["addHubMember"]
        assert out["member"] is None and out["userErrors"][0]["field"] == ["input", field], (override, out)
        assert out["userErrors"][0]["code"] == code, (override, out)
    assert len((await gql(world.manager, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"]) == 1


async def test_a_member_removed_after_scheduling_gets_no_packet(gql, app, world, settings, sessions, smtp_server):
    handler, config = smtp_server
    issue = await issue_on_board(gql, app, world)
    meeting = (await gql(world.manager, SCHEDULE, schedule_input(world, issue["id"])))["data"]["scheduleHubMeeting"]["meeting"]
    listed = (await gql(world.manager, LIST, {"hubId": str(world.hub_id)}))["data"]["hub"]["members"]
    gone = next(m for m in listed if m["email"] == MEMBERS[1])
    assert (await gql(world.manager, REMOVE, {"id": gone["id"]}))["data"]["removeHubMember"]["userErrors"] == []
    await gql(world.manager, SEND, {"meetingId": meeting["id"]})
    await Dispatcher(settings=settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{config.port}"}),
                     sessions=sessions).run_pending()
    recipients = [message_from_bytes(e.content, policy=policy.default)["To"] for e in handler.envelopes]
    assert recipients == [MEMBERS[0]]
