"""A job for operators: holds a job open for a while, so one can watch a worker die mid-job and the next
worker finish it (the tests do)."""

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import SYSTEM
from backend.audit import service as audit
from backend.jobs.kinds import job


@job("diagnostic_sleep", timeout=120, attempts=5)
async def diagnostic_sleep(session: AsyncSession, args: dict) -> None:
    await asyncio.sleep(float(args.get("seconds", 1)))
    audit.record(session, actor=SYSTEM, operation="diagnostic.sleep", entity_type="job", entity_id=args.get("marker"))
