"""Journeys of the prefecture analyst and the admin in a real browser, with the keyboard (Enter on buttons and
links, Space on check boxes, the arrow keys' equivalent on selects); axe-core on every screen on the way."""

import io
import re
import uuid
from pathlib import Path

from openpyxl import load_workbook

from backend.jobs.dispatch import Dispatcher
from backend.regions import codes
from tests.browser import harness
from tests.helpers import operation
from tests.web.conftest import credentials
from tests.web.figures import FY, municipalities, prefecture_world, seed, shown, unused_prefecture

OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")
ME = operation("admin.graphql", "Me")

# the cells of a table as a person sees them: no screen-reader-only text, no drawn bars
TABLE = """(id) => {
  const table = document.querySelector(`table[aria-labelledby="${id}"]`);
  return [...table.rows].map(row => [...row.cells].filter(c => c.getAttribute('aria-hidden') !== 'true').map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('.visually-hidden, [aria-hidden="true"]').forEach(n => n.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  }));
}"""


async def _log_in(page, server, sessions, world, key: str, path: str = "/") -> None:
    password, secret = await credentials(sessions, world.ids[key])
    await harness.log_in(page, server.url, email=world.emails[key], password=password, secret=secret, path=path)


def _nav(page, name: str):
    return page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name=name, exact=True)


async def _press(locator, key: str = "Enter") -> None:
    await locator.focus()
    await locator.press(key)


