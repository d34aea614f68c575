"""The issues domain's job: regrouping a hub's consultations of a fiscal year into regional issues."""

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.kinds import job


@job("group_hub", timeout=600, attempts=5, key=lambda a: f"group_hub:{a['hub_id']}:{a['fiscal_year']}")
async def group_hub(session: AsyncSession, args: dict) -> None:
    from backend.issues import service as issues
    from backend.text import store
    await store.refresh(session)   # the version the last `train` stored, whichever process ran it
    await issues.regroup(session, hub_id=args["hub_id"], fiscal_year=args["fiscal_year"])
