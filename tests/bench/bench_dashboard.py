"""Prefecture dashboard benchmark (issue: packets, dashboard, reports). Run:

    .venv/bin/python -m tests.bench.bench_dashboard [--rows 1000000]

Generates consultations across all 47 prefectures on a fresh PostgreSQL database (the demo generator's
volume mode, `backend.demo.generate_volume`), starts the server, and measures in one run the latency of
PrefectureOverview for the largest prefecture against the same server answering `{ __typename }`,
and the time to build that prefecture's yearly report (HTML, CSV, XLSX)."""

import argparse
import asyncio
import time

from backend.accounts.actor import SYSTEM
from backend.accounts import service as accounts
from backend.db import make_engine, make_sessions, transaction
from backend.demo import generate_volume
from backend.reports import documents, service
from backend.taxonomy import Role
from tests.bench.common import fresh_database, latencies, server, write_section
from tests.helpers import operation

FY = 2025


async def prepare(url: str, rows: int) -> tuple[str, str, float]:
    engine = make_engine(url)
    sessions = make_sessions(engine)
    t = time.perf_counter()
    largest = await generate_volume(sessions, rows=rows, fiscal_year=FY)
    seeded = time.perf_counter() - t
    async with transaction(sessions) as s:
        _, token = await accounts.create_user(s, actor=SYSTEM, email="bench-analyst@example.jp", display_name="bench",
                                              role=Role.PREFECTURE_ANALYST, prefecture_code=largest)
    async with engine.connect() as conn:
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()
    return largest, token, seeded


async def report_time(url: str, code: str) -> float:
    engine = make_engine(url)
    t = time.perf_counter()
    async with make_sessions(engine)() as s:
        o = await service.overview(s, actor=SYSTEM, prefecture_code=code, fiscal_year=FY, threshold=10)
        top = await service.top_issues(s, actor=SYSTEM, prefecture_code=code, fiscal_year=FY, first=10, threshold=10)
    documents.render_html(o, code, top)
    documents.render_csv(o, code, top)
    documents.render_xlsx(o, code, top)
    elapsed = time.perf_counter() - t
    await engine.dispose()
    return elapsed


async def main(rows: int) -> None:
    url = await fresh_database("renkei_bench_dashboard")
    code, token, seeded = await prepare(url, rows)
    doc = operation("prefecture_dashboard.graphql", "PrefectureOverview")
    async with server(url) as base:
        plain = await latencies(base, token, {"query": "{ __typename }"}, n=100)
        overview = await latencies(base, token, {"query": doc, "variables": {"code": code, "fiscalYear": FY}}, n=30)
    build = await report_time(url, code)
    ratio = overview["p50"] / plain["p50"]
    body = f"""
Command: `.venv/bin/python -m tests.bench.bench_dashboard --rows {rows}` (fresh PostgreSQL database,
{rows:,} consultations over all 47 prefectures, generated in {seeded:.0f} s; largest prefecture: {code}).

| measure | p50 | p95 |
| --- | --- | --- |
| `{{ __typename }}` | {plain['p50']:.1f} ms | {plain['p95']:.1f} ms |
| `PrefectureOverview` (largest prefecture, fiscal year {FY}) | {overview['p50']:.1f} ms | {overview['p95']:.1f} ms |
| **ratio (p50)** | **{ratio:.1f}×** (target within 5×) | |

Building that prefecture's yearly report (aggregates, suppression, HTML with two charts, CSV, XLSX): {build:.1f} s.
"""
    write_section("Prefecture dashboard", body)
    print(body)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().rows))
