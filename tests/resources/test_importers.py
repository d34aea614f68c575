"""Imports of the three source kinds: idempotent, reported, refused whole with line and column."""

from datetime import date

import pytest
from sqlalchemy import func, select

from backend.db import transaction
from backend.resources.importers.common import ImportRefused
from backend.resources.importers.run import import_bytes
from backend.resources.models import (ResourceAttribute, ResourceIdentifier, ResourceImport, ResourceSchedule,
                                      ResourceService, ResourceUnmatched)
from tests.resources.files import (KaigoRow, MeiboInstitution, NaviiRow, kaigo_csv, meibo_xlsx, navii_facility_csv,
                                   navii_hours_csv, navii_id, office_number, unique_digits)

AS_OF = date(2025, 6, 30)


async def _import(sessions, kind, data, name="file.csv", **kw):
    async with transaction(sessions) as s:
        return await import_bytes(s, kind, data, file_name=name, **kw)


async def _service_of(sessions, scheme, value) -> ResourceService:
    async with sessions() as s:
        return await s.scalar(select(ResourceService).join(ResourceIdentifier, ResourceIdentifier.service_id == ResourceService.id)
                              .where(ResourceIdentifier.scheme == scheme, ResourceIdentifier.value == value))


async def test_kaigo_import_adds_entries_and_the_same_file_again_changes_nothing(sessions):
    a, b = office_number(), office_number(third="7")
    data = kaigo_csv([KaigoRow(a, "訪問看護ステーションあおぞら", kana="ホウモンカンゴステーションアオゾラ"),
                      KaigoRow(b, "ヘルパーステーションみどり", service_type="訪問介護", capacity="0", url="info@example.jp")])
    first = await _import(sessions, "kaigo", data, as_of=AS_OF)
    assert (first.added, first.changed, first.unchanged, len(first.unmatched)) == (2, 0, 0, 0)
    assert any("URL" in str(w) for w in first.warnings)
    assert "介護サービス情報公表システム" in first.credit and "PDL1.0" in first.credit and "2025年6月30日" in first.credit
    again = await _import(sessions, "kaigo", data, as_of=AS_OF)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    service = await _service_of(sessions, "kaigo_office", f"{a}/visiting_nurse")
    assert service.kind == "visiting_nurse" and service.municipality_code == "15202"
    assert service.source == "kaigo" and service.source_as_of == AS_OF
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ResourceImport).where(
            ResourceImport.id.in_([first.import_id, again.import_id]))) == 2


async def test_kaigo_change_in_a_later_snapshot_is_reported_changed(sessions):
    number = office_number()
    await _import(sessions, "kaigo", kaigo_csv([KaigoRow(number, "訪問看護ステーションかぜ")]), as_of=AS_OF)
    later = await _import(sessions, "kaigo", kaigo_csv([KaigoRow(number, "訪問看護ステーションかぜ", phone="0258-11-2222")]),
                          as_of=date(2025, 12, 31))
    assert (later.added, later.changed, later.unchanged) == (0, 1, 0)


@pytest.mark.parametrize("broken, line, column, words", [
    (lambda rows: rows[1].__setattr__("number", "12345"), 3, "16列目（事業所番号）", "10桁"),
    (lambda rows: rows[0].__setattr__("corporate", "1234567890123"), 2, "14列目（法人番号）", "検査用数字"),
    (lambda rows: rows[1].__setattr__("lat", "80.1"), 3, "10列目（緯度）", "日本の範囲"),
    (lambda rows: rows[0].__setattr__("code6", "152022"), 2, "1列目（都道府県コード又は市町村コード）", "検査数字"),
])
async def test_a_bad_kaigo_file_is_refused_with_line_and_column_and_nothing_is_written(sessions, broken, line, column,
                                                                                      words):
    rows = [KaigoRow(office_number(), "訪問看護ステーション一"), KaigoRow(office_number(), "訪問看護ステーション二")]
    broken(rows)
    async with sessions() as s:
        before = await s.scalar(select(func.count()).select_from(ResourceImport))
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "kaigo", kaigo_csv(rows), as_of=AS_OF)
    [problem] = e.value.problems
    assert (problem.line, problem.column) == (line, column) and words in problem.message
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ResourceImport)) == before
        assert await s.scalar(select(func.count()).select_from(ResourceIdentifier).where(
            ResourceIdentifier.value.in_([f"{r.number}/visiting_nurse" for r in rows]))) == 0


