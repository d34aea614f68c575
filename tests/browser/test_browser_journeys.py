"""Journeys in a real browser, as people take them; axe-core on every screen on the way."""

import re

import pyotp

from tests.browser import harness
from tests.helpers import log_input, operation
from tests.web.conftest import credentials

NEW_PASSWORD = "信濃川の土手を朝に歩く会"


async def _log_in(page, server, sessions, world, key: str, path: str = "/") -> None:
    password, secret = await credentials(sessions, world.ids[key])
    await harness.log_in(page, server.url, email=world.emails[key], password=password, secret=secret, path=path)


async def test_invitation_password_totp_enrolment_then_log_in(server, sessions, world, new_page, accessible):
    admin = await new_page()
    await _log_in(admin, server, sessions, world, "admin", path="/admin/people")
    await accessible(admin, "利用者")
    email = f"shinnin-{world.hub_id}@example.jp"
    await admin.get_by_label("メールアドレス").fill(email)
    await admin.get_by_label("役割").select_option("coordinator")
    await admin.get_by_label("拠点").select_option(str(world.hub_id))
    await admin.get_by_role("button", name="招待メールを送る").click()
    await admin.get_by_text(f"{email} に招待メールを送りました。").wait_for()
    link = re.search(r"http\S+/invitation\?token=\S+", await admin.locator(".notice").inner_text()).group(0)
    await accessible(admin, "利用者（招待後）")

    person = await new_page()
    await person.goto(link)
    await accessible(person, "アカウントの登録")
    await person.get_by_label("表示名（画面や記録に表示される氏名）").fill("新任 太郎")
    await person.get_by_label("パスワード", exact=True).fill("short")
    await person.get_by_label("パスワード（確認のため、もう一度）").fill("short")
    await person.get_by_role("button", name="パスワードを設定して次へ").click()
    # refused kindly, beside the field
    await person.locator("#f-password-error").get_by_text("12文字以上").wait_for()
    await accessible(person, "アカウントの登録（エラー）")
    await person.get_by_label("パスワード", exact=True).fill(NEW_PASSWORD)
    await person.get_by_label("パスワード（確認のため、もう一度）").fill(NEW_PASSWORD)
    await person.get_by_role("button", name="パスワードを設定して次へ").click()

    await person.get_by_role("heading", name="二要素認証の登録").wait_for()
    assert await person.locator("figure.qr svg").count() == 1                       # the QR code, inline
    await accessible(person, "二要素認証の登録")
    secret = (await person.locator("#totp-key").inner_text()).replace(" ", "")
    wrong = "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
    await person.get_by_label("認証アプリに表示された6桁の確認コード").fill(wrong)
    await person.get_by_role("button", name="登録してログイン").click()
    await person.locator("#f-code-error").get_by_text("確認コードが正しくありません").wait_for()
    await person.get_by_label("認証アプリに表示された6桁の確認コード").fill(harness.fresh_code(secret))
    await person.get_by_role("button", name="登録してログイン").click()

    await person.get_by_role("heading", name="回復コードを控えてください").wait_for()
    codes = await person.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    await accessible(person, "回復コード")
    await person.get_by_role("link", name="控えたので続ける").click()
    await person.get_by_role("heading", name="マイ案件").wait_for()
    assert "新任 太郎" in await person.locator(".who").inner_text()

    await person.get_by_role("button", name="ログアウト").click()
    await person.get_by_text("ログアウトしました。").wait_for()
    await harness.log_in(person, server.url, email=email, password=NEW_PASSWORD, secret=secret)
    await person.get_by_role("heading", name="マイ案件").wait_for()
    await accessible(person, "マイ案件")


