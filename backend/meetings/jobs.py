from sqlalchemy.ext.asyncio import AsyncSession

from backend.jobs.kinds import job
from backend.meetings import service


async def _packet_failed(session: AsyncSession, args: dict) -> None:
    await service.mark_packet_failed(session, meeting_id=args["meeting_id"],
                                     reason="会議資料を作成できませんでした。時間をおいて作成し直すか、管理者に連絡してください。")


async def _sending_failed(session: AsyncSession, args: dict) -> None:
    await service.mark_packet_failed(session, meeting_id=args["meeting_id"],
                                     reason="会議資料を送付できませんでした。時間をおいて送付し直すか、管理者に連絡してください。")


@job("build_packet", timeout=300, attempts=5, key=lambda a: f"build_packet:{a['meeting_id']}", on_failure=_packet_failed)
async def build_packet(session: AsyncSession, args: dict) -> None:
    await service.build_packet(session, meeting_id=args["meeting_id"])


@job("send_packet", timeout=300, attempts=5, key=lambda a: f"send_packet:{a['meeting_id']}", on_failure=_sending_failed)
async def send_packet(session: AsyncSession, args: dict) -> None:
    await service.send_packet(session, meeting_id=args["meeting_id"])
