"""Log-in as a service, without a browser: invitations, password, second factor, recovery codes,
sessions and their clocks, throttling, and the audit trail."""

import hashlib
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from backend.accounts import invitations, login
from backend.accounts import sessions as browser_sessions
from backend.accounts.actor import SYSTEM
from backend.accounts.models import Invitation, RecoveryCode, User, WebSession
from backend.accounts.throttle import LoginThrottle, Throttled
from backend.audit.models import AuditEvent
from backend.db import transaction, utcnow
from backend.errors import Forbidden, UserInputError
from backend.mail.models import OutboxMessage
from backend.settings import Settings
from backend.taxonomy import Role

PASSWORD = "雪の長岡で会議は三回目です"


@pytest.fixture
def throttle(settings):
    return LoginThrottle(settings)


async def _invite(sessions_, settings, world, email="new.person@example.jp") -> invitations.Invited:
    async with transaction(sessions_) as s:
        admin = await _actor(s, world.ids["admin"])
        return await invitations.invite(s, actor=admin, settings=settings, email=email, role=Role.COORDINATOR,
                                        hub_id=world.hub_id)


async def _actor(s, user_id):
    from backend.accounts.service import actor_of
    return actor_of(await s.get(User, user_id))


def _token(url: str) -> str:
    return url.split("token=", 1)[1]


async def _browser(sessions_, settings, token):
    async with transaction(sessions_) as s:
        return await browser_sessions.resolve(s, token=token, settings=settings)


async def _audit(sessions_, user_id) -> list[AuditEvent]:
    async with sessions_() as s:
        return list(await s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "user",
                                                             AuditEvent.entity_id == str(user_id))
                                    .order_by(AuditEvent.id)))


async def _enrolled(sessions_, settings, throttle, world) -> tuple[int, str, str, list[str]]:
    """An invited person who set a password and enrolled: (user id, email, TOTP key, recovery codes)."""
    email = f"p{utcnow().timestamp()}@example.jp"
    invited = await _invite(sessions_, settings, world, email=email)
    async with transaction(sessions_) as s:
        cookie = await invitations.accept(s, token=_token(invited.url), display_name="新しい人", password=PASSWORD,
                                          password_confirmation=PASSWORD)
    browser = await _browser(sessions_, settings, cookie)
    async with transaction(sessions_) as s:
        secret = await login.enrolment_secret(s, browser=browser)
    async with transaction(sessions_) as s:
        outcome = await login.confirm_enrolment(s, throttle=throttle, browser=browser, code=pyotp.TOTP(secret).now(),
                                                address="10.0.0.1")
    assert outcome.ok
    return invited.user.id, email, secret, outcome.recovery_codes


async def test_an_invitation_creates_the_account_without_password_and_mails_the_link(sessions, settings, world):
    invited = await _invite(sessions, settings, world)
    assert invited.url.startswith(settings.public_url + "/invitation?token=")
    async with sessions() as s:
        user = await s.get(User, invited.user.id)
        assert user.password_hash is None and user.role == "coordinator" and user.hub_id == world.hub_id
        row = await s.scalar(select(Invitation).where(Invitation.user_id == user.id))
        # the token itself is not kept
        assert row.token_hash == hashlib.sha256(_token(invited.url).encode()).hexdigest()
        assert row.expires_at - row.created_at == timedelta(hours=72)
        mail = await s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation")
                              .order_by(OutboxMessage.id.desc()))
        assert mail.recipients == ["new.person@example.jp"] and invited.url in mail.text_body
    assert [e.operation for e in await _audit(sessions, user.id)] == ["user.create", "invitation.create"]


async def test_only_admins_invite(sessions, settings, world):
    async with transaction(sessions) as s:
        coordinator = await _actor(s, world.coordinator_id)
        with pytest.raises(Forbidden):
            await invitations.invite(s, actor=coordinator, settings=settings, email="x@example.jp", role=Role.ADMIN)


async def test_an_invitation_link_works_once(sessions, settings, world):
    invited = await _invite(sessions, settings, world, email="once@example.jp")
    async with transaction(sessions) as s:
        assert await invitations.accept(s, token=_token(invited.url), display_name="一度", password=PASSWORD,
                                        password_confirmation=PASSWORD)
    async with transaction(sessions) as s:
        assert await invitations.accept(s, token=_token(invited.url), display_name="二度", password=PASSWORD,
                                        password_confirmation=PASSWORD) is None


async def test_an_invitation_expires_after_72_hours(sessions, settings, world):
    invited = await _invite(sessions, settings, world, email="late@example.jp")
    with time_machine.travel(utcnow() + timedelta(hours=72, minutes=1)):
        async with transaction(sessions) as s:
            assert await invitations.find(s, token=_token(invited.url)) is None
    with time_machine.travel(utcnow() + timedelta(hours=71)):
        async with transaction(sessions) as s:
            assert await invitations.find(s, token=_token(invited.url)) is not None


