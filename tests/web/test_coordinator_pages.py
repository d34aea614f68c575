"""The coordinator's screens over HTTP: 受付 (suggestions, idempotent submit, field errors), 検索, and the
forms of 相談詳細 (対応の記録, 編集 with the version guard, 終結); another hub's coordinator gets 404 and a
page never shows what GraphQL refuses."""

import re
from datetime import timedelta

import pytest

from backend.fiscal import JST, today_jst
from tests import clock
from tests.helpers import log_input, operation
from tests.web.conftest import csrf_of, log_in

SUMMARY = "退院前カンファの日程が決まらず、訪問診療医も未定。家族は在宅での看取りを希望"


@pytest.fixture
async def desk(client, sessions, world):
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    return client


async def _intake_form(client) -> tuple[str, dict]:
    page = await client.get("/intake")
    assert page.status_code == 200
    key = re.search(r'name="idempotencyKey" value="([^"]+)"', page.text).group(1)
    received = re.search(r'id="f-receivedAt" name="receivedAt" type="datetime-local" value="([^"]+)"', page.text).group(1)
    return page.text, {"csrf_token": csrf_of(page.text), "idempotencyKey": key, "receivedAt": received,
                       "channel": "PHONE", "callerRole": "CARE_MANAGER", "callerOrganizationType": "",
                       "municipalityCode": "", "summary": SUMMARY, "urgency": "3", "followUpOn": ""}


async def test_intake_offers_the_hubs_municipalities_and_now_in_japan_time(desk, world):
    html, form = await _intake_form(desk)
    assert "長岡市（15202）" in html and "糸魚川市（15216）" not in html      # the area only (15202, 15208)
    now = clock.now().astimezone(JST)
    assert form["receivedAt"][:10] == now.strftime("%Y-%m-%d")
    assert 'hx-post="/intake/suggestions"' in html and 'name="scenes"' not in html.split('id="scene-panel"')[0]


async def test_suggestions_show_scenes_with_matched_terms_and_keep_ticks(desk):
    _, form = await _intake_form(desk)
    r = await desk.post("/intake/suggestions", data={"summary": SUMMARY, "scenes": ["DISASTER"]},
                        headers={"HX-Request": "true", "X-CSRF-Token": form["csrf_token"]})
    assert r.status_code == 200 and "<html" not in r.text
    assert "入退院支援" in r.text and "一致した語：" in r.text and "退院" in r.text and "確からしさ" in r.text
    assert re.search(r'id="scene-DISASTER" name="scenes" value="DISASTER" checked', r.text)   # a tick survives
    empty = await desk.post("/intake/suggestions", data={"summary": "  "}, headers={"X-CSRF-Token": form["csrf_token"]})
    assert "推定された場面がここに表示されます" in empty.text


async def test_a_double_submit_logs_one_consultation_and_opens_its_detail(desk, world, gql):
    html, form = await _intake_form(desk)
    form.update(municipalityCode="長岡市（15202）", scenes=["END_OF_LIFE", "ADMISSION_DISCHARGE"],
                categories=["DISCHARGE_COORDINATION"], livingSituation="ALONE" if 'value="ALONE"' in html else "")
    first = await desk.post("/intake", data=form)
    assert first.status_code == 303, first.text
    second = await desk.post("/intake", data=form)          # the same key: a retry after a dropped answer
    assert second.status_code == 303 and second.headers["location"] == first.headers["location"]
    assert first.headers["location"].endswith("?done=logged")
    detail = await desk.get(first.headers["location"])
    assert "相談を受け付けました。" in detail.text and SUMMARY in detail.text and "入退院支援、看取り" in detail.text
    api = await gql(world.coordinator, operation("coordinator.graphql", "SearchConsultations"),
                    {"filter": {"text": "退院前カンファの日程が決まらず"}, "first": 10})
    assert api["data"]["consultations"]["totalCount"] == 1
    node = api["data"]["consultations"]["edges"][0]["node"]
    assert node["primaryScene"] == "END_OF_LIFE"    # the first scene ticked leads


async def test_an_htmx_submit_is_redirected_with_hx_redirect(desk):
    _, form = await _intake_form(desk)
    form["municipalityCode"] = "15202"
    r = await desk.post("/intake", data=form, headers={"HX-Request": "true"})
    assert r.status_code == 200 and re.fullmatch(r"/consultations/\d+\?done=logged", r.headers["HX-Redirect"])


