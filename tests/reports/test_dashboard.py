"""The prefecture dashboard and the yearly report, as an analyst reads them."""

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from openpyxl import load_workbook

from backend.consultations import service as consultations
from backend.db import transaction
from backend.fiscal import fiscal_year_of
from backend.jobs.dispatch import Dispatcher
from backend.text.normalize import normalize
from tests.conftest import make_world
from tests.helpers import operation

OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")
GENERATE = operation("prefecture_dashboard.graphql", "GeneratePrefectureReport")
REPORT = operation("prefecture_dashboard.graphql", "PrefectureReport")
FY = 2025
SECRET = "山田花子さんの退院調整"
_prefectures = iter(["32", "33", "34", "35", "36", "37", "38", "39", "41", "42", "44", "45", "46"])
CITY = {"32": "32201", "33": "33202", "34": "34202", "35": "35202", "36": "36201", "37": "37201", "38": "38201",
        "39": "39201", "41": "41201", "42": "42201", "44": "44201", "45": "45201", "46": "46201"}
_seq = itertools.count()


async def prefecture_world(sessions):
    code = next(_prefectures)
    return await make_world(sessions, prefecture_code=code, municipality_codes=(CITY[code],))


async def seed(sessions, world, counts: dict[tuple[str, str], int], *, month: int = 6, closed_as: str | None = None):
    """counts: (primary scene, caller role) → how many consultations."""
    rows = []
    received = datetime(FY, month, 15, 3, tzinfo=UTC)
    for (scene, role), n in counts.items():
        for _ in range(n):
            i = next(_seq)
            rows.append(dict(hub_id=world.hub_id, municipality_code=world.municipality_code, idempotency_key=f"seed-{i}",
                             received_at=received, fiscal_year=fiscal_year_of(received), channel="phone", caller_role=role,
                             summary=SECRET, search_text=normalize(SECRET), primary_scene=scene, scenes_mask=1,
                             scenes_confirmed=True, suggested_scenes=[], categories_mask=0, subject_flags_mask=0,
                             status="closed" if closed_as else "received", outcome=closed_as,
                             closed_at=received + timedelta(days=4) if closed_as else None, version=1,
                             created_by_id=world.coordinator_id, assignee_id=world.coordinator_id,
                             created_at=received, updated_at=received))
    async with transaction(sessions) as s:
        await consultations.insert_many(s, rows)


async def stats(gql, world, token=None):
    body = await gql(token or world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": FY})
    return body["data"]["prefecture"]


def scene(stats_, key):
    return next(s for s in stats_["byScene"] if s["scene"] == key)


async def test_overview_shows_large_counts_and_hides_small_ones_with_a_complement(gql, sessions):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 30, ("daily_care", "visiting_nurse"): 20,
                                 ("disaster", "family"): 3})
    await seed(sessions, world, {("admission_discharge", "care_manager"): 12}, month=7, closed_as="resolved")
    p = await stats(gql, world)
    s = p["stats"]
    assert s["label"] == "2025年度（令和7年度）" and s["suppressionThreshold"] == 10
    assert s["total"] == {"count": 65, "suppressed": False}
    assert scene(s, "ADMISSION_DISCHARGE")["count"] == 42
    assert scene(s, "DISASTER") == {"scene": "DISASTER", "label": "災害時の対応", "count": None, "suppressed": True}
    # the complement: with the total and every other part shown, 3 would be 65 - 42 - 20
    assert scene(s, "DAILY_CARE")["suppressed"]
    assert scene(s, "END_OF_LIFE") == {"scene": "END_OF_LIFE", "label": "看取り", "count": 0, "suppressed": False}
    months = {m["month"]: m for m in s["byMonth"]}
    assert len(months) == 12 and months["2025-06"]["count"] == 53 and months["2025-07"]["count"] == 12
    roles = {r["callerRole"]: r for r in s["byCallerRole"]}
    assert roles["CARE_MANAGER"]["count"] == 42 and roles["FAMILY"]["suppressed"] and roles["VISITING_NURSE"]["suppressed"]
    assert s["resolution"]["closed"] == {"count": 12, "suppressed": False}
    assert s["resolution"]["resolvedRate"] == 1.0 and s["resolution"]["medianDaysToClose"] == 4.0
    [area] = s["byArea"]
    assert area["total"]["count"] == 65
    [activity] = p["hubActivity"]
    assert activity["consultations"] == {"count": 65, "suppressed": False} and activity["meetingsHeld"] == 0


