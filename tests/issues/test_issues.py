"""Regional issues: grouping through the workers, the hub's board, and the manager's curation."""

import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditEvent
from backend.issues.models import IssueMembership
from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
CLOSE = operation("coordinator.graphql", "CloseConsultation")
DETAIL = operation("coordinator.graphql", "ConsultationDetail")
BOARD = operation("hub.graphql", "HubIssueBoard")
REQUEST = operation("hub.graphql", "RequestIssueGrouping")
JOB = operation("hub.graphql", "Job")
UPDATE = operation("hub.graphql", "UpdateRegionalIssue")
MERGE = operation("hub.graphql", "MergeRegionalIssues")
MOVE = operation("hub.graphql", "MoveConsultation")

# written for these tests: two recurring problems, worded differently each time, and one stray call
NO_DOCTOR = ["来週退院の方、訪問診療してくれる医師がまだ見つからないと病院MSW",
             "退院が決まったが在宅医が決まらず、退院日が延びそうとケアマネ",
             "自宅退院予定、往診できる先生を探しているが近くの診療所に断られた"]
NIGHT = ["夜間に熱が出たとき誰に連絡するか決まっていないと家族から",
         "休日に主治医と連絡がつかず、訪看も連絡先を知らなかった"]
STRAY = ["資料の送付先を教えてほしい"]


async def log_all(gql, token, summaries, **extra):
    ids = []
    for s in summaries:
        out = await gql(token, LOG, {"input": log_input("15202", summary=s, **extra)})
        ids.append(out["data"]["logConsultation"]["consultation"]["id"])
    return ids


async def group_now(gql, app, world):
    out = (await gql(world.manager, REQUEST, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year()}))["data"]["requestIssueGrouping"]
    assert out["userErrors"] == [], out
    await app.state.dispatcher.run_pending()
    job = (await gql(world.manager, JOB, {"id": out["job"]["id"]}))["data"]["job"]
    assert job["status"] == "succeeded" and job["finishedAt"], job
    return job


async def board(gql, token, world, **kw):
    body = await gql(token, BOARD, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year(), **kw})
    return body["data"]["hub"]


def by_title(hub):
    return {e["node"]["title"]: e["node"] for e in hub["regionalIssues"]["edges"]}


@pytest.mark.any_hour
async def test_grouping_forms_issues_a_manager_would_recognise(gql, app, world):
    doctor_ids = await log_all(gql, world.coordinator, NO_DOCTOR)
    night_ids = await log_all(gql, world.coordinator, NIGHT)
    await log_all(gql, world.coordinator, STRAY)
    await group_now(gql, app, world)
    hub = await board(gql, world.manager, world)
    issues = by_title(hub)
    assert hub["regionalIssues"]["totalCount"] == 2
    doctor = issues["退院前に訪問診療医が決まらない"]
    assert doctor["scene"] == "ADMISSION_DISCHARGE" and doctor["status"] == "CANDIDATE"
    assert doctor["consultationCount"] == 3 and doctor["keyTerms"] and "退院" in doctor["keyTerms"]
    assert {e["node"]["id"] for e in doctor["consultations"]["edges"]} == set(doctor_ids)
    assert sum(p["count"] for p in doctor["trend"]) == 3 and len(doctor["trend"]) == 12
    # this month, Japan time: the calls were taken earlier today
    assert {p["month"]: p["count"] for p in doctor["trend"] if p["count"]} == {clock.today().strftime("%Y-%m"): 3}
    assert doctor["firstSeenAt"] <= doctor["lastSeenAt"]
    night = issues["夜間・休日の連絡先や相談先が決まっていない"]
    assert {e["node"]["id"] for e in night["consultations"]["edges"]} == set(night_ids)
    # the consultation shows the issue it belongs to
    detail = (await gql(world.coordinator, DETAIL, {"id": doctor_ids[0]}))["data"]["consultation"]
    assert [i["title"] for i in detail["regionalIssues"]] == ["退院前に訪問診療医が決まらない"]


