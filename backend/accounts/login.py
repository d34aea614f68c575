"""Log-in for people: password, then the second factor (or its enrolment on the first log-in); log-out;
an admin ending a person's sessions or resetting their second factor. Every step is audited with
field names only (never a password, code or key), and failures are counted by the LoginThrottle.

Each function works in the caller's transaction and returns its outcome instead of raising for a
wrong password or code, so that the failure's audit row commits with it."""

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import policy
from backend.accounts import passwords, second_factor, sessions
from backend.accounts.actor import Actor
from backend.accounts.models import RecoveryCode, User
from backend.accounts.service import actor_of
from backend.accounts.throttle import LoginThrottle
from backend.audit import service as audit
from backend.db import utcnow
from backend.errors import Forbidden, NotFound

REFUSED = "メールアドレスまたはパスワードが正しくありません。"
WRONG_CODE = "確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください。"


@dataclass(frozen=True)
class Outcome:
    """`token`: the cookie to set (a new or renewed session); `error`: the Japanese reason it failed."""

    token: str | None = None
    stage: str | None = None
    error: str | None = None
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


async def _user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


async def check_password(session: AsyncSession, *, throttle: LoginThrottle, email: str, password: str,
                         address: str) -> Outcome:
    """The first step. Success opens a pending session: the second factor comes next (or its enrolment).
    Raises Throttled before looking at the password when failures have piled up."""
    await throttle.check(account=email, address=address)
    user = await _user_by_email(session, email)
    usable = user is not None and user.active and user.password_hash is not None
    if not passwords.verify(user.password_hash if usable and user else None, password) or user is None:
        await throttle.failed(account=email, address=address)
        audit.record(session, actor=actor_of(user) if user else None, operation="login.failure",
                     entity_type="user", entity_id=user.id if user else None, fields=["password"])
        return Outcome(error=REFUSED)
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    stage = sessions.SECOND_FACTOR if user.totp_confirmed_at else sessions.ENROL
    token = await sessions.start(session, user=user, stage=stage)
    audit.record(session, actor=actor_of(user), operation="login.password", entity_type="user", entity_id=user.id,
                 fields=["password"])
    return Outcome(token=token, stage=stage)


async def check_code(session: AsyncSession, *, throttle: LoginThrottle, browser: sessions.BrowserSession, code: str,
                     address: str) -> Outcome:
    """The second step: a 6-digit TOTP code or one of the recovery codes. Success renews the session."""
    await throttle.check(account=browser.email, address=address)
    user = await session.get(User, browser.user_id, with_for_update=True)
    assert user is not None
    used: str | None = None
    if second_factor.looks_like_recovery_code(code):
        for row in await session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                                   RecoveryCode.used_at.is_(None))):
            if second_factor.recovery_code_matches(code, salt=row.salt, code_hash=row.code_hash):
                row.used_at, used = utcnow(), "recoveryCode"
                break
    elif user.totp_secret and user.totp_confirmed_at:
        step = second_factor.matching_step(user.totp_secret, code, last_step=user.totp_last_step)
        if step is not None:
            user.totp_last_step, used = step, "totp"
    if used is None:
        await throttle.failed(account=browser.email, address=address)
        audit.record(session, actor=browser.actor, operation="login.failure", entity_type="user", entity_id=user.id,
                     fields=["code"])
        return Outcome(error=WRONG_CODE)
    token = await sessions.promote(session, session_id=browser.id)
    await throttle.succeeded(account=browser.email)
    audit.record(session, actor=browser.actor, operation="login.success", entity_type="user", entity_id=user.id,
                 fields=[used])
    return Outcome(token=token, stage=sessions.FULL)


async def enrolment_secret(session: AsyncSession, *, browser: sessions.BrowserSession) -> str:
    """The key being enrolled: made on the first visit, the same on a reload (the person may have
    scanned it already), replaced only by an admin's reset."""
    user = await session.get(User, browser.user_id, with_for_update=True)
    assert user is not None and user.totp_confirmed_at is None
    if not user.totp_secret:
        user.totp_secret = second_factor.new_secret()
    return user.totp_secret


