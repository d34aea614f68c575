"""The resource directory in a real browser: a coordinator searches with filters during a call, with the
keyboard, and opens a result; a facility contact updates its vacancy; axe-core on every resource screen."""

import re

from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM, Actor
from backend.db import transaction
from backend.resources import demo
from backend.taxonomy import Role
from tests.browser import harness
from tests.helpers import log_input, operation
from tests.resources.directory import new_service, tag
from tests.web.conftest import credentials


async def _log_in(page, server, sessions, *, user_id: int, email: str, path: str = "/") -> None:
    password, secret = await credentials(sessions, user_id)
    await harness.log_in(page, server.url, email=email, password=password, secret=secret, path=path)


async def _demo(sessions, world) -> None:
    desk = Actor(user_id=world.coordinator_id, role=Role.COORDINATOR, hub_id=world.hub_id, display_name="デモ")
    async with transaction(sessions) as s:
        await demo.load_directory(s, actor=desk)


async def test_a_coordinator_searches_with_filters_during_a_call_and_opens_a_result(server, sessions, world, new_page,
                                                                                     accessible):
    await _demo(sessions, world)
    page = await new_page()
    await _log_in(page, server, sessions, user_id=world.ids["coordinator"], email=world.emails["coordinator"])
    nav = page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="資源検索", exact=True)
    await nav.focus()
    await nav.press("Enter")
    await page.get_by_role("heading", name="資源検索").wait_for()
    await accessible(page, "資源検索")
    # the name box has the focus: the coordinator types while the caller talks
    await page.keyboard.type("デモ")
    await page.get_by_label("対応地域（市区町村）").fill("長岡市")
    await page.get_by_text("対応できること・対象者で絞り込む").press("Enter")
    ventilator = page.get_by_label("人工呼吸器", exact=True)
    await ventilator.focus()
    await ventilator.press("Space")
    children = page.get_by_label("小児・医療的ケア児", exact=True)
    await children.focus()
    await children.press("Space")
    await page.get_by_role("button", name="検索する").press("Enter")
    result = page.get_by_role("link", name="訪問看護ステーションあおぞら長岡（デモ）")
    await result.wait_for()
    # the latest request wins (hx-sync replace): the answer to every filter, not to the name typed first
    await page.locator(".result-count", has_text=re.compile("^1件")).wait_for()
    assert await page.locator("table.resource-results tbody tr").count() == 1
    await page.get_by_text("人工呼吸器：可").wait_for()
    assert "cap=ventilator" in page.url                         # the filters are in the address: back works
    await accessible(page, "資源検索（結果）")
    await result.focus()
    await result.press("Enter")
    await page.get_by_role("heading", name="訪問看護ステーションあおぞら長岡（デモ）").wait_for()
    await page.get_by_role("heading", name="対応できること").wait_for()
    await accessible(page, "資源詳細")
    # a correction reported from the entry reaches the desk's queue
    await page.get_by_label("誤りのある項目").select_option("phone")
    await page.get_by_label("内容", exact=True).fill("代表番号が変わったと聞いた")
    await page.get_by_role("button", name="訂正を報告する").press("Enter")
    await page.get_by_text("訂正の報告を受け付けました").wait_for()
    await page.goto(server.url + "/resources/corrections")
    await page.get_by_text("代表番号が変わったと聞いた").wait_for()
    await accessible(page, "訂正の確認")
    for path, heading in (("/resources/new", "資源の新規登録"), ("/resources/sources", "資源情報の出典")):
        await page.goto(server.url + path)
        await page.get_by_role("heading", name=heading).wait_for()
        await accessible(page, heading)
    # an empty search and a wrong municipality say so in Japanese
    await page.goto(server.url + "/resources?q=%E3%83%87%E3%83%A2&area=%E3%81%A9%E3%81%93%E3%81%8B%E5%B8%82")
    await page.get_by_text("市区町村が見つかりません").first.wait_for()
    await accessible(page, "資源検索（誤り）")


async def test_a_facility_contact_updates_its_vacancy(server, sessions, gql, world, new_page, accessible):
    t = tag()
    mine = await new_service(gql, world.coordinator, f"ショートステイ試験{t}", kind="SHORT_STAY")
    email = f"facility-{t}@example.jp"
    async with transaction(sessions) as s:
        user, _ = await accounts.create_user(s, actor=SYSTEM, email=email, display_name="施設担当",
                                             role=Role.FACILITY_CONTACT, service_id=int(mine))
    page = await new_page()
    await _log_in(page, server, sessions, user_id=user.id, email=email)
    await page.get_by_role("heading", name=f"ショートステイ試験{t}").wait_for()    # lands on its own page
    assert page.url.endswith("/my-service")
    await accessible(page, "自事業所の情報")
    await page.get_by_label("空き数").fill("2")
    await page.get_by_label("最大数（任意）").fill("12")
    await page.get_by_role("button", name="空き状況を更新する").press("Enter")
    await page.get_by_text("空き状況を更新しました").wait_for()
    await page.locator(".vacancy", has_text="2床").wait_for()
    await page.get_by_label("空き数").fill("-3")
    await page.get_by_role("button", name="空き状況を更新する").press("Enter")
    await page.locator(".field-error").first.wait_for()
    await accessible(page, "自事業所の情報（誤り）")
    # the search is the desk's: the facility contact sees only its own entry
    response = await page.goto(server.url + "/resources")
    assert response.status == 404


async def test_the_desk_admin_and_hub_screens_of_the_directory_pass_axe(server, sessions, gql, world, new_page,
                                                                         accessible):
    out = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                    {"input": log_input("15202", summary="胃ろうの方の退院調整")})
    cid = out["data"]["logConsultation"]["consultation"]["id"]
    await new_service(gql, world.coordinator, f"紹介先試験{tag()}")
    coordinator = await new_page()
    await _log_in(coordinator, server, sessions, user_id=world.ids["coordinator"], email=world.emails["coordinator"],
                  path=f"/consultations/{cid}/referrals?q=%E7%B4%B9%E4%BB%8B%E5%85%88%E8%A9%A6%E9%A8%93")
    await coordinator.get_by_role("heading", name=re.compile("紹介先と結果の記録")).wait_for()
    await accessible(coordinator, "紹介の記録")
    await coordinator.get_by_role("button", name="紹介の結果を記録する").press("Enter")
    await coordinator.get_by_text("連絡した資源を1つ以上選んでください").first.wait_for()
    await accessible(coordinator, "紹介の記録（誤り）")
    manager = await new_page()
    await _log_in(manager, server, sessions, user_id=world.ids["manager"], email=world.emails["manager"],
                  path="/unmet-needs")
    await manager.get_by_role("heading", name=re.compile("資源の不足")).wait_for()
    await accessible(manager, "資源の不足")
    admin = await new_page()
    await _log_in(admin, server, sessions, user_id=world.ids["admin"], email=world.emails["admin"],
                  path="/admin/resources/crosswalk")
    await admin.get_by_role("heading", name="資源の名寄せ").wait_for()
    await accessible(admin, "資源の名寄せ")
