"""The set-up client: areas, hubs, accounts; tokens shown once and stored as hashes."""

import hashlib

from sqlalchemy import select

from backend.accounts.models import ApiToken
from tests.helpers import operation

AREA = operation("admin.graphql", "CreateArea")
HUB = operation("admin.graphql", "CreateHub")
USER = operation("admin.graphql", "CreateUser")
ME = operation("admin.graphql", "Me")
TAXONOMY = operation("coordinator.graphql", "Taxonomy")


async def test_admin_sets_up_an_area_a_hub_and_a_coordinator_who_can_sign_in(gql, world, sessions):
    area = (await gql(world.admin, AREA, {"input": {"prefectureCode": "15", "name": "魚沼圏域-admin-test",
                                                    "municipalityCodes": ["15225", "152269"]}}))["data"]["createArea"]
    assert area["userErrors"] == []
    assert area["area"]["prefecture"] == {"code": "15", "name": "新潟県"}
    assert [m["code"] for m in area["area"]["municipalities"]] == ["15225", "15226"]
    hub = (await gql(world.admin, HUB, {"input": {"areaId": area["area"]["id"], "name": "魚沼拠点"}}))["data"]["createHub"]
    assert hub["userErrors"] == [] and hub["hub"]["area"]["name"] == "魚沼圏域-admin-test"
    user = (await gql(world.admin, USER, {"input": {"email": "new.coordinator@example.jp", "displayName": "新 コーディネーター",
                                                    "role": "COORDINATOR", "hubId": hub["hub"]["id"]}}))["data"]["createUser"]
    assert user["userErrors"] == [] and user["apiToken"]
    me = (await gql(user["apiToken"], ME))["data"]["me"]
    assert me["role"] == "COORDINATOR" and me["hub"]["name"] == "魚沼拠点" and me["email"] == "new.coordinator@example.jp"
    async with sessions() as s:
        hashes = set(await s.scalars(select(ApiToken.token_hash)))
    assert hashlib.sha256(user["apiToken"].encode()).hexdigest() in hashes
    assert user["apiToken"] not in hashes


async def test_set_up_mistakes_are_user_errors(gql, world):
    cases = [
        (AREA, {"input": {"prefectureCode": "15", "name": "x", "municipalityCodes": ["24201"]}}, "createArea", ["input", "municipalityCodes", "0"]),
        (AREA, {"input": {"prefectureCode": "99", "name": "x", "municipalityCodes": ["15202"]}}, "createArea", ["input", "prefectureCode"]),
        (AREA, {"input": {"prefectureCode": "15", "name": "x", "municipalityCodes": ["152020"]}}, "createArea", ["input", "municipalityCodes", "0"]),
        (HUB, {"input": {"areaId": "987654321", "name": "x"}}, "createHub", ["input", "areaId"]),
        (USER, {"input": {"email": "not-an-address", "displayName": "x", "role": "ADMIN"}}, "createUser", ["input", "email"]),
        (USER, {"input": {"email": "c@example.jp", "displayName": "x", "role": "COORDINATOR"}}, "createUser", ["input", "hubId"]),
        (USER, {"input": {"email": "a@example.jp", "displayName": "x", "role": "PREFECTURE_ANALYST"}}, "createUser", ["input", "prefectureCode"]),
    ]
    for query, variables, field, path in cases:
        out = (await gql(world.admin, query, variables))["data"][field]
        assert out["userErrors"] and out["userErrors"][0]["field"] == path, (variables, out)


async def test_only_an_admin_sets_up(gql, world):
    for role in ("coordinator", "manager", "analyst"):
        out = (await gql(getattr(world, role), HUB, {"input": {"areaId": str(world.area_id), "name": "乗っ取り"}}))["data"]["createHub"]
        assert out["hub"] is None and out["userErrors"][0]["code"] == "FORBIDDEN"


async def test_duplicate_email_is_refused(gql, world):
    variables = {"input": {"email": "twice@example.jp", "displayName": "x", "role": "ADMIN"}}
    assert (await gql(world.admin, USER, variables))["data"]["createUser"]["userErrors"] == []
    again = (await gql(world.admin, USER, variables))["data"]["createUser"]
    assert again["userErrors"][0]["code"] == "DUPLICATE" and again["apiToken"] is None


async def test_email_of_another_user_is_hidden(gql, world):
    body = await gql(world.coordinator, "query { consultations(first: 1) { totalCount } me { email } }")
    assert body["data"]["me"]["email"]


async def test_taxonomy_serves_every_enum_with_japanese_labels(gql, world):
    t = (await gql(world.coordinator, TAXONOMY))["data"]["taxonomy"]
    scenes = {s["value"]: s["label"] for s in t["careScenes"]}
    assert scenes["END_OF_LIFE"] == "看取り" and len(scenes) == 8
    assert {c["value"]: c["scene"] for c in t["categories"]}["DEATH_CERTIFICATION"] == "END_OF_LIFE"
    assert len(t["callerRoles"]) == 22 and len(t["organizationTypes"]) == 23 and len(t["channels"]) == 11
    assert {o["value"]: o["label"] for o in t["outcomes"]}["UNRESOLVED_NO_RESOURCE"] == "未解決（資源不足）"
    assert len(t["subjectFlags"]) == 7 and len(t["careLevels"]) == 12


async def test_revoked_token_is_refused(gql, world, http):
    me = (await gql(world.coordinator2, ME))["data"]["me"]
    out = await gql(world.admin, "mutation($id: ID!) { revokeUserTokens(userId: $id) { revoked userErrors { code } } }",
                    {"id": me["id"]})
    assert out["data"]["revokeUserTokens"]["revoked"] == 1
    r = await http.post("/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {world.coordinator2}"})
    assert r.status_code == 401


async def test_hub_users_see_their_hubs_prefecture(gql, world):
    me = (await gql(world.coordinator, ME))["data"]["me"]
    assert me["prefecture"] == {"code": "15", "name": "新潟県"}
