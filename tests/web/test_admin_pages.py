"""The admin's screens over HTTP: API tokens issued once and revoked (then /graphql answers 401), areas and
hubs made through the contract's mutations, a person's role changed and the person deactivated (their
session ends, their log-in is refused), and the audit page that shows all of it with ids and no text."""

import re
import uuid
from pathlib import Path

import httpx
import pytest

from backend.app import create_app
from backend.audit import catalogue, chain
from backend.db import transaction
from backend.fiscal import today_jst
from backend.web.core import web_of
from tests.helpers import log_input, operation
from tests.web.conftest import credentials, csrf_of, log_in
from tests.web.figures import municipalities, unused_prefecture

ME = operation("admin.graphql", "Me")
OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def admin(client, sessions, world):
    await log_in(client, sessions, user_id=world.ids["admin"], email=world.emails["admin"])
    return client


@pytest.fixture
async def api(settings, engine):
    """A machine client of an API process of its own: the suite's shared app counts every bad token other tests
    send from the same address and may answer 429 before it looks at ours."""
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client
    await app.state.engine.dispose()


async def _post(client, page_path: str, action: str, data: dict, **kw) -> httpx.Response:
    page = await client.get(page_path)
    return await client.post(action, data={**data, "csrf_token": csrf_of(page.text)}, **kw)


async def _graphql_status(http, token: str) -> int:
    r = await http.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
    return r.status_code


# --- API tokens ---------------------------------------------------------------------------------------

async def test_a_token_is_shown_once_and_revoking_it_makes_graphql_answer_401(admin, world, api):
    r = await _post(admin, "/admin/tokens", "/admin/tokens/issue", {"userId": str(world.ids["analyst"])})
    assert r.status_code == 200 and "このトークンは今だけ表示されます" in r.text
    token = re.search(r'id="issued-token"[^>]*value="(rk_[^"]+)"', r.text).group(1)
    assert await _graphql_status(api, token) == 200
    listing = await admin.get("/admin/tokens")
    assert token not in listing.text                                          # never shown again
    newest = max(int(i) for i in re.findall(r'action="/admin/tokens/(\d+)/revoke"', listing.text))
    row = listing.text[:listing.text.index(f'action="/admin/tokens/{newest}/revoke"')]
    assert world.emails["analyst"] in row[row.rindex("<tr>"):]                 # listed with its account
    r = await _post(admin, "/admin/tokens", f"/admin/tokens/{newest}/revoke", {})
    assert r.status_code == 303 and r.headers["location"] == "/admin/tokens?done=revoked"
    assert await _graphql_status(api, token) == 401
    assert await _graphql_status(api, world.analyst) == 200                  # the account's other token still works
    revoked = await admin.get("/admin/tokens?all=1")
    assert f'action="/admin/tokens/{newest}/revoke"' not in revoked.text and "失効（" in revoked.text


