"""Who is calling: the bearer token of a machine client. A request whose token is missing or wrong gets
401; an address that keeps sending wrong tokens is refused with 429 and Retry-After for a while (the
`limits` library's moving window), before its next guess costs a database look-up."""

import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from backend.accounts import service as accounts
from backend.accounts.actor import Actor


class AuthError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


class Authenticator:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, failures_per_minute: int) -> None:
        self.sessions = sessions
        # per process: N API processes let N times as many guesses through, still far too few to matter
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.failures = parse(f"{failures_per_minute}/minute")

    @staticmethod
    def client_address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def refuse_if_throttled(self, address: str) -> None:
        if not await self.limiter.test(self.failures, "auth", address):
            stats = await self.limiter.get_window_stats(self.failures, "auth", address)
            wait = max(1, int(stats.reset_time - time.time()) + 1)
            raise AuthError(429, f"認証の失敗が続いたため、しばらく受け付けません（{wait}秒後に再試行してください）。",
                            {"Retry-After": str(wait)})

    async def record_failure(self, address: str) -> None:
        await self.limiter.hit(self.failures, "auth", address)

    async def actor(self, request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if token and scheme.lower() == "bearer":
            cached = accounts.token_cache.get(accounts.hash_token(token))
            if cached is not None:
                return cached                       # the common request: no round trip, no counting
        address = self.client_address(request)
        await self.refuse_if_throttled(address)
        if scheme.lower() != "bearer" or not token:
            await self.record_failure(address)
            raise AuthError(401, "認証が必要です（Authorization: Bearer <token>）。", {"WWW-Authenticate": "Bearer"})
        async with self.sessions() as session:
            actor = await accounts.authenticate(session, token=token)
        if actor is None:
            await self.record_failure(address)
            raise AuthError(401, "トークンが無効です。", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return actor
