"""The admin's people: the list (account, role, hub, log-in state; three statements whatever the count),
and the account's life — role and place changed, deactivated, reactivated — each audited with field names."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts import service as accounts
from backend.accounts import sessions
from backend.accounts.actor import Actor
from backend.accounts.models import ApiToken, User
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError
from backend.regions.models import Hub
from backend.settings import Settings
from backend.taxonomy import Role


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    display_name: str
    role: Role
    hub_name: str | None
    prefecture_code: str | None
    active: bool
    has_password: bool
    second_factor: bool
    live_sessions: int
    created_at: datetime
    hub_id: int | None = None
    api_tokens: int = 0         # tokens not revoked: a machine client's account (the prefecture dashboard)

    @property
    def state(self) -> str:
        if not self.active:
            return "利用停止"
        if not self.has_password:
            return "API連携用" if self.api_tokens else "招待中"
        return "利用中" if self.second_factor else "二要素認証の登録待ち"


async def list_people(session: AsyncSession, *, actor: Actor, settings: Settings) -> list[Person]:
    if not policy.administers(actor):
        raise Forbidden()
    rows = (await session.execute(select(User, Hub.name).outerjoin(Hub, Hub.id == User.hub_id)
                                  .order_by(User.role, User.email))).all()
    ids = [u.id for u, _ in rows]
    counts = await sessions.live_counts(session, user_ids=ids, settings=settings)
    tokens = await _token_counts(session, ids)
    return [_person(u, hub_name, counts.get(u.id, 0), tokens.get(u.id, 0)) for u, hub_name in rows]


async def get_person(session: AsyncSession, *, actor: Actor, user_id: int, settings: Settings) -> Person:
    if not policy.administers(actor):
        raise Forbidden(["userId"])
    row = (await session.execute(select(User, Hub.name).outerjoin(Hub, Hub.id == User.hub_id)
                                 .where(User.id == user_id))).first()
    if row is None:
        raise NotFound(["userId"], "利用者")
    counts = await sessions.live_counts(session, user_ids=[user_id], settings=settings)
    tokens = await _token_counts(session, [user_id])
    return _person(row[0], row[1], counts.get(user_id, 0), tokens.get(user_id, 0))


def _person(u: User, hub_name: str | None, live: int, tokens: int) -> Person:
    return Person(id=u.id, email=u.email, display_name=u.display_name, role=Role(u.role), hub_name=hub_name,
                  prefecture_code=u.prefecture_code, active=u.active, has_password=u.password_hash is not None,
                  second_factor=u.totp_confirmed_at is not None, live_sessions=live, created_at=u.created_at,
                  hub_id=u.hub_id, api_tokens=tokens)


async def _token_counts(session: AsyncSession, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = await session.execute(select(ApiToken.user_id, func.count()).where(
        ApiToken.user_id.in_(user_ids), ApiToken.revoked_at.is_(None)).group_by(ApiToken.user_id))
    return {user_id: n for user_id, n in rows.all()}


async def _administered(session: AsyncSession, actor: Actor, user_id: int) -> User:
    if not policy.administers(actor):
        raise Forbidden(["userId"])
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(["userId"], "利用者")
    return user


async def change_placement(session: AsyncSession, *, actor: Actor, user_id: int, role: Role, hub_id: int | None,
                           prefecture_code: str | None, service_id: int | None = None) -> User:
    """A new role, hub or prefecture, validated as at creation. It applies from the person's next request
    (sessions read the account on every request; cached API tokens are dropped). Audited with the names of
    the fields that changed; nothing is recorded when nothing changed."""
    user = await _administered(session, actor, user_id)
    if user.id == actor.user_id and role is not Role.ADMIN:
        raise UserInputError(["role"], "自分自身の管理者の役割は外せません。別の管理者に依頼してください。", "SELF")
    hub_id, prefecture_code, service_id = await accounts.placement(
        session, role=role, hub_id=hub_id, prefecture_code=prefecture_code, service_id=service_id, field=[])
    changed = [name for name, old, new in (("role", user.role, role.value), ("hubId", user.hub_id, hub_id),
                                           ("prefectureCode", user.prefecture_code, prefecture_code),
                                           ("serviceId", user.resource_service_id, service_id)) if old != new]
    if changed:
        user.role, user.hub_id, user.prefecture_code = role.value, hub_id, prefecture_code
        user.resource_service_id = service_id
        audit.record(session, actor=actor, operation="user.update", entity_type="user", entity_id=user.id,
                     fields=changed)
        accounts.token_cache.clear()
    return user


async def deactivate(session: AsyncSession, *, actor: Actor, user_id: int) -> User:
    """The person can no longer log in: their browser sessions end now, their API tokens are revoked (a
    later reactivation does not bring old tokens back), and the account stays for the records it signed."""
    user = await _administered(session, actor, user_id)
    if user.id == actor.user_id:
        raise UserInputError(["userId"], "自分自身は利用停止にできません。", "SELF")
    if not user.active:
        return user
    user.active = False
    await sessions.end_all(session, user_id=user.id, reason="deactivated")
    await session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                          .values(revoked_at=utcnow()))
    audit.record(session, actor=actor, operation="user.deactivate", entity_type="user", entity_id=user.id,
                 fields=["active", "sessions", "apiTokens"])
    accounts.token_cache.clear()
    return user


async def reactivate(session: AsyncSession, *, actor: Actor, user_id: int) -> User:
    """The account may log in again with its password and authenticator; API tokens must be issued anew."""
    user = await _administered(session, actor, user_id)
    if not user.active:
        user.active = True
        audit.record(session, actor=actor, operation="user.reactivate", entity_type="user", entity_id=user.id,
                     fields=["active"])
    return user
