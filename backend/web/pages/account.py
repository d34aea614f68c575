"""Log-in, the second factor and its enrolment, invitations, log-out, and the person's account page."""

from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from backend.accounts import invitations, login, second_factor, sessions
from backend.accounts.throttle import Throttled
from backend.db import transaction
from backend.errors import UserInputError
from backend.taxonomy import Role
from backend.web import nav, operations, security
from backend.web.core import Viewer, browser_session, redirect, render, viewer, web_of

router = APIRouter()


def _set_session(response: Response, request: Request, token: str) -> Response:
    settings = web_of(request).settings
    security.set_cookie(response, settings, security.session_cookie_name(settings), token)
    return response


def _after_login(request: Request, role: Role, next_path: str | None) -> str:
    return security.safe_next(next_path, default=nav.home_of(role))


def _with_next(path: str, next_path: str | None) -> str:
    return path + (f"?next={quote(next_path, safe='/')}" if next_path else "")


@router.get("/login")
async def login_page(request: Request, next: str | None = None, logged_out: str | None = None):
    found = await browser_session(request)
    if found is not None and found.complete:
        return redirect(request, _after_login(request, found.actor.role, next))
    if found is not None:   # a pending session: carry on where it stopped
        return redirect(request, _with_next("/login/code" if found.stage == sessions.SECOND_FACTOR else "/login/enrol",
                                            security.safe_next(next, "")))
    notice = None
    if logged_out:
        notice = "すべての端末からログアウトしました。" if logged_out == "all" else "ログアウトしました。"
    elif next:
        notice = "ログインが必要です。ログインすると、開こうとしたページを表示します。"
    return render(request, "account/login.html", errors={}, email="", next=security.safe_next(next, ""), notice=notice)


@router.post("/login")
async def login_submit(request: Request):
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_path = security.safe_next(str(form.get("next", "")), "")
    errors = {}
    if not email:
        errors["email"] = "メールアドレスを入力してください。"
    if not password:
        errors["password"] = "パスワードを入力してください。"
    if errors:
        return render(request, "account/login.html", status=400, errors=errors, email=email, next=next_path,
                      notice=None)
    web = web_of(request)
    previous = await browser_session(request)
    try:
        async with transaction(web.sessions) as session:
            outcome = await login.check_password(session, throttle=web.throttle, email=email, password=password,
                                                 address=security.client_address(request))
            if outcome.ok and previous is not None:   # one browser, one session: the earlier one ends
                await sessions.end(session, session_id=previous.id, reason="replaced")
    except Throttled as t:
        response = render(request, "account/login.html", status=429, errors={"_form": t.message}, email=email,
                          next=next_path, notice=None)
        response.headers["Retry-After"] = str(t.seconds)
        return response
    if not outcome.ok or outcome.token is None:
        return render(request, "account/login.html", status=400, errors={"password": outcome.error}, email=email,
                      next=next_path, notice=None)
    target = "/login/code" if outcome.stage == sessions.SECOND_FACTOR else "/login/enrol"
    return _set_session(redirect(request, _with_next(target, next_path)), request, outcome.token)


async def _pending(request: Request, stage: str) -> sessions.BrowserSession | None:
    found = await browser_session(request)
    return found if found is not None and found.stage == stage else None


@router.get("/login/code")
async def code_page(request: Request, next: str | None = None):
    if await _pending(request, sessions.SECOND_FACTOR) is None:
        return redirect(request, "/login")
    return render(request, "account/code.html", errors={}, next=security.safe_next(next, ""))


@router.post("/login/code")
async def code_submit(request: Request):
    form = await request.form()
    next_path = security.safe_next(str(form.get("next", "")), "")
    browser = await _pending(request, sessions.SECOND_FACTOR)
    if browser is None:
        return redirect(request, "/login")
    code = str(form.get("code", ""))
    if not second_factor.normalize_code(code):
        return render(request, "account/code.html", status=400, errors={"code": "確認コードを入力してください。"},
                      next=next_path)
    web = web_of(request)
    try:
        async with transaction(web.sessions) as session:
            outcome = await login.check_code(session, throttle=web.throttle, browser=browser, code=code,
                                             address=security.client_address(request))
    except Throttled as t:
        return render(request, "account/code.html", status=429, errors={"code": t.message}, next=next_path)
    if not outcome.ok or outcome.token is None:
        return render(request, "account/code.html", status=400, errors={"code": outcome.error}, next=next_path)
    return _set_session(redirect(request, _after_login(request, browser.actor.role, next_path)), request, outcome.token)


async def _enrolment_page(request: Request, browser: sessions.BrowserSession, *, errors: dict, next_path: str,
                          status: int = 200):
    web = web_of(request)
    async with transaction(web.sessions) as session:
        secret = await login.enrolment_secret(session, browser=browser)
    uri = second_factor.provisioning_uri(secret, email=browser.email, issuer=web.settings.totp_issuer)
    # inline SVG, no external request; dark modules on white whatever the page's colours
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff", omitsize=False)
    return render(request, "account/enrol.html", status=status, errors=errors, next=next_path, qr_svg=svg,
                  secret_grouped=second_factor.grouped(secret), email=browser.email)


