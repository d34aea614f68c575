"""The plumbing under the services: one runtime for the API and the worker, one way to queue, payloads that
cannot run code, and failures a person can see."""

import asyncio
import pickle
import uuid
from pathlib import Path

import httpx
import pytest
from arq.connections import RedisSettings, create_pool
from sqlalchemy import func, select

from backend.app import create_app
from backend.consultations.models import Consultation
from backend.db import make_engine, make_sessions, transaction
from backend.jobs import dispatch
from backend.jobs import service as jobs
from backend.jobs.models import Job
from backend.reports.models import PrefectureReport
from backend.settings import Settings
from backend.text import scenes
from tests.conftest import make_world
from tests.helpers import log_input, operation
from workers import main as worker_main

LOG = operation("coordinator.graphql", "LogConsultation")
GENERATE = operation("prefecture_dashboard.graphql", "GeneratePrefectureReport")
REPORT = operation("prefecture_dashboard.graphql", "PrefectureReport")


async def test_the_api_starts_and_takes_calls_with_redis_down(settings, engine, redis_server):
    redis_server.stop()
    app = create_app(Settings(**{**settings.model_dump(), "redis_url": redis_server.url}))
    async with app.router.lifespan_context(app):   # start-up must not fail
        world = await make_world(app.state.sessions)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.post("/graphql", json={"query": LOG, "variables": {"input": log_input("15202")}},
                             headers={"Authorization": f"Bearer {world.coordinator}"})
        assert r.status_code == 200 and r.json()["data"]["logConsultation"]["userErrors"] == []
        async with app.state.sessions() as s:
            queued = await s.scalar(select(func.count()).select_from(Job).where(
                Job.hub_id == world.hub_id, Job.status == "queued"))
        assert queued == 1   # the grouping waits in the outbox for Redis to come back
    await app.state.engine.dispose()


async def test_concurrent_requests_for_the_same_work_share_one_job(settings, world):
    """Two transactions queue the same hub-year's grouping at once (a manager's request racing the nightly
    run): no integrity error, one pending job."""
    engine = make_engine(settings.database_url, pool_size=4)
    sessions = make_sessions(engine)
    args = {"hub_id": world.hub_id, "fiscal_year": 2025}

    async def request() -> int:
        async with transaction(sessions) as s:
            return (await jobs.enqueue(s, kind="group_hub", args=args, hub_id=world.hub_id)).id

    ids = await asyncio.gather(*(request() for _ in range(6)))
    assert len(set(ids)) == 1
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Job).where(
            Job.key == f"group_hub:{world.hub_id}:2025", Job.status == "queued")) == 1
    await engine.dispose()


async def test_a_report_whose_job_fails_for_good_shows_failed_with_a_reason(gql, app, world, sessions, monkeypatch):
    from backend.reports import service as reports

    async def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(reports, "build_report", broken)
    out = (await gql(world.analyst, GENERATE, {"code": world.prefecture_code, "fiscalYear": 2025}))
    report_id = out["data"]["generatePrefectureReport"]["report"]["id"]
    await app.state.dispatcher.run_pending()
    body = await gql(world.analyst, REPORT.replace("status", "status error", 1), {"id": report_id})
    report = body["data"]["prefectureReport"]
    assert report["status"] == "failed" and "報告書を作成できませんでした" in report["error"]
    async with sessions() as s:
        assert (await s.get(PrefectureReport, int(report_id))).status == "failed"


async def test_the_worker_classifies_with_the_deployments_lexicon(settings, tmp_path):
    """RENKEI_LEXICON_PATHS reaches the worker too, so its nightly run does not flip suggestions between two
    lexicon versions."""
    extension = tmp_path / "local.toml"
    extension.write_text('[scene.DISASTER]\n"土砂崩れ" = 5\n', encoding="utf-8")
    custom = Settings(**{**settings.model_dump(), "lexicon_paths": [extension]})
    ctx = {"settings": custom}
    try:
        await worker_main.startup(ctx)
        assert scenes.lexicon_version() == scenes.load_lexicon([extension]).version
        assert scenes.classify("土砂崩れで道が塞がれ訪問できない").primary == "DISASTER"
        await worker_main.shutdown(ctx)
    finally:
        scenes.configure(settings.lexicon_paths)


async def test_arq_payloads_are_json_and_a_pickled_one_runs_nothing(settings, redis_server, tmp_path):
    """Whoever can write to Redis must not run code in the worker: a pickle that would write a file is not
    deserialised."""
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    evil = await create_pool(RedisSettings.from_dsn(redis_server.url), job_serializer=pickle.dumps)
    await evil.enqueue_job(dispatch.ARQ_FUNCTION, Exploit(), _job_id="evil")
    await evil.aclose()
    pool = await dispatch.connect(redis_server.url)
    worker = worker_main.build_worker(redis_pool=pool, burst=True, settings=settings, cron_jobs=None, poll_delay=0,
                                      handle_signals=False)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    assert not marker.exists()
    assert dispatch.deserialize(dispatch.serialize({"job": 1})) == {"job": 1}


@pytest.mark.parametrize("module", ["backend"])
def test_the_backend_never_imports_the_worker_package(module):
    root = Path(__file__).resolve().parents[2] / module
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if any(line.startswith(("import workers", "from workers")) or " import workers" in line
                        for line in p.read_text(encoding="utf-8").splitlines())]
    assert offenders == []


async def test_every_consultation_gets_its_grouping_through_the_one_queue(gql, world, sessions):
    for _ in range(3):
        await gql(world.coordinator, LOG, {"input": log_input("15202")})
    async with sessions() as s:
        rows = (await s.scalars(select(Job).where(Job.hub_id == world.hub_id))).all()
        consultations = await s.scalar(select(func.count()).select_from(Consultation).where(
            Consultation.hub_id == world.hub_id))
    assert consultations == 3 and [(j.kind, j.max_attempts) for j in rows] == [("group_hub", 5)]
