"""The desk report: 延べ件数 and 実人数 on linked, unlinked and general consultations, internal and public
from one computation, no free text in any export."""

import io
from datetime import timedelta

from openpyxl import load_workbook

from backend.fiscal import fiscal_year_of
from backend.reports import desk, desk_documents
from tests import clock
from tests.helpers import log_input

MARKER = "秘密の目印ZQX"
LOG = """mutation Log($input: LogConsultationInput!) {
  logConsultation(input: $input) { consultation { id caseNumber } userErrors { code } } }"""
RECORD = """mutation Rec($input: RecordActionInput!) { recordAction(input: $input) { userErrors { code } } }"""


async def log(gql, token, **kw):
    out = (await gql(token, LOG, {"input": log_input("15202", summary=f"{MARKER} 退院後の訪問診療", **kw)}))
    return out["data"]["logConsultation"]["consultation"]


async def seed(gql, world):
    when = (clock.earlier_today() - timedelta(minutes=5)).isoformat()
    a = await log(gql, world.coordinator, receivedAt=when)
    await log(gql, world.coordinator, receivedAt=when, continuesConsultationId=a["id"])
    await log(gql, world.coordinator, receivedAt=when, caseNumber=a["caseNumber"], callerRole="FAMILY")
    b = await log(gql, world.coordinator, receivedAt=when, categories=["FIND_HOME_PHYSICIAN", "MEDICATION"])
    await log(gql, world.coordinator, receivedAt=when, generalInquiry=True, channel="EMAIL")
    await gql(world.coordinator, RECORD, {"input": {"consultationId": b["id"], "performedAt": when,
                                                    "type": "LIAISON_COORDINATION", "minutes": 40,
                                                    "partners": ["HOME_CARE_CLINIC"], "note": MARKER}})
    return a, b


def period_now() -> desk.Period:
    return desk.Period("fiscal_year", fiscal_year_of(clock.earlier_today()))


async def test_persons_and_consultations_are_counted(gql, world, sessions):
    await seed(gql, world)
    async with sessions() as s:
        r = await desk.build(s, hub_id=world.hub_id, period=period_now(), public=False, threshold=10)
    summary = {row.key: row.current.count for row in r.table("summary").rows}
    assert summary == {"consultations": 5, "persons": 2, "first": 2, "continuing": 2, "general": 1}
    assert {row.key: row.current.count for row in r.table("caller_role").rows}["family"] == 1
    cats = {row.key: (row.current.count, row.current_share) for row in r.table("category").rows}
    assert cats["find_home_physician"] == (1, 0.2) and cats["medication"] == (1, 0.2)
    assert {row.key: row.current.count for row in r.table("partner").rows}["home_care_clinic"] == 1
    time = {row.key: row.current.count for row in r.table("time").rows}
    assert time["minutes"] == 40 and time["per_consultation"] == 8 and time["timed"] == 1
    months = r.table("month").rows
    assert len(months) == 12 and sum(m.current.count for m in months) == 5
    assert {row.key: row.previous.count for row in r.table("summary").rows}["consultations"] == 0


async def test_public_and_internal_agree_wherever_no_cell_is_hidden(gql, world, sessions):
    await seed(gql, world)
    async with sessions() as s:
        internal = await desk.build(s, hub_id=world.hub_id, period=period_now(), public=False, threshold=10)
        public = await desk.build(s, hub_id=world.hub_id, period=period_now(), public=True, threshold=10)
        low = await desk.build(s, hub_id=world.hub_id, period=period_now(), public=True, threshold=2)
    hidden = 0
    for report in (public, low):
        for t_in, t_pub in zip(internal.tables, report.tables):
            for r_in, r_pub in zip(t_in.rows, t_pub.rows):
                for a, b in ((r_in.current, r_pub.current), (r_in.previous, r_pub.previous)):
                    if b.suppressed:
                        hidden += 1
                        assert a.count is None or a.count >= 0
                    else:
                        assert a.count == b.count, (t_in.key, r_in.key)
    assert public.table("summary").rows[0].current.suppressed      # 5 < 10
    assert not low.table("summary").rows[0].current.suppressed     # 5 ≥ 2
    assert hidden


async def test_no_free_text_reaches_any_export(gql, world, sessions):
    await seed(gql, world)
    async with sessions() as s:
        for public in (False, True):
            r = await desk.build(s, hub_id=world.hub_id, period=period_now(), public=public, threshold=10)
            html = desk_documents.render_html(r)
            csv = desk_documents.render_csv(r)
            xlsx = desk_documents.render_xlsx(r)
            assert MARKER not in html and MARKER.encode() not in csv
            assert csv.startswith(b"\xef\xbb\xbf") and "延べ件数" in csv.decode("utf-8-sig")
            wb = load_workbook(io.BytesIO(xlsx))
            assert len(wb.sheetnames) == len(r.tables)
            for ws in wb.worksheets:
                assert int(ws.page_setup.paperSize) == 9  # A4
                assert all(MARKER not in str(c.value) for row in ws.iter_rows() for c in row if c.value)
            assert "令和" in html


def test_periods_and_their_labels():
    q = desk.Period.parse("quarter", 2025, 4)
    assert q.months == ["2026-01", "2026-02", "2026-03"]
    assert q.label == "2025年度（令和7年度） 第4四半期（1〜3月）"
    assert q.previous_year().months == ["2025-01", "2025-02", "2025-03"]
    m = desk.Period.parse("month", 2025, 12)
    assert m.label == "2025年12月（令和7年12月）"
    start, end = m.bounds
    assert (end - start).days == 31
    assert desk.Period.parse("fiscal_year", 2019, None).label == "2019年度（令和元年度）"
