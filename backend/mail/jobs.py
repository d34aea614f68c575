"""Mail jobs: sending an outbox row, and the daily follow-up reminders."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.jobs.kinds import job
from backend.jobs.runner import settings
from backend.mail import service
from backend.taxonomy import CareScene, ConsultationStatus
from backend.templating import render


async def _undeliverable(session: AsyncSession, args: dict) -> None:
    await service.mark_failed(session, outbox_id=args["message_id"])


@job("send_mail", timeout=120, attempts=8, key=lambda a: f"send_mail:{a['message_id']}", on_failure=_undeliverable)
async def send_mail(session: AsyncSession, args: dict) -> None:
    await service.send(session, outbox_id=args["message_id"], settings=settings())


@job("follow_up_reminders", timeout=600, attempts=3, key=lambda a: f"reminders:{a['day']}")
async def follow_up_reminders(session: AsyncSession, args: dict) -> None:
    """One message a coordinator listing their open consultations whose follow-up date has come:
    ids, dates, scenes and a link — never the summary."""
    day = date.fromisoformat(args["day"])
    rows = (await session.execute(
        select(Consultation.id, Consultation.follow_up_on, Consultation.primary_scene, Consultation.received_at,
               User.id, User.email, User.display_name)
        .join(User, User.id == Consultation.assignee_id)
        .where(Consultation.follow_up_on <= day, Consultation.status != ConsultationStatus.CLOSED.value,
               User.active.is_(True))
        .order_by(User.id, Consultation.follow_up_on, Consultation.id))).all()
    by_user: dict[int, dict] = {}
    for cid, follow_up_on, scene, received_at, uid, email, name in rows:
        entry = by_user.setdefault(uid, {"email": email, "name": name, "items": []})
        entry["items"].append({"id": cid, "follow_up_on": follow_up_on, "received_on": received_at,
                               "scene": CareScene(scene).label if scene else "未分類",
                               "url": f"{settings().public_url}/consultations/{cid}"})
    for entry in by_user.values():
        context = {"name": entry["name"], "day": day, "items": entry["items"]}
        await service.queue_message(
            session, kind="follow_up_reminder", recipients=[entry["email"]],
            subject=f"【連携デスク】フォロー予定日を迎えた相談が{len(entry['items'])}件あります（{day:%Y年%m月%d日}）",
            text=render("mail/follow_up_reminder.txt.j2", **context),
            html=render("mail/follow_up_reminder.html.j2", **context))
