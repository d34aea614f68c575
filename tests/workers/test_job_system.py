"""The job system loses nothing: a Redis outage delays work, a killed worker's job runs again, and
the embedded runner executes the same jobs without Redis."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from backend.accounts.actor import SYSTEM
from backend.audit.models import AuditEvent
from backend.db import transaction, utcnow
from backend.jobs.kinds import job
from backend.jobs import dispatch, runner
from backend.jobs import service as jobs
from backend.jobs.models import Job
from tests.helpers import log_input, operation
from workers.main import build_worker

LOG = operation("coordinator.graphql", "LogConsultation")


async def _queue_diagnostic(sessions, *, seconds: float = 0.0, hub_id: int | None = None) -> tuple[int, str]:
    marker = uuid.uuid4().hex
    async with transaction(sessions) as s:
        job = await jobs.enqueue(s, kind="diagnostic_sleep", args={"seconds": seconds, "marker": marker}, actor=SYSTEM,
                                 hub_id=hub_id)
    return job.id, marker


async def _effects(sessions, marker: str) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.operation == "diagnostic.sleep", AuditEvent.entity_id == marker))


async def _job(sessions, job_id: int) -> Job:
    async with sessions() as s:
        return await s.get(Job, job_id)


async def _hand_over(redis_pool, sessions, job_id: int) -> None:
    """What the sweep does for one job: give it to arq and mark it handed over."""
    job = await _job(sessions, job_id)
    await redis_pool.enqueue_job(dispatch.ARQ_FUNCTION, job_id, _job_id=dispatch.arq_job_id(job_id, job.attempts))
    async with transaction(sessions) as s:
        await jobs.mark_dispatched(s, job_ids=[job_id])


async def _run_burst(redis_pool, settings, **kwargs) -> None:
    worker = build_worker(redis_pool=redis_pool, burst=True, settings=settings, cron_jobs=None, poll_delay=0,
                          handle_signals=False, **kwargs)
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def test_redis_outage_delays_jobs_and_loses_none(gql, world, sessions, settings, redis_server, redis_pool):
    # intake never talks to Redis: calls are saved and their job rows queued while it is down
    redis_server.stop()
    ids = []
    for i in range(3):
        out = (await gql(world.coordinator, LOG, {"input": log_input("15202", summary=f"夜間の連絡先がわからない{i}")}))
        ids.append(out["data"]["logConsultation"]["consultation"]["id"])
    markers = [await _queue_diagnostic(sessions, hub_id=world.hub_id) for _ in range(3)]
    async with transaction(sessions) as s:
        await s.execute(update(Job).where(Job.hub_id == world.hub_id).values(run_after=utcnow()))
        queued = (await s.scalars(select(Job).where(Job.hub_id == world.hub_id))).all()
    assert len(ids) == 3 and {j.status for j in queued} == {"queued"}
    assert sorted(j.kind for j in queued) == ["diagnostic_sleep"] * 3 + ["group_hub"]  # one regrouping per hub-year

    # the sweep cannot reach Redis: nothing is lost, nothing is marked as sent
    assert await dispatch.send_due(sessions, redis_pool, stale_after=timedelta(0)) == 0
    # Redis is back: the sweep hands every job over (twice, as a sweep racing a nudge would)
    redis_server.start()
    await dispatch.send_due(sessions, redis_pool, stale_after=timedelta(0))
    await dispatch.send_due(sessions, redis_pool, stale_after=timedelta(0))
    await _run_burst(redis_pool, settings)
    for job_id, marker in markers:
        job = await _job(sessions, job_id)
        assert job.status == "succeeded" and job.attempts == 1
        assert await _effects(sessions, marker) == 1


async def test_job_of_a_killed_worker_runs_again(sessions, settings, redis_server, redis_pool, monkeypatch):
    job_id, marker = await _queue_diagnostic(sessions, seconds=3)
    await _hand_over(redis_pool, sessions, job_id)   # this job only: other tests' due jobs are not this test's
    env = {**os.environ, "RENKEI_DATABASE_URL": settings.database_url, "RENKEI_REDIS_URL": redis_server.url,
           "RENKEI_JOB_TIMEOUT_SECONDS": "2"}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "renkei"), "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # the sweep above also sent every other test's due job (the suite's backlog, larger on PostgreSQL),
        # which the worker takes first: give it time to reach ours
        for _ in range(1200):
            if (await _job(sessions, job_id)).status == "running":
                break
            await asyncio.sleep(0.1)
        assert (await _job(sessions, job_id)).status == "running"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(10)
    assert (await _job(sessions, job_id)).status == "running" and await _effects(sessions, marker) == 0

    # once its lease has run out, the sweep puts the job back and the next worker finishes it
    monkeypatch.setattr(runner, "lease", lambda kind: timedelta(0))
    async with transaction(sessions) as s:
        assert await runner.release_stale(s) >= 1
    assert (await _job(sessions, job_id)).status == "queued"
    await _hand_over(redis_pool, sessions, job_id)
    # the next worker runs the job sent again (the dead worker's own delivery stays locked in Redis until
    # arq's timeout, and then finds the job done)
    worker = build_worker(redis_pool=redis_pool, settings=settings, cron_jobs=None, poll_delay=0.05, handle_signals=False)
    task = asyncio.create_task(worker.async_run())
    try:
        for _ in range(300):
            if (await _job(sessions, job_id)).status == "succeeded":
                break
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await worker.close()
    job = await _job(sessions, job_id)
    assert job.status == "succeeded" and job.attempts == 2
    assert await _effects(sessions, marker) == 1


async def test_transient_failure_retries_with_backoff_then_gives_up(sessions, monkeypatch):
    calls = []

    @job("test_flaky", timeout=5, attempts=2)
    async def flaky(session, args):
        calls.append(1)
        raise runner.TransientJobError("still down")

    async with transaction(sessions) as s:
        flaky_job = await jobs.enqueue(s, kind="test_flaky", args={})
    first = await runner.execute(sessions, flaky_job.id)
    assert first.status == "retry" and first.retry_in >= timedelta(seconds=15)
    row = await _job(sessions, flaky_job.id)
    assert row.status == "queued" and row.run_after > utcnow() and "still down" in row.error
    second = await runner.execute(sessions, flaky_job.id)
    assert second.status == "failed" and (await _job(sessions, flaky_job.id)).status == "failed" and len(calls) == 2


async def test_embedded_runner_runs_the_same_jobs_without_redis(app, sessions):
    job_id, marker = await _queue_diagnostic(sessions)
    await app.state.dispatcher.run_pending()
    assert (await _job(sessions, job_id)).status == "succeeded"
    assert await _effects(sessions, marker) == 1
    await app.state.dispatcher.run_pending()  # nothing due any more: not run twice
    assert await _effects(sessions, marker) == 1


async def test_job_status_is_recorded(sessions):
    job_id, _ = await _queue_diagnostic(sessions)
    await runner.execute(sessions, job_id)
    job = await _job(sessions, job_id)
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at and job.error is None


async def test_reclassify_rescores_unconfirmed_consultations_when_the_lexicon_changes(gql, world, sessions, tmp_path, monkeypatch):
    from backend.consultations.models import Consultation
    from backend.jobs import schedules
    from backend.text import scenes
    unconfirmed = (await gql(world.coordinator, LOG, {"input": log_input("15202", summary="線状降水帯で訪問できない")}))
    confirmed = (await gql(world.coordinator, LOG, {"input": log_input("15202", summary="線状降水帯で訪問中止", scenes=["DAILY_CARE"])}))
    uid = int(unconfirmed["data"]["logConsultation"]["consultation"]["id"])
    cid = int(confirmed["data"]["logConsultation"]["consultation"]["id"])
    extra = tmp_path / "local.toml"
    extra.write_text('[scene.DISASTER]\n"線状降水帯" = 4\n', encoding="utf-8")
    monkeypatch.setattr(scenes, "_configured", ())
    scenes.configure([extra])
    try:
        await schedules.nightly(sessions)
        async with sessions() as s:
            job = await s.scalar(select(Job).where(Job.kind == "reclassify", Job.status == "queued"))
        assert job is not None
        await runner.execute(sessions, job.id)
        async with sessions() as s:
            u, c = await s.get(Consultation, uid), await s.get(Consultation, cid)
        assert u.primary_scene == "disaster" and u.suggested_scenes[0]["scene"] == "disaster"
        assert c.primary_scene == "daily_care" and c.scenes_confirmed and c.suggested_scenes[0]["scene"] == "disaster"
    finally:
        scenes.configure([])
