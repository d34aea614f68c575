"""A short-lived, per-process cache of computed prefecture overviews.

Aggregating a large prefecture's year takes a few hundred milliseconds of SQL; a dashboard is opened
again and again by several analysts. Overviews are kept for `RENKEI_DASHBOARD_CACHE_SECONDS` (60 s),
computed once however many requests arrive together. Scope is checked before the cache is consulted,
so a cached overview never reaches a caller who may not read it."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable


class OverviewCache:
    def __init__(self, ttl: float, size: int = 256) -> None:
        self.ttl, self.size = ttl, size
        self._items: dict[Hashable, tuple[float, asyncio.Future]] = {}

    async def get(self, key: Hashable, make: Callable[[], Awaitable]):
        if self.ttl <= 0:
            return await make()
        now = time.monotonic()
        entry = self._items.get(key)
        if entry is None or entry[0] < now:
            if len(self._items) >= self.size:
                self._items = {k: v for k, v in self._items.items() if v[0] >= now}
            entry = (now + self.ttl, asyncio.ensure_future(make()))
            self._items[key] = entry
        try:
            return await asyncio.shield(entry[1])
        except Exception:
            self._items.pop(key, None)  # a failure is not remembered
            raise
