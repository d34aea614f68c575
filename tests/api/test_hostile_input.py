"""The inputs that once answered 500 or an unexpected error: each now gets a clear answer, on both
databases alike, and nothing is written."""

import base64

import httpx
import pytest
from sqlalchemy import func, select

from backend.app import create_app
from backend.consultations.models import Consultation
from backend.meetings.models import HubMeeting
from backend.settings import Settings
from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
SEARCH = operation("coordinator.graphql", "SearchConsultations")
MINE = operation("coordinator.graphql", "MyOpenConsultations")
BOARD = operation("hub.graphql", "HubIssueBoard")
OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")
SCHEDULE = operation("hub.graphql", "ScheduleHubMeeting")


async def _count(sessions, model, **where) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.mark.parametrize("field, value", [
    ("summary", "退院調整\x00の相談"), ("summary", "退院調整\ud800"), ("summary", "退院\x1b[31m調整"),
    ("idempotencyKey", "key\x00"), ("idempotencyKey", "key\ud800"),
])
async def test_nul_surrogates_and_control_characters_are_user_errors_on_both_databases(http, world, sessions, field, value):
    import json
    body = json.dumps({"query": LOG, "variables": {"input": log_input("15202", **{field: value})}})  # \ud800 as an escape
    r = await http.post("/graphql", content=body, headers={"Authorization": f"Bearer {world.coordinator}",
                                                           "Content-Type": "application/json"})
    assert r.status_code == 200
    out = r.json()["data"]["logConsultation"]
    assert out["consultation"] is None and out["userErrors"][0]["field"] == ["input", field]
    assert await _count(sessions, Consultation, hub_id=world.hub_id) == 0


async def test_tabs_and_line_breaks_stay_in_a_summary(gql, world):
    out = (await gql(world.coordinator, LOG, {"input": log_input("15202", summary="退院調整\n\t訪問診療医\r\nを探す")}))
    assert out["data"]["logConsultation"]["userErrors"] == []


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("cursor", [
    _cursor("2025-06-01T10:00:00|1"),                           # naive
    _cursor("2025-06-01T10:00:00+09:00|99999999999999999999"),  # beyond any id
    _cursor("0001-01-01T00:00:00+00:00|1"), _cursor("9999-12-31T00:00:00+00:00|1"),
    "not base64 at all", _cursor("a|b|c"),
])
async def test_forged_cursors_are_refused_in_japanese(gql, world, cursor):
    body = await gql(world.coordinator, MINE, {"first": 5, "after": cursor}, expect_errors=True)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR" and "カーソル" in error["message"]


async def test_calendar_edge_dates_in_a_search_mean_all_of_them(gql, world):
    await gql(world.coordinator, LOG, {"input": log_input("15202")})
    out = await gql(world.coordinator, SEARCH, {"filter": {"receivedFrom": "0001-01-01", "receivedTo": "9999-12-31"}})
    assert out["data"]["consultations"]["totalCount"] == 1


