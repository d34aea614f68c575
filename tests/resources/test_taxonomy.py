"""The capability taxonomy is the issue's list, shipped as data, and every vocabulary has its labels."""

from backend.resources import capabilities
from backend.resources.vocabulary import CapabilitySource, CapabilityValue, DeclineReason
from tests.helpers import operation

ISSUE_ITEMS = {
    "visits": ["訪問診療", "往診・緊急往診", "24時間連絡", "夜間・休日対応", "在宅看取り", "新規受入れ"],
    "registrations": ["在宅療養支援診療所・病院", "機能強化型（在支診・在支病）", "在宅療養支援歯科診療所", "訪問看護 24時間対応体制",
                      "訪問看護 特別管理", "訪問看護 機能強化型", "精神科訪問看護", "在宅患者訪問薬剤管理指導", "無菌調剤", "麻薬"],
    "procedures": ["点滴", "中心静脈栄養", "透析", "ストーマ", "酸素療法", "人工呼吸器", "気管切開", "疼痛管理（医療用麻薬）",
                   "経管栄養・胃ろう", "モニター", "褥瘡", "カテーテル", "喀痰吸引"],
    "populations": ["小児・医療的ケア児", "精神", "認知症", "難病", "がん末期"],
}


def test_the_shipped_taxonomy_is_exactly_the_issues_list_with_stable_bits():
    t = capabilities.taxonomy()
    by_group = {g.key: [c.label for c in t.capabilities if c.group == g.key] for g in t.groups}
    assert by_group == ISSUE_ITEMS
    bits = [c.bit for c in t.capabilities]
    assert len(set(bits)) == len(bits) and max(bits) <= capabilities.MAX_BIT
    assert all(c.applies_to for c in t.capabilities if c.group == "registrations")


def test_values_and_sources_are_the_four_each():
    assert [v.label for v in CapabilityValue] == ["可", "要相談", "不可", "不明"]
    assert [s.label for s in CapabilitySource] == ["届出", "公表", "事業所申告", "デスク確認"]
    assert [r.label for r in DeclineReason] == ["空きなし", "対応地域外", "処置に対応不可", "小児不可", "夜間不可", "その他"]


def test_registrations_map_the_meibo_symbols_whatever_their_width():
    assert capabilities.registrations_filed("clinic", [("（支援診２イ）", "")]) == {"home_support", "home_support_enhanced"}
    assert capabilities.registrations_filed("hospital", [("(支援病3)", "")]) == {"home_support"}
    assert capabilities.registrations_filed("dental_clinic", [("", "在宅療養支援歯科診療所２")]) == {"dental_home_support"}
    assert capabilities.registrations_filed("pharmacy", [("", "在宅患者訪問薬剤管理指導")]) == {"pharmacy_home_visit"}
    assert capabilities.registrations_filed("clinic", [("", "特別管理加算")]) == set()   # not a clinic's registration


def test_a_broken_taxonomy_file_names_the_item(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(capabilities.TAXONOMY_FILE.read_text(encoding="utf-8").replace("bit = 1\n", "bit = 0\n", 1),
                    encoding="utf-8")
    try:
        capabilities._load(path)
    except ValueError as e:
        assert "house_call" in str(e) and "twice" in str(e)
    else:
        raise AssertionError("a bit used twice must be refused")


async def test_the_taxonomy_query_lists_capabilities_and_labels(gql, world):
    out = await gql(world.coordinator, operation("resources.graphql", "ResourceTaxonomy"))
    data = out["data"]["resourceTaxonomy"]
    assert len(data["capabilities"]) == 34 and {"value": "DESK_VERIFIED", "label": "デスク確認"} in data["sources"]
    assert out["data"]["resourceCalendar"]["nextHolidayName"]
    roles = (await gql(world.coordinator, "{ taxonomy { roles { value label } } }"))["data"]["taxonomy"]["roles"]
    assert {"value": "FACILITY_CONTACT", "label": "事業所担当者"} in roles
