"""Capacity that expires, the FACILITY_CONTACT role scoped to one entry, and the desk's hand on both."""

from datetime import timedelta

import time_machine

from tests import clock
from tests.helpers import operation
from tests.resources.directory import CAPACITY, DETAIL, search, set_openings, soon, tag

MINE = operation("resources.graphql", "MyResourceService")
OWN = operation("resources.graphql", "ReportOwnCapabilities")
CREATE_USER = """mutation($input: CreateUserInput!) { createUser(input: $input) {
  user { id role } apiToken userErrors { field message code } } }"""


async def _capacity(gql, token, service_id, available, *, valid_until=None, unit="BED", maximum=None) -> dict:
    out = await gql(token, CAPACITY, {"input": {"serviceId": service_id, "unit": unit, "available": available,
                                                "maximum": maximum, "validUntil": valid_until or soon(24)}})
    return out["data"]["updateResourceCapacity"]


async def test_vacancy_past_its_validity_reads_unknown_never_the_old_number(gql, world, facility):
    payload = await _capacity(gql, facility.token, facility.service_id, 3, valid_until=soon(2), maximum=20)
    assert payload["userErrors"] == [] and payload["capacity"]["available"] == 3
    t = (await gql(world.coordinator, DETAIL, {"id": facility.service_id}))["data"]["resourceService"]["name"]
    [hit] = await search(gql, world.coordinator, {"text": t, "withVacancy": True})
    assert hit["capacity"] == [{"unitLabel": "床", "available": 3, "maximum": 20, "current": True,
                                "validUntil": hit["capacity"][0]["validUntil"]}]
    with time_machine.travel(clock.now() + timedelta(hours=3), tick=False):
        detail = (await gql(world.coordinator, DETAIL, {"id": facility.service_id}))["data"]["resourceService"]
        assert detail["capacity"][0]["available"] is None and detail["capacity"][0]["current"] is False
        assert detail["capacity"][0]["maximum"] == 20
        assert await search(gql, world.coordinator, {"text": t, "withVacancy": True}) == []


async def test_capacity_input_is_checked(gql, facility):
    cases = [({"available": -1}, "available", "OUT_OF_RANGE"), ({"maximum": 1, "available": 2}, "maximum", "OUT_OF_RANGE"),
             ({"valid_until": (clock.now() - timedelta(minutes=1)).isoformat()}, "validUntil", "IN_PAST"),
             ({"valid_until": soon(24 * 100)}, "validUntil", "OUT_OF_RANGE"),
             ({"valid_until": "2026-13-01T00:00:00+09:00"}, "validUntil", "INVALID_FORMAT")]
    for change, field, code in cases:
        kw = {"available": change.get("available", 1), "maximum": change.get("maximum"),
              "valid_until": change.get("valid_until")}
        payload = await _capacity(gql, facility.token, facility.service_id, kw["available"], maximum=kw["maximum"],
                                  valid_until=kw["valid_until"])
        assert payload["userErrors"][0]["field"] == ["input", field] and payload["userErrors"][0]["code"] == code, change


async def test_a_facility_contact_keeps_one_entry_and_sees_no_other(gql, world, facility):
    mine = (await gql(facility.token, MINE))["data"]["myResourceService"]
    assert mine["id"] == facility.service_id
    other = await _capacity(gql, facility.token, facility.other_service_id, 1)
    assert other["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await gql(facility.token, DETAIL, {"id": facility.other_service_id}))["data"]["resourceService"] is None
    hours = await set_openings(gql, facility.token, facility.service_id, [([0, 1, 2, 3, 4], "08:30", "17:30")])
    assert hours["userErrors"] == [] and len(hours["service"]["openings"]) == 5
    own = await gql(facility.token, OWN, {"input": {"serviceId": facility.service_id,
                                                    "capabilities": [{"key": "tube_feeding", "value": "CONSULT"}]}})
    [cap] = own["data"]["reportOwnCapabilities"]["service"]["capabilities"]
    assert (cap["key"], cap["value"], cap["sourceLabel"], cap["confirmedOn"]) == ("tube_feeding", "CONSULT", "事業所申告",
                                                                                 clock.today().isoformat())
    # the desk may update vacancy for any entry; a desk cannot self-report for a facility
    assert (await _capacity(gql, world.coordinator, facility.other_service_id, 2))["userErrors"] == []
    desk = await gql(world.coordinator, OWN, {"input": {"serviceId": facility.service_id,
                                                        "capabilities": [{"key": "tube_feeding", "value": "YES"}]}})
    assert desk["data"]["reportOwnCapabilities"]["userErrors"][0]["code"] == "FORBIDDEN"
    # an analyst reads the directory but changes nothing in it
    assert (await _capacity(gql, world.analyst, facility.service_id, 5))["userErrors"][0]["code"] == "FORBIDDEN"
    # a facility contact has no consultations
    out = await gql(facility.token, "{ consultations { totalCount } }")
    assert out["data"]["consultations"]["totalCount"] == 0


async def test_an_admin_creates_a_facility_contact_only_with_a_service(gql, world, facility):
    t = tag()
    missing = await gql(world.admin, CREATE_USER, {"input": {"email": f"f-{t}@example.jp", "displayName": "担当",
                                                             "role": "FACILITY_CONTACT"}})
    assert missing["data"]["createUser"]["userErrors"][0]["field"] == ["input", "serviceId"]
    unknown = await gql(world.admin, CREATE_USER, {"input": {"email": f"f-{t}@example.jp", "displayName": "担当",
                                                             "role": "FACILITY_CONTACT", "serviceId": "999999"}})
    assert unknown["data"]["createUser"]["userErrors"][0]["code"] == "NOT_FOUND"
    made = await gql(world.admin, CREATE_USER, {"input": {"email": f"f-{t}@example.jp", "displayName": "担当",
                                                          "role": "FACILITY_CONTACT", "serviceId": facility.service_id}})
    token = made["data"]["createUser"]["apiToken"]
    assert (await gql(token, MINE))["data"]["myResourceService"]["id"] == facility.service_id


async def test_a_hub_role_is_not_tied_to_a_service(gql, world, facility):
    t = tag()
    made = await gql(world.admin, CREATE_USER, {"input": {"email": f"c-{t}@example.jp", "displayName": "コーディネーター",
                                                          "role": "COORDINATOR", "hubId": str(world.hub_id),
                                                          "serviceId": facility.service_id}})
    token = made["data"]["createUser"]["apiToken"]
    assert (await gql(token, MINE))["data"]["myResourceService"] is None
