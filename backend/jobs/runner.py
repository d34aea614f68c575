"""Runs one job row: claim, execute its handler in one transaction, record the result.

The same function serves arq and the embedded runner. Claiming is an UPDATE guarded by status, so
two deliveries of one job (arq re-running it, the sweep re-sending it) execute it once at a time;
a job left `running` by a killed worker can be claimed again once its lease has run out."""

import asyncio
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import transaction, utcnow
from backend.jobs import kinds
from backend.jobs.kinds import JobKind
from backend.jobs.models import Job
from backend.settings import Settings, get_settings
from backend.tracebacks import describe

log = logging.getLogger("renkei.jobs")

_settings: ContextVar[Settings | None] = ContextVar("job_settings", default=None)
DEFAULT_TIMEOUT = 300.0
LEASE_GRACE = timedelta(seconds=30)


def settings() -> Settings:
    """The settings of the runner executing the current job (the worker's, or the API's embedded runner)."""
    return _settings.get() or get_settings()


class TransientJobError(Exception):
    """A failure worth retrying later (a service down, a lock): retried with backoff up to a limit."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 3600))


def _timeout(kind: str) -> float:
    declared = kinds.get(kind)
    return declared.timeout if declared else DEFAULT_TIMEOUT


def lease(kind: str) -> timedelta:
    return timedelta(seconds=_timeout(kind)) + LEASE_GRACE


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
    kind = kinds.get(job.kind)
    try:
        if kind is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        async with transaction(sessions) as session:
            await asyncio.wait_for(kind.handler(session, dict(job.args)), kind.timeout)
    except (TransientJobError, TimeoutError, ConnectionError, OSError, OperationalError) as e:
        if job.attempts >= job.max_attempts:
            log.warning("job %s (%s) failed after %s attempts: %s", job.id, job.kind, job.attempts, type(e).__name__)
            await _fail(sessions, job, kind, e)
            return Outcome("failed")
        delay = backoff(job.attempts)
        log.info("job %s (%s) will retry in %s: %s", job.id, job.kind, delay, type(e).__name__)
        await _finish(sessions, job.id, status="queued", run_after=utcnow() + delay, dispatched_at=utcnow(),
                      error=_describe(e))
        return Outcome("retry", delay)
    except Exception as e:
        log.error("job %s (%s) failed: %s\n%s", job.id, job.kind, type(e).__name__, describe(e))
        await _fail(sessions, job, kind, e)
        return Outcome("failed")
    await _finish(sessions, job.id, status="succeeded", finished_at=utcnow())
    return Outcome("succeeded")


async def _fail(sessions: async_sessionmaker[AsyncSession], job: Job, kind: JobKind | None, error: BaseException) -> None:
    """Failed for good: the job row, and the record a person waits on (its report, packet, message),
    in one transaction, so nobody is left looking at "queued" forever."""
    async with transaction(sessions) as session:
        await session.execute(update(Job).where(Job.id == job.id)
                              .values(status="failed", finished_at=utcnow(), error=_describe(error)))
        if kind is not None and kind.on_failure is not None:
            await kind.on_failure(session, dict(job.args))


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