async def test_mistakes_are_shown_beside_their_fields_and_values_are_kept(desk):
    _, form = await _intake_form(desk)
    form.update(municipalityCode="長岡市（15202）", summary="   ", followUpOn="2020-13-45")
    r = await desk.post("/intake", data=form)
    assert r.status_code == 400
    assert 'id="f-summary-error"' in r.text and 'class="error-summary"' in r.text
    assert 'value="長岡市（15202）"' in r.text and f'value="{form["idempotencyKey"]}"' in r.text
    form.update(summary=SUMMARY, municipalityCode="新潟市")                   # not of the hub's area
    r = await desk.post("/intake", data=form)
    assert r.status_code == 400 and 'id="f-municipalityCode-error"' in r.text and "拠点の圏域" in r.text
    assert SUMMARY in r.text
    form.update(municipalityCode="1520", callerRole="")
    r = await desk.post("/intake", data=form)
    assert r.status_code == 400 and 'id="f-callerRole-error"' in r.text and "相談者を選択してください。" in r.text
    form.update(callerRole="CARE_MANAGER")
    r = await desk.post("/intake", data=form)
    assert r.status_code == 400 and 'id="f-municipalityCode-error"' in r.text    # the service's message


async def _logged(gql, world, summary=SUMMARY) -> str:
    body = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                     {"input": log_input(world.municipality_code, summary=summary)})
    return body["data"]["logConsultation"]["consultation"]["id"]


async def test_record_an_action_edit_and_close(desk, world, gql):
    cid = await _logged(gql, world)
    page = await desk.get(f"/consultations/{cid}")
    csrf = csrf_of(page.text)
    r = await desk.post(f"/consultations/{cid}/actions", data={"csrf_token": csrf, "type": "", "note": "x",
                                                             "minutes": "abc", "performedAt": "2025-06-01T09:30"})
    assert r.status_code == 400 and 'id="f-type-error"' in r.text
    r = await desk.post(f"/consultations/{cid}/actions", data={
        "csrf_token": csrf, "type": "PHYSICIAN_MATCHING", "note": "在支診に打診、明日回答", "minutes": "１５",
        "performedAt": "2025-06-01T09:30"})
    assert r.status_code == 303 and r.headers["location"] == f"/consultations/{cid}?done=action#timeline"
    page = await desk.get(f"/consultations/{cid}")
    assert "在支診に打診、明日回答" in page.text and "2025年6月1日 09:30" in page.text and "15分" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    soon = (today_jst() + timedelta(days=7)).isoformat()
    r = await desk.post(f"/consultations/{cid}/edit", data={
        "csrf_token": csrf, "version": version, "status": "WAITING_EXTERNAL", "scenes": ["ADMISSION_DISCHARGE"],
        "categories": ["FIND_HOME_PHYSICIAN"], "urgency": "3", "followUpOn": soon, "summary": SUMMARY})
    assert r.status_code == 303 and r.headers["location"] == f"/consultations/{cid}?done=edited"
    api = await gql(world.coordinator, operation("coordinator.graphql", "ConsultationDetail"), {"id": cid})
    c = api["data"]["consultation"]
    assert (c["status"], c["scenes"], c["scenesConfirmed"], c["urgency"], c["followUpOn"]) == \
        ("WAITING_EXTERNAL", ["ADMISSION_DISCHARGE"], True, 3, soon)
    r = await desk.post(f"/consultations/{cid}/close", data={"csrf_token": csrf, "version": str(c["version"]),
                                                           "outcome": "", "closeNote": ""})
    assert r.status_code == 400 and 'id="f-outcome-error"' in r.text
    r = await desk.post(f"/consultations/{cid}/close", data={"csrf_token": csrf, "version": str(c["version"]),
                                                           "outcome": "RESOLVED", "closeNote": "訪問診療開始"})
    assert r.status_code == 303
    page = await desk.get(r.headers["location"])
    assert "相談を終結しました。" in page.text and "解決" in page.text and "対応を記録する" not in page.text


async def test_a_stale_edit_says_who_changed_it_and_keeps_what_was_typed(client, sessions, world, gql):
    cid = await _logged(gql, world)
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    page = await client.get(f"/consultations/{cid}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    await gql(world.coordinator2, operation("coordinator.graphql", "UpdateConsultation"),
              {"input": {"id": cid, "version": int(version), "urgency": 4}})
    r = await client.post(f"/consultations/{cid}/edit", data={
        "csrf_token": csrf_of(page.text), "version": version, "status": "IN_PROGRESS", "scenes": ["DAILY_CARE"],
        "categories": [], "urgency": "2", "followUpOn": "", "summary": SUMMARY + "（追記）"})
    assert r.status_code == 409
    assert "保存できませんでした" in r.text and "coordinator2" in r.text and "編集しました" in r.text
    assert "緊急度" in r.text.split('id="stale"')[1].split("</div>")[0]
    assert "最新の内容を読み込む" in r.text and SUMMARY + "（追記）" in r.text
    api = await gql(world.coordinator, operation("coordinator.graphql", "ConsultationDetail"), {"id": cid})
    assert api["data"]["consultation"]["urgency"] == 4 and api["data"]["consultation"]["summary"] == SUMMARY
    r = await client.post(f"/consultations/{cid}/close", data={"csrf_token": csrf_of(page.text), "version": version,
                                                             "outcome": "RESOLVED", "closeNote": ""})
    assert r.status_code == 409 and "coordinator2" in r.text


