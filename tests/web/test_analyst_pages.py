"""The prefecture analyst's screens over HTTP: the dashboard shows the API's figures and its ＊ exactly where
the API suppresses, the yearly report is ordered, followed until ready and downloaded, and another
prefecture's analyst finds nothing of it."""

import io
import re

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from backend.audit.models import AuditEvent
from backend.db import transaction
from backend.jobs.dispatch import Dispatcher
from backend.reports import service as reports
from backend.reports.models import PrefectureReport
from tests.helpers import operation
from tests.web.conftest import csrf_of, log_in
from tests.web.figures import FY, SECRET, prefecture_world, seed, shown, tables_of

OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")


async def _api(gql, world, fiscal_year=FY) -> dict:
    body = await gql(world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": fiscal_year})
    return body["data"]["prefecture"]


async def _analyst(client, sessions, world):
    await log_in(client, sessions, user_id=world.ids["analyst"], email=world.emails["analyst"])


async def test_an_analyst_lands_on_the_dashboard_of_their_own_prefecture(client, sessions):
    world = await prefecture_world(sessions)
    await _analyst(client, sessions, world)
    r = await client.get("/")
    assert r.headers["location"] == "/dashboard"
    r = await client.get("/dashboard")
    assert r.status_code == 303 and r.headers["location"] == f"/dashboard/{world.prefecture_code}"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and "<h1>ダッシュボード" in page.text
    assert 'aria-current="page">ダッシュボード' in page.text


async def test_every_figure_is_the_apis_and_the_stars_stand_exactly_where_it_suppresses(client, sessions, gql):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 30, ("disaster", "family"): 3,
                                 ("daily_care", "family"): 14, (None, "other"): 11})
    await seed(sessions, world, {("admission_discharge", "care_manager"): 12}, closed_as="resolved")
    api = await _api(gql, world)
    stats = api["stats"]
    await _analyst(client, sessions, world)
    page = await client.get(f"/dashboard/{world.prefecture_code}?year={FY}")
    assert page.status_code == 200
    assert "2025年度（令和7年度）" in page.text and api["name"] in page.text
    t = tables_of(page.text)

    expected = {"場面別": {s["label"]: shown(s) for s in stats["byScene"]},
                "相談者別": {r["label"]: shown(r) for r in stats["byCallerRole"]},
                "圏域別": {a["area"]["name"]: shown(a["total"]) for a in stats["byArea"]}}
    for key, table in (("場面別", "t-scene"), ("相談者別", "t-role"), ("圏域別", "t-area")):
        on_page = {row[0]: row[1] for row in t.tables[table][1:]}
        assert on_page == expected[key], key
    months = t.tables["t-month"]
    assert months[1][1:] == [shown(m) for m in stats["byMonth"]]
    assert months[0][1:] == [f"{m['month'][:4]}年{int(m['month'][5:])}月" for m in stats["byMonth"]]
    cross = {row[0]: row[1:] for row in t.tables["t-area-scene"][1:]}
    for a in stats["byArea"]:
        assert cross[a["area"]["name"]] == [shown(a["total"])] + [shown(s) for s in a["byScene"]]
    hubs = {row[0]: row[2] for row in t.tables["t-hubs"][1:]}
    assert hubs == {h["hub"]["name"]: shown(h["consultations"]) for h in api["hubActivity"]}
    assert t.kpis["相談件数"] == shown(stats["total"]) + "件"
    assert t.kpis["解決率（解決／終結）"] == (f"{stats['resolution']['resolvedRate']:.1%}"
                                         if stats["resolution"]["resolvedRate"] is not None else "＊")

    # the test's data makes the API hide a cell (3 disaster calls) and show the large ones
    assert expected["場面別"]["災害時の対応"] == "＊" and expected["場面別"]["入退院支援"] == "42"
    assert "＊ は10件未満のため" in page.text
    assert "山田" not in page.text and "090-" not in page.text and SECRET not in page.text


async def test_the_year_selector_speaks_fiscal_years_and_a_year_outside_them_is_no_page(client, sessions):
    world = await prefecture_world(sessions)
    await _analyst(client, sessions, world)
    page = await client.get(f"/dashboard/{world.prefecture_code}?year=2024")
    assert page.status_code == 200
    assert re.search(r'<option value="2024" selected>2024年度（令和6年度）</option>', page.text)
    assert '<option value="2019">2019年度（令和元年度）</option>' in page.text
    assert "2024年度（令和6年度）の相談の記録はまだありません。" in page.text
    for bad in ("1999", "abc", "20250", "2014"):
        assert (await client.get(f"/dashboard/{world.prefecture_code}?year={bad}")).status_code == 404