async def test_a_wrong_password_and_a_wrong_code_are_refused_kindly_with_the_keyboard_only(
        server, sessions, world, new_page, accessible):
    password, secret = await credentials(sessions, world.coordinator_id)
    page = await new_page()
    await page.goto(server.url + "/")
    await accessible(page, "ログイン")
    await page.keyboard.type(world.emails["coordinator"])            # the e-mail field has the focus
    await page.keyboard.press("Tab")
    await page.keyboard.type("wrong password, sorry")
    await page.keyboard.press("Enter")
    error = page.locator("#f-password-error")
    await error.wait_for()
    assert "メールアドレスまたはパスワードが正しくありません。" in await error.inner_text()
    assert await page.get_by_label("メールアドレス").input_value() == world.emails["coordinator"]   # kept
    await accessible(page, "ログイン（エラー）")
    await page.keyboard.type(password)                               # the focus is back on the password
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="確認コードの入力").wait_for()
    await accessible(page, "確認コードの入力")
    await page.keyboard.type("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    await page.keyboard.press("Enter")
    await page.locator("#f-code-error").get_by_text("確認コードが正しくありません").wait_for()
    await accessible(page, "確認コードの入力（エラー）")
    await page.keyboard.type(harness.fresh_code(secret))
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="マイ案件").wait_for()
    # the navigation is reachable by keyboard: skip link first, then the menu
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "本文へ移動"


async def test_an_admin_ends_a_session_and_the_next_click_lands_on_login(server, sessions, world, new_page,
                                                                           accessible):
    coordinator = await new_page()
    await _log_in(coordinator, server, sessions, world, "coordinator")
    await coordinator.get_by_role("heading", name="マイ案件").wait_for()

    admin = await new_page()
    await _log_in(admin, server, sessions, world, "admin", path="/admin/people")
    row = admin.get_by_role("row").filter(has_text=world.emails["coordinator"])
    assert (await row.locator("td").nth(5).inner_text()).strip() == "1"           # one live session
    async with admin.expect_request(lambda r: r.method == "POST" and r.url.endswith("/end-sessions")) as sent:
        await row.get_by_role("button", name="セッションを終了").click()
    request = await sent.value
    assert request.headers.get("hx-request") == "true" and request.headers.get("x-csrf-token")   # htmx, CSRF header
    await admin.get_by_text("ログイン中のセッションを終了しました").wait_for()
    await accessible(admin, "利用者（セッション終了後）")

    await coordinator.get_by_role("link", name="アカウント").click()
    await coordinator.get_by_role("heading", name="ログイン").wait_for()
    assert coordinator.url.endswith("/login?next=/account")
    assert "ログインが必要です" in await coordinator.locator(".notice").inner_text()


async def test_a_coordinator_of_another_hub_sees_none_of_the_first_hubs_data(server, sessions, gql, world, other_world,
                                                                              new_page, accessible):
    body = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                     {"input": log_input(world.municipality_code, summary="第一拠点だけの相談：胃ろうの方の退院調整")})
    cid = body["data"]["logConsultation"]["consultation"]["id"]
    own = await new_page()
    await _log_in(own, server, sessions, world, "coordinator")
    await own.get_by_role("link", name=cid, exact=True).click()
    await own.locator("p.prewrap").get_by_text("第一拠点だけの相談").wait_for()   # the edit form holds it too
    await accessible(own, "相談詳細")

    other = await new_page()
    await _log_in(other, server, sessions, other_world, "coordinator")
    await other.get_by_role("heading", name="マイ案件").wait_for()
    assert "第一拠点だけの相談" not in await other.content()
    response = await other.goto(f"{server.url}/consultations/{cid}")
    assert response.status == 404
    await other.get_by_role("heading", name="ページが見つかりません").wait_for()
    assert "第一拠点だけの相談" not in await other.content()
    await accessible(other, "ページが見つかりません")


async def test_every_other_screen_passes_axe(server, sessions, world, new_page, accessible):
    screens = {"manager": ["/account", "/issues", "/meetings", "/members", "/search", "/desk-report"],
               "analyst": ["/dashboard", "/reports"],
               "admin": ["/admin/areas", "/admin/tokens", "/admin/audit", "/admin/taxonomies"],
               "coordinator": ["/intake"]}
    for key, paths in screens.items():
        page = await new_page()
        await _log_in(page, server, sessions, world, key, path=paths[0])
        for path in paths:
            await page.goto(server.url + path)
            assert await page.locator("h1").count() == 1
            await accessible(page, f"{key} {path}")


async def test_the_accessibility_check_finds_what_it_should(new_page):
    page = await new_page()
    await page.set_content('<html lang="ja"><body><main><img src="x.png"><form><input name="q"></form></main>'
                           '</body></html>')
    found = {v["id"] for v in await harness.axe_violations(page)}
    assert {"image-alt", "label"} <= found
