"""An admin reviews the crosswalk: confirms a match, splits a wrong one, places an unmatched row."""

from datetime import date

from backend.db import transaction
from backend.resources.importers.run import import_bytes
from tests.helpers import operation
from tests.resources.directory import DETAIL, new_service, tag
from tests.resources.files import KaigoRow, MeiboInstitution, kaigo_csv, meibo_xlsx, office_number, unique_digits

CROSSWALK = operation("resources.graphql", "ResourceCrosswalk")
CONFIRM = operation("resources.graphql", "ConfirmResourceMatch")
SPLIT = operation("resources.graphql", "SplitResourceMatch")
UNMATCHED = operation("resources.graphql", "ResourceUnmatched")
PLACE = operation("resources.graphql", "PlaceUnmatchedResourceRow")


async def _import(sessions, kind, data, **kw):
    async with transaction(sessions) as s:
        return await import_bytes(s, kind, data, file_name="f.xlsx" if kind == "kouseikyoku" else "f.csv", **kw)


async def test_a_name_match_awaits_review_is_confirmed_or_split_by_an_admin(gql, world, sessions):
    t = tag()
    manual = await new_service(gql, world.coordinator, f"まちのクリニック{t}", kind="CLINIC")
    report = await _import(sessions, "kouseikyoku", meibo_xlsx([MeiboInstitution(
        unique_digits(7), f"まちのクリニック{t}", filings=[("在宅療養支援診療所３", "（支援診３）")])]))
    [m] = report.matched
    assert m.service_id == int(manual) and m.method.value == "name_municipality" and m.confidence == 0.7
    review = await gql(world.admin, CROSSWALK, {"needsReview": True, "first": 100})
    ids = {e["node"]["service"]["id"]: e["node"]["id"] for e in review["data"]["resourceCrosswalk"]["edges"]}
    assert manual in ids
    assert (await gql(world.coordinator, CROSSWALK, {"needsReview": True}))["data"]["resourceCrosswalk"]["totalCount"] == 0
    denied = await gql(world.coordinator, CONFIRM, {"identifierId": ids[manual]})
    assert denied["data"]["confirmResourceMatch"]["userErrors"][0]["code"] == "FORBIDDEN"
    split = await gql(world.admin, SPLIT, {"identifierId": ids[manual]})
    new_id = split["data"]["splitResourceMatch"]["service"]["id"]
    assert new_id != manual
    old = (await gql(world.admin, DETAIL, {"id": manual}))["data"]["resourceService"]
    new = (await gql(world.admin, DETAIL, {"id": new_id}))["data"]["resourceService"]
    assert old["capabilities"] == [] and old["identifiers"] == []
    assert {c["key"]: c["value"] for c in new["capabilities"]}["home_support"] == "YES"
    assert new["identifiers"][0]["method"] == "CREATED" and new["identifiers"][0]["confirmed"] is True


async def test_confirming_a_match_makes_it_certain(gql, world, sessions):
    t = tag()
    manual = await new_service(gql, world.coordinator, f"たしかクリニック{t}", kind="CLINIC")
    await _import(sessions, "kouseikyoku", meibo_xlsx([MeiboInstitution(unique_digits(7), f"たしかクリニック{t}",
                                                                        filings=[("在宅療養支援診療所３", "")])]))
    [ident] = (await gql(world.admin, DETAIL, {"id": manual}))["data"]["resourceService"]["identifiers"]
    out = await gql(world.admin, CONFIRM, {"identifierId": ident["id"]})
    assert out["data"]["confirmResourceMatch"]["identifier"] == {"id": ident["id"], "confidence": 1.0, "confirmed": True}


async def test_an_unmatched_row_is_placed_by_an_admin_and_a_later_import_places_the_rest(gql, world, sessions):
    t = tag()
    await _import(sessions, "kouseikyoku", meibo_xlsx([MeiboInstitution(unique_digits(7), f"みつからない医院{t}",
                                                                        filings=[("在宅療養支援診療所３", "")])]))
    station = office_number(third="6")
    await _import(sessions, "kouseikyoku", meibo_xlsx([MeiboInstitution(station[3:], f"あとから訪看{t}", section="訪問看護",
                                                                        filings=[("特別管理加算", "")])]))
    rows = (await gql(world.admin, UNMATCHED, {"first": 100}))["data"]["resourceUnmatched"]["edges"]
    mine = {e["node"]["name"]: e["node"]["id"] for e in rows if t in e["node"]["name"]}
    assert set(mine) == {f"みつからない医院{t}", f"あとから訪看{t}"}
    target = await new_service(gql, world.coordinator, f"別名の医院{t}", kind="CLINIC")
    placed = await gql(world.admin, PLACE, {"unmatchedId": mine[f"みつからない医院{t}"], "serviceId": target})
    assert placed["data"]["placeUnmatchedResourceRow"]["identifier"]["method"] == "ADMIN"
    caps = (await gql(world.admin, DETAIL, {"id": target}))["data"]["resourceService"]["capabilities"]
    assert {c["key"]: c["value"] for c in caps}["home_support"] == "YES"
    report = await _import(sessions, "kaigo", kaigo_csv([KaigoRow(station, f"あとから訪問看護{t}")]), as_of=date(2025, 6, 30))
    assert report.resolved_later >= 1
    rows = (await gql(world.admin, UNMATCHED, {"first": 100}))["data"]["resourceUnmatched"]["edges"]
    assert not [e for e in rows if t in e["node"]["name"]]
