"""Saves a PNG of each screen built so far into docs/screenshots/ (1366×768 office PC; a few also at
tablet size), from a fresh demo database served by uvicorn and Debian's chromium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Japanese text needs Debian's fonts-noto-cjk: installed here with apt-get when missing (as root)."""

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from tests.browser import harness  # noqa: E402

OFFICE = {"width": 1366, "height": 768}
TABLET = {"width": 1024, "height": 768}


def ensure_fonts() -> None:
    has_fc = shutil.which("fc-list") is not None
    listed = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout if has_fc else ""
    if "Noto Sans CJK" in listed:
        return
    print("installing fonts-noto-cjk (Debian) for Japanese text ...")
    subprocess.run(["apt-get", "install", "-y", "-q", "fonts-noto-cjk"], check=True)


async def prepare(db_url: str, outbox: Path) -> tuple[dict, str]:
    """The demo data, fresh credentials for its accounts, and an invitation link for the sign-up screens."""
    from sqlalchemy import select

    from backend import demo, migrate
    from backend.accounts import invitations, login
    from backend.accounts.actor import SYSTEM
    from backend.accounts.models import User
    from backend.db import make_engine, make_sessions, transaction
    from backend.regions import service as regions
    from backend.settings import Settings
    from backend.taxonomy import Role

    settings = Settings(database_url=db_url, outbox_dir=outbox, public_url="http://screens.invalid")
    engine = make_engine(db_url)
    await migrate.upgrade(engine)
    async with transaction(make_sessions(engine)) as s:
        await regions.load_reference_data(s)
    await engine.dispose()
    await demo.load(settings)
    engine = make_engine(db_url)
    credentials = {}
    async with transaction(make_sessions(engine)) as s:
        for user in (await s.scalars(select(User).where(User.email.like("%@demo.renkei.jp")))).all():
            credentials[user.email.split("@")[0]] = (user.email, *await login.set_demo_credentials(s, user_id=user.id))
        invited = await invitations.invite(s, actor=SYSTEM, settings=settings, email="new.coordinator@demo.renkei.jp",
                                           role=Role.COORDINATOR, hub_id=1, display_name="新任 コーディネーター")
    await engine.dispose()
    return credentials, invited.url.split("/invitation", 1)[1]


async def shoot(out: Path) -> list[Path]:
    ensure_fonts()
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/screens.db"
        credentials, invitation_query = await prepare(db_url, Path(tmp) / "outbox")
        server = harness.Server(database_url=db_url, outbox_dir=Path(tmp) / "outbox", log_path=Path(tmp) / "server.log")
        try:
            async with async_playwright() as p:
                browser = await harness.launch(p)

                async def page_for(viewport=OFFICE):
                    context = await browser.new_context(viewport=viewport, locale="ja-JP", timezone_id="Asia/Tokyo")
                    return await context.new_page()

                async def save(page, name: str) -> None:
                    path = out / f"{name}.png"
                    await page.screenshot(path=str(path), full_page=True)
                    saved.append(path)

                page = await page_for()
                await page.goto(server.url + "/login")
                await save(page, "01-login")
                await page.get_by_label("メールアドレス").fill("coordinator@demo.renkei.jp")
                await page.get_by_label("パスワード", exact=True).fill("not-the-password")
                await page.get_by_role("button", name="次へ（確認コードの入力）").click()
                await save(page, "02-login-refused")

                page = await page_for()
                await page.goto(server.url + "/invitation" + invitation_query)
                await save(page, "03-invitation")
                await page.get_by_label("パスワード", exact=True).fill("長岡の雪と桜の会議室で話す")
                await page.get_by_label("パスワード（確認のため、もう一度）").fill("長岡の雪と桜の会議室で話す")
                await page.get_by_role("button", name="パスワードを設定して次へ").click()
                await save(page, "04-enrol-second-factor")
                secret = (await page.locator("#totp-key").inner_text()).replace(" ", "")
                await page.get_by_label("認証アプリに表示された6桁の確認コード").fill(harness.fresh_code(secret))
                await page.get_by_role("button", name="登録してログイン").click()
                await save(page, "05-recovery-codes")

                email, password, secret = credentials["coordinator"]
                page = await page_for()
                await page.goto(server.url + "/login")
                await page.get_by_label("メールアドレス").fill(email)
                await page.get_by_label("パスワード", exact=True).fill(password)
                await page.get_by_role("button", name="次へ（確認コードの入力）").click()
                await save(page, "06-login-code")
                await page.get_by_label("確認コード（6桁）").fill(harness.fresh_code(secret))
                await page.get_by_role("button", name="ログイン").click()
                await page.wait_for_url("**/consultations")
                await coordinator_screens(server, page, save)
                await page.goto(server.url + "/account")
                await save(page, "13-account")
                await page.set_viewport_size(TABLET)
                await page.goto(server.url + "/consultations")
                await save(page, "14-coordinator-my-consultations-tablet")

                await hub_screens(server, page_for, save, credentials["manager"])
                email, password, secret = credentials["manager"]
                page = await page_for()
                await harness.log_in(page, server.url, email=email, password=password, secret=secret,
                                     path="/desk-report")
                await save(page, "24-hub-manager-desk-report")

                await resource_screens(server, page_for, save, credentials)
                await analyst_screens(server, page_for, save, credentials["analyst"])
                page = await admin_screens(server, page_for, save, credentials["admin"])
                await page.goto(server.url + "/no-such-page")
                await save(page, "90-not-found")
                await browser.close()
        finally:
            server.stop()
    return saved