async def test_a_machine_clients_account_is_made_with_its_first_token_and_mistakes_answer_beside_fields(
        admin, world, api):
    email = f"dashboard-{uuid.uuid4().hex[:6]}@example.jp"
    r = await _post(admin, "/admin/tokens", "/admin/tokens/client",
                    {"displayName": "県ダッシュボード連携", "email": email, "role": "prefecture_analyst",
                     "prefectureCode": ""})
    assert r.status_code == 400
    assert 'id="f-prefectureCode-error"' in r.text and "都道府県担当者には都道府県の指定が必要です。" in r.text
    r = await _post(admin, "/admin/tokens", "/admin/tokens/client",
                    {"displayName": "県ダッシュボード連携", "email": email, "role": "prefecture_analyst",
                     "prefectureCode": world.prefecture_code})
    assert r.status_code == 200 and f"APIトークンを発行しました（県ダッシュボード連携・{email}）" in r.text
    token = re.search(r'value="(rk_[^"]+)"', r.text).group(1)
    variables = {"code": world.prefecture_code, "fiscalYear": 2025}
    r = await api.post("/graphql", json={"query": OVERVIEW, "variables": variables},
                       headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["data"]["prefecture"]["code"] == world.prefecture_code
    people = await admin.get("/admin/people")
    row = people.text[people.text.index(email):]
    assert "API連携用" in row[:row.index("</tr>")]                             # not "招待中": it never logs in


async def test_a_token_for_nobody_or_a_deactivated_account_is_refused_beside_the_field(admin, world):
    r = await _post(admin, "/admin/tokens", "/admin/tokens/issue", {"userId": ""})
    assert r.status_code == 400 and "トークンを発行する利用者を選択してください。" in r.text
    r = await _post(admin, "/admin/tokens", "/admin/tokens/issue", {"userId": "99999999"})
    assert r.status_code == 400 and "利用者が見つかりません。" in r.text and 'id="f-userId-error"' in r.text


# --- areas and hubs -----------------------------------------------------------------------------------

async def test_an_admin_creates_an_area_of_a_prefectures_municipalities_and_a_hub_in_it(admin, sessions):
    code = await unused_prefecture(sessions)
    munis = municipalities(code)
    page = await admin.get(f"/admin/areas?prefecture={code}")
    assert page.status_code == 200
    boxes = re.findall(r'name="municipalityCodes" value="(\d{5})"', page.text)
    assert boxes == munis                                                       # every municipality of it, none else
    name = f"第一在宅医療圏{uuid.uuid4().hex[:4]}"
    r = await admin.post("/admin/areas", data={"prefectureCode": code, "areaName": name,
                                               "municipalityCodes": munis[:2], "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/areas?prefecture={code}&done=area#area-")
    area_id = r.headers["location"].rsplit("-", 1)[1]
    listing = await admin.get(r.headers["location"])
    assert "圏域を作成しました。" in listing.text
    row = listing.text[listing.text.index(f'id="area-{area_id}"'):]
    row = row[:row.index("</tr>")]
    assert name in row and all(m in row for m in (_name(munis[0]), _name(munis[1])))

    hub_name = f"{name}の拠点"
    r = await admin.post("/admin/hubs", data={"areaId": area_id, "hubName": hub_name,
                                              "csrf_token": csrf_of(listing.text)})
    assert r.status_code == 303
    listing = await admin.get(r.headers["location"])
    assert "拠点を作成しました。" in listing.text
    row = listing.text[listing.text.index(f'id="area-{area_id}"'):]
    assert hub_name in row[:row.index("</tr>")]
    invite = await admin.get("/admin/people")
    assert hub_name in invite.text                                              # the new hub can be chosen at once


def _name(code: str) -> str:
    from backend.regions import codes
    return codes.lookup(code).name


async def test_area_and_hub_mistakes_answer_beside_their_fields_with_the_apis_messages(admin, world):
    page = await admin.get(f"/admin/areas?prefecture={world.prefecture_code}")
    token = csrf_of(page.text)
    r = await admin.post("/admin/areas", data={"prefectureCode": world.prefecture_code, "areaName": "空の圏域",
                                               "csrf_token": token})
    assert r.status_code == 400 and 'id="f-municipalityCodes-error"' in r.text
    assert "市町村を1つ以上指定してください。" in r.text and 'value="空の圏域"' in r.text         # what was typed stays
    r = await admin.post("/admin/areas", data={"prefectureCode": world.prefecture_code, "areaName": "",
                                               "municipalityCodes": [world.municipality_code], "csrf_token": token})
    assert r.status_code == 400 and 'id="f-areaName-error"' in r.text
    assert "圏域名は1〜100文字で入力してください。" in r.text
    r = await admin.post("/admin/areas", data={"prefectureCode": world.prefecture_code, "areaName": "他県を含む圏域",
                                               "municipalityCodes": ["13101"], "csrf_token": token})
    assert r.status_code == 400 and "は指定の都道府県の市町村ではありません。" in r.text
    r = await admin.post("/admin/hubs", data={"areaId": "", "hubName": "拠点", "csrf_token": token})
    assert r.status_code == 400 and 'id="f-areaId-error"' in r.text and "圏域を選択してください。" in r.text
    r = await admin.post("/admin/hubs", data={"areaId": str(world.area_id), "hubName": "改行\nを含む名前",
                                              "csrf_token": token})
    assert r.status_code == 400 and 'id="f-hubName-error"' in r.text


# --- people: role and place, deactivation ---------------------------------------------------------------

async def test_deactivating_a_person_ends_their_session_and_refuses_their_log_in(admin, app, sessions, world, api):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as person:
        await log_in(person, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
        assert (await person.get("/consultations")).status_code == 200
        path = f"/admin/people/{world.coordinator_id}"
        r = await _post(admin, path, f"{path}/deactivate", {})
        assert r.status_code == 303
        shown = await admin.get(r.headers["location"])
        assert "利用停止にしました。" in shown.text and "利用を再開する" in shown.text
        r = await person.get("/consultations")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")      # the session ended
        password, _ = await credentials(sessions, world.coordinator_id)
        page = await person.get("/login")
        r = await person.post("/login", data={"email": world.emails["coordinator"], "password": password,
                                              "csrf_token": csrf_of(page.text)})
        assert r.status_code == 400 and "メールアドレスまたはパスワードが正しくありません。" in r.text
    assert await _graphql_status(api, world.coordinator) == 401                    # and the API token is revoked
    r = await _post(admin, path, f"{path}/reactivate", {})
    assert r.status_code == 303 and "利用を再開しました。" in (await admin.get(r.headers["location"])).text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as again:
        page = await again.get("/login")               # the password is accepted again (the code comes next)
        r = await again.post("/login", data={"email": world.emails["coordinator"], "password": password,
                                             "csrf_token": csrf_of(page.text)})
        assert r.status_code == 303 and r.headers["location"].startswith("/login/code")
    assert await _graphql_status(api, world.coordinator) == 401                    # old tokens stay revoked


async def test_a_changed_role_and_place_apply_from_the_persons_next_request(admin, app, sessions, world, other_world):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as person:
        await log_in(person, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
        path = f"/admin/people/{world.coordinator_id}"
        r = await _post(admin, path, f"{path}/placement", {"role": "prefecture_analyst", "hubId": str(world.hub_id),
                                                           "prefectureCode": ""})
        assert r.status_code == 400 and 'id="f-prefectureCode-error"' in r.text
        assert "都道府県担当者には都道府県の指定が必要です。" in r.text
        r = await _post(admin, path, f"{path}/placement", {"role": "hub_manager", "hubId": str(other_world.hub_id),
                                                           "prefectureCode": ""})
        assert r.status_code == 303 and r.headers["location"] == f"{path}?done=placement"
        page = await admin.get(r.headers["location"])
        assert "役割・所属を変更しました。" in page.text and "拠点管理者" in page.text
        nav = (await person.get("/consultations")).text
        assert "地域課題ボード" in nav                                                # a hub manager's navigation now


async def test_an_admin_cannot_lock_themselves_out(admin, world):
    path = f"/admin/people/{world.ids['admin']}"
    page = await admin.get(path)
    assert "自分自身は利用停止にできません。" in page.text and f'action="{path}/deactivate"' not in page.text
    r = await admin.post(f"{path}/deactivate", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "自分自身は利用停止にできません。" in r.text
    r = await admin.post(f"{path}/placement", data={"role": "coordinator", "hubId": str(world.hub_id),
                                                    "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "自分自身の管理者の役割は外せません。" in r.text
    assert (await admin.get("/admin/people")).status_code == 200                  # still an admin


async def test_other_roles_find_no_admin_page_and_no_admin_action(client, sessions, world):
    await log_in(client, sessions, user_id=world.ids["analyst"], email=world.emails["analyst"])
    page = await client.get("/dashboard", follow_redirects=True)
    token = csrf_of(page.text)
    for path in ("/admin/areas", "/admin/tokens", "/admin/audit", "/admin/audit/chain",
                 f"/admin/people/{world.coordinator_id}"):
        assert (await client.get(path)).status_code == 404, path
    for path, data in (("/admin/areas", {"prefectureCode": world.prefecture_code, "areaName": "x",
                                         "municipalityCodes": [world.municipality_code]}),
                       ("/admin/hubs", {"areaId": str(world.area_id), "hubName": "x"}),
                       ("/admin/tokens/issue", {"userId": str(world.ids["analyst"])}),
                       ("/admin/tokens/1/revoke", {}),
                       (f"/admin/people/{world.coordinator_id}/deactivate", {}),
                       (f"/admin/people/{world.coordinator_id}/placement", {"role": "admin"})):
        r = await client.post(path, data={**data, "csrf_token": token})
        assert r.status_code == 404, path


# --- the audit page ---------------------------------------------------------------------------------------

async def test_the_audit_page_shows_these_actions_with_ids_and_no_free_text(admin, sessions, world, gql):
    secret = f"監査に出てはならない相談{uuid.uuid4().hex[:6]}"
    await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
              {"input": log_input(world.municipality_code, summary=secret)})
    area_name = f"監査テスト圏域{uuid.uuid4().hex[:4]}"
    page = await admin.get(f"/admin/areas?prefecture={world.prefecture_code}")
    r = await admin.post("/admin/areas", data={"prefectureCode": world.prefecture_code, "areaName": area_name,
                                               "municipalityCodes": [world.municipality_code],
                                               "csrf_token": csrf_of(page.text)})
    area_id = r.headers["location"].rsplit("-", 1)[1]
    r = await _post(admin, "/admin/tokens", "/admin/tokens/issue", {"userId": str(world.ids["manager"])})
    issued = re.search(r'value="(rk_[^"]+)"', r.text).group(1)
    path = f"/admin/people/{world.coordinator2_id}"
    await _post(admin, path, f"{path}/deactivate", {})

    log = (await admin.get(f"/admin/audit?actor={world.ids['admin']}")).text
    for label, entity in (("圏域の作成", f"圏域 <span class=\"id-note\">ID {area_id}</span>"),
                          ("APIトークンの発行", "APIトークン"),
                          ("利用停止", f"利用者 <span class=\"id-note\">ID {world.coordinator2_id}</span>")):
        assert label in log and entity in log, label
    assert "<code>municipalityCodes</code>" in log                               # field names, not values
    everything = log + (await admin.get("/admin/audit")).text
    for text in (secret, area_name, issued):
        assert text not in everything, text

    reads = (await admin.get("/admin/audit?operation=consultation.log")).text
    assert "相談の受付" in reads and secret not in reads


async def test_the_audit_page_filters_by_operation_person_and_day_and_pages_back(admin, sessions, world):
    for _ in range(3):
        path = f"/admin/people/{world.coordinator_id}"
        await _post(admin, path, f"{path}/end-sessions", {})
    only = (await admin.get(f"/admin/audit?operation=session.end_all&actor={world.ids['admin']}")).text
    ops = re.findall(r'<code class="op">([^<]+)</code>', only)
    assert ops and set(ops) == {"session.end_all"}
    today = today_jst().isoformat()                                          # the page's days are Japan days
    r = await admin.get(f"/admin/audit?operation=session.end_all&since={today}&until={today}")
    assert "session.end_all" in r.text
    r = await admin.get("/admin/audit?operation=session.end_all&since=2016-04-01&until=2016-04-30")
    assert "条件に合う記録はありません。" in r.text
    r = await admin.get("/admin/audit?since=2025-13-01")
    assert 'id="f-since-error"' in r.text and "日付は 2025-06-01 の形式で指定してください。" in r.text
    r = await admin.get("/admin/audit?since=2025-06-02&until=2025-06-01")
    assert 'id="f-until-error"' in r.text
    r = await admin.get("/admin/audit?operation=DROP%20TABLE")
    assert "操作の指定が正しくありません" in r.text

    first = (await admin.get("/admin/audit")).text
    more = re.search(r'href="/admin/audit\?([^"]*before=(\d+)[^"]*)"', first)
    assert more is not None
    ids_first = [int(i) for i in re.findall(r'<tr>\s*<td class="num">(\d+)</td>', first)]
    second = (await admin.get("/admin/audit?" + more.group(1).replace("&amp;", "&"))).text
    ids_second = [int(i) for i in re.findall(r'<tr>\s*<td class="num">(\d+)</td>', second)]
    assert len(ids_first) == 50 and ids_second and max(ids_second) < min(ids_first)


async def test_the_chain_verification_is_shown_beside_the_list_as_verify_finds_it(admin, app, sessions):
    # the suite shares one trail, and tests/audit breaks its chain on purpose: the page must say what verify says
    async with transaction(sessions) as s:
        await chain.seal(s)
    r = await admin.get("/admin/audit/chain?fresh=1", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    async with sessions() as s:
        verdict = await chain.verify(s)
    if verdict.intact:
        assert "改ざんは見つかりませんでした。" in r.text
        assert f"封印済みの{verdict.checked:,}行" in r.text
    else:
        assert f"監査ログID {verdict.broken_at} の行で、ハッシュチェーンが一致しません" in r.text
    full = await admin.get("/admin/audit/chain")
    assert "<h1>監査ログの検証</h1>" in full.text and "検証日時：" in full.text
    page = await admin.get("/admin/audit")
    assert 'hx-get="/admin/audit/chain" hx-trigger="load"' in page.text
    template = web_of(type("R", (), {"app": app})()).templates.get_template("admin/_chain.html")
    broken = template.render(verdict=chain.Verdict(checked=41, unsealed=0, broken_at=42, reason="changed"),
                             verified_at="2026年4月1日 09:00:00")
    assert "監査ログID 42 の行で、ハッシュチェーンが一致しません" in broken and 'role="alert"' in broken
    intact = template.render(verdict=chain.Verdict(checked=41, unsealed=3, head="ab" * 32),
                             verified_at="2026年4月1日 09:00:00")
    assert "改ざんは見つかりませんでした。" in intact and "最新の3行はまだ封印されていません" in intact


def test_every_operation_the_code_records_has_a_japanese_name():
    recorded = set()
    for path in (ROOT / "backend").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r'operation="([a-z_.]+)"', text))
        recorded |= {f"{op}.denied" for op in re.findall(r'denied\("([a-z_.]+)"', text)}
    missing = {op for op in recorded if catalogue.operation_label(op) == op
               or catalogue.operation_label(op).startswith(op.removesuffix(".denied") + "（")}
    assert recorded and not missing, missing
    # the page's "refused attempts" filter lists them: every denied() and refused() of the code is in it
    denied = {op for op in recorded if op.endswith(".denied")}
    assert denied and denied <= set(catalogue.denied_operations())
