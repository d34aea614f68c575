"""Every role sees exactly its own scope; out of scope answers as if it did not exist."""


import pytest

from tests import clock
from tests.helpers import log_input, operation

LOG = operation("coordinator.graphql", "LogConsultation")
DETAIL = operation("coordinator.graphql", "ConsultationDetail")
RECORD = operation("coordinator.graphql", "RecordAction")
UPDATE = operation("coordinator.graphql", "UpdateConsultation")
CLOSE = operation("coordinator.graphql", "CloseConsultation")
SEARCH = operation("coordinator.graphql", "SearchConsultations")

ROLES = ["coordinator", "manager", "analyst", "admin"]
PLACES = ["own", "other_hub", "other_prefecture"]


@pytest.fixture
async def case(gql, world, other_world, far_world):
    """One consultation in each place, logged by that place's coordinator."""
    worlds = {"own": world, "other_hub": other_world, "other_prefecture": far_world}
    ids = {}
    for place, w in worlds.items():
        out = await gql(w.coordinator, LOG, {"input": log_input(w.municipality_code)})
        ids[place] = out["data"]["logConsultation"]["consultation"]["id"]
    return world, ids


def sees(role: str, place: str) -> bool:
    return role in ("coordinator", "manager") and place == "own"


@pytest.mark.parametrize("role", ROLES)
async def test_read_matrix(gql, case, role):
    world, ids = case
    token = getattr(world, role)
    listed = {e["node"]["id"] for e in (await gql(token, SEARCH, {"filter": {}, "first": 100}))["data"]["consultations"]["edges"]}
    for place in PLACES:
        detail = (await gql(token, DETAIL, {"id": ids[place]}))["data"]["consultation"]
        assert (detail is not None) == sees(role, place), (role, place)
        assert (ids[place] in listed) == sees(role, place), (role, place)


@pytest.mark.parametrize("role", ROLES)
async def test_write_matrix(gql, case, role):
    world, ids = case
    token = getattr(world, role)
    now = clock.now().isoformat()
    for place in PLACES:
        cid = ids[place]
        results = [
            (await gql(token, RECORD, {"input": {"consultationId": cid, "performedAt": now, "type": "FOLLOW_UP_CONTACT"}}))["data"]["recordAction"],
            (await gql(token, UPDATE, {"input": {"id": cid, "version": 2 if sees(role, place) else 1,
                                                 "urgency": 2}}))["data"]["updateConsultation"],
        ]
        for out in results:
            if sees(role, place):
                assert out["userErrors"] == [], (role, place, out)
            else:
                assert out["consultation"] is None and out["userErrors"][0]["code"] == "NOT_FOUND", (role, place, out)
        version = 3 if sees(role, place) else 1
        closed = (await gql(token, CLOSE, {"input": {"id": cid, "version": version, "outcome": "WITHDRAWN"}}))["data"]["closeConsultation"]
        assert (closed["userErrors"] == []) == sees(role, place), (role, place, closed)


async def test_out_of_scope_and_missing_answer_alike(gql, case):
    world, ids = case
    missing = (await gql(world.coordinator, UPDATE, {"input": {"id": "999999999", "version": 1}}))["data"]["updateConsultation"]
    hidden = (await gql(world.coordinator, UPDATE, {"input": {"id": ids["other_hub"], "version": 1}}))["data"]["updateConsultation"]
    assert missing == hidden


@pytest.mark.parametrize("role", ["analyst", "admin"])
async def test_roles_without_a_desk_cannot_log(gql, world, role):
    out = (await gql(getattr(world, role), LOG, {"input": log_input("15202")}))["data"]["logConsultation"]
    assert out["consultation"] is None and out["userErrors"]


async def test_no_token_or_a_bad_token_is_401(http):
    r = await http.post("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 401
    r = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