async def coordinator_screens(server, page, save) -> None:
    """受付 with the scene suggestions showing, マイ案件, 相談詳細 and 検索 with results."""
    await page.goto(server.url + "/intake")
    await page.get_by_label("相談者", exact=True).select_option("DISCHARGE_SUPPORT_NURSE")
    await page.get_by_label("相談者の所属").select_option("HOSPITAL")
    municipality = page.locator("#hub-municipalities option").first
    await page.get_by_label("市区町村").fill(await municipality.get_attribute("value"))
    await page.get_by_label("相談内容").fill("来週退院予定。退院前カンファの日程が決まらず、訪問診療医も未定。"
                                             "家族は在宅での看取りを希望している。")
    await page.locator("#scene-ADMISSION_DISCHARGE").wait_for()
    await page.locator("#scene-ADMISSION_DISCHARGE").check()
    await page.get_by_label("退院調整").check()
    await save(page, "12-coordinator-intake")
    await page.goto(server.url + "/consultations")
    await save(page, "10-coordinator-my-consultations")
    await page.locator("table.list tbody a").first.click()
    await page.get_by_text("相談を編集する").click()
    await save(page, "11-coordinator-consultation-detail")
    await page.goto(server.url + "/search")
    await page.get_by_label("キーワード（相談内容・対応の記録）").fill("退院")
    await page.get_by_role("button", name="検索する").click()
    await page.get_by_role("heading", name="検索結果", exact=False).first.wait_for()
    await save(page, "15-coordinator-search")


async def resource_screens(server, page_for, save, credentials) -> None:
    """The resource directory: 資源検索 with filters, 資源詳細, 新規登録, 訂正の確認, 出典, a consultation's referrals,
    自事業所の情報 (the facility contact), 資源の不足 (the hub manager), 資源の名寄せ (the admin)."""
    email, password, secret = credentials["coordinator"]
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret, path="/resources")
    await save(page, "50-resource-search")
    await page.goto(server.url + "/resources?q=%E3%83%87%E3%83%A2&area=%E9%95%B7%E5%B2%A1%E5%B8%82&cap=night_holiday")
    await save(page, "51-resource-search-results")
    await page.get_by_role("link", name="訪問看護ステーションあおぞら長岡（デモ）").click()
    await page.get_by_role("heading", name="対応できること").wait_for()
    await save(page, "52-resource-detail")
    await page.set_viewport_size(TABLET)
    await page.goto(server.url + "/resources?q=%E3%83%87%E3%83%A2&when=now")
    await save(page, "53-resource-search-tablet")
    await page.set_viewport_size(OFFICE)
    for path, name in (("/resources/new", "54-resource-new"), ("/resources/corrections", "55-resource-corrections"),
                       ("/resources/sources", "56-resource-sources")):
        await page.goto(server.url + path)
        await save(page, name)
    await page.goto(server.url + "/consultations")
    consultation = (await page.locator("table.list tbody a").first.get_attribute("href")) or "/consultations/1"
    await page.goto(server.url + consultation + "/referrals?q=%E8%A8%AA%E5%95%8F%E7%9C%8B%E8%AD%B7")
    await save(page, "57-consultation-referrals")
    email, password, secret = credentials["facility"]
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret)
    await page.get_by_role("heading", name="空き状況").wait_for()
    await save(page, "58-facility-my-service")
    email, password, secret = credentials["manager"]
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret, path="/unmet-needs")
    await save(page, "59-hub-unmet-needs")
    email, password, secret = credentials["admin"]
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret,
                         path="/admin/resources/crosswalk")
    await save(page, "60-admin-resource-crosswalk")

