"""What the cron runs: nightly regrouping of hubs with new consultations, daily reminders."""

from datetime import timedelta

from sqlalchemy import distinct, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.consultations.models import Consultation
from backend.db import transaction, utcnow
from backend.jobs import service as jobs


async def nightly(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Queues a regrouping for every hub-year that received or changed consultations in the last day."""
    since = utcnow() - timedelta(days=1, hours=1)
    async with transaction(sessions) as session:
        pairs = (await session.execute(select(distinct(Consultation.hub_id), Consultation.fiscal_year)
                                       .where(Consultation.updated_at >= since))).all()
        for hub_id, fy in pairs:
            await jobs.enqueue(session, kind="group_hub",
                               args={"hub_id": hub_id, "fiscal_year": fy}, hub_id=hub_id)
        # the lexicon changed since some suggestions were made (a deployment extended it)
        from backend.consultations import service as consultations
        if await consultations.needs_reclassification(session):
            from backend.text.scenes import lexicon_version
            await jobs.enqueue(session, kind="reclassify", args={"version": lexicon_version()})
    return len(pairs)


async def seal_audit(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Every minute: the audit rows written since the last seal join the hash chain."""
    from backend.audit import chain
    async with transaction(sessions) as session:
        return await chain.seal(session)


async def daily(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Queues today's follow-up reminders (one job; the mail module builds one message a coordinator)."""
    from backend.fiscal import today_jst
    async with transaction(sessions) as session:
        await jobs.enqueue(session, kind="follow_up_reminders", args={"day": today_jst().isoformat()})
    return 1
