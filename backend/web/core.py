"""What every page shares: the app's objects (`Web`, on app.state.web), the Jinja2 environment, the
log-in check (`viewer` for complete sessions) and `render`, which fills the base layout (the person,
their role's navigation, the CSRF token) and sets the security headers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from backend import taxonomy
from backend.accounts import sessions as browser_sessions
from backend.accounts.actor import Actor
from backend.accounts.throttle import LoginThrottle
from backend.db import transaction
from backend.fiscal import JST
from backend.settings import Settings
from backend.web import nav, security

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
HTMX = "htmx-2.0.11.min.js"   # pinned; see backend/web/VENDORED.md


@dataclass
class Web:
    """Built once by create_app: what the pages need besides the request."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    schema: Any                                  # the strawberry schema GraphQL serves
    context_for: Callable[[Actor], Any]          # a GraphQL Context for an actor (web.operations)
    throttle: LoginThrottle

    @cached_property
    def templates(self) -> Environment:
        env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, trim_blocks=True,
                          lstrip_blocks=True, autoescape=select_autoescape(enabled_extensions=("html",),
                                                                             default_for_string=True))
        env.filters["jst"] = japan_time
        env.filters["jst_date"] = japan_day
        env.filters["label"] = label
        env.globals["static_version"] = static_version()
        env.globals["htmx"] = HTMX
        return env


def web_of(request: Request) -> Web:
    return request.app.state.web


def japan_time(value: str | datetime | None) -> str:
    """An instant (datetime or ISO 8601 from GraphQL) as Japan time: 2025年6月1日 09:30."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def japan_day(value: str | None) -> str:
    if not value:
        return ""
    year, month, day = (int(p) for p in str(value)[:10].split("-"))
    return f"{year}年{month}月{day}日"


def label(value: str | None, enum_name: str) -> str:
    """A GraphQL enum value (CARE_MANAGER) as its Japanese label, from backend.taxonomy."""
    if value is None:
        return ""
    enum_cls = getattr(taxonomy, enum_name)
    try:
        return enum_cls[str(value)].label
    except KeyError:
        return str(value)


def static_version() -> str:
    """Cache-busting suffix for /static/ URLs: changes whenever a static file does."""
    import hashlib
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


class LoginRequired(Exception):
    """No complete session: the exception handler sends the browser to the log-in page, with the page
    it wanted as `next`."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageNotFound(Exception):
    """Answered with the 404 page; also what a page out of the viewer's scope answers."""


async def browser_session(request: Request) -> browser_sessions.BrowserSession | None:
    """The request's session (complete or pending), looked up once per request."""
    if hasattr(request.state, "browser"):
        return request.state.browser
    web = web_of(request)
    token = request.cookies.get(security.session_cookie_name(web.settings))
    found = None
    if token and len(token) <= 100:
        async with transaction(web.sessions) as session:
            found = await browser_sessions.resolve(session, token=token, settings=web.settings)
    request.state.browser = found
    return found


def login_url(next_path: str | None) -> str:
    safe = security.safe_next(next_path, default="")
    return "/login" + (f"?next={quote(safe, safe='/')}" if safe and safe != "/" else "")


def requested_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Viewer:
    """The logged-in person of a page: their actor (for services and policy) and their session."""

    actor: Actor
    session: browser_sessions.BrowserSession


async def viewer(request: Request) -> Viewer:
    """FastAPI dependency of every page behind log-in."""
    found = await browser_session(request)
    if found is None or not found.complete:
        target = requested_path(request) if request.method == "GET" else _path_of(request.headers.get("hx-current-url"))
        raise LoginRequired(target or "/")
    return Viewer(actor=found.actor, session=found)


def render(request: Request, template: str, /, *, status: int = 200, **context: Any) -> HTMLResponse:
    web = web_of(request)
    found: browser_sessions.BrowserSession | None = getattr(request.state, "browser", None)
    new_cookie = None
    if found is not None:
        csrf = found.csrf_token
    else:
        csrf, must_set = security.anonymous_csrf(request, web.settings)
        new_cookie = csrf if must_set else None
    actor = found.actor if found is not None and found.complete else None
    html = web.templates.get_template(template).render(
        request_path=request.url.path, csrf_token=csrf, csrf_field=security.CSRF_FIELD, viewer=actor,
        navigation=nav.for_role(actor.role) if actor else [], **context)
    response = HTMLResponse(html, status_code=status)
    if new_cookie:
        security.set_cookie(response, web.settings, security.csrf_cookie_name(web.settings), new_cookie)
    return security.secure_headers(response)


def redirect(request: Request, url: str) -> Response:
    """303 after a POST; for an htmx request, HX-Redirect so the whole page changes."""
    if request.headers.get("hx-request"):
        return security.secure_headers(Response(status_code=200, headers={"HX-Redirect": url}))
    return security.secure_headers(RedirectResponse(url, status_code=303))


async def check_csrf(request: Request) -> None:
    """Router dependency: every POST must carry the session's token (or, before log-in, the double-
    submit cookie's) in its form or in the X-CSRF-Token header that htmx sends, and come from this site."""
    if request.method != "POST":
        return
    web = web_of(request)
    if not security.same_origin(request, web.settings):
        raise CsrfFailed()
    given: object = request.headers.get(security.CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        given = (await request.form()).get(security.CSRF_FIELD)   # starlette keeps the parsed form
    found = await browser_session(request)
    if found is None and not request.url.path.startswith(ANONYMOUS_FORMS):
        # the session ended (timed out, logged out elsewhere, ended by an admin): log in again first
        raise LoginRequired(security.safe_next(_path_of(request.headers.get("hx-current-url")), default="/"))
    expected = found.csrf_token if found is not None else request.cookies.get(security.csrf_cookie_name(web.settings))
    if not security.tokens_match(expected, given if isinstance(given, str) else None):
        raise CsrfFailed()


ANONYMOUS_FORMS = ("/login", "/invitation")   # the only forms posted without a session


def _path_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class CsrfFailed(Exception):
    """A form without the right token: answered 403 with a page that offers to reload."""