async def hub_screens(server, page_for, save, credential) -> None:
    """メンバー with two members added, 地域課題ボード after 再グループ化 (the server's own job runner), an issue's
    page, and a meeting's packet preview."""
    email, password, secret = credential
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret, path="/members")
    for name, organization, address in (("佐藤 花子", "長岡市医師会", "hanako.sato@ishikai.demo.renkei.jp"),
                                        ("鈴木 一郎", "地域包括支援センター", "ichiro.suzuki@houkatsu.demo.renkei.jp")):
        await page.get_by_label("氏名").fill(name)
        await page.get_by_label("所属").fill(organization)
        await page.get_by_label("メールアドレス").fill(address)
        await page.get_by_role("button", name="委員を追加する").click()
        await page.get_by_text("委員を追加しました。").wait_for()
    await save(page, "23-hub-manager-members")
    await page.goto(server.url + "/issues")
    await page.get_by_role("button", name="再グループ化する").click()
    await page.get_by_text("再グループ化が完了しました。").wait_for(timeout=60_000)
    await save(page, "20-hub-manager-issue-board")
    await page.locator("ul.issue-cards h2 a").first.click()
    await page.get_by_role("heading", name="課題名を変更する").wait_for()
    await save(page, "21-hub-manager-issue")
    await page.goto(server.url + "/meetings/new")
    await page.get_by_label("会議名").fill("第3回 長岡地域在宅医療・介護連携推進会議")
    for i in range(2):
        await page.locator("input[name=issueIds]").nth(i).check()
    await page.get_by_role("button", name="会議を登録して資料を作成する").click()
    await page.frame_locator("iframe.packet-frame").get_by_role("heading", level=1).wait_for(timeout=60_000)
    await save(page, "22-hub-manager-meeting-preview")


async def analyst_screens(server, page_for, save, credential) -> None:
    """ダッシュボード (office PC and tablet) and 報告書 with a report ordered and built (the server's own job runner)."""
    email, password, secret = credential
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret, path="/dashboard")
    await page.get_by_role("heading", name="月別の相談件数").wait_for()
    await save(page, "30-analyst-dashboard")
    await page.set_viewport_size(TABLET)
    await save(page, "31-analyst-dashboard-tablet")
    await page.set_viewport_size(OFFICE)
    await page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="報告書").click()
    await page.get_by_role("button", name="この年度の報告書を作成する").click()
    await page.locator("tr.just-ordered").get_by_text("完成").wait_for(timeout=60_000)
    await page.get_by_label("年度").select_option(index=1)
    await page.get_by_role("button", name="この年度の報告書を作成する").click()
    await page.locator("tr.just-ordered").wait_for()
    await save(page, "32-analyst-reports")


async def admin_screens(server, page_for, save, credential):
    """利用者, a person's page, 圏域・拠点 with a prefecture's municipalities, APIトークン right after issuing, 監査ログ."""
    email, password, secret = credential
    page = await page_for()
    await harness.log_in(page, server.url, email=email, password=password, secret=secret, path="/admin/people")
    await save(page, "40-admin-people")
    await page.get_by_role("link", name=re.compile("^コーディネーター デモ")).click()
    await page.get_by_role("heading", name="ログインと利用").wait_for()
    await save(page, "41-admin-person")
    await page.goto(server.url + "/admin/areas?prefecture=15")
    await page.get_by_label("圏域名", exact=True).fill("下越在宅医療圏")
    for code in ("15100", "15206", "15212"):
        await page.locator(f"#m-{code}").check()
    await save(page, "42-admin-areas")
    await page.goto(server.url + "/admin/tokens")
    await page.get_by_label("アカウント名").fill("県ダッシュボード連携")
    await page.get_by_label("連絡先メールアドレス").fill("pref-dashboard@demo.renkei.jp")
    await page.get_by_label("役割").select_option("prefecture_analyst")
    await page.get_by_label("都道府県（都道府県担当者のとき）").select_option("15")
    await page.get_by_role("button", name="アカウントを作成してトークンを発行する").click()
    await page.get_by_text("このトークンは今だけ表示されます").wait_for()
    await save(page, "43-admin-tokens-issued")
    await page.goto(server.url + "/admin/audit")
    await page.get_by_text("改ざんは見つかりませんでした。").wait_for()
    await save(page, "44-admin-audit")
    await page.set_viewport_size(TABLET)
    await save(page, "45-admin-audit-tablet")
    await page.set_viewport_size(OFFICE)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(args.out)):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