@pytest.mark.any_hour
async def test_unresolved_consultations_are_counted(gql, app, world):
    ids = await log_all(gql, world.coordinator, NO_DOCTOR[:2])
    await gql(world.coordinator, CLOSE, {"input": {"id": ids[0], "version": 1, "outcome": "UNRESOLVED_NO_RESOURCE"}})
    await group_now(gql, app, world)
    [issue] = by_title(await board(gql, world.manager, world)).values()
    assert issue["unresolvedCount"] == 1


async def test_regrouping_is_deterministic(gql, app, world):
    await log_all(gql, world.coordinator, NO_DOCTOR + NIGHT)
    await group_now(gql, app, world)
    first = await board(gql, world.manager, world)
    await group_now(gql, app, world)
    assert await board(gql, world.manager, world) == first


@pytest.mark.any_hour
async def test_reviewed_issue_keeps_title_and_status_and_new_calls_join_it(gql, app, world, sessions):
    await log_all(gql, world.coordinator, NO_DOCTOR[:2])
    await group_now(gql, app, world)
    [issue] = by_title(await board(gql, world.manager, world)).values()
    out = (await gql(world.manager, UPDATE, {"input": {"id": issue["id"], "title": "在宅医の確保（退院支援）",
                                                       "status": "CONFIRMED", "note": "次回協議で取り上げる"}}))
    assert out["data"]["updateRegionalIssue"]["userErrors"] == []
    [new_id] = await log_all(gql, world.coordinator, NO_DOCTOR[2:])
    await group_now(gql, app, world)
    [kept] = by_title(await board(gql, world.manager, world)).values()
    assert kept["id"] == issue["id"] and kept["title"] == "在宅医の確保（退院支援）" and kept["status"] == "CONFIRMED"
    assert kept["consultationCount"] == 3 and new_id in {e["node"]["id"] for e in kept["consultations"]["edges"]}
    async with sessions() as s:
        dup = await s.scalar(select(func.count()).select_from(IssueMembership).where(
            IssueMembership.consultation_id == int(new_id)))
    assert dup == 1


async def test_merge_and_move(gql, app, world):
    await log_all(gql, world.coordinator, NO_DOCTOR + NIGHT)
    extra = await log_all(gql, world.coordinator, ["退院日が急に決まり連絡が前日で準備が間に合わない",
                                                   "明日退院と当日に電話があり、ベッドの手配が間に合わない"])
    await group_now(gql, app, world)
    issues = by_title(await board(gql, world.manager, world))
    doctor = issues["退院前に訪問診療医が決まらない"]
    notice = issues["退院の連絡が直前で在宅側の準備が間に合わない"]
    night = issues["夜間・休日の連絡先や相談先が決まっていない"]

    moved = (await gql(world.manager, MOVE, {"input": {"consultationId": extra[0], "fromIssueId": notice["id"],
                                                       "toIssueId": doctor["id"]}}))["data"]["moveConsultationBetweenIssues"]
    assert moved["userErrors"] == []
    assert moved["from"]["consultationCount"] == 1 and moved["to"]["consultationCount"] == 4

    wrong_scene = (await gql(world.manager, MOVE, {"input": {"consultationId": extra[1], "fromIssueId": notice["id"],
                                                             "toIssueId": night["id"]}}))["data"]["moveConsultationBetweenIssues"]
    assert wrong_scene["userErrors"][0]["code"] == "SCENE_MISMATCH"

    merged = (await gql(world.manager, MERGE, {"input": {"intoId": doctor["id"], "fromIds": [notice["id"]]}}))["data"]["mergeRegionalIssues"]
    assert merged["userErrors"] == [] and merged["regionalIssue"]["consultationCount"] == 5
    cross = (await gql(world.manager, MERGE, {"input": {"intoId": doctor["id"], "fromIds": [night["id"]]}}))["data"]["mergeRegionalIssues"]
    assert cross["userErrors"][0]["code"] == "SCENE_MISMATCH"

    # the manager's decisions survive a regrouping
    await group_now(gql, app, world)
    after = by_title(await board(gql, world.manager, world))
    assert after["退院前に訪問診療医が決まらない"]["consultationCount"] == 5
    assert "退院の連絡が直前で在宅側の準備が間に合わない" not in after


