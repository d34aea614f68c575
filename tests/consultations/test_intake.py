"""A coordinator logs a call, follows it up and closes it, through the client's own documents."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditEvent
from backend.consultations.models import Consultation
from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
DETAIL = operation("coordinator.graphql", "ConsultationDetail")
RECORD = operation("coordinator.graphql", "RecordAction")
UPDATE = operation("coordinator.graphql", "UpdateConsultation")
CLOSE = operation("coordinator.graphql", "CloseConsultation")
SEARCH = operation("coordinator.graphql", "SearchConsultations")
MINE = operation("coordinator.graphql", "MyOpenConsultations")


async def count_hub_consultations(sessions, hub_id: int) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(Consultation).where(Consultation.hub_id == hub_id))


async def log(gql, token, code, **kw):
    body = await gql(token, LOG, {"input": log_input(code, **kw)})
    return body["data"]["logConsultation"]


async def test_logged_call_without_scenes_gets_suggested_scenes(gql, world):
    out = await log(gql, world.coordinator, "15202", summary="退院前カンファに訪問Drが決まらず、在宅医を探している")
    assert out["userErrors"] == []
    c = out["consultation"]
    assert c["status"] == "RECEIVED" and c["version"] == 1
    assert c["scenesConfirmed"] is False
    assert "ADMISSION_DISCHARGE" in c["scenes"] and c["primaryScene"] == c["scenes"][0]
    top = c["suggestedScenes"][0]
    assert top["confidence"] > 0 and top["matchedTerms"]
    assert c["municipality"] == {"code": "15202", "name": "長岡市", "prefecture": {"code": "15", "name": "新潟県"}}


async def test_given_scenes_are_confirmed_and_kept_apart_from_the_suggestion(gql, world):
    out = await log(gql, world.coordinator, "15202", summary="停電時に人工呼吸器の電源が心配", scenes=["DISASTER", "DAILY_CARE"],
                    primaryScene="DAILY_CARE")
    c = out["consultation"]
    assert c["scenesConfirmed"] is True
    assert c["primaryScene"] == "DAILY_CARE" and set(c["scenes"]) == {"DISASTER", "DAILY_CARE"}
    assert c["suggestedScenes"][0]["scene"] == "DISASTER"


async def test_retry_with_same_key_returns_first_consultation(gql, world, sessions):
    data = log_input("15202")
    first = (await gql(world.coordinator, LOG, {"input": data}))["data"]["logConsultation"]["consultation"]
    data["summary"] = "再送（内容が違っても最初の相談が返る）"
    again = (await gql(world.coordinator, LOG, {"input": data}))["data"]["logConsultation"]
    assert again["userErrors"] == [] and again["consultation"]["id"] == first["id"]
    assert await count_hub_consultations(sessions, world.hub_id) == 1


async def test_concurrent_retries_create_one_consultation(gql, world, sessions):
    data = log_input("15202")
    results = await asyncio.gather(*[gql(world.coordinator, LOG, {"input": data}) for _ in range(4)])
    ids = {r["data"]["logConsultation"]["consultation"]["id"] for r in results}
    assert len(ids) == 1
    assert await count_hub_consultations(sessions, world.hub_id) == 1


async def test_six_digit_code_is_accepted_and_stored_as_five(gql, world):
    c = (await log(gql, world.coordinator, "152021"))["consultation"]
    assert c["municipality"]["code"] == "15202"


@pytest.mark.parametrize("override, field, code", [
    ({"municipalityCode": "152020"}, "municipalityCode", "INVALID_MUNICIPALITY_CODE"),
    ({"municipalityCode": "15A02"}, "municipalityCode", "INVALID_MUNICIPALITY_CODE"),
    ({"municipalityCode": "99999"}, "municipalityCode", "UNKNOWN_MUNICIPALITY_CODE"),
    ({"urgency": 5}, "urgency", "OUT_OF_RANGE"),
    ({"urgency": 0}, "urgency", "OUT_OF_RANGE"),
    ({"summary": "   "}, "summary", "REQUIRED"),
    ({"summary": "あ" * 2001}, "summary", "TOO_LONG"),
    ({"receivedAt": "2025-13-45T10:00:00+09:00"}, "receivedAt", "INVALID_FORMAT"),
    ({"receivedAt": "昨日"}, "receivedAt", "INVALID_FORMAT"),
    ({"receivedAt": "2025-06-01T10:00:00"}, "receivedAt", "INVALID_FORMAT"),
    ({"receivedAt": (clock.now() + timedelta(days=2)).isoformat()}, "receivedAt", "IN_FUTURE"),
    ({"followUpOn": "2025/06/01"}, "followUpOn", "INVALID_FORMAT"),
    ({"followUpOn": "2025-02-30"}, "followUpOn", "INVALID_FORMAT"),
    ({"idempotencyKey": ""}, "idempotencyKey", "INVALID"),
])
async def test_bad_input_is_a_user_error_and_writes_nothing(gql, world, sessions, override, field, code):
    body = await gql(world.coordinator, LOG, {"input": log_input("15202", **override)})
    out = body["data"]["logConsultation"]
    assert out["consultation"] is None
    [error] = out["userErrors"]
    assert error["field"] == ["input", field] and error["code"] == code
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert await count_hub_consultations(sessions, world.hub_id) == 0


async def test_unknown_enum_value_is_refused_before_anything_runs(gql, world, sessions):
    body = await gql(world.coordinator, LOG, {"input": log_input("15202", channel="CARRIER_PIGEON")}, expect_errors=True)
    assert body.get("data") is None and "CARRIER_PIGEON" in body["errors"][0]["message"]
    assert await count_hub_consultations(sessions, world.hub_id) == 0


async def test_follow_up_record_update_and_close(gql, world):
    c = (await log(gql, world.coordinator, "15202"))["consultation"]
    rec = (await gql(world.coordinator, RECORD, {"input": {
        "consultationId": c["id"], "performedAt": clock.now().isoformat(), "type": "PHYSICIAN_MATCHING",
        "note": "在支診2件に打診、1件が検討", "minutes": 20}}))["data"]["recordAction"]
    assert rec["userErrors"] == []
    assert rec["consultation"]["status"] == "IN_PROGRESS" and rec["consultation"]["version"] == 2
    assert [a["type"] for a in rec["consultation"]["actions"]] == ["PHYSICIAN_MATCHING"]

    upd = (await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": 2, "status": "WAITING_EXTERNAL",
                                                           "scenes": ["ADMISSION_DISCHARGE"], "urgency": 3,
                                                           "followUpOn": "2026-01-10"}}))["data"]["updateConsultation"]
    assert upd["userErrors"] == []
    u = upd["consultation"]
    assert u["version"] == 3 and u["status"] == "WAITING_EXTERNAL" and u["scenesConfirmed"] is True
    assert u["scenes"] == ["ADMISSION_DISCHARGE"] and u["primaryScene"] == "ADMISSION_DISCHARGE"
    assert u["urgency"] == 3 and u["followUpOn"] == "2026-01-10"

    stale = (await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": 2, "urgency": 1}}))["data"]["updateConsultation"]
    assert stale["consultation"] is None and stale["userErrors"][0]["code"] == "STALE_VERSION"

    closed = (await gql(world.coordinator, CLOSE, {"input": {"id": c["id"], "version": 3, "outcome": "RESOLVED",
                                                             "note": "在宅医決定"}}))["data"]["closeConsultation"]
    assert closed["userErrors"] == []
    assert closed["consultation"]["status"] == "CLOSED" and closed["consultation"]["outcome"] == "RESOLVED"
    assert closed["consultation"]["closedAt"] and closed["consultation"]["version"] == 4

    detail = (await gql(world.coordinator, DETAIL, {"id": c["id"]}))["data"]["consultation"]
    assert detail["urgency"] == 3 and detail["status"] == "CLOSED"
    assert detail["actions"][0]["performedBy"]["displayName"].startswith("coordinator")
    assert detail["createdBy"]["id"] == detail["assignedTo"]["id"] == str(world.coordinator_id)


async def test_stale_close_changes_nothing(gql, world):
    c = (await log(gql, world.coordinator, "15202"))["consultation"]
    out = (await gql(world.coordinator, CLOSE, {"input": {"id": c["id"], "version": 7, "outcome": "RESOLVED"}}))["data"]["closeConsultation"]
    assert out["userErrors"][0]["code"] == "STALE_VERSION"
    detail = (await gql(world.coordinator, DETAIL, {"id": c["id"]}))["data"]["consultation"]
    assert detail["status"] == "RECEIVED" and detail["version"] == 1


async def test_status_closed_through_update_is_refused(gql, world):
    c = (await log(gql, world.coordinator, "15202"))["consultation"]
    out = (await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": 1, "status": "CLOSED"}}))["data"]["updateConsultation"]
    assert out["userErrors"][0]["field"] == ["input", "status"]


async def test_reassigned_consultation_leaves_my_open_list(gql, world):
    c = (await log(gql, world.coordinator, "15202"))["consultation"]
    mine = (await gql(world.coordinator, MINE, {"first": 10}))["data"]["consultations"]
    assert [e["node"]["id"] for e in mine["edges"]] == [c["id"]]
    await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": 1, "assignedToId": str(world.coordinator2_id)}})
    assert (await gql(world.coordinator, MINE, {"first": 10}))["data"]["consultations"]["totalCount"] == 0
    theirs = (await gql(world.coordinator2, MINE, {"first": 10}))["data"]["consultations"]
    assert theirs["totalCount"] == 1


async def test_assigning_to_someone_of_another_hub_is_not_found(gql, world, other_world):
    c = (await log(gql, world.coordinator, "15202"))["consultation"]
    out = (await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": 1,
                                                           "assignedToId": str(other_world.coordinator_id)}}))["data"]["updateConsultation"]
    assert out["userErrors"][0]["code"] == "NOT_FOUND"


async def test_text_search_ignores_character_width(gql, world):
    await log(gql, world.coordinator, "15202", summary="ＡＣＰの話し合いを家族と始めたい")
    await log(gql, world.coordinator, "15202", summary="ﾍﾙﾊﾟｰの派遣回数について")
    await log(gql, world.coordinator, "15202", summary="関係のない相談")
    for needle, expected in [("acp", 1), ("ACP", 1), ("ＡＣＰ", 1), ("ヘルパー", 1), ("ﾍﾙﾊﾟｰ", 1), ("100%", 0)]:
        out = (await gql(world.coordinator, SEARCH, {"filter": {"text": needle}}))["data"]["consultations"]
        assert out["totalCount"] == expected, needle


async def test_text_search_reaches_action_notes(gql, world):
    c = (await log(gql, world.coordinator, "15202", summary="訪問歯科の紹介"))["consultation"]
    await gql(world.coordinator, RECORD, {"input": {"consultationId": c["id"], "performedAt": clock.now().isoformat(),
                                                    "type": "RESOURCE_REFERRAL", "note": "〇〇歯科クリニックを紹介"}})
    out = (await gql(world.coordinator, SEARCH, {"filter": {"text": "歯科クリニック"}}))["data"]["consultations"]
    assert out["totalCount"] == 1


@pytest.mark.any_hour
async def test_filters_combine(gql, world):
    today, tomorrow = clock.today(), clock.tomorrow()
    await log(gql, world.coordinator, "15202", summary="停電で吸引器が使えない", scenes=["DISASTER"],
              followUpOn=tomorrow.isoformat())
    await log(gql, world.coordinator, "15208", summary="夜間の連絡先が不明", scenes=["ACUTE_CHANGE"], followUpOn=today.isoformat())

    async def total(**filter_) -> int:
        return (await gql(world.coordinator, SEARCH, {"filter": filter_}))["data"]["consultations"]["totalCount"]

    assert await total(scenes=["DISASTER"]) == 1
    assert await total(municipalityCodes=["152081"]) == 1
    assert await total(followUpDue=True) == 1   # due today in Japan, not tomorrow
    # both calls were taken today, Japan time: a day's range holds them whatever the hour in UTC
    assert await total(receivedFrom="2015-04-01", receivedTo=today.isoformat()) == 2
    assert await total(receivedFrom=today.isoformat(), receivedTo=today.isoformat()) == 2
    assert await total(receivedTo=(today - timedelta(days=1)).isoformat()) == 0
    assert await total(receivedFrom=tomorrow.isoformat()) == 0


async def test_pages_walk_every_consultation_once(gql, world):
    for i in range(7):
        await log(gql, world.coordinator, "15202", summary=f"相談{i}")
    seen, after = [], None
    while True:
        page = (await gql(world.coordinator, MINE, {"first": 3, "after": after}))["data"]["consultations"]
        assert page["totalCount"] == 7
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7


async def test_page_size_above_100_is_a_clear_error(gql, world):
    body = await gql(world.coordinator, MINE, {"first": 101}, expect_errors=True)
    assert "first" in body["errors"][0]["message"] and "100" in body["errors"][0]["message"]


async def test_every_write_and_detail_read_is_audited_without_free_text(gql, world, sessions):
    secret = "山田太郎さん 090-1234-5678 の退院調整"
    c = (await log(gql, world.coordinator, "15202", summary=secret))["consultation"]
    await gql(world.coordinator, DETAIL, {"id": c["id"]})
    await gql(world.coordinator, UPDATE, {"input": {"id": c["id"], "version": 1, "summary": secret + "（追記）"}})
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "consultation",
                                                         AuditEvent.entity_id == c["id"]).order_by(AuditEvent.id))).all()
    assert [r.operation for r in rows] == ["consultation.log", "consultation.read", "consultation.update"]
    assert all(r.actor_id == world.coordinator_id for r in rows)
    assert "summary" in rows[2].fields
    for r in rows:
        assert "山田" not in repr((r.fields, r.entity_id, r.operation))


@pytest.mark.parametrize("raw_id", ["abc", "-1", "0", "99999999999999999999", "2147483648", "1e3"])
async def test_ids_that_cannot_exist_answer_like_missing_ones(gql, world, raw_id):
    assert (await gql(world.coordinator, DETAIL, {"id": raw_id}))["data"]["consultation"] is None
    out = (await gql(world.coordinator, CLOSE, {"input": {"id": raw_id, "version": 1, "outcome": "RESOLVED"}}))["data"]["closeConsultation"]
    assert out["userErrors"][0]["code"] == "NOT_FOUND"
