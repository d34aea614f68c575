"""Repeated log-in failures slow down, per account and per address, with the `limits` library's moving
window. Failures are counted in Redis when the deployment has one (every API process sees the same
count) and in the process's memory on the embedded default; if Redis cannot be reached the count
falls back to memory rather than refusing every log-in."""

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from backend.settings import Settings

log = logging.getLogger("renkei.login")
WINDOW = "15 minutes"


class Throttled(Exception):
    """Log-in refused for now; `seconds` until the oldest counted failure leaves the window."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds / 60))
        return (f"ログインの失敗が続いたため、しばらくお待ちください（約{minutes}分後に再度お試しください）。"
                "パスワードを忘れた場合は管理者にご連絡ください。")


class LoginThrottle:
    def __init__(self, settings: Settings) -> None:
        self.per_account: RateLimitItem = parse(f"{settings.login_failures_per_account}/{WINDOW}")
        self.per_address: RateLimitItem = parse(f"{settings.login_failures_per_address}/{WINDOW}")
        self.memory = MovingWindowRateLimiter(MemoryStorage())
        self.shared: MovingWindowRateLimiter | None = None
        if settings.redis_url:
            storage = storage_from_string("async+" + settings.redis_url, implementation="redispy")
            self.shared = MovingWindowRateLimiter(storage)

    def _pairs(self, account: str, address: str):
        return ((self.per_account, "login-account", account.strip().lower()),
                (self.per_address, "login-address", address))

    async def _limiter(self) -> MovingWindowRateLimiter:
        return self.shared or self.memory

    async def check(self, *, account: str, address: str) -> None:
        """Raises Throttled while either count is used up; before any password is looked at."""
        for item, scope, key in self._pairs(account, address):
            try:
                limiter = await self._limiter()
                allowed = await limiter.test(item, scope, key)
                if not allowed:
                    stats = await limiter.get_window_stats(item, scope, key)
                    raise Throttled(max(1, int(stats.reset_time - time.time()) + 1))
            except Throttled:
                raise
            except Exception as e:   # Redis down: count in memory for now
                log.warning("login throttle storage unavailable (%s); counting in memory", type(e).__name__)
                self.shared = None
                return await self.check(account=account, address=address)

    async def failed(self, *, account: str, address: str) -> None:
        for item, scope, key in self._pairs(account, address):
            try:
                await (await self._limiter()).hit(item, scope, key)
            except Exception as e:
                log.warning("login throttle storage unavailable (%s); counting in memory", type(e).__name__)
                self.shared = None
                await self.memory.hit(item, scope, key)

    async def succeeded(self, *, account: str) -> None:
        """A person who gets in has their account's count cleared (the address's stays)."""
        item, scope, key = self._pairs(account, "")[0]
        try:
            await (await self._limiter()).clear(item, scope, key)
        except Exception:
            await self.memory.clear(item, scope, key)