async def test_a_file_that_is_not_utf8_or_lacks_a_column_is_refused(sessions):
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "kaigo", "事業所番号,事業所名\n".encode("shift_jis"), as_of=AS_OF)
    assert e.value.problems[0].line == 1 and "UTF-8" in e.value.problems[0].message
    header = [h for h in kaigo_csv([]).decode("utf-8-sig").strip().split(",") if h != "事業所番号"]
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "kaigo", kaigo_csv([], header=header), as_of=AS_OF)
    assert (e.value.problems[0].line, e.value.problems[0].column) == (1, "事業所番号")


async def test_navii_clinic_and_its_hours_make_a_schedule_without_its_closed_days(sessions):
    fid = navii_id()
    facility = navii_facility_csv([NaviiRow(fid, "おおてどおりクリニック", closed="日")])
    report = await _import(sessions, "navii-clinic", facility, name="02-1_clinic_facility_info_20251201.csv")
    assert report.added == 1 and report.as_of == date(2025, 12, 1) and "ナビイ" in report.credit
    weekday = {d: ("09:00", "12:00") for d in "月火水木金"}
    hours = navii_hours_csv([(fid, "内科", {**weekday, "日": ("09:00", "12:00")}),
                             (fid, "内科", {"月": ("14:00", "18:00"), "祝": ("10:00", "12:00")}),
                             ("1500000000000", "内科", {"月": ("09:00", "12:00")})])
    report = await _import(sessions, "navii-hours", hours, name="02-2_clinic_speciality_hours_20251201.csv")
    assert report.changed == 1 and [u.reason for u in report.unmatched] == ["unknown_id"]
    service = await _service_of(sessions, "navii", fid)
    async with sessions() as s:
        rows = (await s.execute(select(ResourceSchedule.day, ResourceSchedule.opens_min, ResourceSchedule.closes_min)
                                .where(ResourceSchedule.service_id == service.id)
                                .order_by(ResourceSchedule.day, ResourceSchedule.opens_min))).all()
    # Sunday is a closed day on the facility's own sheet, and it says it closes on holidays
    assert [tuple(r) for r in rows] == [(0, 540, 720), (0, 840, 1080), (1, 540, 720), (2, 540, 720), (3, 540, 720),
                                        (4, 540, 720)]
    again = await _import(sessions, "navii-hours", hours, name="02-2_clinic_speciality_hours_20251201.csv")
    assert (again.changed, again.unchanged) == (0, 1)


async def test_navii_pharmacy_hours_come_from_its_own_file(sessions):
    fid = navii_id()
    data = navii_facility_csv([NaviiRow(fid, "みなみ薬局", closed_holiday=False,
                                        hours={"月": [("09:00", "18:00")], "土": [("09:00", "13:00")],
                                               "祝": [("10:00", "12:00")]})], pharmacy=True)
    await _import(sessions, "navii-pharmacy", data, name="05_pharmacy_20251201.csv")
    service = await _service_of(sessions, "navii", fid)
    async with sessions() as s:
        days = sorted(await s.scalars(select(ResourceSchedule.day).where(ResourceSchedule.service_id == service.id)))
    assert days == [0, 5, 7] and service.kind == "pharmacy"


async def test_a_bad_navii_row_is_refused_with_its_line(sessions):
    data = navii_facility_csv([NaviiRow(navii_id(), "よいクリニック"), NaviiRow("123", "わるいクリニック")])
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "navii-clinic", data, name="02-1_clinic_facility_info_20251201.csv")
    assert (e.value.problems[0].line, e.value.problems[0].column) == (3, "1列目（ID）")
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "navii-clinic", navii_facility_csv([NaviiRow(navii_id(), "まちがいクリニック", city="999")]),
                      name="02-1_clinic_facility_info_20251201.csv")
    assert e.value.problems[0].column == "5列目（市区町村コード）"


async def _registrations(sessions, service_id):
    async with sessions() as s:
        return {a.term: (a.value, a.source, a.confirmed_on) for a in await s.scalars(
            select(ResourceAttribute).where(ResourceAttribute.service_id == service_id))}


