"""Per-request DataLoaders. Each batch opens its own short session: graphql-core resolves sibling
fields concurrently and one AsyncSession must never serve two of them."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from backend.accounts import service as accounts
from backend.consultations import service as consultations
from backend.issues import service as issues
from backend.regions import service as regions
from backend.regions.models import Area, Hub
from sqlalchemy import select


def _loader(sessions: async_sessionmaker[AsyncSession],
            fetch: Callable[[AsyncSession, list], Awaitable[dict]], default: Any = None) -> DataLoader:
    async def load(keys: Sequence) -> list:
        async with sessions() as session:
            found = await fetch(session, list(keys))
        return [found.get(k, default) for k in keys]
    return DataLoader(load_fn=load)


async def _hubs(session: AsyncSession, ids: list[int]) -> dict:
    return {h.id: h for h in await session.scalars(select(Hub).where(Hub.id.in_(ids)))}


async def _areas(session: AsyncSession, ids: list[int]) -> dict:
    return {a.id: a for a in await session.scalars(select(Area).where(Area.id.in_(ids)))}


class Loaders:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.user = _loader(sessions, accounts.users_by_ids)
        self.actions = _loader(sessions, consultations.actions_for, [])
        self.hub = _loader(sessions, _hubs)
        self.area = _loader(sessions, _areas)
        self.area_municipalities = _loader(sessions, regions.area_municipality_codes, [])
        self.issues_of_consultation = _loader(sessions, issues.issues_for_consultations, [])
        self.issue_consultations = _loader(sessions, issues.issue_consultations, [])
