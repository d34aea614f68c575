"""The shipped municipality list and the code rules of domain.md."""

import pytest

from backend.regions import codes


def test_every_row_has_a_correct_check_digit_and_a_known_prefecture():
    prefectures = codes.prefecture_names()
    rows = codes.load_municipalities()
    assert len(rows) >= 1900
    for m in rows:
        assert m.code6 == m.code + str(codes.check_digit(m.code)), m
        assert m.prefecture_code == m.code[:2] and m.prefecture_code in prefectures, m


def test_forty_seven_prefectures():
    assert len(codes.load_prefectures()) == 47
    assert codes.prefecture_names()["01"] == "北海道" and codes.prefecture_names()["47"] == "沖縄県"


@pytest.mark.parametrize("code5, code6", [("13101", "131016"), ("01100", "011002")])
def test_documented_examples(code5, code6):
    assert f"{code5}{codes.check_digit(code5)}" == code6
    assert codes.parse_municipality_code(code6) == code5


@pytest.mark.parametrize("code, name", [("01100", "札幌市"), ("14130", "川崎市"), ("01101", "札幌市中央区"),
                                        ("13101", "千代田区"), ("15202", "長岡市")])
def test_designated_cities_wards_and_special_wards_are_listed(code, name):
    assert codes.lookup(code).name == name


def test_full_width_digits_are_accepted():
    assert codes.parse_municipality_code("１３１０１６") == "13101"


@pytest.mark.parametrize("raw, reason", [("131015", "BAD_CHECK_DIGIT"), ("1310", "INVALID_FORMAT"),
                                         ("1310166", "INVALID_FORMAT"), ("13a01", "INVALID_FORMAT"),
                                         ("", "INVALID_FORMAT"), ("-1310", "INVALID_FORMAT")])
def test_malformed_codes_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(codes.InvalidMunicipalityCode) as e:
        codes.parse_municipality_code(raw)
    assert e.value.code == reason and "市町村コード" in e.value.message


@pytest.mark.parametrize("raw, expected", [("13", "13"), ("1", "01"), ("４７", "47")])
def test_prefecture_codes(raw, expected):
    assert codes.parse_prefecture_code(raw) == expected


@pytest.mark.parametrize("raw", ["48", "00", "東京", ""])
def test_bad_prefecture_codes(raw):
    with pytest.raises(codes.InvalidPrefectureCode):
        codes.parse_prefecture_code(raw)