async def test_no_hidden_count_can_be_worked_out_from_the_answer(gql, sessions):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 25, ("daily_care", "family"): 4,
                                 ("dementia", "family"): 11, ("infection", "physician"): 2})
    s = (await stats(gql, world))["stats"]
    parts = [x for x in s["byScene"]]
    hidden = [x for x in parts if x["suppressed"]]
    assert len(hidden) != 1 and sum(x["count"] or 0 for x in parts) != s["total"]["count"] - (hidden[0]["count"] or 0)
    for table in (s["byScene"], s["byMonth"], s["byCallerRole"]):
        assert sum(1 for x in table if x["suppressed"]) != 1
        assert all(x["suppressed"] or x["count"] == 0 or x["count"] >= 10 for x in table)


async def test_only_the_prefectures_analysts_read_it(gql, sessions, world):
    target = await prefecture_world(sessions)
    await seed(sessions, target, {("daily_care", "family"): 12})
    for token in (world.analyst, target.coordinator, target.manager):
        assert await stats(gql, target, token) is None
    assert (await stats(gql, target, target.admin))["stats"]["total"]["count"] == 12


async def test_the_analyst_never_receives_text_or_subject(gql, sessions):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("daily_care", "family"): 15})
    body = await gql(world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": FY})
    assert "山田" not in str(body)
    out = await gql(world.analyst, "query($id: ID!) { consultation(id: $id) { id summary } }", {"id": "1"})
    assert out["data"]["consultation"] is None


async def test_the_yearly_report_comes_as_html_csv_and_xlsx_and_analysts_get_a_link(gql, sessions, settings, http):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 30, ("disaster", "family"): 3, ("daily_care", "family"): 14})
    out = (await gql(world.analyst, GENERATE, {"code": world.prefecture_code, "fiscalYear": FY}))["data"]["generatePrefectureReport"]
    assert out["userErrors"] == [] and out["report"]["status"] == "queued" and out["job"]["kind"] == "build_report"
    await Dispatcher(settings=settings, sessions=sessions).run_pending()
    report = (await gql(world.analyst, REPORT, {"id": out["report"]["id"]}))["data"]["prefectureReport"]
    assert report["status"] == "ready" and report["fiscalYear"] == FY and report["generatedAt"]
    html = report["html"]
    assert "2025年度（令和7年度）" in html and "<svg" in html and "入退院支援" in html and "山田" not in html
    assert not any(tag in html for tag in ("<script", "<link", "src=", "<img"))  # self-contained

    auth = {"Authorization": f"Bearer {world.analyst}"}
    csv_url, xlsx_url = report["csvUrl"], report["xlsxUrl"]
    r = await http.get(csv_url.replace(settings.public_url, ""), headers=auth)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf") and "filename*=UTF-8''" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert ["入退院支援", "30"] in rows and ["災害時の対応", "＊"] in rows
    r = await http.get(xlsx_url.replace(settings.public_url, ""), headers=auth)
    wb = load_workbook(io.BytesIO(r.content))
    assert "場面別の相談件数" in wb.sheetnames and len(wb.sheetnames) == 7
    values = [[c.value for c in row] for row in wb["場面別の相談件数"].iter_rows()]
    assert ["入退院支援", 30] in values and ["災害時の対応", "＊"] in values

    assert (await http.get(csv_url.replace(settings.public_url, ""))).status_code == 401
    other = await make_world(sessions, prefecture_code="47", municipality_codes=("47201",))
    assert (await http.get(csv_url.replace(settings.public_url, ""), headers={"Authorization": f"Bearer {other.analyst}"})).status_code == 404

    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in settings.outbox_dir.glob("*.eml")]
    ready = [m for m in mails if world.analyst and "集計報告書" in m["Subject"] and m["To"] == f"analyst-{m['To'].split('-', 1)[1]}"]
    mine = [m for m in ready if f"/reports/{out['report']['id']}.html" in m.get_body(("plain",)).get_content()]
    assert len(mine) == 1 and not any(part.get_filename() for part in mine[0].walk())


async def test_a_year_without_data_gives_a_clearly_labelled_empty_report(gql, sessions, settings):
    world = await prefecture_world(sessions)
    out = (await gql(world.analyst, GENERATE, {"code": world.prefecture_code, "fiscalYear": 2019}))["data"]["generatePrefectureReport"]
    await Dispatcher(settings=settings, sessions=sessions).run_pending()
    report = (await gql(world.analyst, REPORT, {"id": out["report"]["id"]}))["data"]["prefectureReport"]
    assert "この年度のデータはありません" in report["html"] and "2019年度（令和元年度）" in report["html"]


@pytest.mark.parametrize("code, year, field", [("13", FY, "prefectureCode"), ("99", FY, "prefectureCode"), (None, 2031, "fiscalYear")])
async def test_report_orders_outside_scope_are_refused(gql, sessions, code, year, field):
    world = await prefecture_world(sessions)
    out = (await gql(world.analyst, GENERATE, {"code": code or world.prefecture_code, "fiscalYear": year}))["data"]["generatePrefectureReport"]
    assert out["report"] is None and out["userErrors"][0]["field"] == [field]
