"""Desk report benchmark (issue 12). Run:

    .venv/bin/python -m tests.bench.bench_desk_report [--rows 20000] [--database sqlite|postgresql]

Fills a fresh database with one hub's fiscal year of consultations (and about as many in the previous
year, which the report shows beside it), persons with continuing contacts, one to three actions each with
minutes and partners, then times the fiscal-year desk report: both periods collected, the tables published
(internal and public), and the three documents (HTML, CSV, XLSX) rendered. Target: under 5 s."""

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from backend import migrate
from backend.accounts import service as accounts
from backend.accounts.actor import SYSTEM
from backend.consultations.models import Action, Consultation, Person
from backend.db import make_engine, make_sessions, transaction
from backend.regions import service as regions
from backend.reports import desk, desk_documents
from backend.taxonomy import (CallerRole, CareScene, Channel, ConsultationCategory, OrganizationType, Outcome,
                              ResponseType, Role)
from tests.bench.common import fresh_database, write_section

FY = 2025


def _rows(hub_id: int, user_id: int, fiscal_year: int, n: int, rng: random.Random, person_base: int):
    start = datetime(fiscal_year, 4, 1, tzinfo=UTC)
    people, consultations, actions, seen = [], [], [], {}
    for i in range(n):
        at = start + timedelta(seconds=rng.randrange(360 * 86400))
        general = rng.random() < 0.15
        pid = None
        if not general:
            pid = person_base + rng.randrange(max(1, n // 3))
            if pid not in seen:
                seen[pid] = True
                people.append({"id": pid, "hub_id": hub_id, "fiscal_year": fiscal_year, "seq": pid,
                               "case_number": f"{fiscal_year}-{pid:06d}", "created_at": at})
        closed = rng.random() < 0.8
        consultations.append({
            "hub_id": hub_id, "municipality_code": rng.choice(["15202", "15208"]),
            "idempotency_key": f"bench-{fiscal_year}-{i}", "received_at": at, "fiscal_year": fiscal_year,
            "channel": rng.choice(list(Channel)).value, "caller_role": rng.choice(list(CallerRole)).value,
            "summary": "ベンチマーク", "search_text": "ベンチマーク", "primary_scene": rng.choice(list(CareScene)).value,
            "scenes_mask": 1, "scenes_confirmed": True, "suggested_scenes": [],
            "categories_mask": rng.getrandbits(len(ConsultationCategory)) & rng.getrandbits(len(ConsultationCategory))
            & rng.getrandbits(len(ConsultationCategory)), "subject_flags_mask": 0,
            "status": "closed" if closed else "in_progress",
            "outcome": rng.choice(list(Outcome)).value if closed else None, "version": 1, "created_by_id": user_id,
            "created_at": at, "updated_at": at, "person_id": pid, "general_inquiry": general,
            "continuing": False, "report_as_issue": False})
    return people, consultations


async def prepare(url: str, rows: int) -> int:
    engine = make_engine(url)
    await migrate.upgrade(engine)
    sessions = make_sessions(engine)
    rng = random.Random(12)
    async with transaction(sessions) as s:
        await regions.load_reference_data(s)
        area = await regions.create_area(s, actor=SYSTEM, prefecture_code="15", name="ベンチ圏域",
                                         municipality_codes=["15202", "15208"])
        hub = await regions.create_hub(s, actor=SYSTEM, area_id=area.id, name="ベンチ拠点")
        user, _ = await accounts.create_user(s, actor=SYSTEM, email="bench-desk@example.jp", display_name="bench",
                                             role=Role.COORDINATOR, hub_id=hub.id)
    for fy, n, base in ((FY, rows, 1), (FY - 1, int(rows * 0.9), 10_000_000)):
        people, consultations = _rows(hub.id, user.id, fy, n, rng, base)
        async with transaction(sessions) as s:
            if people:
                await s.execute(insert(Person), people)
            ids = list(await s.scalars(insert(Consultation).returning(Consultation.id, sort_by_parameter_order=True),
                                       consultations))
            acts = []
            for cid, c in zip(ids, consultations):
                for _ in range(rng.randint(1, 3)):
                    acts.append({"consultation_id": cid, "performed_at": c["received_at"],
                                 "type": rng.choice(list(ResponseType)).value,
                                 "minutes": rng.choice([None, 5, 10, 20, 45]),
                                 "partners_mask": (1 << rng.randrange(len(OrganizationType))
                                                   if rng.random() < 0.6 else 0),
                                 "performed_by_id": user.id, "created_at": c["received_at"]})
            await s.execute(insert(Action), acts)
    if url.startswith("postgresql"):
        async with engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()
    return hub.id


async def measure(url: str, hub_id: int) -> dict:
    engine = make_engine(url)
    out = {}
    async with make_sessions(engine)() as s:
        t = time.perf_counter()
        report = await desk.build(s, hub_id=hub_id, period=desk.Period("fiscal_year", FY), public=False, threshold=10)
        out["internal"] = time.perf_counter() - t
        t = time.perf_counter()
        public = await desk.build(s, hub_id=hub_id, period=desk.Period("fiscal_year", FY), public=True, threshold=10)
        out["public"] = time.perf_counter() - t
    t = time.perf_counter()
    for r in (report, public):
        desk_documents.render_html(r)
        desk_documents.render_csv(r)
        desk_documents.render_xlsx(r)
    out["documents"] = time.perf_counter() - t
    out["total"] = out["internal"] + out["public"] + out["documents"]
    out["consultations"] = report.table("summary").rows[0].current.count
    await engine.dispose()
    return out


async def main(rows: int, database: str) -> None:
    if database == "postgresql":
        url = await fresh_database("renkei_bench_desk")
    else:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    t = time.perf_counter()
    hub_id = await prepare(url, rows)
    seeded = time.perf_counter() - t
    m = await measure(url, hub_id)
    body = f"""
Command: `.venv/bin/python -m tests.bench.bench_desk_report --rows {rows} --database {database}` (a fresh
{database} database: one hub with {m['consultations']:,} consultations in fiscal year {FY} and {int(rows * 0.9):,} in
{FY - 1}, persons with continuing contacts, 1–3 actions each; seeded in {seeded:.0f} s).

| step (fiscal-year desk report, this year beside the previous) | time |
| --- | --- |
| internal version: both years collected (two reads each) and the tables published | {m['internal']:.2f} s |
| public version: the same, with small-cell suppression | {m['public']:.2f} s |
| the six documents (HTML, CSV, XLSX of each version) | {m['documents']:.2f} s |
| **total** | **{m['total']:.2f} s** (target under 5 s for one report; this is two) |
"""
    print(body)
    write_section(f"Desk report ({database})", body)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.database))
