"""Malformed, oversized and ambiguous requests at the HTTP level: each answered 4xx with one Japanese GraphQL
error, never 500, nothing run; and the two response formats of the GraphQL-over-HTTP spec."""

import json
import re

import pytest
from sqlalchemy import text

GRAPHQL_RESPONSE = "application/graphql-response+json"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def headers(token: str, accept: str = GRAPHQL_RESPONSE, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": accept, "Content-Type": "application/json", **more}


def one_japanese_error(response) -> dict:
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    assert JAPANESE.search(error["message"]), error
    return error


@pytest.mark.parametrize("body", [
    pytest.param(b'"query"', id="a JSON string"),
    pytest.param(b"null", id="null"),
    pytest.param(b'[{"query": "{ __typename }"}]', id="a batch (array)"),
    pytest.param(b'{"query": "{ __typename }", "variables": "{}"}', id="variables as a string"),
    pytest.param(b'{"query": "{ __typename \xff\xfe }"}', id="invalid UTF-8"),
    pytest.param('{"query": "{ __typename }"}'.encode("utf-16"), id="UTF-16"),
    pytest.param(b'{"query": "{ __typename }"', id="truncated JSON"),
    pytest.param(b"[" * 30_000 + b"]" * 30_000, id="arrays nested 30,000 deep"),
    pytest.param(b'{"query": "{ __typename }", "variables": {"n": 1' + b"0" * 5000 + b"}}", id="a 5,000-digit number"),
])
@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
async def test_a_malformed_body_is_answered_400_with_a_japanese_error(http, world, body, accept):
    r = await http.post("/graphql", content=body, headers=headers(world.coordinator, accept))
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == f"{accept}; charset=utf-8"
    assert one_japanese_error(r)["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("content_type", ["text/plain", "application/json; charset=latin1", "application/graphql"])
async def test_a_body_that_is_not_utf8_json_is_refused_415(http, world, content_type):
    r = await http.post("/graphql", content=b'{"query": "{ __typename }"}',
                        headers=headers(world.coordinator, **{"Content-Type": content_type}))
    assert r.status_code == 415
    one_japanese_error(r)


async def test_utf8_declared_in_any_spelling_is_accepted(http, world):
    r = await http.post("/graphql", content=b'{"query": "{ __typename }"}',
                        headers=headers(world.coordinator, **{"Content-Type": 'application/json; charset="UTF-8"'}))
    assert r.status_code == 200 and r.json() == {"data": {"__typename": "Query"}}


async def drive(app, headers: list[tuple[bytes, bytes]], chunks) -> tuple[int, int]:
    """Sends a POST /graphql to the ASGI app chunk by chunk, as a server hands them on; returns the status
    and how many body bytes the app asked for."""
    consumed = 0
    messages = []
    body = iter(chunks)

    async def receive():
        nonlocal consumed
        chunk = next(body, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "query_string": b"",
             "headers": [(b"host", b"test"), (b"content-type", b"application/json"), *headers],
             "client": ("127.0.0.1", 50000), "server": ("test", 80)}
    await app(scope, receive, send)
    return messages[0]["status"], consumed


def endless(chunk_size: int = 64 * 1024, total: int = 200 * 1024 * 1024):
    for _ in range(total // chunk_size):
        yield b" " * chunk_size


# a chunked body past the cap: tests/api/test_hostile_input.py
async def test_a_content_length_over_the_cap_is_refused_413_before_a_byte_is_read(app, settings, world):
    declared = str(settings.max_request_bytes + 1).encode()
    status, consumed = await drive(app, [(b"authorization", f"Bearer {world.coordinator}".encode()),
                                         (b"content-length", declared)], endless())
    assert (status, consumed) == (413, 0)


async def test_a_body_over_the_cap_answers_a_japanese_graphql_error(http, settings, world):
    padding = " " * settings.max_request_bytes
    r = await http.post("/graphql", content=json.dumps({"query": "{ __typename }" + padding}),
                        headers=headers(world.coordinator))
    assert r.status_code == 413
    assert one_japanese_error(r)["extensions"]["code"] == "TOO_LARGE"


async def test_two_operations_without_operation_name_run_neither(http, sessions, world):
    name = "圏域-二つの操作"
    document = ('mutation Make { createArea(input: {prefectureCode: "15", name: "%s", municipalityCodes: ["15202"]})'
                ' { area { id } } } query Look { __typename }' % name)
    r = await http.post("/graphql", json={"query": document}, headers=headers(world.admin))
    assert r.status_code == 400
    error = one_japanese_error(r)
    assert error["extensions"]["code"] == "OPERATION_NAME_REQUIRED" and "operationName" in error["message"]
    async with sessions() as session:
        assert await session.scalar(text("SELECT count(*) FROM area WHERE name = :n"), {"n": name}) == 0

    r = await http.post("/graphql", json={"query": document, "operationName": "Look"}, headers=headers(world.admin))
    assert r.status_code == 200 and r.json() == {"data": {"__typename": "Query"}}


async def test_an_unknown_operation_name_is_a_request_error(http, world):
    r = await http.post("/graphql", json={"query": "query A { __typename }", "operationName": "B"},
                        headers=headers(world.coordinator))
    assert r.status_code == 400
    one_japanese_error(r)


async def test_a_mutation_over_get_is_refused_405_and_points_to_post(http, world):
    revoke = 'mutation { revokeUserTokens(userId: "%d") { revoked } }' % world.coordinator_id
    r = await http.get("/graphql", params={"query": revoke}, headers=headers(world.admin))
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert one_japanese_error(r)["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    still = await http.post("/graphql", json={"query": "{ me { role } }"}, headers=headers(world.coordinator))
    assert still.status_code == 200 and still.json()["data"]["me"]["role"] == "COORDINATOR"


async def test_a_query_over_get_runs(http, world):
    document = "query Few($n: Int) { me { role } consultations(first: $n) { totalCount } }"
    # an empty operationName, as some clients send it in a query string, means none
    r = await http.get("/graphql", params={"query": document, "variables": '{"n": 1}', "operationName": ""},
                       headers=headers(world.coordinator))
    assert r.status_code == 200 and r.json()["data"]["me"]["role"] == "COORDINATOR"


async def test_a_client_accepting_neither_json_type_gets_406(http, world):
    r = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers(world.coordinator, "text/html"))
    assert r.status_code == 406
    one_japanese_error(r)


@pytest.mark.parametrize("accept, expected", [
    ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
    ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),
    ("application/graphql-response+json;q=0.5, application/json", "application/json"),
    ("application/graphql-response+json;q=0, */*", "application/json"),
    ("*/*", "application/json"),
])
async def test_the_response_type_follows_the_clients_preference(http, world, accept, expected):
    r = await http.post("/graphql", json={"query": "{ __typename }"}, headers=headers(world.coordinator, accept))
    assert r.status_code == 200 and r.headers["content-type"] == f"{expected}; charset=utf-8"


@pytest.mark.parametrize("document", [
    pytest.param("{ __typename", id="does not parse"),
    pytest.param("{ noSuchField }", id="does not validate"),
    pytest.param("query Q($id: ID!) { hub(id: $id) { id } }", id="variable does not coerce"),
])
async def test_a_graphql_request_error_is_400_in_the_new_format_and_200_in_the_legacy_one(http, world, document):
    new = await http.post("/graphql", json={"query": document, "variables": {"id": None}},
                          headers=headers(world.coordinator))
    assert new.status_code == 400
    assert one_japanese_error(new)["message"].startswith("クエリを実行できません")
    legacy = await http.post("/graphql", json={"query": document, "variables": {"id": None}},
                             headers=headers(world.coordinator, "application/json"))
    assert legacy.status_code == 200 and legacy.json() == new.json()


async def test_a_field_error_after_execution_began_keeps_data_null_and_200(http, world, monkeypatch):
    from backend.consultations import service

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "search", broken)
    r = await http.post("/graphql", json={"query": "{ consultations { totalCount } }"},
                        headers=headers(world.coordinator))
    assert r.status_code == 200
    body = r.json()
    assert body["data"] is None and body["errors"][0]["path"] == ["consultations"]


async def test_a_lone_surrogate_echoed_in_an_error_is_escaped_not_a_500(http, world):
    r = await http.post("/graphql", content=b'{"query": "query Q($n: Int) { consultations(first: $n) { totalCount } }",'
                                            b' "variables": {"n": "\\ud800"}}', headers=headers(world.coordinator))
    assert r.status_code == 400
    r.content.decode("utf-8")                                   # strict: valid UTF-8
    assert "\\ud800" in r.text and one_japanese_error(r)


async def test_without_a_token_the_answer_is_401_in_the_clients_format(http):
    r = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept": GRAPHQL_RESPONSE})
    assert r.status_code == 401 and r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert one_japanese_error(r)["extensions"]["code"] == "UNAUTHENTICATED"
