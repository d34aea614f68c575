"""The members of each hub's 協議の場: managed by the hub's manager and by admins, every change audited.
A meeting packet goes only to them."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import NotFound, UserInputError, parse_id
from backend.mail import transport
from backend.meetings.models import HubMember
from backend.regions.models import Hub
from backend.validation import clean_text

MAX_MEMBERS = 200


def normalize_address(raw: str, field: Sequence[str]) -> str:
    try:
        return transport.validate_address(raw).lower()
    except ValueError:
        raise UserInputError(field, "メールアドレスの形式が正しくありません。", "INVALID_EMAIL") from None


async def members(session: AsyncSession, *, actor: Actor, hub_id: int) -> list[HubMember] | None:
    """The hub's current members, or None for a caller who may not manage them."""
    if not policy.keeps_members(actor, hub_id):
        return None
    return list(await session.scalars(select(HubMember).where(HubMember.hub_id == hub_id, HubMember.removed_at.is_(None))
                                      .order_by(HubMember.name, HubMember.id)))


async def add(session: AsyncSession, *, actor: Actor, hub_id: object, name: str, organization: str | None,
              email: str) -> HubMember:
    f = ["input"]
    hid = parse_id(hub_id, f + ["hubId"], "拠点")
    if not policy.keeps_members(actor, hid) or await session.get(Hub, hid) is None:
        await audit.refused(session, Hub, hid, operation="hub_member.add", entity_type="hub")
        raise NotFound(f + ["hubId"], "拠点")
    name = clean_text(name, f + ["name"], label="氏名", max_length=100, one_line=True)
    organization = clean_text(organization, f + ["organization"], label="所属", max_length=200, required=False,
                              one_line=True)
    address = normalize_address(email, f + ["email"])
    current = await members(session, actor=actor, hub_id=hid) or []
    if any(m.email == address for m in current):
        raise UserInputError(f + ["email"], "このメールアドレスの委員は既に登録されています。", "DUPLICATE")
    if len(current) >= MAX_MEMBERS:
        raise UserInputError(f + ["email"], f"委員は{MAX_MEMBERS}名までです。", "TOO_MANY")
    member = HubMember(hub_id=hid, name=name, organization=organization, email=address, created_by_id=actor.user_id)
    session.add(member)
    await session.flush()
    audit.record(session, actor=actor, operation="hub_member.add", entity_type="hub_member", entity_id=member.id,
                 fields=["hubId", "name", "organization", "email"])
    return member


async def remove(session: AsyncSession, *, actor: Actor, member_id: object) -> HubMember:
    member = await session.get(HubMember, parse_id(member_id, ["id"], "委員"))
    if member is None or member.removed_at is not None or not policy.keeps_members(actor, member.hub_id):
        if member is not None and not policy.keeps_members(actor, member.hub_id):
            audit.denied("hub_member.remove", "hub_member", member.id)
        raise NotFound(["id"], "委員")
    member.removed_at = utcnow()
    audit.record(session, actor=actor, operation="hub_member.remove", entity_type="hub_member", entity_id=member.id)
    return member


async def member_addresses(session: AsyncSession, *, hub_id: int) -> set[str]:
    return set(await session.scalars(select(func.lower(HubMember.email))
                                     .where(HubMember.hub_id == hub_id, HubMember.removed_at.is_(None))))
