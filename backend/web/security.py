"""The browser's side of log-in: the session cookie, CSRF tokens, safe `next` redirects and the
response headers every page carries. No rule about who may see what lives here (that is policy.py)."""

import hmac
import secrets
from typing import TypeVar
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from backend.settings import Settings

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

# default-src 'self' and no inline script: the pinned htmx is the only script; it is told not to add
# its inline indicator styles (meta htmx-config), so style-src needs no 'unsafe-inline' either
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def is_secure(settings: Settings) -> bool:
    return settings.public_url.lower().startswith("https://")


def session_cookie_name(settings: Settings) -> str:
    # __Host-: the browser accepts it only Secure, for this host, path / (no subdomain can plant one)
    return "__Host-renkei_session" if is_secure(settings) else "renkei_session"


def csrf_cookie_name(settings: Settings) -> str:
    return "__Host-renkei_csrf" if is_secure(settings) else "renkei_csrf"


def set_cookie(response: Response, settings: Settings, name: str, value: str) -> None:
    """HttpOnly, SameSite=Lax, Secure behind HTTPS; no Max-Age: it ends with the browser (the server's
    clocks end it sooner)."""
    response.set_cookie(name, value, httponly=True, samesite="lax", secure=is_secure(settings), path="/")


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    response.delete_cookie(name, path="/", secure=is_secure(settings), httponly=True, samesite="lax")


def anonymous_csrf(request: Request, settings: Settings) -> tuple[str, bool]:
    """Before log-in there is no session to bind a token to: a random value in its own cookie, repeated
    in the form (double submit). Returns (token, whether the cookie must be set)."""
    current = request.cookies.get(csrf_cookie_name(settings))
    if current and 20 <= len(current) <= 100:
        return current, False
    return secrets.token_urlsafe(32), True


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def same_origin(request: Request, settings: Settings) -> bool:
    """A POST whose Origin header names another site is refused whatever its token (browsers send
    Origin on every POST; clients that send none are judged by the token alone)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    allowed = {_origin(settings.public_url), f"{request.url.scheme}://{request.headers.get('host', '')}"}
    return origin.rstrip("/") in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def safe_next(raw: str | None, default: str = "/") -> str:
    """A path of this site to go to after log-in: absolute path only, no scheme or host (no "//evil",
    no "/\\evil", no "javascript:"), no control characters; anything else gives the default."""
    if not raw or len(raw) > 2000 or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    if parts.path.startswith(("/login", "/logout", "/invitation")):
        return default
    return raw


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


R = TypeVar("R", bound=Response)


def secure_headers(response: R) -> R:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
