"""The consultations domain's jobs: re-scoring the suggestions a coordinator has not confirmed when the
scene model or the lexicon changes, and the nightly training that learns from confirmed scenes."""

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.kinds import job


@job("reclassify", timeout=1800, attempts=3, key=lambda a: f"reclassify:{a['version']}")
async def reclassify(session: AsyncSession, args: dict) -> None:
    from backend.consultations import service as consultations
    await consultations.reclassify(session)


@job("train", timeout=900, attempts=3, key=lambda a: f"train:{a['day']}")
async def train(session: AsyncSession, args: dict) -> None:
    """A new model version queues `reclassify` for the consultations nobody confirmed."""
    from backend.consultations import service as consultations
    await consultations.train_classifier(session)
