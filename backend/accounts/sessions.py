"""Browser sessions, kept in the database so that ending one takes effect on its next request.

The cookie carries 256 random bits; the table keeps their SHA-256 (a stolen database dump opens no
session). A session lives 30 minutes without a request and 12 hours at most (settings). Between the
password and the second factor a session is "pending" (stage second_factor or enrol): it can only
reach the code and enrolment pages, for 10 minutes. Passing the second factor gives the session a
new token (no fixation of a token seen before log-in)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.actor import Actor
from backend.accounts.models import User, WebSession
from backend.accounts.service import actor_of
from backend.db import utcnow
from backend.settings import Settings

FULL, SECOND_FACTOR, ENROL = "full", "second_factor", "enrol"
PENDING_LIFETIME = timedelta(minutes=10)
TOUCH_EVERY = timedelta(seconds=60)   # last_seen_at is written at most once a minute per session


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(token: str) -> str:
    """The session's CSRF token: derived from the cookie's secret, so it needs no column and an
    attacker who cannot read the cookie cannot compute it."""
    return hashlib.sha256(b"renkei-csrf\0" + token.encode()).hexdigest()


@dataclass(frozen=True)
class BrowserSession:
    id: int
    stage: str
    user_id: int
    email: str
    actor: Actor
    csrf_token: str

    @property
    def complete(self) -> bool:
        return self.stage == FULL


async def start(session: AsyncSession, *, user: User, stage: str) -> str:
    """A new session for the user; returns the cookie's value (shown to nobody else, stored hashed)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(WebSession(user_id=user.id, token_hash=hash_token(token), stage=stage, created_at=now,
                           last_seen_at=now))
    await session.flush()
    return token


def _expiry_reason(row: WebSession, settings: Settings, now: datetime) -> str | None:
    if row.stage != FULL:
        return "pending_timeout" if now - row.created_at > PENDING_LIFETIME else None
    if now - row.created_at > timedelta(hours=settings.session_absolute_hours):
        return "absolute_timeout"
    if now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return "idle_timeout"
    return None


async def resolve(session: AsyncSession, *, token: str, settings: Settings) -> BrowserSession | None:
    """The live session the cookie names, its idle clock restarted; None when it is unknown, ended,
    timed out (then it is ended here) or its account is deactivated."""
    found = (await session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == hash_token(token), WebSession.ended_at.is_(None)))).one_or_none()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if not user.active:
        return None
    if reason := _expiry_reason(row, settings, now):
        row.ended_at, row.end_reason = now, reason
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return BrowserSession(id=row.id, stage=row.stage, user_id=user.id, email=user.email, actor=actor_of(user),
                          csrf_token=csrf_token_for(token))


async def promote(session: AsyncSession, *, session_id: int) -> str:
    """The second factor passed: the session becomes complete under a new token, its clocks restarted."""
    row = await session.get(WebSession, session_id, with_for_update=True)
    assert row is not None and row.ended_at is None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row.token_hash, row.stage, row.created_at, row.last_seen_at = hash_token(token), FULL, now, now
    return token


async def end(session: AsyncSession, *, session_id: int, reason: str) -> None:
    await session.execute(update(WebSession).where(WebSession.id == session_id, WebSession.ended_at.is_(None))
                          .values(ended_at=utcnow(), end_reason=reason))


async def end_all(session: AsyncSession, *, user_id: int, reason: str) -> int:
    result = await session.execute(update(WebSession).where(WebSession.user_id == user_id,
                                                            WebSession.ended_at.is_(None))
                                   .values(ended_at=utcnow(), end_reason=reason))
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult


async def live_counts(session: AsyncSession, *, user_ids: list[int], settings: Settings) -> dict[int, int]:
    """Complete sessions that have not ended or timed out, per user (the admin's people list)."""
    now = utcnow()
    rows = (await session.execute(
        select(WebSession.user_id, WebSession.created_at, WebSession.last_seen_at)
        .where(WebSession.user_id.in_(user_ids), WebSession.ended_at.is_(None), WebSession.stage == FULL,
               WebSession.created_at > now - timedelta(hours=settings.session_absolute_hours),
               WebSession.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes)))).all()
    counts: dict[int, int] = {}
    for user_id, _, _ in rows:
        counts[user_id] = counts.get(user_id, 0) + 1
    return counts
