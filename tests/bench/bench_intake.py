"""Intake benchmark (issue: the consultation desk core). Run:

    .venv/bin/python -m tests.bench.bench_intake

Starts the server on a fresh PostgreSQL database and measures in one run: the throughput of
LogConsultation against the same server answering `{ __typename }`, and the latency of
MyOpenConsultations (50 items) with 100,000 consultations in the database."""

import asyncio
import platform
import random
import uuid
from datetime import timedelta

from backend.consultations import service as consultations
from backend.db import make_engine, make_sessions, transaction
from backend.fiscal import fiscal_year_of
from backend.text.normalize import normalize
from tests import clock
from tests.bench.common import fresh_database, latencies, server, throughput, write_section
from tests.conftest import make_world
from tests.helpers import log_input, operation

ROWS = 100_000
SUMMARIES = ["退院前に訪問診療医が決まらない", "夜間の連絡先が分からない", "停電時の人工呼吸器の電源", "認知症で受診を拒否",
             "看取りの相談", "訪問歯科を探している", "施設でインフルエンザが発生", "レスパイト入院先がない"]


async def seed(url: str):
    engine = make_engine(url)
    sessions = make_sessions(engine)
    world = await make_world(sessions)
    rng = random.Random(1)
    now = clock.now()
    batch = []
    async with transaction(sessions) as s:
        for i in range(ROWS):
            received = now - timedelta(minutes=rng.randint(60, 60 * 24 * 700))
            summary = rng.choice(SUMMARIES) + f"（{i}）"
            mine = i % 2 == 0
            batch.append(dict(hub_id=world.hub_id, municipality_code="15202", idempotency_key=f"seed-{i}",
                              received_at=received, fiscal_year=fiscal_year_of(received), channel="phone",
                              caller_role="care_manager", summary=summary, search_text=normalize(summary),
                              primary_scene="daily_care", scenes_mask=2, scenes_confirmed=True, suggested_scenes=[],
                              categories_mask=0, subject_flags_mask=0, status=rng.choice(["received", "in_progress", "closed"]),
                              version=1, created_by_id=world.coordinator_id if mine else world.coordinator2_id,
                              assignee_id=world.coordinator_id if mine else world.coordinator2_id,
                              created_at=received, updated_at=received))
            if len(batch) == 5000:
                await consultations.insert_many(s, batch)
                batch = []
    await engine.dispose()
    return world


async def main() -> None:
    url = await fresh_database("renkei_bench_intake")
    world = await seed(url)
    log_doc = operation("coordinator.graphql", "LogConsultation")
    mine_doc = operation("coordinator.graphql", "MyOpenConsultations")
    async with server(url) as base:
        typename = await throughput(base, world.coordinator, lambda: {"query": "{ __typename }"})
        logging = await throughput(base, world.coordinator, lambda: {
            "query": log_doc, "variables": {"input": log_input("15202", summary="退院前カンファで訪問Drが未定", idempotencyKey=uuid.uuid4().hex)}})
        open_list = await latencies(base, world.coordinator, {"query": mine_doc, "variables": {"first": 50}})
    ratio = logging / typename
    body = f"""
Command: `.venv/bin/python -m tests.bench.bench_intake` (PostgreSQL and Redis on localhost, one `renkei serve`
process deployed as in production with its jobs going to Redis, an httpx client with 16 concurrent
requests for 10 s each, Python {platform.python_version()}).

| measure | result |
| --- | --- |
| `{{ __typename }}` | {typename:.0f} req/s |
| `LogConsultation` | {logging:.0f} req/s |
| **LogConsultation / `{{ __typename }}`** | **{ratio:.0%}** (target ≥ 25%) |
| `MyOpenConsultations` (first 50, {ROWS:,} consultations in the database) | p50 {open_list['p50']:.1f} ms, p95 {open_list['p95']:.1f} ms ({open_list['n']} sequential requests) |

Each LogConsultation inserts the consultation (with its scene suggestion), its audit row and the
regrouping job row (an `INSERT … ON CONFLICT DO NOTHING` on the partial unique index of pending job
keys) in one transaction. Authentication is served from the in-process token cache and the
idempotency check is the unique constraint itself, so neither costs a round trip of its own.
"""
    write_section("Intake API", body)
    print(body)


if __name__ == "__main__":
    asyncio.run(main())
