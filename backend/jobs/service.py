"""The job outbox. A write that causes work inserts the job row in its own transaction; after
commit the row is handed to the runner (arq, or the in-process runner). The sweep re-sends rows
left queued, so an outage of the queue delays work and loses none."""

from datetime import timedelta

from sqlalchemy import case, select, text, update
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


async def enqueue(session: AsyncSession, *, kind: str, args: dict, defer: timedelta = timedelta(0),
                  actor: Actor | None = None, hub_id: int | None = None, prefecture_code: str | None = None) -> Job:
    """The only way to queue work: one INSERT in the caller's transaction. A kind with a key keeps one
    pending job per key (the partial unique index): a second request for the same work reuses the pending
    row and brings its start forward if asked sooner, so a burst of writes costs one run. Concurrent
    requests for the same key cannot both insert (no read-then-insert race)."""
    declared = kinds.get(kind)
    if declared is None:
        raise LookupError(f"no job kind {kind!r}")
    run_after = utcnow() + defer
    values = dict(kind=kind, key=declared.key(args) if declared.key else None, args=args, status="queued",
                  attempts=0, max_attempts=declared.attempts, hub_id=hub_id, prefecture_code=prefecture_code,
                  created_by_id=actor.user_id if actor else None, enqueued_at=utcnow(), run_after=run_after)
    dialect_insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(Job).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Job.key], index_where=text("status = 'queued'"),
        set_={"run_after": case((stmt.excluded.run_after < Job.run_after, stmt.excluded.run_after),
                                else_=Job.run_after)})
    # the row as inserted or as it now stands (the pending one, perhaps brought forward): one round trip
    return await session.scalar(stmt.returning(Job), execution_options={"populate_existing": True})


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
