"""The typed per-request context: settings, session factory, the acting user, DataLoaders."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.fastapi import BaseContext

from backend.accounts.actor import Actor
from backend.api.loaders import Loaders
from backend.audit import service as audit
from backend.db import reading, transaction
from backend.reports.cache import OverviewCache
from backend.settings import Settings

T = TypeVar("T")


@dataclass
class Context(BaseContext):
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    actor: Actor
    dispatch: Callable[[], Awaitable[None]]
    overviews: OverviewCache
    _memo: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.sessions, self.actor)

    def memo(self, key, make: Callable[[], T]) -> T:
        """One synchronous computation per request (figures several fields of one object share)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def once(self, key, make: Callable[[], Awaitable]) -> asyncio.Future:
        """One computation per request for sibling resolvers that need the same expensive result."""
        if key not in self._memo:
            self._memo[key] = asyncio.ensure_future(make())
        return self._memo[key]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A mutation's one session and one transaction, committed when the block ends."""
        async with transaction(self.sessions) as session:
            yield session

    def trail(self):
        """Audits, before the response, the records this request showed and the attempts scope refused."""
        return audit.request_trail(self.sessions, self.actor)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short session of a resolver's own: sibling resolvers run concurrently."""
        async with reading(self.sessions) as session:
            yield session
