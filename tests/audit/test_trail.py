"""The audit trail covers what people read and what scope refused them, and it cannot be rewritten:
a hash chain names the first row changed or removed; on PostgreSQL the application's own role cannot
touch it and TRUNCATE is refused."""

import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from backend.audit import chain
from backend.audit.models import AuditEvent
from backend.audit.roles import create_app_role
from backend.db import make_engine, make_sessions, transaction
from tests.conftest import BACKEND
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
MINE = operation("coordinator.graphql", "MyOpenConsultations")
DETAIL = operation("coordinator.graphql", "ConsultationDetail")
UPDATE = operation("coordinator.graphql", "UpdateConsultation")
OVERVIEW = operation("prefecture_dashboard.graphql", "PrefectureOverview")


async def _rows(sessions, **where) -> list[AuditEvent]:
    async with sessions() as s:
        return list(await s.scalars(select(AuditEvent).filter_by(**where).order_by(AuditEvent.id)))


async def _log(gql, world, n=1, summary="山田太郎さんの退院調整") -> list[str]:
    ids = []
    for _ in range(n):
        out = await gql(world.coordinator, LOG, {"input": log_input("15202", summary=summary)})
        ids.append(out["data"]["logConsultation"]["consultation"]["id"])
    return ids


async def test_a_list_read_writes_one_row_naming_the_consultations_it_showed(gql, world, sessions):
    ids = await _log(gql, world, 3)
    before = {r.id for r in await _rows(sessions, actor_id=world.coordinator_id)}
    page = (await gql(world.coordinator, MINE, {"first": 2}))["data"]["consultations"]
    shown = [int(e["node"]["id"]) for e in page["edges"]]
    rows = [r for r in await _rows(sessions, actor_id=world.coordinator_id) if r.id not in before]
    assert [(r.operation, r.record_ids) for r in rows] == [("consultation.list_read", sorted(shown))]
    assert set(shown) <= {int(i) for i in ids}
    assert "山田" not in repr((rows[0].fields, rows[0].entity_id, rows[0].record_ids))


async def test_attempts_on_another_hubs_consultation_are_audited_as_denied(gql, world, other_world, sessions):
    [cid] = await _log(gql, world)
    assert (await gql(other_world.coordinator, DETAIL, {"id": cid}))["data"]["consultation"] is None
    out = (await gql(other_world.coordinator, UPDATE, {"input": {"id": cid, "version": 1, "urgency": 2}}))
    assert out["data"]["updateConsultation"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await gql(world.analyst, DETAIL, {"id": cid}))["data"]["consultation"] is None
    rows = [r for r in await _rows(sessions, entity_type="consultation", entity_id=cid) if "denied" in r.operation]
    denied = {(r.actor_id, r.operation) for r in rows}
    assert (other_world.coordinator_id, "consultation.read.denied") in denied
    assert (other_world.coordinator_id, "consultation.update.denied") in denied
    assert any(r.actor_role == "prefecture_analyst" and r.operation == "consultation.read.denied" for r in rows)
    # a record that does not exist is just not found: nothing to audit
    await gql(other_world.coordinator, DETAIL, {"id": "2147483000"})
    assert await _rows(sessions, entity_id="2147483000") == []


async def test_reading_another_prefecture_is_audited_as_denied(gql, world, far_world, sessions):
    body = await gql(far_world.analyst, OVERVIEW, {"code": world.prefecture_code, "fiscalYear": 2025})
    assert body["data"]["prefecture"] is None
    rows = await _rows(sessions, operation="prefecture.read.denied", entity_id=world.prefecture_code)
    assert rows and rows[-1].actor_role == "prefecture_analyst"


async def test_the_chain_names_the_first_row_changed_or_removed(gql, world, sessions, engine):
    await _log(gql, world, 4)
    async with transaction(sessions) as s:
        await chain.seal(s)
    async with sessions() as s:
        verdict = await chain.verify(s)
    assert verdict.intact and verdict.checked >= 4 and verdict.unsealed == 0 and verdict.head
    victims = (await _rows(sessions, actor_id=world.coordinator_id))[-3:]
    # an intruder with the owner's powers: switch the trigger off, change a row, switch it on again
    await _tamper(engine, f"UPDATE audit_event SET operation = 'consultation.nothing' WHERE id = {victims[0].id}")
    async with sessions() as s:
        verdict = await chain.verify(s)
    assert verdict.broken_at == victims[0].id and "changed" in verdict.reason
    await _tamper(engine, f"UPDATE audit_event SET operation = '{victims[0].operation}' WHERE id = {victims[0].id}")
    await _tamper(engine, f"DELETE FROM audit_event WHERE id = {victims[1].id}")
    async with sessions() as s:
        verdict = await chain.verify(s)
    assert verdict.broken_at == victims[2].id and "removed" in verdict.reason


async def _tamper(engine, statement: str) -> None:
    async with engine.begin() as conn:
        if BACKEND == "postgresql":
            await conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            await conn.execute(text(statement))
            await conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        else:
            triggers = (await conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                                "AND tbl_name = 'audit_event'"))).all()
            for name, _ in triggers:
                await conn.execute(text(f"DROP TRIGGER {name}"))
            await conn.execute(text(statement))
            for _, sql in triggers:
                await conn.execute(text(sql))


async def test_rows_can_be_sealed_once_and_never_changed(gql, world, sessions, engine):
    await _log(gql, world)
    async with transaction(sessions) as s:
        await chain.seal(s)
    [row] = (await _rows(sessions, actor_id=world.coordinator_id))[-1:]
    for statement in (f"UPDATE audit_event SET operation = 'x' WHERE id = {row.id}",
                      f"UPDATE audit_event SET row_hash = NULL WHERE id = {row.id}",
                      f"DELETE FROM audit_event WHERE id = {row.id}"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))


@pytest.mark.skipif(BACKEND != "postgresql", reason="TRUNCATE and roles are PostgreSQL's")
async def test_truncate_is_refused_and_the_applications_role_cannot_touch_the_trail(engine, settings, gql, world):
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("TRUNCATE audit_event"))
    role, password = f"renkei_app_{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    await create_app_role(engine, role, password)
    await create_app_role(engine, role, password)   # idempotent
    url = engine.url.set(username=role, password=password).render_as_string(hide_password=False)
    app_engine = make_engine(url)
    try:
        await _log(gql, world, 2)
        # the application's role writes and reads rows, and seals them
        async with transaction(make_sessions(app_engine)) as s:
            s.add(AuditEvent(actor_id=None, actor_role="ADMIN", operation="test.write", entity_type="test"))
            await s.flush()
            assert await chain.seal(s) >= 1
        for statement in ("UPDATE audit_event SET operation = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event",
                          "ALTER TABLE audit_event DISABLE TRIGGER USER", "DROP TRIGGER audit_event_append_only ON audit_event"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner|append-only"):
                async with app_engine.begin() as conn:
                    await conn.execute(text(statement))
    finally:
        await app_engine.dispose()
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP OWNED BY {role}"))
            await conn.execute(text(f"DROP ROLE {role}"))
