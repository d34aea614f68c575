"""The resource directory's screens over HTTP: a search during a call finds the demo's and the fixture's
entries, vacancy past its validity reads 不明, a facility contact edits only its own entry (others 404),
corrections flow from a report to the desk's queue and a call, and mistakes come back in Japanese beside
their fields."""

from datetime import timedelta

import time_machine

from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM, Actor
from backend.db import transaction
from backend.resources import demo
from backend.taxonomy import Role
from tests import clock
from tests.resources.directory import CAPACITY, new_service, soon, tag, verify
from tests.web.conftest import csrf_of, log_in


async def _desk(client, sessions, world, who="coordinator"):
    await log_in(client, sessions, user_id=world.ids[who], email=world.emails[who])
    return client


async def _post(client, page_path: str, action: str, data: dict):
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={**data, "csrf_token": csrf_of(page.text)})


async def _demo(sessions, world):
    desk = Actor(user_id=world.coordinator_id, role=Role.COORDINATOR, hub_id=world.hub_id, display_name="デモ")
    async with transaction(sessions) as s:
        await demo.load_directory(s, actor=desk)


async def test_a_search_during_a_call_finds_the_demo_directory_with_filters(client, sessions, world):
    await _demo(sessions, world)
    desk = await _desk(client, sessions, world)
    r = await desk.get("/resources", params=[("q", "デモ"), ("area", "長岡市"), ("cap", "ventilator"), ("pop", "pediatric")])
    assert r.status_code == 200
    assert "訪問看護ステーションあおぞら長岡（デモ）" in r.text and "1件" in r.text
    assert "訪問看護ステーションみどり（デモ）" not in r.text          # 人工呼吸器 要相談, 小児 不可: AND holds
    assert "人工呼吸器：可" in r.text and "最近確認" in r.text and "0258-00-0002" in r.text
    consult = await desk.get("/resources", params=[("q", "ﾃﾞﾓ"), ("cap", "ventilator"), ("consult", "1")])
    assert "訪問看護ステーションみどり（デモ）" in consult.text     # half-width kana and 要相談 included
    partial = await desk.get("/resources", params={"q": "信濃川"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in partial.text and "ショートステイ信濃川（デモ）" in partial.text and "2床" in partial.text
    nothing = await desk.get("/resources", params={"q": "存在しない名前zz"})
    assert "見つかりませんでした" in nothing.text
    wrong = await desk.get("/resources", params={"q": "デモ", "area": "どこでもない市"})
    assert "市区町村が見つかりません" in wrong.text


async def test_an_entry_shows_values_sources_and_confirmation_never_the_update_time(client, gql, sessions, world):
    t = tag()
    sid = await new_service(gql, world.coordinator, f"詳細テスト訪問看護{t}", phone="0258-11-2222")
    await verify(gql, world.coordinator, sid, {"ventilator": "YES", "pediatric": "CONSULT", "dialysis": "NO"})
    desk = await _desk(client, sessions, world)
    r = await desk.get(f"/resources/{sid}")
    assert r.status_code == 200
    body = r.text
    for text in (f"詳細テスト訪問看護{t}", "0258-11-2222", "人工呼吸器", "要相談", "不可", "デスク確認", "最近確認", "確認の記録",
                 "管理者", "デスクの確認を記録する", "誤りを報告する"):
        assert text in body, text
    assert "更新日" not in body
    assert (await desk.get("/resources/999999999")).status_code == 404
    assert (await desk.get("/resources/abc")).status_code == 404


async def test_vacancy_past_its_validity_reads_unknown_never_the_old_number(client, gql, sessions, world):
    t = tag()
    sid = await new_service(gql, world.coordinator, f"期限テスト短期入所{t}", kind="SHORT_STAY")
    out = await gql(world.coordinator, CAPACITY, {"input": {"serviceId": sid, "unit": "BED", "available": 7, "maximum": 20,
                                                            "validUntil": soon(0.3)}})
    assert out["data"]["updateResourceCapacity"]["userErrors"] == []
    desk = await _desk(client, sessions, world)
    assert "7床" in (await desk.get(f"/resources/{sid}")).text
    with time_machine.travel(clock.now() + timedelta(minutes=25), tick=False):   # within the idle limit
        detail = await desk.get(f"/resources/{sid}")
        assert "不明" in detail.text and "7床" not in detail.text and "最大 20床" in detail.text
        found = await desk.get("/resources", params={"q": f"期限テスト短期入所{t}"})
        assert "期限切れ" in found.text and "7床" not in found.text


async def test_a_facility_contact_edits_only_its_own_entry(client, gql, sessions, world):
    t = tag()
    mine = await new_service(gql, world.coordinator, f"自分の施設{t}", kind="SHORT_STAY")
    other = await new_service(gql, world.coordinator, f"よその施設{t}", kind="SHORT_STAY")
    async with transaction(sessions) as s:
        user, _ = await accounts.create_user(s, actor=SYSTEM, email=f"fc-{t}@example.jp", display_name="施設担当",
                                             role=Role.FACILITY_CONTACT, service_id=int(mine))
    await log_in(client, sessions, user_id=user.id, email=f"fc-{t}@example.jp")
    home = await client.get("/")
    assert home.headers["location"] == "/my-service"
    page = await client.get("/my-service")
    assert page.status_code == 200 and f"自分の施設{t}" in page.text
    r = await client.post("/my-service/capacity", data={"unit": "BED", "available": "3", "maximum": "10",
                                                        "validUntil": (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                                                        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303, r.text
    assert "3床" in (await client.get("/my-service")).text
    bad = await client.post("/my-service/capacity", data={"unit": "BED", "available": "-1", "validUntil": "",
                                                          "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 400 and "field-error" in bad.text
    own = await client.post("/my-service/capabilities", data={"cap-tube_feeding": "CONSULT", "csrf_token": csrf_of(page.text)})
    assert own.status_code == 303
    assert "事業所申告" in (await client.get("/my-service")).text
    hours = await client.post("/my-service/openings", data={"opens-0-0": "08:30", "closes-0-0": "17:30",
                                                            "csrf_token": csrf_of(page.text)})
    assert hours.status_code == 303, hours.text
    assert "08:30" in (await client.get("/my-service")).text
    # another entry, the search and the desk's pages are not theirs
    assert (await client.get(f"/resources/{other}")).status_code == 404
    assert (await client.get("/resources")).status_code == 404
    assert (await client.get("/resources/corrections")).status_code == 404
    assert (await client.get(f"/resources/{mine}")).status_code == 200


async def test_a_correction_flows_from_a_report_to_the_desks_queue_and_a_call(client, gql, sessions, world):
    t = tag()
    sid = await new_service(gql, world.coordinator, f"訂正テスト診療所{t}", kind="CLINIC")
    desk = await _desk(client, sessions, world)
    empty = await _post(desk, f"/resources/{sid}", f"/resources/{sid}/corrections", {"field": "phone", "note": ""})
    assert empty.status_code == 400 and "field-error" in empty.text and "入力内容を確認してください" in empty.text
    r = await _post(desk, f"/resources/{sid}", f"/resources/{sid}/corrections",
                    {"field": "capability:house_call", "note": "往診は休止中と聞いた"})
    assert r.status_code == 303
    queue = await desk.get("/resources/corrections")
    assert "往診は休止中と聞いた" in queue.text and f"訂正テスト診療所{t}" in queue.text
    page = await desk.get(f"/resources/{sid}")
    assert "この確認で対応した訂正の報告" in page.text
    import re
    cid = re.search(r'name="resolves" value="(\d+)"', page.text).group(1)
    done = await desk.post(f"/resources/{sid}/verify", data={
        "calledAt": (clock.now() - timedelta(minutes=5)).astimezone(clock.JST).strftime("%Y-%m-%dT%H:%M"),
        "channel": "PHONE", "contactPerson": "事務長", "cap-house_call": "NO", "resolves": cid,
        "csrf_token": csrf_of(page.text)})
    assert done.status_code == 303, done.text
    after = await desk.get(f"/resources/{sid}")
    assert "事務長" in after.text and "対応項目「往診・緊急往診」" in after.text
    assert "往診は休止中と聞いた" not in (await desk.get("/resources/corrections")).text
    future = await _post(desk, f"/resources/{sid}", f"/resources/{sid}/verify",
                         {"calledAt": (clock.now() + timedelta(days=2)).astimezone(clock.JST).strftime("%Y-%m-%dT%H:%M"),
                          "channel": "PHONE"})
    assert future.status_code == 400 and "field-error" in future.text


async def test_the_desk_registers_an_entry_with_errors_in_japanese(client, sessions, world):
    desk = await _desk(client, sessions, world)
    bad = await _post(desk, "/resources/new", "/resources/new", {"name": "", "kind": "CLINIC", "municipality": "どこか"})
    assert bad.status_code == 400 and "field-error" in bad.text
    t = tag()
    ok = await _post(desk, "/resources/new", "/resources/new", {"name": f"新規クリニック{t}", "kind": "CLINIC",
                                                                "municipality": "長岡市", "phone": "0258-99-0000"})
    assert ok.status_code == 303
    page = await desk.get(ok.headers["location"])
    assert f"新規クリニック{t}" in page.text and "資源を登録しました" in page.text and "長岡市" in page.text


async def _consultation(gql, token) -> str:
    from tests.helpers import log_input, operation
    out = await gql(token, operation("coordinator.graphql", "LogConsultation"),
                    {"input": log_input("15202", summary="人工呼吸器の小児の在宅移行で訪問看護を探している")})
    return out["data"]["logConsultation"]["consultation"]["id"]


async def test_referrals_are_recorded_on_a_consultation_and_become_an_unmet_need(client, gql, sessions, world,
                                                                                  other_world):
    import re
    t = tag()
    a = await new_service(gql, world.coordinator, f"紹介先あ訪看{t}")
    b = await new_service(gql, world.coordinator, f"紹介先い訪看{t}")
    cid = await _consultation(gql, world.coordinator)
    desk = await _desk(client, sessions, world)
    page = await desk.get(f"/consultations/{cid}/referrals", params={"q": t})
    assert page.status_code == 200 and f"紹介先あ訪看{t}" in page.text and f"紹介先い訪看{t}" in page.text
    token = csrf_of(page.text)
    form = {"service": [a, b], f"outcome-{a}": "DECLINED", f"outcome-{b}": "DECLINED", f"reason-{b}": "NO_CHILDREN",
            "need": "ventilator", "performedAt": clock.earlier_today(0.2).astimezone(clock.JST).strftime("%Y-%m-%dT%H:%M"),
            "type": "RESOURCE_REFERRAL", "q": t, "csrf_token": token}
    missing = await desk.post(f"/consultations/{cid}/referrals", data=form)
    assert missing.status_code == 400 and re.search(rf'id="f-reason-{a}-error"', missing.text)   # 理由 is required
    ok = await desk.post(f"/consultations/{cid}/referrals", data={**form, f"reason-{a}": "NO_VACANCY"})
    assert ok.status_code == 303, ok.text
    done = await desk.get(ok.headers["location"])
    assert "紹介の結果を記録しました" in done.text and "空きなし" in done.text and "小児不可" in done.text
    nothing = await desk.post(f"/consultations/{cid}/referrals", data={"csrf_token": token, "performedAt": ""})
    assert nothing.status_code == 400 and "連絡した資源を1つ以上選んでください" in nothing.text
    # the hub's manager sees the signal and raises it
    manager = await _desk(type(client)(transport=client._transport, base_url="http://test"), sessions, world, "manager")
    needs = await manager.get("/unmet-needs")
    assert needs.status_code == 200 and "人工呼吸器" in needs.text and "地域課題として提起する" in needs.text
    key = re.search(r'name="key" value="([^"]+)"', needs.text).group(1)
    raised = await manager.post("/unmet-needs/raise", data={"year": str(clock.fiscal_year()), "key": key,
                                                            "csrf_token": csrf_of(needs.text)})
    assert raised.status_code == 303
    assert "地域課題として提起しました" in (await manager.get(raised.headers["location"])).text
    # a coordinator reads the signals but raising one is the manager's
    assert "地域課題として提起する" not in (await desk.get("/unmet-needs")).text
    # another hub's coordinator sees neither the consultation's page nor this hub's signals
    other = await _desk(type(client)(transport=client._transport, base_url="http://test"), sessions, other_world)
    assert (await other.get(f"/consultations/{cid}/referrals")).status_code == 404
    assert "人工呼吸器" not in (await other.get("/unmet-needs")).text


async def test_admins_review_the_crosswalk_and_everyone_reads_the_sources(client, sessions, world):
    admin = await _desk(client, sessions, world, "admin")
    page = await admin.get("/admin/resources/crosswalk")
    assert page.status_code == 200 and "資源の名寄せ" in page.text and "照合できなかった行" in page.text
    assert (await admin.get("/admin/resources/crosswalk?all=1")).status_code == 200
    sources = await admin.get("/resources/sources")
    assert "介護サービス情報公表システム" in sources.text and "医療情報ネット" in sources.text
    coordinator = await _desk(type(client)(transport=client._transport, base_url="http://test"), sessions, world)
    assert (await coordinator.get("/admin/resources/crosswalk")).status_code == 404
    assert (await coordinator.get("/resources/sources")).status_code == 200


async def test_an_admin_invites_a_facility_contact_for_one_entry(client, gql, sessions, world):
    t = tag()
    sid = await new_service(gql, world.coordinator, f"招待テスト訪看{t}")
    admin = await _desk(client, sessions, world, "admin")
    missing = await _post(admin, "/admin/people", "/admin/people/invite",
                          {"email": f"fc-inv-{t}@example.jp", "role": "facility_contact"})
    assert missing.status_code == 400 and 'id="f-serviceId-error"' in missing.text
    ok = await _post(admin, "/admin/people", "/admin/people/invite",
                     {"email": f"fc-inv-{t}@example.jp", "role": "facility_contact", "serviceId": sid})
    assert ok.status_code == 200 and f"fc-inv-{t}@example.jp に招待メールを送りました" in ok.text


async def test_odd_query_strings_never_break_the_search_page(client, sessions, world):
    desk = await _desk(client, sessions, world)
    for params in ({"q": "x" * 500}, {"kind": "BOGUS"}, {"cap": "teleport"}, {"when": "yesterday"}, {"chome": "一丁目"},
                   {"area": "15202", "chome": "あ" * 300}, {"q": "デモ", "after": "not-a-cursor"}, {"area": "1520"},
                   {"area": "152021"}):
        r = await desk.get("/resources", params=params)
        assert r.status_code in (200, 400), (params, r.status_code)
