import re

import httpx
import pyotp
import pytest

from backend.accounts import login
from backend.db import transaction


@pytest.fixture
async def client(app):
    """A browser of its own (its own cookie jar) talking to the app in-process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def credentials(sessions, user_id: int) -> tuple[str, str]:
    """A password and an enrolled TOTP key for a test account (the demo's helper)."""
    async with transaction(sessions) as s:
        return await login.set_demo_credentials(s, user_id=user_id)


async def log_in(client: httpx.AsyncClient, sessions, *, user_id: int, email: str, next_path: str = "") -> str:
    """Logs the client in as the user through the forms; returns the TOTP key."""
    password, secret = await credentials(sessions, user_id)
    page = await client.get("/login")
    r = await client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text),
                                          "next": next_path})
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    r = await client.post("/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(page.text),
                                               "next": next_path})
    assert r.status_code == 303, r.text
    return secret
