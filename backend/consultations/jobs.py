"""The consultations domain's job: re-scoring unconfirmed consultations when the classifier changes."""

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.kinds import job


@job("reclassify", timeout=1800, attempts=3, key=lambda a: f"reclassify:{a['version']}")
async def reclassify(session: AsyncSession, args: dict) -> None:
    from backend.consultations import service as consultations
    await consultations.reclassify(session)
