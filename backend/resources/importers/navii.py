"""医療情報ネット（ナビイ）open data, as published by the 厚生労働省 twice a year (each file UTF-8 with a
BOM, its date in its name: 01-1_hospital_facility_info_20251201.csv):

- facility files, one per kind (01-1 hospital, 02-1 clinic, 03-1 dental, 05 pharmacy): ID (13 digits),
  正式名称 (薬局: 名称), 正式名称（フリガナ） (薬局: フリガナ), 都道府県コード, 市区町村コード (3 digits), 所在地,
  所在地座標（緯度）, 所在地座標（経度）, 案内用ホームページアドレス (薬局: 薬局のホームページアドレス),
  毎週決まった曜日に休診（月）… （日）, 祝日に休診; pharmacies carry their hours as
  {月…日,祝}_開店時間帯{1…4}_開始時間 / _終了時間.
- hours files for hospitals, clinics and dental clinics (01-2, 02-2, 03-2 …_speciality_hours_…csv):
  ID, 診療科目コード, 診療科目名, 診療時間帯, {月…日,祝}_診療開始時間 / _診療終了時間 (and 外来受付).
  A facility's opening hours are the union of its 診療科' hours, less the weekdays it says it is closed.

Refused: an ID that is not 13 digits or appears twice, an unknown municipality, coordinates outside
Japan, a time that is not a time."""

import re
from datetime import date

from backend.regions import codes
from backend.resources.importers.common import (JAPAN_LAT, JAPAN_LON, Columns, Hours, ImportRefused, Parsed, Problem,
                                                Record, cell, clean_url, coordinate, csv_rows, decode, merge_openings,
                                                raw_cell)
from backend.resources.opening import HOLIDAY, parse_minutes
from backend.resources.vocabulary import IdentifierScheme, ServiceKind

SCHEME = IdentifierScheme.NAVII.value
DAYS = "月火水木金土日祝"
FACILITY_KINDS = {"navii-hospital": ServiceKind.HOSPITAL, "navii-clinic": ServiceKind.CLINIC,
                  "navii-dental": ServiceKind.DENTAL_CLINIC, "navii-pharmacy": ServiceKind.PHARMACY}


def _municipality(pref: str, city: str) -> str | None:
    pref, city = re.sub(r"\D", "", pref), re.sub(r"\D", "", city)
    if len(city) in (5, 6):
        try:
            return codes.parse_municipality_code(city)
        except codes.InvalidMunicipalityCode:
            return None
    if not pref or not city or len(pref) > 2 or len(city) > 3:
        return None
    code = pref.zfill(2) + city.zfill(3)
    return code if codes.lookup(code) else None


def _time_pair(row: list[str], cols: Columns, start_index: int | None, end_index: int | None, line: int,
               problems: list[Problem]) -> tuple[int, int] | None:
    start, end = cell(row, start_index), cell(row, end_index)
    if not start and not end:
        return None
    opens, closes = parse_minutes(start), parse_minutes(end)
    if start and opens is None:
        problems.append(Problem(line, cols.label(start_index), f"時刻ではありません（「{start}」）。"))
        return None
    if end and closes is None:
        problems.append(Problem(line, cols.label(end_index), f"時刻ではありません（「{end}」）。"))
        return None
    if opens is None or closes is None or opens == closes:
        return None                                          # half a pair, or no time at all: says nothing
    return opens % (24 * 60), closes


