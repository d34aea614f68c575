"""List and detail queries run a fixed number of SQL statements whatever their size, and nested
queries work with a pool of one connection (sibling resolvers never share a session)."""

from contextlib import contextmanager

import httpx
from sqlalchemy import event

from backend.app import create_app
from backend.settings import Settings
from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
MINE = operation("coordinator.graphql", "MyOpenConsultations")
DETAIL = operation("coordinator.graphql", "ConsultationDetail")
RECORD = operation("coordinator.graphql", "RecordAction")


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


def _queries(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


async def _log_many(gql, token, n):
    ids = []
    for i in range(n):
        out = await gql(token, LOG, {"input": log_input("15202", summary=f"訪問診療の相談 {i}")})
        ids.append(out["data"]["logConsultation"]["consultation"]["id"])
    return ids


async def test_my_open_consultations_runs_the_same_statements_for_3_or_100_items(gql, world, other_world, app):
    await _log_many(gql, world.coordinator, 3)
    await _log_many(gql, other_world.coordinator, 100)
    counts = []
    for token, n in ((world.coordinator, 3), (other_world.coordinator, 100)):
        await gql(token, MINE, {"first": 100})  # warm the token cache
        with counting(app.state.engine) as statements:
            body = await gql(token, MINE, {"first": 100})
        assert len(body["data"]["consultations"]["edges"]) == n
        counts.append(len(_queries(statements)))
    assert counts[0] == counts[1] <= 4, counts  # the token, the count, the page, the audit row naming what it showed


async def test_detail_with_many_actions_runs_a_fixed_number_of_statements(gql, world, app):
    [few, many] = await _log_many(gql, world.coordinator, 2)
    now = clock.now().isoformat()
    for cid, n in ((few, 1), (many, 25)):
        for _ in range(n):
            await gql(world.coordinator, RECORD, {"input": {"consultationId": cid, "performedAt": now, "type": "FOLLOW_UP_CONTACT"}})
    counts = []
    for cid, n in ((few, 1), (many, 25)):
        with counting(app.state.engine) as statements:
            body = await gql(world.coordinator, DETAIL, {"id": cid})
        assert len(body["data"]["consultation"]["actions"]) == n
        counts.append(len(_queries(statements)))
    assert counts[0] == counts[1], counts


async def test_nested_query_works_with_a_pool_of_one(settings, world, gql):
    await _log_many(gql, world.coordinator, 3)
    app = create_app(Settings(**{**settings.model_dump(), "db_pool_size": 1}))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            query = """{ me { hub { area { municipalities { code } } } }
                         consultations(first: 10) { edges { node { id createdBy { displayName hub { name } }
                           assignedTo { displayName } actions { performedBy { displayName } } regionalIssues { id } } } } }"""
            r = await client.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {world.coordinator}"})
        body = r.json()
        assert "errors" not in body, body
        assert len(body["data"]["consultations"]["edges"]) == 3
    finally:
        await app.state.engine.dispose()
