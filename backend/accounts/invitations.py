"""Invitations: an admin (screen) or an operator (CLI) names a person's e-mail, role and hub or
prefecture; the person gets a one-time link, valid 72 hours, where they set a password, then enrol
their authenticator. Only the link token's SHA-256 is stored."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts import passwords, sessions
from backend.accounts import service as accounts
from backend.accounts.actor import Actor
from backend.accounts.models import Invitation, User
from backend.accounts.service import actor_of
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound, UserInputError
from backend.mail import service as mail
from backend.settings import Settings
from backend.taxonomy import Role
from backend.templating import render
from backend.validation import clean_text

PATH = "/invitation"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url_for(settings: Settings, token: str) -> str:
    # the token rides in the query string: the access log never carries query strings (api/edge.py)
    return f"{settings.public_url.rstrip('/')}{PATH}?token={token}"


@dataclass(frozen=True)
class Invited:
    user: User
    url: str


async def invite(session: AsyncSession, *, actor: Actor, settings: Settings, email: str, role: Role,
                 hub_id: int | None = None, prefecture_code: str | None = None,
                 display_name: str | None = None, service_id: int | None = None) -> Invited:
    """Creates the account (no password, no API token) and its link, and queues the e-mail. An account
    that never set a password may be invited again: its earlier links stop working."""
    if not policy.administers(actor):
        raise Forbidden(["email"])
    existing = await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if existing is not None and (existing.password_hash is not None or not existing.active):
        raise UserInputError(["email"], "このメールアドレスの利用者は既に登録されています。", "DUPLICATE")
    if existing is None:
        name = display_name or email.strip().split("@", 1)[0]
        user, _ = await accounts.create_user(session, actor=actor, email=email, display_name=name, role=role,
                                             hub_id=hub_id, prefecture_code=prefecture_code, issue_api_token=False,
                                             service_id=service_id)   # FACILITY_CONTACT: the entry they keep
    else:
        user = existing
        await session.execute(update(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
                              .values(expires_at=utcnow()))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(Invitation(user_id=user.id, token_hash=_hash(token), created_by_id=actor.user_id, created_at=now,
                           expires_at=now + timedelta(hours=settings.invitation_hours)))
    url = url_for(settings, token)
    context = {"name": user.display_name, "url": url, "role": Role(user.role).label, "hours": settings.invitation_hours}
    await mail.queue_message(session, kind="invitation", recipients=[user.email],
                             subject="【連携デスク】アカウント登録のご案内",
                             text=render("accounts/invitation.txt.j2", **context),
                             html=render("accounts/invitation.html.j2", **context))
    audit.record(session, actor=actor, operation="invitation.create", entity_type="user", entity_id=user.id,
                 fields=["email", "role", "hubId", "prefectureCode"])
    return Invited(user=user, url=url)


async def reinvite(session: AsyncSession, *, actor: Actor, settings: Settings, user_id: int) -> Invited:
    """A new link for an account that has not set its password yet (the first mail was lost or expired)."""
    if not policy.administers(actor):
        raise Forbidden(["userId"])
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(["userId"], "利用者")
    return await invite(session, actor=actor, settings=settings, email=user.email, role=Role(user.role))


async def find(session: AsyncSession, *, token: str) -> tuple[Invitation, User] | None:
    """The invitation behind a link if it can still be used: unused, not expired, its account active and
    without a password."""
    found = (await session.execute(
        select(Invitation, User).join(User, User.id == Invitation.user_id)
        .where(Invitation.token_hash == _hash(token), Invitation.used_at.is_(None)))).one_or_none()
    if found is None:
        return None
    invitation, user = found
    if invitation.expires_at <= utcnow() or not user.active or user.password_hash is not None:
        return None
    return invitation, user


async def accept(session: AsyncSession, *, token: str, display_name: str, password: str,
                 password_confirmation: str) -> str | None:
    """Sets the name and password and spends the link; returns the cookie of a session that must enrol
    the second factor next. None when the link cannot be used (expired, used, unknown)."""
    found = await find(session, token=token)
    if found is None:
        return None
    invitation, user = found
    name = clean_text(display_name, ["displayName"], label="表示名", max_length=100, one_line=True)
    passwords.check_new(password, email=user.email)
    if password != password_confirmation:
        raise UserInputError(["passwordConfirmation"], "確認用のパスワードが一致しません。", "MISMATCH")
    now = utcnow()
    invitation.used_at = now
    user.display_name = name or user.display_name
    user.password_hash, user.password_changed_at = passwords.hash_password(password), now
    audit.record(session, actor=actor_of(user), operation="invitation.accept", entity_type="user", entity_id=user.id,
                 fields=["displayName", "password"])
    return await sessions.start(session, user=user, stage=sessions.ENROL)