@pytest.mark.parametrize("year", [0, -1, 9999, 2014])
async def test_fiscal_years_outside_the_programme_are_refused_in_japanese(gql, world, year):
    for token, document, variables in [
        (world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": year}),
        (world.manager, BOARD, {"hubId": str(world.hub_id), "fiscalYear": year}),
    ]:
        body = await gql(token, document, variables, expect_errors=True)
        assert {e["extensions"]["code"] for e in body["errors"]} == {"OUT_OF_RANGE"}, body
        assert all("年度" in e["message"] for e in body["errors"])


async def test_a_fiscal_year_beyond_32_bits_is_a_clear_graphql_error(http, world):
    r = await http.post("/graphql", json={"query": BOARD, "variables": {"hubId": str(world.hub_id), "fiscalYear": 2**31}},
                        headers={"Authorization": f"Bearer {world.manager}"})
    assert r.status_code < 500 and "fiscalYear" in r.text and "data" not in r.json()


@pytest.mark.parametrize("override, field, code", [
    ({"title": "定例会議\r\nBcc: everyone@example.com"}, "title", "INVALID_CHARACTER"),
    ({"heldOn": "9999-12-31"}, "heldOn", "OUT_OF_RANGE"),
    ({"heldOn": "2014-12-01"}, "heldOn", "OUT_OF_RANGE"),
])
async def test_meeting_titles_are_one_line_and_dates_within_reach(gql, world, sessions, override, field, code):
    variables = {"input": {"hubId": str(world.hub_id), "title": "定例会議", "heldOn": clock.tomorrow().isoformat(),
                           "issueIds": ["1"], "recipientEmails": ["iin@city.example.jp"], **override}}
    out = (await gql(world.manager, SCHEDULE, variables))["data"]["scheduleHubMeeting"]
    assert out["meeting"] is None and out["userErrors"][0]["field"] == ["input", field]
    assert out["userErrors"][0]["code"] == code
    assert await _count(sessions, HubMeeting, hub_id=world.hub_id) == 0


@pytest.mark.parametrize("raw", [b'"query"', b"null", b"\xff\xfe{}", b"[1, 2]", b'{"query": 5}'])
async def test_malformed_bodies_are_4xx_with_a_japanese_error(http, world, raw):
    r = await http.post("/graphql", content=raw, headers={"Authorization": f"Bearer {world.coordinator}",
                                                          "Content-Type": "application/json",
                                                          "Accept": "application/graphql-response+json"})
    assert r.status_code == 400
    [error] = r.json()["errors"]
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in error["message"])


async def test_a_chunked_body_past_the_cap_is_refused_without_reading_it_all(http, world):
    sent = 0

    async def two_hundred_megabytes():
        nonlocal sent
        for _ in range(200 * 16):
            sent += 64 * 1024
            yield b" " * (64 * 1024)

    r = await http.post("/graphql", content=two_hundred_megabytes(),
                        headers={"Authorization": f"Bearer {world.coordinator}", "Content-Type": "application/json"})
    assert r.status_code == 413
    assert sent < 2 * 1024 * 1024


async def test_two_operations_without_an_operation_name_do_not_run_the_first(gql, world, sessions):
    document = LOG + "\nquery Other { me { displayName } }"
    body = await gql(world.coordinator, document, {"input": log_input("15202")}, expect_errors=True)
    assert body.get("data") is None and body["errors"]
    assert await _count(sessions, Consultation, hub_id=world.hub_id) == 0


async def test_introspection_suggestions_and_the_ide_are_off_by_default(settings):
    production = Settings(**{**settings.model_dump(), "introspection": False, "graphql_ide": False})
    assert Settings.model_fields["introspection"].default is False and Settings.model_fields["graphql_ide"].default is False
    app = create_app(production)
    from tests.conftest import make_world
    from backend.db import make_sessions
    world = await make_world(make_sessions(app.state.engine))
    auth = {"Authorization": f"Bearer {world.coordinator}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        body = (await c.post("/graphql", json={"query": "{ __schema { types { name } } }"}, headers=auth)).json()
        assert body["errors"] and "data" not in body
        typo = (await c.post("/graphql", json={"query": "{ consultation(id: 1) { summar } }"}, headers=auth)).json()
        assert "summary" not in typo["errors"][0]["message"]   # no "Did you mean"
        page = await c.get("/graphql", headers={**auth, "Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
    await app.state.engine.dispose()


async def test_a_stream_of_wrong_tokens_is_slowed_with_retry_after(settings, world):
    app = create_app(Settings(**{**settings.model_dump(), "auth_failures_per_minute": 5}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 1234)),
                                 base_url="http://t") as c:
        statuses = [(await c.post("/graphql", json={"query": "{ __typename }"},
                                  headers={"Authorization": f"Bearer wrong-{i}"})).status_code for i in range(7)]
        assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
        refused = await c.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer again"})
        assert int(refused.headers["Retry-After"]) > 0 and "再試行" in refused.json()["errors"][0]["message"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("198.51.100.7", 1234)),
                                 base_url="http://t") as c:   # another address is not held up
        ok = await c.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {world.coordinator}"})
        assert ok.status_code == 200
    await app.state.engine.dispose()
