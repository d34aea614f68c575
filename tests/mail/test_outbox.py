"""The mail outbox: a real SMTP server receives what the jobs send; outages delay, never lose."""

from email import message_from_bytes, policy

import pytest
from sqlalchemy import select, update

from backend.db import transaction, utcnow
from backend.jobs import runner
from backend.jobs import schedules
from backend.jobs import service as jobs
from backend.jobs.dispatch import Dispatcher
from backend.jobs.models import Job
from backend.mail import service as mail
from backend.mail.models import OutboxMessage
from tests import clock
from tests.conftest import free_port
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")


def dispatcher_for(settings, sessions, smtp_port: int | None) -> Dispatcher:
    url = f"smtp://127.0.0.1:{smtp_port}" if smtp_port else None
    return Dispatcher(settings=settings.model_copy(update={"smtp_url": url}), sessions=sessions)


async def queue(sessions, **kw) -> int:
    async with transaction(sessions) as s:
        row = await mail.queue_message(s, kind="test", recipients=kw.get("to", ["kyoten@city.example.jp"]),
                                       subject="【連携デスク】会議資料", text="本文です。", html="<p>本文です。</p>")
    return row.id


async def _row(sessions, outbox_id) -> OutboxMessage:
    async with sessions() as s:
        return await s.get(OutboxMessage, outbox_id)


async def test_queued_message_arrives_once_even_if_its_job_runs_twice(settings, sessions, smtp_server):
    handler, config = smtp_server
    outbox_id = await queue(sessions)
    d = dispatcher_for(settings, sessions, config.port)
    await d.run_pending()
    async with transaction(sessions) as s:  # the same job delivered again (a redelivery after a crash)
        job = await jobs.queued(s, kind="send_mail", args={"message_id": outbox_id})
    await runner.execute(sessions, job.id, settings=d.settings)
    assert len(handler.envelopes) == 1
    msg = message_from_bytes(handler.envelopes[0].content, policy=policy.default)
    assert msg["Subject"] == "【連携デスク】会議資料" and msg.get_content_type() == "multipart/alternative"
    assert msg["Message-ID"] == f"<outbox-{outbox_id}@renkei-desk>"
    assert (await _row(sessions, outbox_id)).status == "sent"


async def test_smtp_outage_delays_mail_and_loses_none(settings, sessions, smtp_server):
    handler, config = smtp_server
    outbox_id = await queue(sessions)
    down = dispatcher_for(settings, sessions, free_port())  # nothing listens there
    await down.run_pending()
    row = await _row(sessions, outbox_id)
    assert row.status == "pending" and len(handler.envelopes) == 0
    async with sessions() as s:
        job = await s.scalar(select(Job).where(Job.key == f"send_mail:{outbox_id}"))
    assert job.status == "queued" and job.attempts == 1 and job.run_after > utcnow()
    async with transaction(sessions) as s:  # the backoff has passed
        await s.execute(update(Job).where(Job.id == job.id).values(run_after=utcnow()))
    await dispatcher_for(settings, sessions, config.port).run_pending()
    assert len(handler.envelopes) == 1 and (await _row(sessions, outbox_id)).status == "sent"


async def test_refused_recipient_fails_the_message_with_a_clear_error(settings, sessions, smtp_server):
    handler, config = smtp_server
    outbox_id = await queue(sessions, to=["reject550@city.example.jp"])
    await dispatcher_for(settings, sessions, config.port).run_pending()
    row = await _row(sessions, outbox_id)
    assert row.status == "failed" and "送信できませんでした" in row.error


async def test_without_smtp_messages_are_written_as_eml_files(settings, sessions):
    outbox_id = await queue(sessions)
    await dispatcher_for(settings, sessions, None).run_pending()
    path = settings.outbox_dir / f"outbox-{outbox_id}@renkei-desk.eml"
    assert path.exists() and (await _row(sessions, outbox_id)).status == "sent"


@pytest.mark.any_hour
async def test_follow_up_reminders_list_ids_dates_and_scenes_but_no_text(gql, world, settings, sessions, smtp_server):
    handler, config = smtp_server
    secret = "山田さん宅の退院前カンファについて"
    today = clock.today()
    due = (await gql(world.coordinator, LOG, {"input": log_input("15202", summary=secret, followUpOn=today.isoformat(),
                                                                 scenes=["ADMISSION_DISCHARGE"])}))
    later = (await gql(world.coordinator, LOG, {"input": log_input("15202", summary="明日確認",
                                                                   followUpOn=clock.tomorrow().isoformat())}))
    due_id = due["data"]["logConsultation"]["consultation"]["id"]
    later_id = later["data"]["logConsultation"]["consultation"]["id"]
    await schedules.daily(sessions)   # what the cron queues each morning: today's reminders, Japan time
    await dispatcher_for(settings, sessions, config.port).run_pending()
    messages = [message_from_bytes(e.content, policy=policy.default) for e in handler.envelopes]
    mine = [m for m in messages if f"相談ID {due_id}" in m.get_body(("plain",)).get_content()]
    assert len(mine) == 1
    msg = mine[0]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert f"相談ID {due_id}" in text and "入退院支援" in text and f"/consultations/{due_id}" in html
    japanese_day = f"{today.year}年{today.month}月{today.day}日"
    assert f"受付 {japanese_day}　フォロー予定 {japanese_day}" in text   # the day the call came in, in Japan
    assert f"相談ID {later_id}" not in text
    assert "山田" not in text and "山田" not in html and "退院前カンファ" not in text
