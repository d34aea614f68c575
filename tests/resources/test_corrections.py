"""Corrections and the verification log; capability provenance never uses the update time."""

from datetime import timedelta

from sqlalchemy import select

from backend.audit.models import AuditEvent
from tests import clock
from tests.helpers import operation
from tests.resources.directory import DETAIL, new_service, tag, verify

REPORT = operation("resources.graphql", "ReportResourceCorrection")
QUEUE = operation("resources.graphql", "ResourceCorrections")
RESOLVE = operation("resources.graphql", "ResolveResourceCorrection")
VERIFY_INPUT = operation("resources.graphql", "VerifyResourceService")


async def test_anyone_signed_in_reports_an_inaccuracy_and_the_desk_answers_it_with_a_call(gql, world, facility, sessions):
    sid = await new_service(gql, world.coordinator, f"訂正対象{tag()}")
    reported = await gql(world.analyst, REPORT, {"input": {"serviceId": sid, "field": "capability:ventilator",
                                                           "note": "人工呼吸器は対応をやめたと聞きました"}})
    correction = reported["data"]["reportResourceCorrection"]["correction"]
    assert correction["fieldLabel"] == "対応項目「人工呼吸器」" and correction["status"] == "OPEN"
    bad = await gql(facility.token, REPORT, {"input": {"serviceId": sid, "field": "colour", "note": "x"}})
    assert bad["data"]["reportResourceCorrection"]["userErrors"][0]["code"] in ("NOT_FOUND", "UNKNOWN_FIELD")
    queue = await gql(world.coordinator, QUEUE, {"first": 100})
    assert correction["id"] in [e["node"]["id"] for e in queue["data"]["resourceCorrections"]["edges"]]
    assert (await gql(world.analyst, QUEUE, {}))["data"]["resourceCorrections"]["totalCount"] == 0
    called = clock.now() - timedelta(days=1)
    out = await gql(world.coordinator, VERIFY_INPUT, {"input": {
        "serviceId": sid, "calledAt": called.isoformat(), "channel": "PHONE", "contactPerson": "訪問看護管理者",
        "capabilities": [{"key": "ventilator", "value": "NO"}, {"key": "oxygen_therapy", "value": "YES"}],
        "resolvesCorrections": [correction["id"]]}})
    service = out["data"]["verifyResourceService"]["service"]
    [log] = service["verifications"]
    assert log["contactPerson"] == "訪問看護管理者" and log["verifiedBy"] and log["channel"] == "PHONE"
    assert sorted(log["changedFields"]) == ["capability:oxygen_therapy", "capability:ventilator"]
    caps = {c["key"]: c for c in service["capabilities"]}
    assert caps["ventilator"]["value"] == "NO" and caps["ventilator"]["source"] == "DESK_VERIFIED"
    assert caps["ventilator"]["confirmedBy"] and caps["ventilator"]["confirmedOn"] == service["staleness"]["confirmedOn"]
    queue = await gql(world.coordinator, QUEUE, {"status": "RESOLVED", "first": 100})
    assert correction["id"] in [e["node"]["id"] for e in queue["data"]["resourceCorrections"]["edges"]]
    again = await gql(world.coordinator, RESOLVE, {"id": correction["id"], "status": "DISMISSED"})
    assert again["data"]["resolveResourceCorrection"]["userErrors"][0]["code"] == "ALREADY_RESOLVED"
    async with sessions() as s:
        events = list(await s.scalars(select(AuditEvent).where(AuditEvent.entity_id == sid,
                                                               AuditEvent.operation == "resource.verify")))
    assert events and "訪問看護管理者" not in str(events[0].fields)


async def test_confirming_the_same_value_again_refreshes_the_date_but_changes_nothing(gql, world):
    sid = await new_service(gql, world.coordinator, f"再確認{tag()}")
    await verify(gql, world.coordinator, sid, {"house_call": "YES"}, called_at=clock.now() - timedelta(days=300))
    payload = await verify(gql, world.coordinator, sid, {"house_call": "YES"})
    service = payload["service"]
    assert service["verifications"][0]["changedFields"] == []
    assert service["staleness"]["level"] == "FRESH"


async def test_the_desk_cannot_set_a_capability_that_does_not_apply_to_the_kind(gql, world):
    sid = await new_service(gql, world.coordinator, f"薬局{tag()}", kind="PHARMACY")
    payload = await verify(gql, world.coordinator, sid, {"home_support": "YES"}, expect_errors=True)
    assert payload["userErrors"][0]["code"] == "NOT_APPLICABLE"
    assert payload["userErrors"][0]["field"] == ["input", "capabilities", "0", "key"]
    detail = (await gql(world.coordinator, DETAIL, {"id": sid}))["data"]["resourceService"]
    assert detail["verifications"] == [] and detail["capabilities"] == []


async def test_a_facility_contact_or_an_analyst_cannot_log_a_verification(gql, world, facility):
    for token in (facility.token, world.analyst):
        payload = await verify(gql, token, facility.service_id, {"house_call": "YES"}, expect_errors=True)
        assert payload["userErrors"][0]["code"] == "NOT_FOUND"