async def test_a_second_invitation_replaces_the_first(sessions, settings, world):
    first = await _invite(sessions, settings, world, email="again@example.jp")
    second = await _invite(sessions, settings, world, email="again@example.jp")
    async with transaction(sessions) as s:
        assert await invitations.find(s, token=_token(first.url)) is None
        assert await invitations.find(s, token=_token(second.url)) is not None


async def test_accepting_refuses_a_weak_password_or_a_mismatch_and_writes_nothing(sessions, settings, world):
    invited = await _invite(sessions, settings, world, email="weak@example.jp")
    with pytest.raises(UserInputError) as e:
        async with transaction(sessions) as s:
            await invitations.accept(s, token=_token(invited.url), display_name="弱い", password="password1234",
                                     password_confirmation="password1234")
    assert e.value.field == ["password"]
    with pytest.raises(UserInputError) as e:
        async with transaction(sessions) as s:
            await invitations.accept(s, token=_token(invited.url), display_name="違う", password=PASSWORD,
                                     password_confirmation=PASSWORD + "x")
    assert e.value.field == ["passwordConfirmation"]
    async with sessions() as s:
        assert (await s.get(User, invited.user.id)).password_hash is None


async def test_enrolment_gives_ten_recovery_codes_stored_only_hashed(sessions, settings, throttle, world):
    user_id, _, secret, codes = await _enrolled(sessions, settings, throttle, world)
    assert len(codes) == 10 and len(set(codes)) == 10
    async with sessions() as s:
        rows = list(await s.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user_id)))
        user = await s.get(User, user_id)
    assert len(rows) == 10 and len({r.salt for r in rows}) == 10
    stored = " ".join(r.code_hash + r.salt for r in rows)
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    assert user.totp_confirmed_at is not None and user.totp_secret == secret
    ops = [e.operation for e in await _audit(sessions, user_id)]
    assert ops[-3:] == ["invitation.accept", "second_factor.enrol", "login.success"]


async def test_password_then_code_logs_in_and_a_code_is_never_accepted_twice(sessions, settings, throttle, world):
    user_id, email, secret, _ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        first = await login.check_password(s, throttle=throttle, email=email.upper(), password=PASSWORD, address="a")
    assert first.ok and first.stage == browser_sessions.SECOND_FACTOR
    pending = await _browser(sessions, settings, first.token)
    assert pending is not None and not pending.complete
    # the enrolment used the current step: the same code again is refused (replay)
    async with transaction(sessions) as s:
        replay = await login.check_code(s, throttle=throttle, browser=pending, code=pyotp.TOTP(secret).now(),
                                        address="a")
    assert not replay.ok and "確認コードが正しくありません" in replay.error
    next_step = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    async with transaction(sessions) as s:
        done = await login.check_code(s, throttle=throttle, browser=pending, code=next_step, address="a")
    assert done.ok and done.token != first.token
    assert await _browser(sessions, settings, first.token) is None        # the pre-log-in token is dead
    assert (await _browser(sessions, settings, done.token)).complete


async def test_a_recovery_code_works_once(sessions, settings, throttle, world):
    _, email, _, codes = await _enrolled(sessions, settings, throttle, world)

    async def attempt(code):
        async with transaction(sessions) as s:
            step = await login.check_password(s, throttle=throttle, email=email, password=PASSWORD, address="b")
        browser = await _browser(sessions, settings, step.token)
        async with transaction(sessions) as s:
            return await login.check_code(s, throttle=throttle, browser=browser, code=code, address="b")

    assert (await attempt(codes[3].upper())).ok
    assert not (await attempt(codes[3])).ok


async def test_wrong_password_is_audited_without_the_password(sessions, settings, throttle, world):
    user_id, email, _, _ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        outcome = await login.check_password(s, throttle=throttle, email=email, password="wrong password 123",
                                             address="c")
    assert outcome.error == "メールアドレスまたはパスワードが正しくありません。" and outcome.token is None
    event = (await _audit(sessions, user_id))[-1]
    assert event.operation == "login.failure" and event.fields == ["password"]
    async with sessions() as s:
        rows = (await s.execute(select(AuditEvent.fields, AuditEvent.operation, AuditEvent.entity_id))).all()
    assert "wrong password 123" not in repr(rows) and PASSWORD not in repr(rows)


async def test_unknown_address_fails_the_same_way_and_is_audited_without_an_actor(sessions, settings, throttle):
    async with transaction(sessions) as s:
        outcome = await login.check_password(s, throttle=throttle, email="nobody@example.jp", password=PASSWORD,
                                             address="d")
    assert outcome.error == login.REFUSED
    async with sessions() as s:
        event = await s.scalar(select(AuditEvent).where(AuditEvent.operation == "login.failure",
                                                        AuditEvent.entity_id.is_(None)).order_by(AuditEvent.id.desc()))
    assert event.actor_id is None and event.actor_role is None