async def test_meibo_registrations_match_by_name_phone_and_code_and_an_unlisted_one_is_no(sessions):
    tag = unique_digits(4)
    clinic_id, station = navii_id(), office_number(third="6")
    await _import(sessions, "navii-clinic", navii_facility_csv([NaviiRow(clinic_id, f"さくら在宅クリニック{tag}")]),
                  name="02-1_clinic_facility_info_20251201.csv")
    await _import(sessions, "kaigo", kaigo_csv([KaigoRow(station, f"訪問看護ステーションすみれ{tag}", phone="0258-33-4444")]),
                  as_of=AS_OF)
    hospital = f"ながおか病院{tag}"
    await _import(sessions, "kaigo", kaigo_csv([KaigoRow(office_number(third="1"), hospital, service_type="訪問リハビリテーション")]),
                  as_of=AS_OF)
    book = meibo_xlsx([
        MeiboInstitution(unique_digits(7), f"医療法人社団さくら会　さくら在宅クリニック{tag}",
                         filings=[("在宅療養支援診療所１", "（支援診１）"), ("在宅時医学総合管理料", "（在医総管１）")]),
        MeiboInstitution(station[3:], f"すみれ訪問看護{tag}", section="訪問看護",
                         filings=[("２４時間対応体制加算", ""), ("特別管理加算", "")]),
        MeiboInstitution(unique_digits(7), f"どこにもない診療所{tag}", filings=[("在宅療養支援診療所３", "（支援診３）")]),
    ])
    report = await _import(sessions, "kouseikyoku", book, name="shisetsu_ika_r0710.xlsx")
    assert report.as_of == date(2025, 10, 1) and "厚生局" in report.credit
    methods = sorted(m.method.value for m in report.matched)
    assert methods == ["code", "name_municipality"] and report.changed == 2
    assert [(u.name, u.reason) for u in report.unmatched] == [(f"どこにもない診療所{tag}", "no_candidate")]
    clinic = await _service_of(sessions, "navii", clinic_id)
    regs = await _registrations(sessions, clinic.id)
    assert regs["home_support"] == ("yes", "notification", date(2025, 10, 1))
    assert regs["home_support_enhanced"][0] == "yes"
    nurse = await _service_of(sessions, "kaigo_office", f"{station}/visiting_nurse")
    regs = await _registrations(sessions, nurse.id)
    assert regs["vn_24h"][0] == "yes" and regs["vn_special_management"][0] == "yes"
    assert regs["vn_enhanced"][0] == "no" and regs["vn_psychiatric"][0] == "no"
    async with sessions() as s:
        kept = await s.scalar(select(func.count()).select_from(ResourceUnmatched).where(
            ResourceUnmatched.name == f"どこにもない診療所{tag}"))
    assert kept == 1
    again = await _import(sessions, "kouseikyoku", book, name="shisetsu_ika_r0710.xlsx")
    assert (again.changed, again.unchanged, len(again.unmatched), again.matched) == (0, 2, 1, [])
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(ResourceUnmatched).where(
            ResourceUnmatched.name == f"どこにもない診療所{tag}")) == 1


async def test_meibo_matches_by_phone_when_names_differ(sessions):
    tag = unique_digits(4)
    await _import(sessions, "kaigo", kaigo_csv([KaigoRow(office_number(third="7"), f"ひかり訪問看護{tag}",
                                                         phone=f"025{tag[0]}-{tag[1:3]}-{tag[3]}999")]), as_of=AS_OF)
    book = meibo_xlsx([MeiboInstitution(unique_digits(7), f"訪問看護ステーション光{tag}", section="訪問看護",
                                        phone=f"025{tag[0]}-{tag[1:3]}-{tag[3]}999", filings=[("精神科訪問看護基本療養費", "")])])
    report = await _import(sessions, "kouseikyoku", book, name="houkan.xlsx")
    [m] = report.matched
    assert (m.method.value, m.confidence) == ("phone", 0.9)


async def test_a_bad_meibo_is_refused_with_its_cell(sessions):
    book = meibo_xlsx([MeiboInstitution("12AB", "だめな医院", filings=[("在宅療養支援診療所３", "")])])
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "kouseikyoku", book, name="bad.xlsx")
    assert e.value.problems[0].line == 5 and "E5" in e.value.problems[0].column
    with pytest.raises(ImportRefused) as e:
        await _import(sessions, "kouseikyoku", b"not a workbook", name="bad.xlsx")
    assert "Excel" in e.value.problems[0].message


async def test_a_later_import_does_not_overwrite_what_the_desk_confirmed_after_it(sessions):
    tag = unique_digits(4)
    fid = navii_id()
    await _import(sessions, "navii-clinic", navii_facility_csv([NaviiRow(fid, f"あさひ医院{tag}")]),
                  name="02-1_clinic_facility_info_20251201.csv")
    service = await _service_of(sessions, "navii", fid)
    async with transaction(sessions) as s:
        s.add(ResourceAttribute(service_id=service.id, term="home_support", value="no", source="desk_verified",
                                confirmed_on=date(2025, 11, 5), confirmed_by_label="デスク"))
    await _import(sessions, "kouseikyoku", meibo_xlsx([MeiboInstitution(unique_digits(7), f"あさひ医院{tag}",
                                                                        filings=[("在宅療養支援診療所３", "（支援診３）")])]),
                  name="m.xlsx")
    regs = await _registrations(sessions, service.id)
    assert regs["home_support"] == ("no", "desk_verified", date(2025, 11, 5))
