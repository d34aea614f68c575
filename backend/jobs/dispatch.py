"""Hands queued job rows to what runs them: arq on Redis when RENKEI_REDIS_URL is set, otherwise an
in-process runner that executes the same handlers from the same table."""

import asyncio
import contextlib
import json
import logging
import time
from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import transaction
from backend.fiscal import JST
from backend.jobs import runner, service
from backend.settings import Settings
from backend.tracebacks import describe

log = logging.getLogger("renkei.jobs")
ARQ_FUNCTION = "run_job"
RECONNECT_SECONDS = 30.0


def serialize(value: object) -> bytes:
    """arq's payloads as JSON, not pickle: whoever can write to Redis must not be able to run code in a
    worker. A payload is a job row's id; the row holds the arguments."""
    return json.dumps(value, default=str).encode()


def deserialize(data: bytes) -> object:
    return json.loads(data)


async def connect(redis_url: str):
    from arq import create_pool
    from arq.connections import RedisSettings
    # no retry loop here: the caller decides (the API keeps serving, the sweep tries again)
    redis_settings = RedisSettings.from_dsn(redis_url)
    redis_settings.conn_retries = 0
    return await create_pool(redis_settings, retry=0, job_serializer=serialize, job_deserializer=deserialize)


def arq_job_id(job_id: int, attempts: int) -> str:
    # de-duplicates deliveries of one attempt; a job sent back to the queue gets a new id
    return f"renkei:{job_id}:{attempts}"


async def send_due(sessions: async_sessionmaker[AsyncSession], redis, *, stale_after=timedelta(minutes=2)) -> int:
    """The sweep: hand every due queued job to arq. Redis down: nothing is marked, the next sweep retries."""
    async with transaction(sessions) as session:
        await runner.release_stale(session)
        jobs = await service.due(session, stale_after=stale_after)
        sent = []
        for job in jobs:
            try:
                await redis.enqueue_job(ARQ_FUNCTION, job.id, _job_id=arq_job_id(job.id, job.attempts))
            except (RedisError, OSError, TimeoutError) as e:
                log.warning("queue unreachable, %d jobs stay queued: %s", len(jobs) - len(sent), type(e).__name__)
                break
            sent.append(job.id)
        await service.mark_dispatched(session, job_ids=sent)
    return len(sent)


class Dispatcher:
    def __init__(self, *, settings: Settings, sessions: async_sessionmaker[AsyncSession], poll_seconds: float = 5.0) -> None:
        self.settings, self.sessions, self.poll_seconds = settings, sessions, poll_seconds
        self._redis = None
        self._next_connect = 0.0
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        if self.settings.redis_url:
            await self._connect()   # Redis down: the API still starts; jobs wait in the outbox
        elif self.settings.embedded_jobs:
            self._task = asyncio.create_task(self._embedded_loop(), name="renkei-embedded-jobs")

    async def _connect(self):
        """The arq pool, (re)connecting at most every RECONNECT_SECONDS while Redis is away."""
        if self._redis is None and time.monotonic() >= self._next_connect:
            try:
                self._redis = await connect(self.settings.redis_url)
            except (RedisError, OSError, TimeoutError) as e:
                self._next_connect = time.monotonic() + RECONNECT_SECONDS
                log.warning("queue unreachable (%s): jobs stay in the outbox until it is back", type(e).__name__)
        return self._redis

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._redis is not None:
            await self._redis.aclose()

    async def nudge(self) -> None:
        """After a commit that queued work to run now: send it without waiting for the sweep. A
        failure here is only logged; the row stays queued and the sweep sends it later."""
        if not self.settings.redis_url:
            self._wake.set()
            return
        redis = await self._connect()
        if redis is None:
            return
        try:
            await send_due(self.sessions, redis, stale_after=timedelta(0))
        except Exception as e:
            log.warning("could not hand jobs to the queue now; the sweep will (%s)", type(e).__name__)

    async def run_pending(self) -> int:
        """Embedded mode: run every due job now (also used by tests and the CLI)."""
        done = 0
        while True:
            async with transaction(self.sessions) as session:
                await runner.release_stale(session)
                jobs = await service.due(session, stale_after=timedelta(0), limit=50)
            if not jobs:
                return done
            for job in jobs:
                outcome = await runner.execute(self.sessions, job.id, settings=self.settings)
                done += outcome.status != "skipped"

    async def _embedded_loop(self) -> None:
        from backend.jobs import schedules
        done_on: dict[str, object] = {}
        sealed_at = 0.0
        while True:
            try:
                if time.monotonic() - sealed_at >= 60:   # the worker's sweep does this when Redis is in use
                    await schedules.seal_audit(self.sessions)
                    sealed_at = time.monotonic()
                # the cron of the embedded default: the same schedules as the arq worker's, once a day each
                now = datetime.now(JST)
                for name, hour, fn in (("nightly", 3, schedules.nightly), ("daily", 8, schedules.daily)):
                    if now.hour >= hour and done_on.get(name) != now.date():
                        await fn(self.sessions)
                        done_on[name] = now.date()
                await self.run_pending()
            except Exception as e:
                log.error("embedded job runner: %s\n%s", type(e).__name__, describe(e))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
