"""Reads for the hub manager's screens that the contract has no query for: the hub's meetings and, per
recipient, what became of the packet's e-mail (from the outbox rows the send wrote). Scope is decided here,
through policy, like every other read."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.mail.models import OutboxMessage
from backend.meetings.models import HubMeeting, HubMember
from backend.meetings.service import packet_subject
from backend.regions.models import Hub


async def meetings_of(session: AsyncSession, *, actor: Actor, hub_id: int, limit: int = 100) -> list[HubMeeting] | None:
    """The hub's meetings, newest date first; None for anyone outside the hub's desk."""
    if not policy.works_at(actor, hub_id):
        return None
    return list(await session.scalars(select(HubMeeting).where(HubMeeting.hub_id == hub_id)
                                      .order_by(HubMeeting.held_on.desc(), HubMeeting.id.desc()).limit(limit)))


@dataclass(frozen=True)
class Delivery:
    email: str
    name: str | None          # the member's name, if still on the list
    status: str               # not_sent (no message yet), pending, sent, failed
    sent_at: datetime | None
    error: str | None


async def deliveries(session: AsyncSession, *, actor: Actor, meeting: HubMeeting) -> list[Delivery] | None:
    """Each recipient's delivery. The outbox has no meeting column (no migration for it): a packet's rows
    are the meeting_packet messages with its subject written since it was scheduled, one recipient each;
    of two meetings with the same hub, title and date, each sees the newest row per recipient."""
    if not policy.works_at(actor, meeting.hub_id):
        return None
    hub = await session.get(Hub, meeting.hub_id)
    rows = [] if meeting.status != "sent" else list(await session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "meeting_packet",
                                    OutboxMessage.subject == packet_subject(hub.name, meeting),
                                    OutboxMessage.created_at >= meeting.created_at)
        .order_by(OutboxMessage.id)))
    by_address = {row.recipients[0].lower(): row for row in rows if row.recipients}
    names = dict((await session.execute(select(HubMember.email, HubMember.name).where(
        HubMember.hub_id == meeting.hub_id, HubMember.removed_at.is_(None)))).all())
    out = []
    for address in meeting.recipient_emails:
        row = by_address.get(address.lower())
        out.append(Delivery(email=address, name=names.get(address.lower()),
                            status=row.status if row else ("not_sent" if meeting.status != "sent" else "skipped"),
                            sent_at=row.sent_at if row else None, error=row.error if row else None))
    return out