async def test_an_analyst_of_another_prefecture_finds_nothing_of_it(client, app, sessions, gql):
    world = await prefecture_world(sessions)
    stranger = await prefecture_world(sessions)
    await seed(sessions, world, {("daily_care", "care_manager"): 20})
    async with transaction(sessions) as s:
        report = PrefectureReport(prefecture_code=world.prefecture_code, fiscal_year=FY, status="queued",
                                  requested_by_id=world.ids["analyst"])
        s.add(report)
        await s.flush()
        rid = report.id
    await _analyst(client, sessions, stranger)
    api = await gql(stranger.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": FY})
    assert api["data"]["prefecture"] is None                              # the API: nothing
    area_name = (await _api(gql, world))["stats"]["byArea"][0]["area"]["name"]
    for path in (f"/dashboard/{world.prefecture_code}", f"/dashboard/{world.prefecture_code}?year={FY}",
                 f"/reports/{rid}/row", f"/reports/{rid}.xlsx"):
        r = await client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 404, path
        assert area_name not in r.text
    own = await client.get("/reports")
    assert own.status_code == 200 and f"report-{rid}" not in own.text
    async with sessions() as s:                                            # the refused look is in the trail
        denied = (await s.execute(select(AuditEvent.operation).where(
            AuditEvent.actor_id == stranger.ids["analyst"], AuditEvent.entity_id == str(rid)))).scalars().all()
    assert "report.read.denied" in denied
    # a coordinator has no dashboard at all
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as other:
        await log_in(other, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
        assert (await other.get("/dashboard")).status_code == 404
        assert (await other.get(f"/dashboard/{world.prefecture_code}")).status_code == 404
        assert (await other.get("/reports")).status_code == 404


async def test_an_ordered_report_is_followed_until_ready_and_its_xlsx_has_the_pages_figures(
        client, sessions, settings, gql):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 30, ("disaster", "family"): 3,
                                 ("end_of_life", "visiting_nurse"): 15})
    await _analyst(client, sessions, world)
    page = await client.get(f"/reports?year={FY}")
    r = await client.post("/reports/order", data={"fiscalYear": str(FY), "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    rid = re.search(r"ordered=(\d+)", r.headers["location"]).group(1)
    listing = await client.get(r.headers["location"])
    row = re.search(rf'<tr id="report-{rid}"[^>]*>', listing.text).group(0)
    assert f'hx-get="/reports/{rid}/row?ordered=1"' in row and 'hx-trigger="every 2s"' in row     # polls while building
    assert "作成中" in listing.text and "2025年度（令和7年度）" in listing.text

    await Dispatcher(settings=settings, sessions=sessions).run_pending()
    ready = await client.get(f"/reports/{rid}/row", headers={"HX-Request": "true"})
    assert ready.status_code == 200 and "完成" in ready.text and "hx-trigger" not in ready.text   # polling stops
    assert f'href="/reports/{rid}.xlsx"' in ready.text and f'href="/reports/{rid}.csv"' in ready.text

    xlsx = await client.get(f"/reports/{rid}.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    dashboard = tables_of((await client.get(f"/dashboard/{world.prefecture_code}?year={FY}")).text)

    def as_page(value) -> str:      # a workbook cell written the way the page writes it
        return f"{value:,}" if isinstance(value, int) else str(value)

    for sheet, table in (("場面別の相談件数", "t-scene"), ("相談者別の相談件数", "t-role"), ("月別の相談件数", None)):
        cells = {row[0]: row[1] for row in book[sheet].iter_rows(min_row=3, values_only=True) if row[1] is not None}
        if table:
            on_page = {row[0]: row[1] for row in dashboard.tables[table][1:]}
        else:   # the months run across the page's table
            on_page = dict(zip(dashboard.tables["t-month"][0][1:], dashboard.tables["t-month"][1][1:], strict=True))
        assert len(on_page) >= 8 and {label: as_page(cells[label]) for label in on_page} == on_page, sheet
    assert "＊" in {row[1] for row in book["場面別の相談件数"].iter_rows(min_row=3, values_only=True)}


async def test_an_order_for_a_year_that_cannot_be_reported_is_refused_beside_the_field(client, sessions):
    world = await prefecture_world(sessions)
    await _analyst(client, sessions, world)
    page = await client.get("/reports")
    r = await client.post("/reports/order", data={"fiscalYear": "2014", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400
    assert 'id="f-fiscalYear-error"' in r.text and "2014年度の報告書は作成できません" in r.text
    r = await client.post("/reports/order", data={"fiscalYear": "", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400 and "年度を選択してください。" in r.text
    async with transaction(sessions) as s:
        count = len(await reports.list_reports(s, actor=_analyst_actor(world), prefecture_code=world.prefecture_code))
    assert count == 0


def _analyst_actor(world):
    from backend.accounts.actor import Actor
    from backend.taxonomy import Role
    return Actor(user_id=world.ids["analyst"], role=Role.PREFECTURE_ANALYST, prefecture_code=world.prefecture_code)


async def test_a_failed_report_shows_its_japanese_reason_and_no_download(client, sessions):
    world = await prefecture_world(sessions)
    async with transaction(sessions) as s:
        report = PrefectureReport(prefecture_code=world.prefecture_code, fiscal_year=FY, status="queued",
                                  requested_by_id=world.ids["analyst"])
        s.add(report)
        await s.flush()
        await reports.mark_failed(s, report_id=report.id)
        rid = report.id
    await _analyst(client, sessions, world)
    page = await client.get("/reports")
    row = page.text[page.text.index(f'id="report-{rid}"'):]
    row = row[:row.index("</tr>")]
    assert "作成できませんでした" in row and "時間をおいて作成し直すか、管理者に連絡してください。" in row
    assert ".xlsx" not in row and "hx-trigger" not in row
