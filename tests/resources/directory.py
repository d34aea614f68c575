"""Building directory entries through the API, as a desk would."""

import uuid
from datetime import datetime, timedelta

from tests import clock
from tests.helpers import operation

CREATE = operation("resources.graphql", "CreateResourceService")
VERIFY = operation("resources.graphql", "VerifyResourceService")
OPENINGS = operation("resources.graphql", "SetResourceOpenings")
AREAS = operation("resources.graphql", "SetResourceServiceAreas")
SEARCH = operation("resources.graphql", "SearchResources")
DETAIL = operation("resources.graphql", "ResourceServiceDetail")
CAPACITY = operation("resources.graphql", "UpdateResourceCapacity")


def tag() -> str:
    return uuid.uuid4().hex[:6]


async def new_service(gql, token, name, *, kind="VISITING_NURSE", municipality="15202", phone=None, kana=None) -> str:
    out = await gql(token, CREATE, {"input": {"name": name, "kind": kind, "municipalityCode": municipality,
                                              "phone": phone, "nameKana": kana}})
    payload = out["data"]["createResourceService"]
    assert payload["userErrors"] == [], payload
    return payload["service"]["id"]


async def verify(gql, token, service_id, capabilities: dict, *, called_at: datetime | None = None,
                 expect_errors: bool = False) -> dict:
    out = await gql(token, VERIFY, {"input": {
        "serviceId": service_id, "calledAt": (called_at or clock.earlier_today(0.1)).isoformat(), "channel": "PHONE",
        "contactPerson": "管理者", "capabilities": [{"key": k, "value": v} for k, v in capabilities.items()]}})
    payload = out["data"]["verifyResourceService"]
    if not expect_errors:
        assert payload["userErrors"] == [], payload
    return payload


async def set_openings(gql, token, service_id, openings: list[tuple[list[int], str, str]]) -> dict:
    out = await gql(token, OPENINGS, {"input": {"serviceId": service_id, "openings": [
        {"days": d, "opensAt": a, "closesAt": b} for d, a, b in openings]}})
    return out["data"]["setResourceOpenings"]


async def set_areas(gql, token, service_id, areas: list[tuple[str, str | None]]) -> dict:
    out = await gql(token, AREAS, {"input": {"serviceId": service_id, "areas": [
        {"municipalityCode": m, "chome": c} for m, c in areas]}})
    return out["data"]["setResourceServiceAreas"]


async def search(gql, token, filter: dict, *, first=20, show=None) -> list[dict]:
    out = await gql(token, SEARCH, {"filter": filter, "first": first, "show": show})
    return [e["node"] for e in out["data"]["resourceSearch"]["edges"]]


async def names(gql, token, filter: dict) -> list[str]:
    return [n["name"] for n in await search(gql, token, filter)]


def soon(hours: float = 1) -> str:
    return (clock.now() + timedelta(hours=hours)).isoformat()
