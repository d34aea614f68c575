"""Runs one job row: claim, execute its handler in one transaction, record the result.

The same function serves arq and the embedded runner. Claiming is an UPDATE guarded by status, so
two deliveries of one job (arq re-running it, the sweep re-sending it) execute it once at a time;
a job left `running` by a killed worker can be claimed again once its lease has run out."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.settings import Settings, get_settings

from backend.db import transaction, utcnow
from backend.jobs.models import Job

log = logging.getLogger("renkei.jobs")

Handler = Callable[[AsyncSession, dict], Awaitable[None]]
_settings: ContextVar[Settings | None] = ContextVar("job_settings", default=None)


def settings() -> Settings:
    """The settings of the runner executing the current job (the worker's, or the API's embedded runner)."""
    return _settings.get() or get_settings()
HANDLERS: dict[str, Handler] = {}
TIMEOUTS: dict[str, float] = {}
DEFAULT_TIMEOUT = 300.0
LEASE_GRACE = timedelta(seconds=30)


class TransientJobError(Exception):
    """A failure worth retrying later (a service down, a lock): retried with backoff up to a limit."""


def handler(kind: str, *, timeout: float = DEFAULT_TIMEOUT):
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        TIMEOUTS[kind] = timeout
        return fn
    return register


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 3600))


def lease(kind: str) -> timedelta:
    return timedelta(seconds=TIMEOUTS.get(kind, DEFAULT_TIMEOUT)) + LEASE_GRACE


@dataclass
class Outcome:
    status: str  # succeeded, retry, failed, skipped
    retry_in: timedelta | None = None


async def _claim(sessions: async_sessionmaker[AsyncSession], job_id: int) -> Job | None:
    now = utcnow()
    async with transaction(sessions) as session:
        job = await session.get(Job, job_id)
        if job is None:
            return None
        claimable = Job.status == "queued"
        if job.status == "running":  # a worker died holding it: take it over once the lease ran out
            claimable = and_(Job.status == "running", Job.started_at < now - lease(job.kind))
        result = await session.execute(
            update(Job).where(Job.id == job_id, claimable)
            .values(status="running", attempts=Job.attempts + 1, started_at=now, error=None))
        if result.rowcount != 1:
            return None
        await session.refresh(job)
        return job


async def _finish(sessions, job_id: int, **values) -> None:
    async with transaction(sessions) as session:
        await session.execute(update(Job).where(Job.id == job_id).values(**values))


async def execute(sessions: async_sessionmaker[AsyncSession], job_id: int, *, settings: Settings | None = None) -> Outcome:
    token = _settings.set(settings)
    try:
        return await _execute(sessions, job_id)
    finally:
        _settings.reset(token)


async def _execute(sessions: async_sessionmaker[AsyncSession], job_id: int) -> Outcome:
    job = await _claim(sessions, job_id)
    if job is None:
        return Outcome("skipped")
    fn = HANDLERS.get(job.kind)
    try:
        if fn is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        async with transaction(sessions) as session:
            await asyncio.wait_for(fn(session, dict(job.args)), TIMEOUTS.get(job.kind, DEFAULT_TIMEOUT))
    except (TransientJobError, TimeoutError, ConnectionError, OSError, OperationalError) as e:
        if job.attempts >= job.max_attempts:
            log.warning("job %s (%s) failed after %s attempts: %s", job.id, job.kind, job.attempts, type(e).__name__)
            await _finish(sessions, job.id, status="failed", finished_at=utcnow(), error=_describe(e))
            return Outcome("failed")
        delay = backoff(job.attempts)
        log.info("job %s (%s) will retry in %s: %s", job.id, job.kind, delay, type(e).__name__)
        await _finish(sessions, job.id, status="queued", run_after=utcnow() + delay, dispatched_at=utcnow(),
                      error=_describe(e))
        return Outcome("retry", delay)
    except Exception as e:
        log.exception("job %s (%s) failed", job.id, job.kind)
        await _finish(sessions, job.id, status="failed", finished_at=utcnow(), error=_describe(e))
        return Outcome("failed")
    await _finish(sessions, job.id, status="succeeded", finished_at=utcnow())
    return Outcome("succeeded")


def _describe(e: BaseException) -> str:
    # job errors are shown to users in the Job query: our own messages, never a row's free text
    return f"{type(e).__name__}: {e}"[:500]


async def release_stale(session: AsyncSession) -> int:
    """Jobs left running past their lease (a killed worker) go back to the queue."""
    now = utcnow()
    running = (await session.scalars(select(Job).where(Job.status == "running"))).all()
    expired = [j.id for j in running if j.started_at and j.started_at < now - lease(j.kind)]
    if expired:
        await session.execute(update(Job).where(Job.id.in_(expired), Job.status == "running")
                              .values(status="queued", dispatched_at=None))
    return len(expired)


def due_clause(now, stale_after: timedelta):
    return and_(Job.status == "queued", Job.run_after <= now,
                or_(Job.dispatched_at.is_(None), Job.dispatched_at < now - stale_after))
