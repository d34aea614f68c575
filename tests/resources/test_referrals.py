"""Referrals close the loop: outcomes on actions, unmet needs on the issue board and in the prefecture's
report, counts suppressed for analysts."""

from sqlalchemy import select

from backend.db import transaction
from backend.issues import service as issues
from backend.issues.models import IssueMembership, RegionalIssue
from backend.reports import documents
from backend.reports import service as reports
from backend.reports.service import overview
from backend.accounts.actor import SYSTEM
from tests import clock
from tests.helpers import log_input, operation
from tests.resources.directory import new_service, tag

LOG = operation("coordinator.graphql", "LogConsultation")
CONTRACT_RECORD = operation("coordinator.graphql", "RecordAction")
RECORD = operation("resources.graphql", "RecordReferrals")
NEEDS = operation("resources.graphql", "HubUnmetNeeds")
RAISE = operation("resources.graphql", "RaiseUnmetNeed")
PREFECTURE = operation("resources.graphql", "PrefectureUnmetNeeds")


async def _consultation(gql, token, municipality="15202") -> str:
    out = await gql(token, LOG, {"input": log_input(municipality, summary="人工呼吸器の小児の在宅移行で訪問看護を探している")})
    return out["data"]["logConsultation"]["consultation"]["id"]


def _action(cid, referrals, needs=None) -> dict:
    return {"input": {"consultationId": cid, "performedAt": clock.earlier_today(0.5).isoformat(),
                      "type": "RESOURCE_REFERRAL", "referrals": referrals, "neededCapabilities": needs}}


async def test_an_action_names_the_services_contacted_with_their_answers(gql, world):
    a = await new_service(gql, world.coordinator, f"あ訪看{tag()}")
    b = await new_service(gql, world.coordinator, f"い訪看{tag()}")
    cid = await _consultation(gql, world.coordinator)
    out = await gql(world.coordinator, RECORD, _action(cid, [
        {"serviceId": a, "outcome": "DECLINED", "declineReason": "NO_VACANCY"},
        {"serviceId": b, "outcome": "ACCEPTED"}], ["ventilator"]))
    payload = out["data"]["recordAction"]
    assert payload["userErrors"] == []
    [action] = payload["consultation"]["actions"]
    assert [(r["outcome"], r["declineReason"], r["needs"], r["service"]["id"]) for r in action["referrals"]] == [
        ("DECLINED", "NO_VACANCY", ["ventilator"], a), ("ACCEPTED", None, ["ventilator"], b)]


async def test_a_bad_referral_is_a_user_error_and_records_nothing(gql, world):
    a = await new_service(gql, world.coordinator, f"う訪看{tag()}")
    cid = await _consultation(gql, world.coordinator)
    cases = [([{"serviceId": a, "outcome": "DECLINED"}], None, ["input", "referrals", "0", "declineReason"], "REQUIRED"),
             ([{"serviceId": a, "outcome": "ACCEPTED", "declineReason": "OTHER"}], None,
              ["input", "referrals", "0", "declineReason"], "INCONSISTENT"),
             ([{"serviceId": "99999999", "outcome": "ACCEPTED"}], None, ["input", "referrals", "0", "serviceId"], "NOT_FOUND"),
             ([{"serviceId": a, "outcome": "ACCEPTED"}], ["teleport"], ["input", "neededCapabilities", "0"],
              "UNKNOWN_CAPABILITY")]
    for referrals, needs, field, code in cases:
        out = await gql(world.coordinator, RECORD, _action(cid, referrals, needs))
        [error] = out["data"]["recordAction"]["userErrors"]
        assert (error["field"], error["code"]) == (field, code)
    detail = await gql(world.coordinator, operation("coordinator.graphql", "ConsultationDetail"), {"id": cid})
    assert detail["data"]["consultation"]["actions"] == [] and detail["data"]["consultation"]["version"] == 1


async def test_the_contracts_record_action_works_unchanged(gql, world):
    cid = await _consultation(gql, world.coordinator)
    out = await gql(world.coordinator, CONTRACT_RECORD, {"input": {
        "consultationId": cid, "performedAt": clock.earlier_today(0.5).isoformat(), "type": "LIAISON_COORDINATION"}})
    assert out["data"]["recordAction"]["userErrors"] == []


async def _decline_everywhere(gql, token, services, needs, reason="NO_CHILDREN") -> str:
    cid = await _consultation(gql, token)
    out = await gql(token, RECORD, _action(cid, [{"serviceId": s, "outcome": "DECLINED", "declineReason": reason}
                                                 for s in services], needs))
    assert out["data"]["recordAction"]["userErrors"] == []
    return cid