async def test_taking_a_consultation_out_keeps_it_out(gql, app, world):
    ids = await log_all(gql, world.coordinator, NO_DOCTOR)
    await group_now(gql, app, world)
    [issue] = by_title(await board(gql, world.manager, world)).values()
    out = (await gql(world.manager, MOVE, {"input": {"consultationId": ids[0], "fromIssueId": issue["id"],
                                                     "toIssueId": None}}))["data"]["moveConsultationBetweenIssues"]
    assert out["userErrors"] == [] and out["to"] is None and out["from"]["consultationCount"] == 2
    await group_now(gql, app, world)
    [again] = by_title(await board(gql, world.manager, world)).values()
    assert again["consultationCount"] == 2


async def test_only_the_hubs_manager_curates(gql, app, world, other_world):
    await log_all(gql, world.coordinator, NO_DOCTOR[:2])
    await group_now(gql, app, world)
    [issue] = by_title(await board(gql, world.manager, world)).values()
    coordinator = (await gql(world.coordinator, UPDATE, {"input": {"id": issue["id"], "status": "DISMISSED"}}))["data"]["updateRegionalIssue"]
    assert coordinator["userErrors"][0]["code"] == "FORBIDDEN"
    stranger = (await gql(other_world.manager, UPDATE, {"input": {"id": issue["id"], "status": "DISMISSED"}}))["data"]["updateRegionalIssue"]
    assert stranger["userErrors"][0]["code"] == "NOT_FOUND"
    for token in (other_world.manager, world.coordinator):
        req = (await gql(token, REQUEST, {"hubId": str(world.hub_id), "fiscalYear": clock.fiscal_year()}))["data"]["requestIssueGrouping"]
        assert req["job"] is None and req["userErrors"][0]["code"] == "NOT_FOUND"
    # coordinators read their hub's board; other hubs see nothing
    assert (await board(gql, world.coordinator, world))["regionalIssues"]["totalCount"] == 1
    assert (await board(gql, other_world.manager, world)) is None
    [unchanged] = by_title(await board(gql, world.manager, world)).values()
    assert unchanged["status"] == "CANDIDATE"


async def test_analyst_sees_titles_but_no_consultations(gql, app, world, far_world):
    await log_all(gql, world.coordinator, NO_DOCTOR[:2])
    await group_now(gql, app, world)
    hub = await board(gql, world.analyst, world)
    [issue] = by_title(hub).values()
    assert issue["title"] and issue["consultations"]["edges"] == []
    assert await board(gql, far_world.analyst, world) is None


async def test_grouping_a_year_outside_the_data_is_refused(gql, world):
    await log_all(gql, world.coordinator, NO_DOCTOR[:1])
    for year in (2014, clock.fiscal_year() + 1):
        out = (await gql(world.manager, REQUEST, {"hubId": str(world.hub_id), "fiscalYear": year}))["data"]["requestIssueGrouping"]
        assert out["job"] is None and out["userErrors"][0] == {"field": ["fiscalYear"], "code": "OUT_OF_RANGE",
                                                                 "message": out["userErrors"][0]["message"]}


async def test_bad_curation_input_changes_nothing(gql, app, world, sessions):
    await log_all(gql, world.coordinator, NO_DOCTOR[:2])
    await group_now(gql, app, world)
    [issue] = by_title(await board(gql, world.manager, world)).values()
    cases = [
        (UPDATE, {"input": {"id": issue["id"], "title": "   "}}, "updateRegionalIssue"),
        (UPDATE, {"input": {"id": "999999", "title": "x"}}, "updateRegionalIssue"),
        (MERGE, {"input": {"intoId": issue["id"], "fromIds": [issue["id"]]}}, "mergeRegionalIssues"),
        (MERGE, {"input": {"intoId": issue["id"], "fromIds": []}}, "mergeRegionalIssues"),
        (MOVE, {"input": {"consultationId": "999999", "fromIssueId": issue["id"], "toIssueId": None}}, "moveConsultationBetweenIssues"),
    ]
    for query, variables, field in cases:
        out = (await gql(world.manager, query, variables))["data"][field]
        assert out["userErrors"], (variables, out)
    assert by_title(await board(gql, world.manager, world)) == {issue["title"]: issue}