def parse_facilities(data: bytes, *, kind_name: str, as_of: date) -> Parsed:
    kind = FACILITY_KINDS[kind_name]
    rows = csv_rows(decode(data))
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportRefused([Problem(1, "見出し", "空のファイルです。")]) from None
    cols = Columns(header)
    problems: list[Problem] = []
    c_id = cols.require(problems, "ID")
    c_name = cols.require(problems, "正式名称", "名称")
    c_pref = cols.require(problems, "都道府県コード")
    c_city = cols.require(problems, "市区町村コード")
    if problems:
        raise ImportRefused(problems)
    c_kana = cols.find("正式名称（フリガナ）", "フリガナ")
    c_address = cols.find("所在地")
    c_lat, c_lon = cols.find("所在地座標（緯度）"), cols.find("所在地座標（経度）")
    c_url = cols.find("案内用ホームページアドレス", "薬局のホームページアドレス")
    c_phone = cols.find("電話番号", "案内用電話番号")
    c_closed = [cols.find(f"毎週決まった曜日に休診（{d}）", f"定期閉店毎週（{d}）") for d in DAYS[:7]]
    c_closed_holiday = cols.find("祝日に休診", "祝日に閉店")
    slots = [(i, cols.find(f"{d}_開店時間帯{n}_開始時間"), cols.find(f"{d}_開店時間帯{n}_終了時間"))
             for i, d in enumerate(DAYS) for n in range(1, 5)]
    slots = [s for s in slots if s[1] is not None and s[2] is not None]
    records: list[Record] = []
    warnings: list[Problem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(v.strip() for v in row):
            continue
        value = cell(row, c_id)
        if not re.fullmatch(r"\d{13}", value):
            problems.append(Problem(line, cols.label(c_id), f"ID は13桁の数字です（「{value}」）。"))
            continue
        if value in seen:
            problems.append(Problem(line, cols.label(c_id), f"ID {value} が{seen[value]}行目にもあります。"))
            continue
        seen[value] = line
        name = raw_cell(row, c_name)
        if not name:
            problems.append(Problem(line, cols.label(c_name), "名称が空です。"))
            continue
        municipality = _municipality(cell(row, c_pref), cell(row, c_city))
        if municipality is None:
            problems.append(Problem(line, cols.label(c_city),
                                    f"都道府県コード「{cell(row, c_pref)}」と市区町村コード「{cell(row, c_city)}」の市町村がありません。"))
            continue
        lat, lon = coordinate(cell(row, c_lat), JAPAN_LAT), coordinate(cell(row, c_lon), JAPAN_LON)
        for v, c in ((lat, c_lat), (lon, c_lon)):
            if isinstance(v, str):
                problems.append(Problem(line, cols.label(c), v))
        closed = [i for i, c in enumerate(c_closed) if cell(row, c) == "1"]
        if cell(row, c_closed_holiday) == "1":
            closed.append(HOLIDAY)
        openings = None
        if slots:
            openings = []
            for day, s, e in slots:
                pair = _time_pair(row, cols, s, e, line, problems)
                if pair:
                    openings.append((day, *pair))
            openings = merge_openings(openings)
        url_text = cell(row, c_url)
        url = clean_url(url_text) or (clean_url("http://" + url_text) if re.match(r"^[\w.-]+\.[a-z]{2,}(/\S*)?$", url_text)
                                      else None)
        if url_text and not url:
            warnings.append(Problem(line, cols.label(c_url), "URL ではないため取り込みませんでした。"))
        records.append(Record(
            line=line, scheme=SCHEME, value=value, kind=kind, name=name, municipality_code=municipality,
            name_kana=raw_cell(row, c_kana) or None, service_type=kind.label, address=raw_cell(row, c_address) or None,
            latitude=lat if isinstance(lat, float) else None, longitude=lon if isinstance(lon, float) else None,
            phone=cell(row, c_phone) or None, url=url, openings=openings, closed_days=closed))
    if problems:
        raise ImportRefused(problems)
    return Parsed(source="navii", kind=kind_name, as_of=as_of, records=records, warnings=warnings)


def parse_hours(data: bytes, *, as_of: date) -> Parsed:
    rows = csv_rows(decode(data))
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportRefused([Problem(1, "見出し", "空のファイルです。")]) from None
    cols = Columns(header)
    problems: list[Problem] = []
    c_id = cols.require(problems, "ID")
    pairs = [(i, cols.find(f"{d}_診療開始時間"), cols.find(f"{d}_診療終了時間")) for i, d in enumerate(DAYS)]
    pairs = [p for p in pairs if p[1] is not None and p[2] is not None]
    if not pairs:
        problems.append(Problem(1, "月_診療開始時間", "診療時間の列がありません。"))
    if problems:
        raise ImportRefused(problems)
    by_id: dict[str, tuple[int, list]] = {}
    for line, row in rows:
        if not any(v.strip() for v in row):
            continue
        value = cell(row, c_id)
        if not re.fullmatch(r"\d{13}", value):
            problems.append(Problem(line, cols.label(c_id), f"ID は13桁の数字です（「{value}」）。"))
            continue
        first_line, openings = by_id.setdefault(value, (line, []))
        for day, s, e in pairs:
            pair = _time_pair(row, cols, s, e, line, problems)
            if pair:
                openings.append((day, *pair))
    if problems:
        raise ImportRefused(problems)
    hours = [Hours(line=line, scheme=SCHEME, value=v, openings=merge_openings(o)) for v, (line, o) in by_id.items()]
    return Parsed(source="navii", kind="navii-hours", as_of=as_of, records=[], hours=hours)
