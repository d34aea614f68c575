"""The coordinator's journeys in a real browser: a call logged with the keyboard only (a suggested scene
confirmed with the space bar), an action recorded, the case closed; a second coordinator's stale edit
refused kindly; a coordinator of another hub sees none of it. axe-core on each screen on the way."""

import re

from tests.browser import harness
from tests.helpers import log_input, operation
from tests.web.conftest import credentials

NOTE = "退院前カンファの日程が決まらず、訪問診療医も未定。"


async def _log_in(page, server, sessions, world, key: str, path: str = "/") -> None:
    password, secret = await credentials(sessions, world.ids[key])
    await harness.log_in(page, server.url, email=world.emails[key], password=password, secret=secret, path=path)


async def tab_to(page, selector: str, limit: int = 80) -> None:
    """Presses Tab until the focused element matches the selector, as a keyboard user moves through a form."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def test_a_call_logged_with_the_keyboard_only_then_an_action_and_the_close(server, sessions, world, new_page,
                                                                               accessible):
    page = await new_page()
    await _log_in(page, server, sessions, world, "coordinator", path="/intake")
    await page.get_by_role("heading", name="受付", exact=True).wait_for()
    await accessible(page, "受付")
    await tab_to(page, "#f-callerRole")
    await page.keyboard.press("ArrowDown")                    # 介護支援専門員, the first of the list
    await tab_to(page, "#f-municipalityCode")
    await page.keyboard.type("15202")                         # a code typed; a name works too
    await tab_to(page, "#f-summary")
    await page.keyboard.type(NOTE)
    suggestion = page.locator("#scene-ADMISSION_DISCHARGE")
    await suggestion.wait_for()                               # the debounced suggestion arrived
    assert "退院" in await page.locator("#scene-ADMISSION_DISCHARGE-why").inner_text()
    await accessible(page, "受付（場面の候補を表示中）")
    await tab_to(page, "#scene-ADMISSION_DISCHARGE")
    await page.keyboard.press("Space")                        # confirmed with one key
    assert await suggestion.is_checked()
    await tab_to(page, "button[type=submit].primary")
    await page.keyboard.press("Enter")
    await page.get_by_text("相談を受け付けました。").wait_for()
    cid = re.search(r"/consultations/(\d+)", page.url).group(1)
    facts = await page.locator("dl.facts").inner_text()
    assert "入退院支援" in facts and "推定・未確認" not in facts and "長岡市" in await page.locator(".lead").inner_text()
    await accessible(page, "相談詳細")

    await tab_to(page, "#f-type")
    for _ in range(5):
        await page.keyboard.press("ArrowDown")                # 在宅医マッチング
    await tab_to(page, "#f-note")
    await page.keyboard.type("在支診に打診、明日回答")
    await tab_to(page, "#f-minutes")
    await page.keyboard.type("15")
    await tab_to(page, "#record ~ form button[type=submit]")
    await page.keyboard.press("Enter")
    await page.get_by_text("対応を記録しました。").wait_for()
    timeline = await page.locator("ol.timeline").inner_text()
    assert "在宅医マッチング" in timeline and "在支診に打診、明日回答" in timeline and "15分" in timeline

    await tab_to(page, "#close > summary")
    await page.keyboard.press("Enter")                        # opens 相談を終結する
    await tab_to(page, "#f-outcome")
    await page.keyboard.press("ArrowDown")                    # 解決
    await tab_to(page, "#close button[type=submit]")
    await page.keyboard.press("Enter")
    await page.get_by_text("相談を終結しました。").wait_for()
    assert "終結" in await page.locator(".lead .status").inner_text()
    assert "解決" in await page.locator("dl.facts").inner_text()
    await accessible(page, "相談詳細（終結後）")

    await page.goto(f"{server.url}/search")
    await page.get_by_label("キーワード（相談内容・対応の記録）").fill("在支診に打診")
    await page.get_by_role("button", name="検索する").click()
    await page.get_by_role("heading", name=re.compile(r"検索結果（1件")).wait_for()
    assert await page.locator(f'a[href="/consultations/{cid}"]').count() == 1
    await accessible(page, "検索")


async def test_a_second_coordinators_stale_edit_is_refused_kindly(server, sessions, world, gql, new_page, accessible):
    body = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                     {"input": log_input(world.municipality_code, summary="夜間の連絡先が不明で家族が119")})
    cid = body["data"]["logConsultation"]["consultation"]["id"]
    first, second = await new_page(), await new_page()
    await _log_in(first, server, sessions, world, "coordinator", path=f"/consultations/{cid}")
    await _log_in(second, server, sessions, world, "coordinator2", path=f"/consultations/{cid}")
    for page in (first, second):
        await page.get_by_text("相談を編集する").click()
    await second.get_by_label("緊急度").select_option("4")
    await second.get_by_role("button", name="変更を保存する").click()
    await second.get_by_text("相談を更新しました。").wait_for()

    await first.get_by_label("相談内容", exact=True).fill("夜間の連絡先が不明で家族が119（追記）")
    await first.get_by_role("button", name="変更を保存する").click()
    notice = first.locator("#stale")
    await notice.wait_for()
    text = await notice.inner_text()
    assert "保存できませんでした" in text and "coordinator2" in text and "緊急度" in text
    assert await first.get_by_label("相談内容", exact=True).input_value() == "夜間の連絡先が不明で家族が119（追記）"
    await accessible(first, "相談詳細（更新の競合）")
    await first.get_by_role("link", name="最新の内容を読み込む").click()
    await first.locator("dl.facts").get_by_text("4", exact=True).wait_for()
    assert await first.locator("#stale").count() == 0


async def test_a_coordinator_of_another_hub_sees_none_of_it(server, sessions, world, other_world, gql, new_page,
                                                           accessible):
    body = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                     {"input": log_input(world.municipality_code, summary="第一拠点の相談、在宅酸素の業者が不明")})
    cid = body["data"]["logConsultation"]["consultation"]["id"]
    other = await new_page()
    await _log_in(other, server, sessions, other_world, "coordinator", path="/search")
    await other.get_by_label("キーワード（相談内容・対応の記録）").fill("第一拠点の相談")
    await other.get_by_role("button", name="検索する").click()
    await other.get_by_role("heading", name=re.compile(r"検索結果（0件")).wait_for()
    assert "在宅酸素の業者が不明" not in await other.content()
    response = await other.goto(f"{server.url}/consultations/{cid}")
    assert response.status == 404
    await other.goto(f"{server.url}/consultations")
    assert f"/consultations/{cid}\"" not in await other.content()
    await accessible(other, "マイ案件（他拠点）")
