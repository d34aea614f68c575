"""Search built for a phone call: AND-ed capabilities, coverage, open now/tonight/holiday in Japan time,
kana- and width-insensitive names, ranked by confirmation with staleness shown."""

from datetime import datetime, timedelta

import time_machine

from backend.fiscal import JST
from tests import clock
from tests.api.test_statements import _queries, counting
from tests.resources.directory import names, new_service, search, set_areas, set_openings, tag, verify


async def test_capability_filters_are_anded_and_consult_is_opt_in(gql, world):
    t = tag()
    both = await new_service(gql, world.coordinator, f"両方{t}")
    vent = await new_service(gql, world.coordinator, f"呼吸器だけ{t}")
    maybe = await new_service(gql, world.coordinator, f"要相談{t}")
    await verify(gql, world.coordinator, both, {"ventilator": "YES", "pediatric": "YES"})
    await verify(gql, world.coordinator, vent, {"ventilator": "YES", "pediatric": "NO"})
    await verify(gql, world.coordinator, maybe, {"ventilator": "YES", "pediatric": "CONSULT"})
    wanted = {"text": t, "capabilities": ["ventilator"], "populations": ["pediatric"]}
    assert await names(gql, world.coordinator, wanted) == [f"両方{t}"]
    assert set(await names(gql, world.coordinator, {**wanted, "includeConsult": True})) == {f"両方{t}", f"要相談{t}"}
    assert len(await names(gql, world.coordinator, {"text": t, "capabilities": ["ventilator"]})) == 3


async def test_an_unknown_capability_or_a_non_population_is_refused(gql, world):
    out = await gql(world.coordinator, "query($f: ResourceSearchFilter){ resourceSearch(filter: $f){ totalCount } }",
                    {"f": {"capabilities": ["flying"]}}, expect_errors=True)
    assert out["errors"][0]["message"] == "対応項目「flying」は分類にありません。"
    out = await gql(world.coordinator, "query($f: ResourceSearchFilter){ resourceSearch(filter: $f){ totalCount } }",
                    {"f": {"populations": ["ventilator"]}}, expect_errors=True)
    assert "対象者の項目ではありません" in out["errors"][0]["message"]


async def test_covers_a_municipality_or_one_chome_of_it(gql, world):
    t = tag()
    whole = await new_service(gql, world.coordinator, f"市全域{t}")
    street = await new_service(gql, world.coordinator, f"大手通だけ{t}")
    elsewhere = await new_service(gql, world.coordinator, f"見附{t}", municipality="15211")
    await set_areas(gql, world.coordinator, whole, [("15202", None)])
    assert (await set_areas(gql, world.coordinator, street, [("15202", "大手通一丁目")]))["userErrors"] == []
    assert sorted(await names(gql, world.coordinator, {"text": t, "municipalityCode": "15202"})) == [f"市全域{t}"]
    found = await names(gql, world.coordinator, {"text": t, "municipalityCode": "152021", "chome": "大手通１丁目"})
    assert set(found) == {f"市全域{t}", f"大手通だけ{t}"}
    # an entry nobody gave an area to covers its own municipality, marked as assumed
    assert await names(gql, world.coordinator, {"text": t, "municipalityCode": "15211"}) == [f"見附{t}"]
    del elsewhere


async def test_names_match_whatever_the_width_and_script_of_the_kana(gql, world):
    t = tag()
    await new_service(gql, world.coordinator, f"訪問看護ステーション あおぞら{t}", kana=f"ホウモンカンゴステーションアオゾラ{t}")
    for typed in (f"ｱｵｿﾞﾗ{t}", f"アオゾラ{t}", f"あおぞら{t}", f"すてーしょん あおぞら{t}", f"ほうもんかんご {t}"):
        assert await names(gql, world.coordinator, {"text": typed}) == [f"訪問看護ステーション あおぞら{t}"], typed


