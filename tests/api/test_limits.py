"""Hostile or broken requests are refused before they run; unexpected failures are masked."""

import logging

import pytest
from sqlalchemy import text

from backend.app import create_app
from backend.settings import Settings


async def test_query_nested_too_deep_is_refused(gql, world):
    deep = "{ me { hub { area { prefecture { code } municipalities { prefecture { name } } } } } }"
    ok = await gql(world.coordinator, deep)
    assert ok["data"]["me"]
    nested = "{ consultations { edges { node { actions { performedBy { hub { area { municipalities { prefecture { code } } } } } } } } } }"
    body = await gql(world.coordinator, nested, expect_errors=True)
    assert "depth" in body["errors"][0]["message"]


async def test_hundreds_of_aliases_are_refused(gql, world):
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(300)) + " }"
    body = await gql(world.coordinator, query, expect_errors=True)
    assert body.get("data") is None and "alias" in body["errors"][0]["message"].lower()


async def test_oversized_document_is_refused(http, world):
    query = "{ __typename }" + " " * 30_000
    r = await http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {world.coordinator}"})
    assert r.status_code == 413


async def test_unexpected_failure_is_masked_with_an_error_id_in_the_log(gql, world, app, caplog, monkeypatch):
    from backend.consultations import service

    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail 山田さん")

    monkeypatch.setattr(service, "search", broken)
    with caplog.at_level(logging.ERROR, logger="renkei.api"):
        body = await gql(world.coordinator, "{ consultations { totalCount } }", expect_errors=True)
    error = body["errors"][0]
    assert "山田" not in error["message"] and "secret" not in error["message"]
    error_id = error["extensions"]["errorId"]
    assert error_id in error["message"] and any(error_id in r.getMessage() for r in caplog.records)


async def test_validation_errors_stay_readable(gql, world):
    body = await gql(world.coordinator, "{ consultations { nope } }", expect_errors=True)
    assert "nope" in body["errors"][0]["message"]


async def test_introspection_and_ide_can_be_switched_off(settings):
    import httpx
    from backend.accounts.actor import SYSTEM  # noqa: F401
    app = create_app(Settings(**{**settings.model_dump(), "introspection": False, "graphql_ide": False}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/graphql", headers={"Accept": "text/html"})
        assert r.status_code in (401, 404)
    await app.state.engine.dispose()


async def test_healthz_answers_without_a_token(http):
    r = await http.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_audit_rows_cannot_be_changed_or_deleted(engine):
    for statement in ("UPDATE audit_event SET operation = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
