"""HSDS 3.1: the API's required read-only endpoints with the same bearer token, and the exports."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import time_machine

from backend.resources import hsds
from tests import clock
from tests.resources.directory import DETAIL, new_service, set_areas, set_openings, soon, tag, verify
from tests.resources.test_capacity_and_roles import _capacity


async def _entry(gql, world, facility):
    t = tag()
    sid = await new_service(gql, world.coordinator, f"エイチエスディーエス{t}", phone="0258-12-3456")
    await verify(gql, world.coordinator, sid, {"ventilator": "YES", "pediatric": "CONSULT"})
    await set_openings(gql, world.coordinator, sid, [([0, 1, 2, 3, 4], "09:00", "17:00"), ([7], "10:00", "12:00")])
    await set_areas(gql, world.coordinator, sid, [("15202", "大手通1丁目")])
    detail = (await gql(world.coordinator, DETAIL, {"id": sid}))["data"]["resourceService"]
    return t, sid, detail["uid"]


async def test_the_root_endpoint_says_version_profile_and_openapi(http, world):
    r = await http.get("/hsds/", headers={"Authorization": f"Bearer {world.coordinator}"})
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == "3.1" and body["openapi_url"].endswith("openapi.json") and body["profile"]
    assert (await http.get("/hsds/")).status_code == 401
    assert (await http.get("/hsds/services", headers={"Authorization": "Bearer rk_wrong"})).status_code == 401


async def test_services_are_paged_and_filtered_and_one_is_fully_nested(http, gql, world, facility):
    t, sid, uid = await _entry(gql, world, facility)
    auth = {"Authorization": f"Bearer {world.analyst}"}
    page = (await http.get("/hsds/services", params={"search": t, "per_page": 5}, headers=auth)).json()
    assert (page["total_items"], page["page_number"], page["first_page"], page["last_page"], page["empty"]) == (1, 1, True, True, False)
    [item] = page["contents"]
    assert item["id"] == uid and item["assured_date"] == clock.today().isoformat() and "phones" not in item
    term = hsds.term_id("ventilator")
    assert (await http.get("/hsds/services", params={"search": t, "taxonomy_term_id": term}, headers=auth)).json()["total_items"] == 1
    assert (await http.get("/hsds/services", params={"search": t, "taxonomy_term_id": hsds.term_id("pediatric")},
                           headers=auth)).json()["total_items"] == 0      # 要相談 is not 可
    full = (await http.get(f"/hsds/services/{uid}", headers=auth)).json()
    assert full["phones"][0]["number"] == "0258-12-3456"
    days = {(s["freq"], s["byday"], s["opens_at"], s["description"]) for s in full["schedules"]}
    assert ("WEEKLY", "MO", "09:00", None) in days and (None, None, "10:00", "祝日") in days
    assert full["service_areas"][0]["name"] == "長岡市 大手通1丁目"
    attrs = {a["taxonomy_term"]["code"]: a for a in full["attributes"]}
    assert attrs["ventilator"]["value"] == "可" and attrs["pediatric"]["value"] == "要相談"
    [provenance] = attrs["ventilator"]["metadata"]
    assert provenance["last_action_date"] == clock.today().isoformat() and provenance["last_action_type"] == "デスク確認"
    assert (await http.get("/hsds/services/00000000-0000-0000-0000-000000000000", headers=auth)).status_code == 404


async def test_a_facility_contact_reads_only_its_own_entry_through_hsds(http, gql, world, facility):
    _, sid, uid = await _entry(gql, world, facility)
    auth = {"Authorization": f"Bearer {facility.token}"}
    assert (await http.get(f"/hsds/services/{uid}", headers=auth)).status_code == 404
    page = (await http.get("/hsds/services", params={"per_page": 100}, headers=auth)).json()
    mine = (await gql(world.coordinator, DETAIL, {"id": facility.service_id}))["data"]["resourceService"]["uid"]
    assert [c["id"] for c in page["contents"]] == [mine]


async def test_exports_leave_out_expired_vacancy_and_carry_the_credits(http, gql, world, facility):
    await _capacity(gql, facility.token, facility.service_id, 4, valid_until=soon(1))
    uid = (await gql(world.coordinator, DETAIL, {"id": facility.service_id}))["data"]["resourceService"]["uid"]
    auth = {"Authorization": f"Bearer {world.coordinator}"}
    body = json.loads((await http.get("/hsds/export/services.json", headers=auth)).content)
    [mine] = [s for s in body["services"] if s["id"] == uid]
    assert mine["capacities"][0]["available"] == 4 and mine["capacities"][0]["unit"]["name"] == "床"
    with time_machine.travel(clock.now() + timedelta(hours=2), tick=False):
        body = json.loads((await http.get("/hsds/export/services.json", headers=auth)).content)
        zipped = (await http.get("/hsds/export/datapackage.zip", headers=auth)).content
    [mine] = [s for s in body["services"] if s["id"] == uid]
    assert mine["capacities"] == []
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        package = json.loads(z.read("datapackage.json"))
        names = {r["name"] for r in package["resources"]}
        assert {"service", "organization", "schedule", "attribute", "taxonomy_term", "service_capacity", "unit"} <= names
        services = list(csv.DictReader(io.StringIO(z.read("services.csv").decode("utf-8"))))
        assert uid in {s["id"] for s in services}
        terms = list(csv.DictReader(io.StringIO(z.read("taxonomy_terms.csv").decode("utf-8"))))
        assert len(terms) == 34 and {t["code"] for t in terms} >= {"ventilator", "pediatric", "suction"}
        capacity = list(csv.DictReader(io.StringIO(z.read("service_capacity.csv").decode("utf-8"))))
        assert all(c["service_id"] != uid for c in capacity)
    assert (await http.get("/hsds/export/datapackage.zip", headers={"Authorization": f"Bearer {facility.token}"})).status_code == 404
