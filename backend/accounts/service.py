"""Users and API tokens. A token is shown once; only its SHA-256 is stored."""

import hashlib
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts.actor import Actor
from backend.accounts.models import ApiToken, User
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError
from backend.mail.transport import validate_address
from backend.regions import service as regions
from backend.resources import directory
from backend.taxonomy import Role
from backend.validation import clean_text

TOKEN_PREFIX = "rk_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, *, user_id: int) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=hash_token(token)))
    return token


async def create_user(session: AsyncSession, *, actor: Actor, email: str, display_name: str, role: Role,
                      hub_id: int | None = None, prefecture_code: str | None = None,
                      service_id: int | None = None, issue_api_token: bool = True) -> tuple[User, str | None]:
    """A new account. People invited to the screens get no API token (`issue_api_token=False`)."""
    if not policy.administers(actor):
        raise Forbidden(["input"])
    try:
        email = validate_address(email).lower()
    except ValueError:
        raise UserInputError(["input", "email"], "メールアドレスの形式が正しくありません。") from None
    display_name = clean_text(display_name, ["input", "displayName"], label="表示名", max_length=100, required=False,
                              one_line=True)
    if not display_name:
        raise UserInputError(["input", "displayName"], "表示名は1〜100文字で入力してください。")
    if await session.scalar(select(User.id).where(User.email == email)):
        raise UserInputError(["input", "email"], "このメールアドレスは既に登録されています。", "DUPLICATE")
    hub_id, prefecture_code, service_id = await placement(session, role=role, hub_id=hub_id,
                                                          prefecture_code=prefecture_code, service_id=service_id,
                                                          field=["input"])
    user = User(email=email, display_name=display_name, role=role.value, hub_id=hub_id,
                prefecture_code=prefecture_code, resource_service_id=service_id)
    session.add(user)
    await session.flush()
    token = await issue_token(session, user_id=user.id) if issue_api_token else None
    audit.record(session, actor=actor, operation="user.create", entity_type="user", entity_id=user.id,
                 fields=["email", "displayName", "role", "hubId", "prefectureCode", "serviceId"])
    return user, token


async def placement(session: AsyncSession, *, role: Role, hub_id: int | None, prefecture_code: str | None,
                    field: list[str], service_id: int | None = None) -> tuple[int | None, str | None, int | None]:
    """Where an account of `role` belongs: a hub for the desk's roles, a prefecture for analysts, one
    directory entry for a facility contact, nothing for admins. Returns (hub_id, prefecture_code, service_id)
    with those that do not apply cleared."""
    if role in (Role.HUB_MANAGER, Role.COORDINATOR):
        if hub_id is None:
            raise UserInputError([*field, "hubId"], "拠点管理者とコーディネーターには拠点の指定が必要です。",
                                 "REQUIRED")
        if await regions.get_hub(session, hub_id=hub_id) is None:
            raise NotFound([*field, "hubId"], "拠点")
        return hub_id, None, None
    if role is Role.PREFECTURE_ANALYST:
        if not prefecture_code:
            raise UserInputError([*field, "prefectureCode"], "都道府県担当者には都道府県の指定が必要です。", "REQUIRED")
        return None, regions.parse_prefecture(prefecture_code, field=[*field, "prefectureCode"]), None
    if role is Role.FACILITY_CONTACT:
        if service_id is None:
            raise UserInputError([*field, "serviceId"], "事業所担当者には担当する事業所（資源）の指定が必要です。",
                                 "REQUIRED")
        if not await directory.exists(session, service_id=service_id):
            raise NotFound([*field, "serviceId"], "事業所（資源）")
        return None, None, service_id
    return None, None, None


async def revoke_tokens(session: AsyncSession, *, actor: Actor, user_id: int) -> int:
    if not policy.administers(actor):
        raise Forbidden()
    if await session.get(User, user_id) is None:
        raise NotFound(["userId"], "利用者")
    result = await session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                                   .values(revoked_at=utcnow()))
    audit.record(session, actor=actor, operation="token.revoke", entity_type="user", entity_id=user_id)
    token_cache.clear()
    return result.rowcount


@dataclass(frozen=True)
class TokenListing:
    """An API token as the admin's list shows it: whose, since when, revoked or not. Never the token."""

    id: int
    user_id: int
    email: str
    display_name: str
    role: Role
    hub_id: int | None
    prefecture_code: str | None
    active: bool
    created_at: datetime
    revoked_at: datetime | None


async def issue_api_token(session: AsyncSession, *, actor: Actor, user_id: int) -> tuple[ApiToken, str]:
    """A new token for a machine client's account (the prefecture dashboard, a script), shown once:
    only its hash is stored. The account's other tokens keep working until revoked."""
    if not policy.administers(actor):
        raise Forbidden(["userId"])
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(["userId"], "利用者")
    if not user.active:
        raise UserInputError(["userId"], "利用停止中の利用者にはトークンを発行できません。", "INACTIVE")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_token(token))
    session.add(row)
    await session.flush()
    audit.record(session, actor=actor, operation="token.issue", entity_type="api_token", entity_id=row.id,
                 fields=["userId"])
    return row, token


async def revoke_api_token(session: AsyncSession, *, actor: Actor, token_id: int) -> ApiToken:
    """Revokes one token; the next request with it gets 401 (other processes: within the token cache's
    few seconds). Revoking a revoked token changes nothing and records nothing."""
    if not policy.administers(actor):
        raise Forbidden(["tokenId"])
    row = await session.get(ApiToken, token_id, with_for_update=True)
    if row is None:
        raise NotFound(["tokenId"], "APIトークン")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor=actor, operation="token.revoke", entity_type="api_token", entity_id=row.id,
                     fields=["revokedAt"])
        token_cache.clear()
    return row


async def list_api_tokens(session: AsyncSession, *, actor: Actor, include_revoked: bool = False,
                          limit: int = 500) -> list[TokenListing]:
    """Tokens with their accounts, newest first (at most `limit`): one statement."""
    if not policy.administers(actor):
        raise Forbidden()
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc()).limit(limit)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return [TokenListing(id=t.id, user_id=u.id, email=u.email, display_name=u.display_name, role=Role(u.role),
                         hub_id=u.hub_id, prefecture_code=u.prefecture_code, active=u.active, created_at=t.created_at,
                         revoked_at=t.revoked_at) for t, u in (await session.execute(query)).all()]


class TokenCache:
    """Token hash → actor for a few seconds, so the common request costs no database round trip
    for authentication. A revocation reaches other processes within `ttl` seconds."""

    def __init__(self, ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[str, tuple[float, Actor]] = OrderedDict()

    def get(self, key: str) -> Actor | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, key: str, actor: Actor) -> None:
        self._items[key] = (time.monotonic() + self.ttl, actor)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


token_cache = TokenCache()


async def authenticate(session: AsyncSession, *, token: str) -> Actor | None:
    key = hash_token(token)
    if (actor := token_cache.get(key)) is not None:
        return actor
    row = (await session.execute(
        select(User).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == key, ApiToken.revoked_at.is_(None), User.active.is_(True))
    )).scalar_one_or_none()
    if row is None:
        return None
    actor = actor_of(row)
    token_cache.put(key, actor)
    return actor


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), hub_id=user.hub_id, prefecture_code=user.prefecture_code,
                 service_id=user.resource_service_id, display_name=user.display_name)


async def users_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, User]:
    rows = await session.scalars(select(User).where(User.id.in_(ids)))
    return {u.id: u for u in rows}
