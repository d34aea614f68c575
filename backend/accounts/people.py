"""The admin's list of people: account, role, hub, log-in state. Two statements whatever the count."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts import sessions
from backend.accounts.actor import Actor
from backend.accounts.models import User
from backend.errors import Forbidden
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

    @property
    def state(self) -> str:
        if not self.active:
            return "利用停止"
        if not self.has_password:
            return "招待中"
        return "利用中" if self.second_factor else "二要素認証の登録待ち"


async def list_people(session: AsyncSession, *, actor: Actor, settings: Settings) -> list[Person]:
    if not policy.administers(actor):
        raise Forbidden()
    rows = (await session.execute(select(User, Hub.name).outerjoin(Hub, Hub.id == User.hub_id)
                                  .order_by(User.role, User.email))).all()
    counts = await sessions.live_counts(session, user_ids=[u.id for u, _ in rows], settings=settings)
    return [Person(id=u.id, email=u.email, display_name=u.display_name, role=Role(u.role), hub_name=hub_name,
                   prefecture_code=u.prefecture_code, active=u.active, has_password=u.password_hash is not None,
                   second_factor=u.totp_confirmed_at is not None, live_sessions=counts.get(u.id, 0),
                   created_at=u.created_at) for u, hub_name in rows]
