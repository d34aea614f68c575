"""The `build_desk_report` job: the desk report's three documents, built once (idempotent)."""

from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.kinds import job
from backend.jobs.runner import settings
from backend.reports import desk_service


async def _failed(session: AsyncSession, args: dict) -> None:
    await desk_service.mark_failed(session, report_id=args["report_id"])


@job("build_desk_report", timeout=300, attempts=3, key=lambda a: f"build_desk_report:{a['report_id']}",
     on_failure=_failed)
async def build_desk_report(session: AsyncSession, args: dict) -> None:
    await desk_service.build(session, report_id=args["report_id"], threshold=settings().suppression_threshold)
