"""The mail outbox: a message is a row written in the caller's transaction with its `send_mail` job;
the job sends it once (a row marked sent is never sent again; the Message-ID comes from the row)."""

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import utcnow
from backend.jobs import service as jobs
from backend.jobs.runner import TransientJobError
from backend.mail import transport
from backend.mail.models import OutboxMessage
from backend.settings import Settings

log = logging.getLogger("renkei.mail")


async def queue_message(session: AsyncSession, *, kind: str, recipients: list[str], subject: str, text: str,
                        html: str | None = None) -> OutboxMessage:
    message = OutboxMessage(kind=kind, recipients=list(recipients), subject=subject, text_body=text, html_body=html)
    session.add(message)
    await session.flush()
    await jobs.enqueue(session, kind="send_mail", args={"message_id": message.id})
    return message


def message_id(row: OutboxMessage) -> str:
    return f"<outbox-{row.id}@renkei-desk>"


async def send(session: AsyncSession, *, outbox_id: int, settings: Settings) -> None:
    row = await session.get(OutboxMessage, outbox_id, with_for_update=True)
    if row is None or row.status == "sent":
        return  # sent once, however often the job runs
    message = transport.build_message(sender=settings.mail_sender, to=row.recipients, subject=row.subject,
                                      text=row.text_body, html=row.html_body, message_id=message_id(row),
                                      date=row.created_at)
    smtp = transport.SmtpConfig.from_url(settings.smtp_url) if settings.smtp_url else None
    row.attempts += 1
    try:
        await transport.deliver(message, smtp=smtp, outbox_dir=settings.outbox_dir)
    except transport.TransientMailError as e:
        row.error = f"一時的な送信エラー: {e}"[:500]
        await session.flush()
        log.warning("mail %s not sent yet (%s), will retry", row.id, type(e).__name__)
        raise TransientJobError(str(e)) from None
    except transport.PermanentMailError as e:
        row.status, row.error = "failed", f"送信できませんでした: {e}"[:500]
        log.error("mail %s refused permanently", row.id)
        return
    row.status, row.sent_at, row.error = "sent", utcnow(), None


async def mark_failed(session: AsyncSession, *, outbox_id: int) -> None:
    """The send job gave up: the message shows as failed, not as waiting forever."""
    row = await session.get(OutboxMessage, outbox_id, with_for_update=True)
    if row is not None and row.status != "sent":
        row.status, row.error = "failed", (row.error or "送信できませんでした（再試行の上限に達しました）。")[:500]