async def test_ranked_by_how_recently_capabilities_were_confirmed_with_staleness(gql, world):
    t = tag()
    old = await new_service(gql, world.coordinator, f"古い確認{t}")
    new = await new_service(gql, world.coordinator, f"新しい確認{t}")
    await new_service(gql, world.coordinator, f"未確認{t}")
    await verify(gql, world.coordinator, old, {"home_visit": "YES"}, called_at=clock.now() - timedelta(days=200))
    await verify(gql, world.coordinator, new, {"home_visit": "YES"}, called_at=clock.now() - timedelta(days=3))
    nodes = await search(gql, world.coordinator, {"text": t})
    assert [n["name"] for n in nodes] == [f"新しい確認{t}", f"古い確認{t}", f"未確認{t}"]
    assert [n["staleness"]["level"] for n in nodes] == ["FRESH", "AGING", "NEVER"]
    assert nodes[1]["staleness"]["days"] in (199, 200, 201) and nodes[2]["staleness"]["confirmedOn"] is None


# Monday 12 January 2026 is 成人の日, a public holiday; Sunday the 11th comes before it.
HOLIDAY_EVENING = datetime(2026, 1, 12, 20, 30, tzinfo=JST)
SUNDAY_NIGHT = datetime(2026, 1, 11, 23, 0, tzinfo=JST)


async def _hours_world(gql, world):
    t = tag()
    day_clinic = await new_service(gql, world.coordinator, f"昼だけ{t}", kind="CLINIC")
    night = await new_service(gql, world.coordinator, f"夜間対応{t}", kind="CLINIC")
    holiday = await new_service(gql, world.coordinator, f"祝日当番{t}", kind="CLINIC")
    await set_openings(gql, world.coordinator, day_clinic, [([0, 1, 2, 3, 4], "09:00", "18:00")])
    await set_openings(gql, world.coordinator, night, [([0, 1, 2, 3, 4, 5, 6], "19:00", "07:00")])
    await set_openings(gql, world.coordinator, holiday, [([7], "09:00", "21:00")])
    return t


async def test_open_now_tonight_and_on_a_holiday_in_japan_time(gql, world):
    t = await _hours_world(gql, world)
    with time_machine.travel(HOLIDAY_EVENING.astimezone(JST), tick=False):
        # a holiday Monday: the weekday clinic is shut; the holiday rule applies; the night clinic's Monday
        # evening hours do not (on a holiday only the holiday hours count)
        assert await names(gql, world.coordinator, {"text": t, "openNow": True}) == [f"祝日当番{t}"]
        assert set(await names(gql, world.coordinator, {"text": t, "openTonight": True})) == {f"祝日当番{t}", f"夜間対応{t}"}
        assert set(await names(gql, world.coordinator, {"text": t, "openOn": "2026-01-13"})) == {f"夜間対応{t}", f"昼だけ{t}"}
        assert await names(gql, world.coordinator, {"text": t, "openOn": "2026-01-12"}) == [f"祝日当番{t}"]
    with time_machine.travel(SUNDAY_NIGHT, tick=False):
        # Sunday 23:00: the night clinic is open (its Sunday night)
        assert await names(gql, world.coordinator, {"text": t, "openNow": True}) == [f"夜間対応{t}"]


async def test_open_now_is_shown_on_each_result(gql, world):
    t = await _hours_world(gql, world)
    with time_machine.travel(datetime(2026, 1, 14, 10, 0, tzinfo=JST), tick=False):
        nodes = {n["name"]: n["openNow"] for n in await search(gql, world.coordinator, {"text": t})}
    assert nodes == {f"昼だけ{t}": True, f"夜間対応{t}": False, f"祝日当番{t}": False}


async def test_a_search_page_runs_the_same_statements_for_3_or_20_results(gql, world, app):
    small, large = tag(), tag()
    for i in range(3):
        await verify(gql, world.coordinator, await new_service(gql, world.coordinator, f"少{small}{i}"), {"ventilator": "YES"})
    for i in range(20):
        await verify(gql, world.coordinator, await new_service(gql, world.coordinator, f"多{large}{i}"), {"ventilator": "YES"})
    counts = []
    for t, n in ((small, 3), (large, 20)):
        await search(gql, world.coordinator, {"text": t})
        with counting(app.state.engine) as statements:
            nodes = await search(gql, world.coordinator, {"text": t}, show=["ventilator"])
        assert len(nodes) == n
        counts.append(len(_queries(statements)))
    assert counts[0] == counts[1], counts


async def test_a_facility_contact_searches_nothing(gql, world, facility):
    assert await search(gql, facility.token, {}) == []