async def test_an_analyst_reads_the_dashboard_and_downloads_the_xlsx(server, sessions, settings, gql, new_page,
                                                                      accessible):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 30, ("disaster", "family"): 3,
                                 ("daily_care", "visiting_nurse"): 14, ("end_of_life", "family"): 12})
    api = (await gql(world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": FY}))["data"]["prefecture"]
    page = await new_page()
    await _log_in(page, server, sessions, world, "analyst")
    await page.get_by_role("heading", name=re.compile("^ダッシュボード")).wait_for()
    await page.get_by_label("年度").select_option(str(FY))
    await _press(page.get_by_role("button", name="表示する"))
    await page.wait_for_url(f"**/dashboard/{world.prefecture_code}?year={FY}")
    await page.get_by_text("2025年度（令和7年度）").first.wait_for()
    await accessible(page, "ダッシュボード")

    # a small count is ＊ exactly where the API says suppressed, and every other figure is the API's
    scenes = await page.evaluate(TABLE, "t-scene")
    assert {row[0]: row[1] for row in scenes[1:]} == {s["label"]: shown(s) for s in api["stats"]["byScene"]}
    assert {row[0]: row[1] for row in scenes[1:]}["災害時の対応"] == "＊"
    roles = await page.evaluate(TABLE, "t-role")
    assert {row[0]: row[1] for row in roles[1:]} == {r["label"]: shown(r) for r in api["stats"]["byCallerRole"]}
    months = await page.evaluate(TABLE, "t-month")
    assert months[1][1:] == [shown(m) for m in api["stats"]["byMonth"]]
    hubs = await page.evaluate(TABLE, "t-hubs")
    assert [row[2] for row in hubs[1:]] == [shown(h["consultations"]) for h in api["hubActivity"]]
    assert await page.get_by_text("＊ は10件未満のため").count() == 1

    await _press(_nav(page, "報告書"))
    await page.get_by_role("heading", name="報告書", exact=True).wait_for()
    await accessible(page, "報告書")
    await page.get_by_label("年度").select_option(str(FY))
    await _press(page.get_by_role("button", name="この年度の報告書を作成する"))
    row = page.locator("tr.just-ordered")
    await row.get_by_text("作成中").wait_for()
    row = page.locator("#" + await row.get_attribute("id"))            # the row htmx keeps replacing
    await accessible(page, "報告書（作成中）")
    await Dispatcher(settings=settings, sessions=sessions).run_pending()           # the worker builds it
    await row.get_by_text("完成").wait_for(timeout=15_000)                         # htmx polling brings it in
    await accessible(page, "報告書（完成）")
    async with page.expect_download() as download:
        await _press(row.get_by_role("link", name=re.compile("Excel（XLSX）")))
    book = load_workbook(io.BytesIO(Path(await (await download.value).path()).read_bytes()))

    await page.goto(f"{server.url}/dashboard/{world.prefecture_code}?year={FY}")
    def as_page(value) -> str:         # a workbook cell written the way the page writes it
        return f"{value:,}" if isinstance(value, int) else str(value)

    for sheet, table in (("場面別の相談件数", "t-scene"), ("相談者別の相談件数", "t-role"), ("拠点別の活動", "t-hubs")):
        rows = {row[0]: row[1:] for row in book[sheet].iter_rows(min_row=3, values_only=True)
                if row[0] and row[1] is not None}
        on_page = await page.evaluate(TABLE, table)
        assert len(on_page) > 1
        for label, *values in on_page[1:]:
            assert [as_page(v) for v in rows[label][:len(values)]] == values, (sheet, label)


async def test_an_analyst_of_another_prefecture_sees_nothing_of_it(server, sessions, gql, new_page, accessible):
    world = await prefecture_world(sessions)
    stranger = await prefecture_world(sessions)
    await seed(sessions, world, {("daily_care", "care_manager"): 25})
    area = (await gql(world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": FY})
            )["data"]["prefecture"]["stats"]["byArea"][0]["area"]["name"]
    page = await new_page()
    await _log_in(page, server, sessions, stranger, "analyst")
    response = await page.goto(f"{server.url}/dashboard/{world.prefecture_code}?year={FY}")
    assert response.status == 404
    await page.get_by_role("heading", name="ページが見つかりません").wait_for()
    assert area not in await page.content()
    await accessible(page, "ページが見つかりません（他県）")


async def test_an_admin_issues_and_revokes_a_token_sets_up_an_area_and_a_hub_and_deactivates_a_person(
        server, sessions, gql, world, new_page, accessible):
    import httpx
    admin = await new_page()
    await _log_in(admin, server, sessions, world, "admin", path="/admin/tokens")
    await admin.get_by_role("heading", name="APIトークン").wait_for()
    await accessible(admin, "APIトークン")

    # a machine client's account and its token, shown once
    await admin.get_by_label("アカウント名").fill("県ダッシュボード連携")
    await admin.get_by_label("連絡先メールアドレス").fill(f"pref-dashboard-{uuid.uuid4().hex[:6]}@example.jp")
    await admin.get_by_label("役割").select_option("prefecture_analyst")
    await admin.get_by_label("都道府県（都道府県担当者のとき）").select_option(world.prefecture_code)
    await _press(admin.get_by_role("button", name="アカウントを作成してトークンを発行する"))
    await admin.get_by_text("このトークンは今だけ表示されます").wait_for()
    await accessible(admin, "APIトークン（発行直後）")
    token = await admin.get_by_label("APIトークン", exact=True).input_value()
    async with httpx.AsyncClient(base_url=server.url) as api:
        async def status() -> int:
            r = await api.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})
            return r.status_code
        assert await status() == 200
        await admin.goto(server.url + "/admin/tokens")
        assert token not in await admin.content()
        row = admin.get_by_role("row").filter(has_text="県ダッシュボード連携").first
        await _press(row.get_by_role("button", name=re.compile("を失効させる$")))
        await admin.get_by_text("APIトークンを失効させました").wait_for()
        assert await status() == 401                                                  # the revoked token

    # an area of a prefecture's municipalities, then a hub in it
    code = await unused_prefecture(sessions)
    await _press(_nav(admin, "圏域・拠点"))
    await admin.get_by_label("都道府県", exact=True).select_option(code)
    await _press(admin.get_by_role("button", name="市町村の一覧を表示する"))
    area_name = f"ブラウザ圏域{uuid.uuid4().hex[:4]}"
    await admin.get_by_label("圏域名").fill(area_name)
    first, second = municipalities(code)[:2]
    await _press(admin.locator(f"#m-{first}"), "Space")
    await _press(admin.locator(f"#m-{second}"), "Space")
    await accessible(admin, "圏域・拠点（市町村の選択）")
    await _press(admin.get_by_role("button", name="圏域を作成する"))
    await admin.get_by_text("圏域を作成しました。").wait_for()
    await admin.get_by_label("圏域", exact=True).select_option(label=f"{codes.prefecture_names()[code]}　{area_name}")
    await admin.get_by_label("拠点名").fill("")
    await _press(admin.get_by_role("button", name="拠点を作成する"))
    await admin.locator("#f-hubName-error").get_by_text("拠点名は1〜100文字で入力してください。").wait_for()
    await accessible(admin, "圏域・拠点（エラー）")
    await admin.get_by_label("拠点名").fill(f"{area_name}の拠点")
    await _press(admin.get_by_role("button", name="拠点を作成する"))
    await admin.get_by_text("拠点を作成しました。").wait_for()
    assert await admin.get_by_role("row").filter(has_text=area_name).filter(has_text=f"{area_name}の拠点").count() == 1
    await accessible(admin, "圏域・拠点")

    # a person deactivated: their session ends and they can no longer log in
    person = await new_page()
    await _log_in(person, server, sessions, world, "coordinator2")
    await person.get_by_role("heading", name="マイ案件").wait_for()
    await _press(_nav(admin, "利用者"))
    await _press(admin.get_by_role("row").filter(has_text=world.emails["coordinator2"]).get_by_role("link"))
    await admin.get_by_role("heading", name="ログインと利用").wait_for()
    await accessible(admin, "利用者（個人）")
    await _press(admin.get_by_role("button", name="利用停止にする"))
    await admin.get_by_text("利用停止にしました。").wait_for()
    await _press(person.get_by_role("link", name="アカウント"))
    await person.get_by_role("heading", name="ログイン").wait_for()
    password, _ = await credentials(sessions, world.ids["coordinator2"])
    await person.get_by_label("メールアドレス").fill(world.emails["coordinator2"])
    await person.get_by_label("パスワード", exact=True).fill(password)
    await _press(person.get_by_role("button", name="次へ（確認コードの入力）"))
    await person.get_by_text("メールアドレスまたはパスワードが正しくありません。").first.wait_for()

    # the audit page shows these actions, with ids and without any free text
    await _press(_nav(admin, "監査ログ"))
    # the verdict loads beside the list (the suite's trail is broken on purpose by tests/audit: either may show)
    await admin.locator("#chain-status .chain-ok, #chain-status .chain-broken").wait_for(timeout=60_000)
    await admin.get_by_label("操作した人").select_option(str(world.ids["admin"]))
    await _press(admin.get_by_role("button", name="絞り込む"))
    await admin.get_by_role("heading", name="記録").wait_for()
    text = await admin.locator("table.audit").inner_text()
    for label in ("利用停止", "拠点の作成", "圏域の作成", "APIトークンの失効", "利用者の作成"):
        assert label in text, label
    assert f"ID {world.ids['coordinator2']}" in text
    for typed in (area_name, "県ダッシュボード連携", token):
        assert typed not in text
    await accessible(admin, "監査ログ")


async def test_the_analyst_and_admin_screens_pass_axe_in_their_other_states(server, sessions, world, new_page,
                                                                            accessible):
    admin = await new_page()
    await _log_in(admin, server, sessions, world, "admin", path=f"/admin/people/{world.coordinator_id}")
    await accessible(admin, "利用者（個人）")
    await admin.get_by_label("役割", exact=True).select_option("prefecture_analyst")
    await _press(admin.get_by_role("button", name="役割・所属を変更する"))
    await admin.locator("#f-prefectureCode-error").wait_for()
    await accessible(admin, "利用者（個人・エラー）")
    for path, heading in ((f"/admin/areas?prefecture={world.prefecture_code}", "圏域・拠点"),
                          ("/admin/tokens?all=1", "APIトークン"), ("/admin/audit/chain", "監査ログの検証"),
                          ("/admin/audit?since=2025-99-01", "監査ログ")):
        await admin.goto(server.url + path)
        await admin.get_by_role("heading", name=heading, exact=True).wait_for()
        await accessible(admin, path)
    await admin.set_viewport_size({"width": 1024, "height": 768})                  # a tablet
    await admin.goto(server.url + "/admin/audit")
    await accessible(admin, "監査ログ（タブレット）")