async def confirm_enrolment(session: AsyncSession, *, throttle: LoginThrottle, browser: sessions.BrowserSession,
                            code: str, address: str) -> Outcome:
    """The first code from the new authenticator: the key is confirmed, ten recovery codes are made
    (returned once, stored hashed) and the session is complete."""
    await throttle.check(account=browser.email, address=address)
    user = await session.get(User, browser.user_id, with_for_update=True)
    assert user is not None
    step = second_factor.matching_step(user.totp_secret, code) if user.totp_secret else None
    if step is None or user.totp_confirmed_at is not None:
        await throttle.failed(account=browser.email, address=address)
        audit.record(session, actor=browser.actor, operation="login.failure", entity_type="user", entity_id=user.id,
                     fields=["code"])
        return Outcome(error=WRONG_CODE)
    user.totp_confirmed_at, user.totp_last_step = utcnow(), step
    codes = await _replace_recovery_codes(session, user_id=user.id)
    token = await sessions.promote(session, session_id=browser.id)
    await throttle.succeeded(account=browser.email)
    audit.record(session, actor=browser.actor, operation="second_factor.enrol", entity_type="user", entity_id=user.id,
                 fields=["totpSecret", "recoveryCodes"])
    audit.record(session, actor=browser.actor, operation="login.success", entity_type="user", entity_id=user.id,
                 fields=["totp"])
    return Outcome(token=token, stage=sessions.FULL, recovery_codes=codes)


async def _replace_recovery_codes(session: AsyncSession, *, user_id: int) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = second_factor.new_recovery_codes()
    for code in codes:
        hashed = second_factor.hash_recovery_code(code)
        session.add(RecoveryCode(user_id=user_id, salt=hashed.salt, code_hash=hashed.code_hash))
    return codes


async def remaining_recovery_codes(session: AsyncSession, *, user_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(RecoveryCode)
                                .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0


async def log_out(session: AsyncSession, *, browser: sessions.BrowserSession) -> None:
    await sessions.end(session, session_id=browser.id, reason="logout")
    audit.record(session, actor=browser.actor, operation="logout", entity_type="user", entity_id=browser.user_id)


async def log_out_everywhere(session: AsyncSession, *, browser: sessions.BrowserSession) -> int:
    count = await sessions.end_all(session, user_id=browser.user_id, reason="logout_everywhere")
    audit.record(session, actor=browser.actor, operation="logout.everywhere", entity_type="user",
                 entity_id=browser.user_id)
    return count


async def _administered_user(session: AsyncSession, actor: Actor, user_id: int) -> User:
    if not policy.administers(actor):
        raise Forbidden(["userId"])
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(["userId"], "利用者")
    return user


async def end_sessions_of(session: AsyncSession, *, actor: Actor, user_id: int) -> int:
    """An admin ends every browser session of a person: their next request lands on the log-in page."""
    user = await _administered_user(session, actor, user_id)
    count = await sessions.end_all(session, user_id=user.id, reason="ended_by_admin")
    audit.record(session, actor=actor, operation="session.end_all", entity_type="user", entity_id=user.id)
    return count


async def reset_second_factor(session: AsyncSession, *, actor: Actor, user_id: int) -> None:
    """An admin clears a person's TOTP key and recovery codes (a lost phone) and ends their sessions:
    their next log-in, after the password, enrols a new authenticator."""
    user = await _administered_user(session, actor, user_id)
    user.totp_secret = user.totp_confirmed_at = user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await sessions.end_all(session, user_id=user.id, reason="second_factor_reset")
    audit.record(session, actor=actor, operation="second_factor.reset", entity_type="user", entity_id=user.id,
                 fields=["totpSecret", "recoveryCodes"])


async def set_demo_credentials(session: AsyncSession, *, user_id: int) -> tuple[str, str]:
    """The demo only (`renkei demo`): a fresh random password and an enrolled TOTP key (kept across runs,
    so an authenticator app set up once keeps working). Returns both to print."""
    user = await session.get(User, user_id, with_for_update=True)
    assert user is not None
    password = "demo-" + second_factor.new_recovery_codes()[0]
    user.password_hash, user.password_changed_at = passwords.hash_password(password), utcnow()
    if not (user.totp_secret and user.totp_confirmed_at):
        user.totp_secret, user.totp_confirmed_at = second_factor.new_secret(), utcnow()
    audit.record(session, actor=None, operation="demo.credentials", entity_type="user", entity_id=user.id,
                 fields=["password", "totpSecret"])
    return password, user.totp_secret
