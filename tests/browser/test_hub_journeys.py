"""The hub manager's journey in a real browser, with the keyboard: regroup the year's consultations (the
progress box polls the job until the board reloads), merge two issues, schedule a meeting, drop an example
from its packet, send it, and watch each recipient's delivery; the test's SMTP server (aiosmtpd) receives
the packet exactly as previewed. axe-core on every screen on the way."""

import re
from email import message_from_bytes
from email import policy as email_policy

from backend.jobs.dispatch import Dispatcher
from tests import clock
from tests.browser import harness
from tests.helpers import operation
from tests.web.conftest import credentials
from tests.web.hub_world import MEMBERS, hub_data

PACKET = operation("hub.graphql", "HubMeetingPacket")


async def _press(locator, key: str = "Enter") -> None:
    await locator.focus()
    await locator.press(key)


def _nav(page, name: str):
    return page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name=name, exact=True)


async def test_a_hub_manager_regroups_merges_schedules_drops_an_example_and_sends(
        server, sessions, settings, gql, world, new_page, accessible, smtp_server):
    handler, config = smtp_server
    data = await hub_data(gql, sessions, world)
    page = await new_page()
    password, secret = await credentials(sessions, world.ids["manager"])
    await harness.log_in(page, server.url, email=world.emails["manager"], password=password, secret=secret)
    await _press(_nav(page, "地域課題ボード"))
    await page.get_by_role("heading", name="地域課題ボード", level=1).wait_for()
    await accessible(page, "地域課題ボード")

    # 再グループ化: the progress box polls until the worker is done, then the board reloads by itself
    await _press(page.get_by_role("button", name="再グループ化する"))
    await page.locator("#job-progress progress").wait_for()
    await accessible(page, "地域課題ボード（再グループ化中）")
    await Dispatcher(settings=settings, sessions=sessions).run_pending()
    await page.get_by_text("再グループ化が完了しました。").wait_for(timeout=15_000)

    # merge the two issues the manager raised: pick both (Space), then choose the one to keep
    for title in ("退院後の在宅医（訪問診療医）の確保", "退院後の夜間の連絡体制"):
        await _press(page.get_by_label(f"統合に選ぶ：{title}"), "Space")
    await _press(page.get_by_role("button", name="選んだ課題を統合する"))
    await page.get_by_role("heading", name="地域課題の統合").wait_for()
    await accessible(page, "地域課題の統合")
    await page.get_by_label(re.compile("^退院後の在宅医（訪問診療医）の確保")).check()
    await _press(page.get_by_role("button", name="統合する", exact=True))
    await page.get_by_text("地域課題を統合しました。").wait_for()
    assert await page.locator(f"#issue-{data.second_issue}").count() == 0
    await _press(page.locator(f"#issue-{data.first_issue}").get_by_role("link", name=re.compile("^詳細・名前の変更")))
    await page.get_by_role("heading", name="この課題の相談（8件）").wait_for()
    await accessible(page, "地域課題")

    await _press(_nav(page, "メンバー"))
    await page.get_by_role("heading", name="委員（2名）").wait_for()
    await accessible(page, "メンバー")

    # schedule a meeting with the merged issue on its agenda; both members are checked already
    await _press(_nav(page, "協議の場"))
    await accessible(page, "協議の場")
    await _press(page.get_by_role("link", name="会議を登録する"))
    await page.get_by_label("会議名").fill("第1回 在宅医療・介護連携推進会議")
    await page.get_by_label("開催日").fill(clock.tomorrow().isoformat())
    await _press(page.get_by_label(re.compile("^退院後の在宅医（訪問診療医）の確保")), "Space")
    await accessible(page, "会議を登録する")
    await _press(page.get_by_role("button", name="会議を登録して資料を作成する"))
    await page.get_by_text("会議を登録しました。").wait_for()
    meeting_id = re.search(r"/meetings/(\d+)", page.url).group(1)
    await Dispatcher(settings=settings, sessions=sessions).run_pending()       # the worker builds the packet
    frame = page.frame_locator("iframe.packet-frame")
    await frame.get_by_role("heading", name=re.compile("第1回 在宅医療・介護連携推進会議")).wait_for(timeout=15_000)
    await accessible(page, "会議（資料のプレビュー）")

    drops = page.get_by_role("button", name=re.compile("^この例を資料から外す"))
    assert await drops.count() == 3
    await _press(drops.first)
    await page.get_by_text("例を資料から外し、資料を作り直しました。").wait_for()

    await _press(page.get_by_role("button", name="委員2名に資料を送付する"))
    await page.get_by_text("送付を受け付けました").wait_for()
    mailing = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{config.port}"})
    await Dispatcher(settings=mailing, sessions=sessions).run_pending()       # send_packet, then each send_mail
    await Dispatcher(settings=mailing, sessions=sessions).run_pending()
    await page.locator("table.deliveries").get_by_text("送信済み").nth(1).wait_for(timeout=15_000)
    await accessible(page, "会議（送付済み）")

    assert sorted(r for e in handler.envelopes for r in e.rcpt_tos) == sorted(m[2] for m in MEMBERS)
    api = (await gql(world.manager, PACKET, {"id": meeting_id}))["data"]["hubMeeting"]["packet"]
    for envelope in handler.envelopes:
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        mailed = message.get_body(("html",)).get_content().replace("\r\n", "\n")   # SMTP's line ends
        assert mailed.strip() == api["html"].strip()
