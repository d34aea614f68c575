from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.runner import handler
from backend.meetings import service


@handler("build_packet", timeout=300)
async def build_packet(session: AsyncSession, args: dict) -> None:
    await service.build_packet(session, meeting_id=args["meeting_id"])


@handler("send_packet", timeout=300)
async def send_packet(session: AsyncSession, args: dict) -> None:
    await service.send_packet(session, meeting_id=args["meeting_id"])