async def test_curation_is_audited_by_field_name(gql, app, world, sessions):
    await log_all(gql, world.coordinator, NO_DOCTOR[:2])
    await group_now(gql, app, world)
    [issue] = by_title(await board(gql, world.manager, world)).values()
    await gql(world.manager, UPDATE, {"input": {"id": issue["id"], "note": "個人名を含むメモ 山田さん"}})
    async with sessions() as s:
        rows = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "regional_issue",
                                                         AuditEvent.entity_id == issue["id"]))).all()
    assert [r.operation for r in rows] == ["issue.update"] and rows[0].fields == ["note"]
    assert rows[0].actor_id == world.manager_id


async def test_board_pages_and_filters_by_scene(gql, app, world):
    await log_all(gql, world.coordinator, NO_DOCTOR + NIGHT)
    await group_now(gql, app, world)
    first = (await board(gql, world.manager, world, first=1))["regionalIssues"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    second = (await board(gql, world.manager, world, first=1, after=first["pageInfo"]["endCursor"]))["regionalIssues"]
    assert not second["pageInfo"]["hasNextPage"]
    assert first["edges"][0]["node"]["id"] != second["edges"][0]["node"]["id"]
    acute = (await board(gql, world.manager, world, scene="ACUTE_CHANGE"))["regionalIssues"]
    assert [e["node"]["scene"] for e in acute["edges"]] == ["ACUTE_CHANGE"]


NOTICE = ["退院日が急に決まり連絡が前日で準備が間に合わない", "明日退院と当日に電話があり、ベッドの手配が間に合わない"]


async def test_a_managers_move_teaches_grouping(gql, app, world):
    await log_all(gql, world.coordinator, NO_DOCTOR)
    moved_id, _ = await log_all(gql, world.coordinator, NOTICE)
    await group_now(gql, app, world)
    issues = by_title(await board(gql, world.manager, world))
    doctor, notice = issues["退院前に訪問診療医が決まらない"], issues["退院の連絡が直前で在宅側の準備が間に合わない"]
    # the manager decides that a discharge announced the day before is, here, the same doctor problem
    out = (await gql(world.manager, MOVE, {"input": {"consultationId": moved_id, "fromIssueId": notice["id"],
                                                     "toIssueId": doctor["id"]}}))["data"]["moveConsultationBetweenIssues"]
    assert out["userErrors"] == []
    [alike] = await log_all(gql, world.coordinator, ["退院日が急に決まって、連絡が前日で準備が間に合わなかった"])
    await group_now(gql, app, world)
    after = by_title(await board(gql, world.manager, world))
    doctor_members = {e["node"]["id"] for e in after["退院前に訪問診療医が決まらない"]["consultations"]["edges"]}
    assert {moved_id, alike} <= doctor_members


async def test_a_managers_merge_teaches_grouping(gql, app, world):
    await log_all(gql, world.coordinator, NO_DOCTOR + NOTICE)
    await group_now(gql, app, world)
    issues = by_title(await board(gql, world.manager, world))
    doctor, notice = issues["退院前に訪問診療医が決まらない"], issues["退院の連絡が直前で在宅側の準備が間に合わない"]
    merged = (await gql(world.manager, MERGE, {"input": {"intoId": doctor["id"], "fromIds": [notice["id"]]}}))["data"]["mergeRegionalIssues"]
    assert merged["userErrors"] == []
    [later] = await log_all(gql, world.coordinator, ["退院の連絡が前日の夕方に来て、訪問看護の手配が間に合わない"])
    await group_now(gql, app, world)
    after = by_title(await board(gql, world.manager, world))
    assert "退院の連絡が直前で在宅側の準備が間に合わない" not in after  # not formed again beside the merged issue
    kept = after["退院前に訪問診療医が決まらない"]
    assert kept["id"] == doctor["id"] and kept["consultationCount"] == 6
    assert later in {e["node"]["id"] for e in kept["consultations"]["edges"]}
