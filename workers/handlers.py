"""Every job kind and the backend service it calls. Handlers are thin and idempotent: a job may run
twice (a redelivery, a worker killed after the work but before the bookkeeping)."""

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.runner import handler


@handler("group_hub", timeout=600)
async def group_hub(session: AsyncSession, args: dict) -> None:
    from backend.issues import service as issues
    from backend.text import store
    await store.refresh(session)   # the version the last `train` stored, whichever worker ran it
    await issues.regroup(session, hub_id=args["hub_id"], fiscal_year=args["fiscal_year"])


@handler("diagnostic_sleep", timeout=120)
async def diagnostic_sleep(session: AsyncSession, args: dict) -> None:
    """Holds a job open for a while: lets an operator (and the tests) see a worker die mid-job."""
    import asyncio
    await asyncio.sleep(float(args.get("seconds", 1)))
    from backend.audit import service as audit
    from backend.accounts.actor import SYSTEM
    audit.record(session, actor=SYSTEM, operation="diagnostic.sleep", entity_type="job", entity_id=args.get("marker"))


@handler("reclassify", timeout=1800)
async def reclassify(session: AsyncSession, args: dict) -> None:
    from backend.consultations import service as consultations
    await consultations.reclassify(session)


@handler("train", timeout=900)
async def train(session: AsyncSession, args: dict) -> None:
    from backend.consultations import service as consultations
    await consultations.train_classifier(session)


import backend.mail.jobs  # noqa: E402,F401  send_mail, follow_up_reminders
import backend.meetings.jobs  # noqa: E402,F401  build_packet, send_packet
import backend.reports.jobs  # noqa: E402,F401  build_report