async def test_declines_become_an_unmet_need_the_manager_raises_as_a_regional_issue(gql, world, sessions):
    nurses = [await new_service(gql, world.coordinator, f"訪看{i}{tag()}") for i in range(2)]
    unmet = [await _decline_everywhere(gql, world.coordinator, nurses, ["ventilator"]) for _ in range(2)]
    met = await _decline_everywhere(gql, world.coordinator, nurses[:1], ["ventilator"])
    accepted = await gql(world.coordinator, RECORD, _action(met, [{"serviceId": nurses[1], "outcome": "ACCEPTED"}]))
    assert accepted["data"]["recordAction"]["userErrors"] == []
    fy = clock.fiscal_year()
    board = (await gql(world.coordinator, NEEDS, {"hubId": str(world.hub_id), "fiscalYear": fy}))["data"]["hub"]
    [need] = board["unmetNeeds"]
    assert need["title"] == "人工呼吸器・小児・医療的ケア児を受ける訪問看護がない"
    assert need["count"] == 2 and need["suppressed"] is False and need["needs"] == ["ventilator", "pediatric"]
    assert need["summary"].endswith("、今年度2件）") and need["areaName"] in need["summary"]
    assert need["declines"] == [{"reason": "NO_CHILDREN", "label": "小児不可", "count": 4}]
    # another hub's desk and the analyst do not read this board
    assert (await gql(world.analyst, NEEDS, {"hubId": str(world.hub_id), "fiscalYear": fy}))["data"]["hub"]["unmetNeeds"] is None
    denied = await gql(world.coordinator, RAISE, {"hubId": str(world.hub_id), "fiscalYear": fy, "key": need["key"]})
    assert denied["data"]["raiseUnmetNeed"]["userErrors"][0]["code"] == "NOT_FOUND"
    raised = await gql(world.manager, RAISE, {"hubId": str(world.hub_id), "fiscalYear": fy, "key": need["key"]})
    issue_id = int(raised["data"]["raiseUnmetNeed"]["regionalIssueId"])
    again = await gql(world.manager, RAISE, {"hubId": str(world.hub_id), "fiscalYear": fy, "key": need["key"]})
    assert int(again["data"]["raiseUnmetNeed"]["regionalIssueId"]) == issue_id
    async with transaction(sessions) as s:
        await issues.regroup(s, hub_id=world.hub_id, fiscal_year=fy)     # grouping keeps a confirmed issue whole
    async with sessions() as s:
        issue = await s.get(RegionalIssue, issue_id)
        members = sorted(await s.scalars(select(IssueMembership.consultation_id).where(IssueMembership.issue_id == issue_id)))
    # kept whole: confirmed, its title, its members (grouping may add a note that reads like them)
    assert issue.status == "confirmed" and issue.title == need["title"]
    assert {int(c) for c in unmet} <= set(members) and issue.consultation_count == len(members)


async def test_the_prefecture_sees_unmet_needs_suppressed_below_the_threshold(gql, sessions, settings):
    from tests.conftest import make_world
    world = await make_world(sessions, prefecture_code="26", municipality_codes=("26201",))
    few = await new_service(gql, world.coordinator, f"少数{tag()}", kind="CLINIC", municipality="26201")
    many = await new_service(gql, world.coordinator, f"多数{tag()}", kind="HOME_HELP", municipality="26201")
    for _ in range(2):
        await _decline_everywhere(gql, world.coordinator, [few], ["home_visit"], reason="OUT_OF_AREA")
    for _ in range(settings.suppression_threshold):
        await _decline_everywhere(gql, world.coordinator, [many], [], reason="NO_NIGHTS")
    fy = clock.fiscal_year()
    rows = (await gql(world.analyst, PREFECTURE, {"code": "26", "fiscalYear": fy}))["data"]["prefectureUnmetNeeds"]
    by_title = {r["title"]: r for r in rows}
    shown = by_title["夜間・休日対応を受ける訪問介護がない"]
    hidden = by_title["訪問診療を受ける診療所がない"]
    assert (shown["count"], shown["suppressed"]) == (settings.suppression_threshold, False)
    assert (hidden["count"], hidden["suppressed"]) == (None, True) and "件数非表示" in hidden["summary"]
    assert (await gql(world.coordinator, PREFECTURE, {"code": "26", "fiscalYear": fy}))["data"]["prefectureUnmetNeeds"] is None
    far = await gql(world.analyst, PREFECTURE, {"code": "15", "fiscalYear": fy})
    assert far["data"]["prefectureUnmetNeeds"] is None
    # the yearly report carries the same table, the small count hidden
    async with sessions() as s:
        o = await overview(s, actor=SYSTEM, prefecture_code="26", fiscal_year=fy, threshold=settings.suppression_threshold)
        needs = await reports.referrals.prefecture_signals(s, actor=SYSTEM, prefecture_code="26", fiscal_year=fy,
                                                           threshold=settings.suppression_threshold)
    csv_text = documents.render_csv(o, "京都府", [], needs).decode("utf-8-sig")
    assert "資源不足のシグナル" in csv_text and "訪問診療を受ける診療所がない,＊" in csv_text
    assert f"夜間・休日対応を受ける訪問介護がない,{settings.suppression_threshold}" in csv_text
