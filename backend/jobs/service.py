"""The job outbox. A write that causes work inserts the job row in its own transaction; after
commit the row is handed to the runner (arq, or the in-process runner). The sweep re-sends rows
left queued, so an outage of the queue delays work and loses none."""

from datetime import timedelta
from functools import cache

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import utcnow
from backend.jobs import kinds
from backend.jobs.models import Job
from backend.jobs.runner import due_clause


@cache
def _insert(dialect: str):
    """Built once: the statement's structure is the same for every job, only its parameters change."""
    make = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (make(Job.__table__).on_conflict_do_nothing(index_elements=[Job.key], index_where=text("status = 'queued'"))
            .returning(Job.id))


async def enqueue(session: AsyncSession, *, kind: str, args: dict, defer: timedelta = timedelta(0),
                  actor: Actor | None = None, hub_id: int | None = None, prefecture_code: str | None = None
                  ) -> int | None:
    """The only way to queue work: one INSERT in the caller's transaction, returning the job's id. A kind
    with a key keeps one pending job per key (the partial unique index), so a burst of writes costs one
    run and two concurrent requests cannot both insert. When a job of the key is already pending, a request
    for now brings it forward (and gets its id); a request for later is covered by it (None: nothing locked,
    no further round trip — the intake path)."""
    declared = kinds.get(kind)
    if declared is None:
        raise LookupError(f"no job kind {kind!r}")
    now = utcnow()
    key = declared.key(args) if declared.key else None
    values = dict(kind=kind, key=key, args=args, status="queued", attempts=0, max_attempts=declared.attempts,
                  hub_id=hub_id, prefecture_code=prefecture_code, created_by_id=actor.user_id if actor else None,
                  enqueued_at=now, run_after=now + defer, dispatched_at=None, started_at=None, finished_at=None,
                  error=None)
    job_id = await session.scalar(_insert(session.bind.dialect.name), values)
    if job_id is not None or defer:
        return job_id
    return await session.scalar(update(Job).where(Job.key == key, Job.status == "queued")
                                .values(run_after=now).returning(Job.id))


async def queued(session: AsyncSession, *, kind: str, args: dict, **kwargs) -> Job:
    """`enqueue` for the callers that show the job to a person (its status, in a payload)."""
    job_id = await enqueue(session, kind=kind, args=args, **kwargs)
    return await session.get(Job, job_id)


async def get_visible(session: AsyncSession, *, actor: Actor, job_id: int) -> Job | None:
    job = await session.get(Job, job_id)
    if job is None:
        return None
    if not policy.sees_job(actor, created_by_id=job.created_by_id, hub_id=job.hub_id,
                           prefecture_code=job.prefecture_code):
        audit.denied("job.read", "job", job.id)
        return None
    return job


async def due(session: AsyncSession, *, limit: int = 500, stale_after: timedelta = timedelta(minutes=2)) -> list[Job]:
    """Queued jobs due to run that were never handed over, or handed over a while ago and still
    queued (the queue lost them, or was down)."""
    stmt = select(Job).where(due_clause(utcnow(), stale_after)).order_by(Job.run_after, Job.id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def mark_dispatched(session: AsyncSession, *, job_ids: list[int]) -> None:
    if job_ids:
        await session.execute(update(Job).where(Job.id.in_(job_ids)).values(dispatched_at=utcnow()))
