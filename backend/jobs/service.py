"""The job outbox. A write that causes work inserts the job row in its own transaction; after
commit the row is handed to the runner (arq, or the in-process runner). The sweep re-sends rows
left queued, so an outage of the queue delays work and loses none."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.db import utcnow
from backend.jobs.models import Job
from backend.jobs.runner import due_clause
from backend.taxonomy import Role

# kinds and how many times a transient failure is retried
MAX_ATTEMPTS = {"group_hub": 5, "classify": 5, "reclassify": 3, "train": 3, "build_packet": 5, "send_packet": 5,
                "send_mail": 8, "build_report": 3, "follow_up_reminders": 3}


async def enqueue(session: AsyncSession, *, kind: str, args: dict, key: str | None = None,
                  defer: timedelta = timedelta(0), actor: Actor | None = None,
                  hub_id: int | None = None, prefecture_code: str | None = None) -> Job:
    """Adds a job row. With a key, a job of that key still queued is reused (and its start moved no
    later), so a burst of writes costs one run."""
    run_after = utcnow() + defer
    if key is not None:
        pending = await session.scalar(select(Job).where(Job.key == key, Job.status == "queued"))
        if pending is not None:
            pending.run_after = min(pending.run_after, run_after) if defer == timedelta(0) else pending.run_after
            return pending
    job = Job(kind=kind, key=key, args=args, run_after=run_after, max_attempts=MAX_ATTEMPTS.get(kind, 5),
              hub_id=hub_id, prefecture_code=prefecture_code,
              created_by_id=actor.user_id if actor else None)
    session.add(job)
    await session.flush()
    return job


async def get_visible(session: AsyncSession, *, actor: Actor, job_id: int) -> Job | None:
    job = await session.get(Job, job_id)
    if job is None:
        return None
    if actor.role is Role.ADMIN or job.created_by_id == actor.user_id:
        return job
    if job.hub_id is not None and job.hub_id == actor.hub_id:
        return job
    if job.prefecture_code is not None and actor.role is Role.PREFECTURE_ANALYST \
            and job.prefecture_code == actor.prefecture_code:
        return job
    return None


async def due(session: AsyncSession, *, limit: int = 500, stale_after: timedelta = timedelta(minutes=2)) -> list[Job]:
    """Queued jobs due to run that were never handed over, or handed over a while ago and still
    queued (the queue lost them, or was down)."""
    stmt = select(Job).where(due_clause(utcnow(), stale_after)).order_by(Job.run_after, Job.id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def mark_dispatched(session: AsyncSession, *, job_ids: list[int]) -> None:
    if job_ids:
        await session.execute(update(Job).where(Job.id.in_(job_ids)).values(dispatched_at=utcnow()))