@router.get("/login/enrol")
async def enrol_page(request: Request, next: str | None = None):
    browser = await _pending(request, sessions.ENROL)
    if browser is None:
        return redirect(request, "/login")
    return await _enrolment_page(request, browser, errors={}, next_path=security.safe_next(next, ""))


@router.post("/login/enrol")
async def enrol_submit(request: Request):
    form = await request.form()
    next_path = security.safe_next(str(form.get("next", "")), "")
    browser = await _pending(request, sessions.ENROL)
    if browser is None:
        return redirect(request, "/login")
    code = str(form.get("code", ""))
    web = web_of(request)
    if not second_factor.normalize_code(code):
        return await _enrolment_page(request, browser, errors={"code": "確認コードを入力してください。"},
                                     next_path=next_path, status=400)
    try:
        async with transaction(web.sessions) as session:
            outcome = await login.confirm_enrolment(session, throttle=web.throttle, browser=browser, code=code,
                                                    address=security.client_address(request))
    except Throttled as t:
        return await _enrolment_page(request, browser, errors={"code": t.message}, next_path=next_path, status=429)
    if not outcome.ok or outcome.token is None:
        return await _enrolment_page(request, browser, errors={"code": outcome.error}, next_path=next_path, status=400)
    # shown once, in this response: the codes are stored hashed and no page can show them again
    request.state.browser = None
    response = render(request, "account/recovery_codes.html", codes=outcome.recovery_codes,
                      next=_after_login(request, browser.actor.role, next_path))
    return _set_session(response, request, outcome.token)


@router.get("/invitation")
async def invitation_page(request: Request, token: str = ""):
    web = web_of(request)
    async with transaction(web.sessions) as session:
        found = await invitations.find(session, token=token) if token else None
    if found is None:
        return _invitation_invalid(request)
    _, user = found
    # Referrer-Policy stays same-origin (every page's): the link's token goes to no other site, and with
    # no-referrer Chromium would send "Origin: null" on the form's POST, which the CSRF check refuses
    return render(request, "account/invitation.html", errors={}, token=token, email=user.email,
                  role_label=Role(user.role).label, display_name=user.display_name)


def _invitation_invalid(request: Request):
    return render(request, "account/message.html", status=404, heading="このリンクは使えません",
                  message="招待リンクの有効期限（72時間）が切れているか、既に使われています。管理者に招待の再送を依頼してください。"
                          "既にパスワードを設定した場合は、ログインしてください。",
                  link="/login", link_label="ログイン画面へ")


@router.post("/invitation")
async def invitation_submit(request: Request):
    form = await request.form()
    token = str(form.get("token", ""))
    values = {k: str(form.get(k, "")) for k in ("displayName", "password", "passwordConfirmation")}
    web = web_of(request)
    try:
        async with transaction(web.sessions) as session:
            cookie = await invitations.accept(session, token=token, display_name=values["displayName"],
                                              password=values["password"],
                                              password_confirmation=values["passwordConfirmation"])
    except UserInputError as e:
        async with transaction(web.sessions) as session:
            found = await invitations.find(session, token=token)
        if found is None:
            return _invitation_invalid(request)
        return render(request, "account/invitation.html", status=400, errors={e.field[-1]: e.message}, token=token,
                      email=found[1].email, role_label=Role(found[1].role).label, display_name=values["displayName"])
    if cookie is None:
        return _invitation_invalid(request)
    return _set_session(redirect(request, "/login/enrol"), request, cookie)


@router.post("/logout")
async def logout(request: Request):
    web = web_of(request)
    found = await browser_session(request)
    if found is not None:
        async with transaction(web.sessions) as session:
            await login.log_out(session, browser=found)
    response = redirect(request, "/login?logged_out=1")
    security.clear_cookie(response, web.settings, security.session_cookie_name(web.settings))
    return response


@router.post("/logout/everywhere")
async def logout_everywhere(request: Request, me: Viewer = Depends(viewer)):
    web = web_of(request)
    async with transaction(web.sessions) as session:
        await login.log_out_everywhere(session, browser=me.session)
    response = redirect(request, "/login?logged_out=all")
    security.clear_cookie(response, web.settings, security.session_cookie_name(web.settings))
    return response


@router.get("/account")
async def account_page(request: Request, me: Viewer = Depends(viewer)):
    data = await operations.run(request, me, "admin.graphql", "Me")
    async with web_of(request).sessions() as session:
        left = await login.remaining_recovery_codes(session, user_id=me.session.user_id)
    return render(request, "account/account.html", me=data["me"], recovery_left=left, notice=None)
