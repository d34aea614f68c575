"""The screens over HTTP (no browser): log-in redirects, CSRF, cookies, safe `next`, pages show exactly
what GraphQL shows the same person, report downloads with a browser session, the pinned htmx."""

import hashlib
import re

import httpx
import pytest

from backend.app import create_app
from backend.web import security
from backend.web.core import HTMX, STATIC
from tests.helpers import log_input, operation
from tests.web.conftest import csrf_of, log_in


async def test_a_page_behind_login_sends_the_browser_to_login_and_back(client, sessions, world):
    r = await client.get("/consultations?after=abc")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/consultations%3Fafter%3Dabc"
    login_page = await client.get(r.headers["location"])
    assert "ログインが必要です" in login_page.text and 'name="next" value="/consultations?after=abc"' in login_page.text
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"],
                 next_path="/consultations?after=abc")


async def test_after_login_the_page_named_by_next_opens(client, sessions, world, gql):
    body = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                     {"input": log_input(world.municipality_code)})
    cid = body["data"]["logConsultation"]["consultation"]["id"]
    page = await client.get("/login")
    import pyotp

    from tests.web.conftest import credentials
    password, secret = await credentials(sessions, world.coordinator_id)
    r = await client.post("/login", data={"email": world.emails["coordinator"], "password": password,
                                          "csrf_token": csrf_of(page.text), "next": f"/consultations/{cid}"})
    code_page = await client.get(r.headers["location"])
    r = await client.post("/login/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(code_page.text),
                                               "next": f"/consultations/{cid}"})
    assert r.status_code == 303 and r.headers["location"] == f"/consultations/{cid}"
    detail = await client.get(r.headers["location"])
    assert detail.status_code == 200 and "退院予定の方の訪問診療医が見つからない" in detail.text


@pytest.mark.parametrize("raw", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                                 "/login?next=/x", "\t/x", "consultations", "/x\r\nSet-Cookie: a=b"])
def test_next_never_leaves_the_site(raw):
    assert security.safe_next(raw, default="/home") == "/home"


@pytest.mark.parametrize("raw", ["/consultations/12", "/reports/3.html", "/consultations?after=YWJj"])
def test_next_keeps_paths_of_the_site(raw):
    assert security.safe_next(raw) == raw


async def test_a_form_without_its_csrf_token_is_refused(client, sessions, world):
    page = await client.get("/login")
    r = await client.post("/login", data={"email": "a@example.jp", "password": "whatever whatever"})
    assert r.status_code == 403 and "送信を受け付けられませんでした" in r.text
    r = await client.post("/login", data={"email": "a@example.jp", "password": "x", "csrf_token": "forged" * 8})
    assert r.status_code == 403
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    r = await client.post("/logout/everywhere", data={"csrf_token": csrf_of(page.text)})   # the pre-log-in token
    assert r.status_code == 403
    assert (await client.get("/account")).status_code == 200        # still logged in: nothing happened