async def test_another_hubs_coordinator_gets_not_found_everywhere(client, sessions, world, other_world, gql):
    cid = await _logged(gql, world, summary="第一拠点だけの相談、夜間の連絡先が不明")
    assert (await gql(other_world.coordinator, operation("coordinator.graphql", "ConsultationDetail"),
                      {"id": cid}))["data"]["consultation"] is None
    await log_in(client, sessions, user_id=other_world.coordinator_id, email=other_world.emails["coordinator"])
    page = await client.get("/intake")
    csrf = csrf_of(page.text)
    assert (await client.get(f"/consultations/{cid}")).status_code == 404
    for path, data in ((f"/consultations/{cid}/actions", {"type": "LISTENING_ONLY", "performedAt": "2025-06-01T09:30"}),
                       (f"/consultations/{cid}/edit", {"version": "1", "status": "FOLLOW_UP", "summary": "x"}),
                       (f"/consultations/{cid}/close", {"version": "1", "outcome": "RESOLVED"})):
        r = await client.post(path, data={"csrf_token": csrf, **data})
        assert r.status_code == 404 and "第一拠点だけの相談" not in r.text, path
    found = await client.post("/search", data={"csrf_token": csrf, "text": "第一拠点だけの相談"})
    assert found.status_code == 200 and "検索結果（0件" in found.text and "第一拠点だけの相談、" not in found.text
    api = await gql(world.coordinator, operation("coordinator.graphql", "ConsultationDetail"), {"id": cid})
    assert api["data"]["consultation"]["version"] == 1 and api["data"]["consultation"]["actions"] == []


async def test_roles_without_consultations_do_not_get_the_desk_pages(client, sessions, world):
    await log_in(client, sessions, user_id=world.ids["analyst"], email=world.emails["analyst"])
    assert (await client.get("/intake")).status_code == 404
    assert (await client.get("/search")).status_code == 404
    page = await client.get("/account")
    r = await client.post("/intake/suggestions", data={"summary": SUMMARY}, headers={"X-CSRF-Token": csrf_of(page.text)})
    assert r.status_code == 404


async def test_search_filters_and_pages_like_the_api(desk, world, gql):
    for i in range(27):
        await _logged(gql, world, summary=f"検索用の相談 その{i} 訪問歯科の紹介")
    await _logged(gql, world, summary="ＡＣＰの話し合いに同席してほしい")
    page = await desk.get("/search")
    assert page.status_code == 200 and "検索結果（28件" in page.text
    csrf = csrf_of(page.text)
    r = await desk.post("/search", data={"csrf_token": csrf, "text": "検索用の相談", "page": "", "municipalityCodes": ""})
    assert "検索結果（27件のうち1〜25件目）" in r.text and r.text.count('href="/consultations/') == 25
    form = {k: re.search(rf'name="{k}" value="([^"]*)"', r.text).group(1) for k in ("after", "trail", "end")}
    r2 = await desk.post("/search", data={"csrf_token": csrf, "text": "検索用の相談", "page": "next", **form})
    assert "検索結果（27件のうち26〜27件目）" in r2.text and "前の25件" in r2.text
    form = {k: re.search(rf'name="{k}" value="([^"]*)"', r2.text).group(1) for k in ("after", "trail")}
    r3 = await desk.post("/search", data={"csrf_token": csrf, "text": "検索用の相談", "page": "prev", **form})
    assert "1〜25件目" in r3.text
    acp = await desk.post("/search", data={"csrf_token": csrf, "text": "acp"})
    assert "検索結果（1件" in acp.text
    api = await gql(world.coordinator, operation("coordinator.graphql", "SearchConsultations"),
                    {"filter": {"status": ["RECEIVED"], "receivedFrom": "2015-04-01"}, "first": 5})
    r = await desk.post("/search", data={"csrf_token": csrf, "status": ["RECEIVED"], "receivedFrom": "2015-04-01"})
    assert f"検索結果（{api['data']['consultations']['totalCount']}件" in r.text
    bad = await desk.post("/search", data={"csrf_token": csrf, "receivedFrom": "2025-02-30"})
    assert bad.status_code == 400 and 'id="f-receivedFrom-error"' in bad.text


async def test_my_consultations_puts_follow_ups_due_today_first(desk, world, gql):
    later = await _logged(gql, world, summary="後で確認する相談")
    due = await _logged(gql, world, summary="今日フォローする相談")
    await gql(world.coordinator, operation("coordinator.graphql", "UpdateConsultation"),
              {"input": {"id": due, "version": 1, "followUpOn": today_jst().isoformat()}})
    page = await desk.get("/consultations")
    ids = re.findall(r'href="/consultations/(\d+)"', page.text)
    assert ids.index(due) < ids.index(later) and "要フォロー" in page.text