async def test_repeated_failures_slow_down_the_account_even_with_the_right_password(sessions, settings, world):
    throttle = LoginThrottle(settings)
    _, email, _, _ = await _enrolled(sessions, settings, throttle, world)
    for i in range(settings.login_failures_per_account):
        async with transaction(sessions) as s:
            assert not (await login.check_password(s, throttle=throttle, email=email, password="nope nope nope",
                                                   address=f"10.1.0.{i}")).ok
    with pytest.raises(Throttled) as t:
        async with transaction(sessions) as s:
            await login.check_password(s, throttle=throttle, email=email, password=PASSWORD, address="10.1.1.1")
    assert 0 < t.value.seconds <= 15 * 60 and "しばらくお待ちください" in t.value.message


async def test_repeated_failures_slow_down_the_address_across_accounts(sessions):
    throttle = LoginThrottle(Settings(login_failures_per_address=3, login_failures_per_account=100))
    for i in range(3):
        async with transaction(sessions) as s:
            await login.check_password(s, throttle=throttle, email=f"guess{i}@example.jp", password="x" * 12,
                                       address="192.0.2.7")
    with pytest.raises(Throttled):
        async with transaction(sessions) as s:
            await login.check_password(s, throttle=throttle, email="other@example.jp", password="x" * 12,
                                       address="192.0.2.7")
    async with transaction(sessions) as s:   # another address is not slowed down
        assert not (await login.check_password(s, throttle=throttle, email="other@example.jp", password="x" * 12,
                                               address="192.0.2.8")).ok


async def _full_session(sessions_, settings, throttle, world):
    user_id, email, secret, _ = await _enrolled(sessions_, settings, throttle, world)
    async with sessions_() as s:
        token_row = await s.scalar(select(WebSession).where(WebSession.user_id == user_id,
                                                            WebSession.stage == browser_sessions.FULL))
    return user_id, token_row


async def test_a_session_ends_after_30_minutes_without_a_request(sessions, settings, throttle, world):
    user_id, email, secret, _ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        user = await s.get(User, user_id)
        token = await browser_sessions.start(s, user=user, stage=browser_sessions.FULL)
    with time_machine.travel(utcnow() + timedelta(minutes=29)):
        assert await _browser(sessions, settings, token) is not None      # a request restarts the idle clock
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 29)):
        assert await _browser(sessions, settings, token) is not None
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 29 + 31)):
        assert await _browser(sessions, settings, token) is None
    async with sessions() as s:
        row = await s.scalar(select(WebSession).where(WebSession.token_hash == browser_sessions.hash_token(token)))
    assert row.end_reason == "idle_timeout"


async def test_a_session_ends_after_12_hours_however_busy(sessions, settings, throttle, world):
    user_id, *_ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        token = await browser_sessions.start(s, user=await s.get(User, user_id), stage=browser_sessions.FULL)
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert await _browser(sessions, settings, token) is not None, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        assert await _browser(sessions, settings, token) is None


async def test_an_admin_ends_sessions_and_resets_the_second_factor(sessions, settings, throttle, world):
    user_id, email, secret, _ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        token = await browser_sessions.start(s, user=await s.get(User, user_id), stage=browser_sessions.FULL)
    async with transaction(sessions) as s:
        assert await login.end_sessions_of(s, actor=await _actor(s, world.ids["admin"]), user_id=user_id) >= 1
    assert await _browser(sessions, settings, token) is None
    async with transaction(sessions) as s:
        await login.reset_second_factor(s, actor=await _actor(s, world.ids["admin"]), user_id=user_id)
    async with transaction(sessions) as s:
        again = await login.check_password(s, throttle=throttle, email=email, password=PASSWORD, address="e")
    assert again.stage == browser_sessions.ENROL                       # the next log-in enrols a new authenticator
    async with sessions() as s:
        assert await s.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id)) is None
    ops = [e.operation for e in await _audit(sessions, user_id)]
    assert "session.end_all" in ops and "second_factor.reset" in ops


async def test_only_admins_end_sessions_or_reset(sessions, settings, world):
    async with transaction(sessions) as s:
        manager = await _actor(s, world.manager_id)
        with pytest.raises(Forbidden):
            await login.end_sessions_of(s, actor=manager, user_id=world.coordinator_id)
        with pytest.raises(Forbidden):
            await login.reset_second_factor(s, actor=manager, user_id=world.coordinator_id)


async def test_a_deactivated_account_loses_its_sessions(sessions, settings, throttle, world):
    user_id, *_ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        token = await browser_sessions.start(s, user=await s.get(User, user_id), stage=browser_sessions.FULL)
        (await s.get(User, user_id)).active = False
    assert await _browser(sessions, settings, token) is None


async def test_pending_sessions_last_ten_minutes(sessions, settings, throttle, world):
    user_id, email, *_ = await _enrolled(sessions, settings, throttle, world)
    async with transaction(sessions) as s:
        step = await login.check_password(s, throttle=throttle, email=email, password=PASSWORD, address="f")
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert await _browser(sessions, settings, step.token) is None


def test_system_actor_is_not_a_person():
    assert SYSTEM.user_id is None