async def test_a_post_from_another_site_is_refused_even_with_the_token(client, sessions, world):
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    page = await client.get("/account")
    r = await client.post("/logout/everywhere", data={"csrf_token": csrf_of(page.text)},
                          headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = await client.post("/logout/everywhere", headers={"X-CSRF-Token": csrf_of(page.text), "HX-Request": "true"})
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/login?logged_out=all"   # htmx sends the header


async def test_session_cookie_is_httponly_and_lax_and_secure_behind_https(settings, engine, sessions, world):
    https = create_app(settings.model_copy(update={"public_url": "https://desk.example.jp"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=https), base_url="https://desk.example.jp") as c:
        await log_in(c, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
        assert c.cookies.get("__Host-renkei_session") and c.cookies.get("renkei_session") is None
        jar = {cookie.name: cookie for cookie in c.cookies.jar}
        assert jar["__Host-renkei_session"].secure and jar["__Host-renkei_session"].has_nonstandard_attr("HttpOnly")
        page = await c.get("/login")
    await https.state.engine.dispose()
    assert page.status_code == 303   # logged in already


async def test_cookie_flags(app, sessions, world):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        page = await c.get("/login")
        assert re.search(r"renkei_csrf=[^;]+; HttpOnly; Path=/; SameSite=lax", page.headers["set-cookie"], re.I)
        assert "secure" not in page.headers["set-cookie"].lower()
        from tests.web.conftest import credentials
        password, _ = await credentials(sessions, world.coordinator_id)
        r = await c.post("/login", data={"email": world.emails["coordinator"], "password": password,
                                         "csrf_token": csrf_of(page.text)})
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("renkei_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    settings = app.state.settings.model_copy(update={"public_url": "https://desk.example.jp"})
    assert security.session_cookie_name(settings) == "__Host-renkei_session" and security.is_secure(settings)


async def test_pages_carry_security_headers_and_load_nothing_from_elsewhere(client):
    page = await client.get("/login")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    assert not re.search(r'(src|href)="(https?:)?//', page.text)


async def test_the_pinned_htmx_is_served_as_recorded(client):
    r = await client.get(f"/static/{HTMX}")
    assert r.status_code == 200 and "htmx" in r.text
    recorded = (STATIC.parent / "VENDORED.md").read_text(encoding="utf-8")
    assert hashlib.sha256((STATIC / HTMX).read_bytes()).hexdigest() in recorded


async def test_my_consultations_shows_what_the_api_shows_the_same_person(client, sessions, world, gql):
    for summary in ("夜間の往診先が見つからない", "退院前カンファの日程調整"):
        await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                  {"input": log_input(world.municipality_code, summary=summary)})
    api = await gql(world.coordinator, operation("coordinator.graphql", "MyOpenConsultations"), {"first": 100})
    ids = {e["node"]["id"] for e in api["data"]["consultations"]["edges"]}
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    page = await client.get("/consultations")
    assert set(re.findall(r'href="/consultations/(\d+)"', page.text)) == ids and len(ids) >= 2
    assert "夜間の往診先が見つからない" in page.text


async def test_a_page_cannot_show_what_the_api_refuses(client, sessions, world, other_world, gql):
    body = await gql(world.coordinator, operation("coordinator.graphql", "LogConsultation"),
                     {"input": log_input(world.municipality_code, summary="他拠点から見えてはならない相談")})
    cid = body["data"]["logConsultation"]["consultation"]["id"]
    api = await gql(other_world.coordinator, operation("coordinator.graphql", "ConsultationDetail"), {"id": cid})
    assert api["data"]["consultation"] is None
    await log_in(client, sessions, user_id=other_world.coordinator_id, email=other_world.emails["coordinator"])
    detail = await client.get(f"/consultations/{cid}")
    assert detail.status_code == 404 and "他拠点から見えてはならない相談" not in detail.text
    mine = await client.get("/consultations")
    assert "他拠点から見えてはならない相談" not in mine.text and f"/consultations/{cid}\"" not in mine.text
    assert (await client.get("/consultations/99999999999")).status_code == 404


async def test_admin_pages_answer_not_found_to_other_roles(client, sessions, world):
    await log_in(client, sessions, user_id=world.manager_id, email=world.emails["manager"])
    assert (await client.get("/admin/people")).status_code == 404
    assert (await client.get("/dashboard")).status_code == 404          # another role's placeholder
    issues = await client.get("/issues")
    assert issues.status_code == 200 and "<h1>地域課題ボード</h1>" in issues.text


async def test_each_role_lands_on_its_first_built_page(client, sessions, world):
    await log_in(client, sessions, user_id=world.ids["admin"], email=world.emails["admin"])
    r = await client.get("/")
    assert r.headers["location"] == "/admin/people"


async def test_a_report_link_opens_in_a_logged_in_browser_with_the_api_scope(client, sessions, world, far_world):
    from backend.db import transaction
    from backend.reports.models import PrefectureReport
    async with transaction(sessions) as s:
        report = PrefectureReport(prefecture_code=world.prefecture_code, fiscal_year=2025, status="ready",
                                  csv=b"a,b\n", xlsx=b"x", html="<p>報告</p>", requested_by_id=world.ids["analyst"])
        s.add(report)
        await s.flush()
        rid = report.id
    r = await client.get(f"/reports/{rid}.html", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/reports/{rid}.html"
    assert (await client.get(f"/reports/{rid}.csv")).status_code == 401   # a program without a token: 401 as before
    await log_in(client, sessions, user_id=world.ids["analyst"], email=world.emails["analyst"])
    r = await client.get(f"/reports/{rid}.csv")
    assert r.status_code == 200 and r.content == b"a,b\n"
    async with httpx.AsyncClient(transport=client._transport, base_url="http://test") as other:
        await log_in(other, sessions, user_id=far_world.ids["analyst"], email=far_world.emails["analyst"])
        assert (await other.get(f"/reports/{rid}.csv")).status_code == 404     # another prefecture: not found


async def test_logging_out_ends_the_session_on_the_server(client, sessions, world):
    await log_in(client, sessions, user_id=world.coordinator_id, email=world.emails["coordinator"])
    page = await client.get("/account")
    cookie = client.cookies.get("renkei_session")
    r = await client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/login?logged_out=1"
    client.cookies.set("renkei_session", cookie)    # a copy of the old cookie opens nothing
    assert (await client.get("/account")).status_code == 303


async def test_a_wrong_password_answers_beside_the_field(client, world):
    page = await client.get("/login")
    r = await client.post("/login", data={"email": world.emails["coordinator"], "password": "not the password",
                                          "csrf_token": csrf_of(page.text)})
    assert r.status_code == 400
    assert 'id="f-password-error"' in r.text and "メールアドレスまたはパスワードが正しくありません。" in r.text
    assert 'aria-invalid="true"' in r.text and "not the password" not in r.text
