"""介護サービス情報公表システム open data: one CSV per service type (jigyosho_130.csv is 訪問看護),
UTF-8 with BOM, one row per office. Columns as published by the 厚生労働省 (24 of them):

都道府県コード又は市町村コード, No, 都道府県名, 市区町村名, 事業所名, 事業所名カナ, サービスの種類, 住所,
方書（ビル名等）, 緯度, 経度, 電話番号, FAX番号, 法人番号, 法人の名称, 事業所番号, 利用可能曜日,
利用可能曜日特記事項, 定員, URL, 高齢者の方と障害者の方が同時一体的に利用できるサービス,
介護保険の通常の指定基準を満たしている, 障害福祉の通常の指定基準を満たしている, 備考

Refused (nothing imported): a missing required column, a 事業所番号 that is not 10 digits or appears
twice for the same service type, a 法人番号 with a wrong check digit, coordinates outside Japan, a
municipality code with a wrong check digit or unknown. Cleaned with a warning: URLs that are not URLs."""

import re
from datetime import date

from backend.regions import codes
from backend.resources.importers.common import (JAPAN_LAT, JAPAN_LON, Columns, ImportRefused, Parsed, Problem, Record,
                                                cell, clean_url, coordinate, corporate_number_ok, csv_rows, decode,
                                                municipality_from_address, nfkc, prefecture_from_name, raw_cell)
from backend.resources.vocabulary import IdentifierScheme, ServiceKind, care_kind

SCHEME = IdentifierScheme.KAIGO_OFFICE.value


def office_value(number: str, kind: ServiceKind) -> str:
    """One office number can carry several service types: the identifier is the pair."""
    return f"{number}/{kind.value}"


def _municipality(raw_code: str, prefecture_name: str, address: str, line: int, label: str,
                  problems: list[Problem]) -> str | None:
    if raw_code:
        try:
            code = codes.parse_municipality_code(raw_code)
        except codes.InvalidMunicipalityCode as e:
            problems.append(Problem(line, label, e.message))
            return None
        if not code.endswith("000"):                 # a prefecture's own code names no municipality
            if codes.lookup(code) is None:
                problems.append(Problem(line, label, f"市町村コード {raw_code} は存在しません。"))
                return None
            return code
    return municipality_from_address(address, prefecture_from_name(prefecture_name) or (raw_code[:2] if raw_code else None))


def parse(data: bytes, *, as_of: date) -> Parsed:
    rows = csv_rows(decode(data))
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportRefused([Problem(1, "見出し", "空のファイルです。")]) from None
    cols = Columns(header)
    problems: list[Problem] = []
    c_number = cols.require(problems, "事業所番号")
    c_name = cols.require(problems, "事業所名")
    c_type = cols.require(problems, "サービスの種類")
    c_address = cols.require(problems, "住所")
    if problems:
        raise ImportRefused(problems)
    c_code = cols.find("都道府県コード又は市町村コード", "都道府県コード又は市区町村コード", "市区町村コード")
    c_pref = cols.find("都道府県名")
    c_kana, c_building = cols.find("事業所名カナ"), cols.find("方書（ビル名等）", "方書")
    c_lat, c_lon = cols.find("緯度"), cols.find("経度")
    c_phone, c_fax = cols.find("電話番号"), cols.find("FAX番号")
    c_corp, c_corp_name = cols.find("法人番号"), cols.find("法人の名称")
    c_capacity, c_url = cols.find("定員"), cols.find("URL")
    records: list[Record] = []
    warnings: list[Problem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(v.strip() for v in row):
            continue
        number = re.sub(r"[\s\-]", "", cell(row, c_number))
        if not re.fullmatch(r"\d{10}", number):
            problems.append(Problem(line, cols.label(c_number), f"事業所番号は10桁の数字です（「{number}」）。"))
            continue
        name = raw_cell(row, c_name)
        if not name:
            problems.append(Problem(line, cols.label(c_name), "事業所名が空です。"))
            continue
        service_type = cell(row, c_type)
        kind = care_kind(service_type)
        value = office_value(number, kind)
        if value in seen:
            problems.append(Problem(line, cols.label(c_number),
                                    f"事業所番号 {number}（{service_type}）が{seen[value]}行目にもあります。"))
            continue
        seen[value] = line
        address = raw_cell(row, c_address)
        municipality = _municipality(cell(row, c_code), cell(row, c_pref), address, line,
                                     cols.label(c_code) if c_code is not None else "都道府県コード又は市町村コード", problems)
        lat = coordinate(cell(row, c_lat), JAPAN_LAT)
        lon = coordinate(cell(row, c_lon), JAPAN_LON)
        for value_or_error, column in ((lat, c_lat), (lon, c_lon)):
            if isinstance(value_or_error, str):
                problems.append(Problem(line, cols.label(column), value_or_error))
        corporate = cell(row, c_corp)
        if corporate and not corporate_number_ok(corporate):
            problems.append(Problem(line, cols.label(c_corp), f"法人番号「{corporate}」は13桁で、検査用数字が合いません。"))
        capacity_text = cell(row, c_capacity)
        capacity = int(capacity_text) if capacity_text.isdigit() and int(capacity_text) > 0 else None
        url_text = cell(row, c_url)
        url = clean_url(url_text)
        if url_text and not url:
            warnings.append(Problem(line, cols.label(c_url), "URL ではないため取り込みませんでした。"))
        records.append(Record(
            line=line, scheme=SCHEME, value=value, kind=kind, name=name, municipality_code=municipality,
            name_kana=raw_cell(row, c_kana) or None, service_type=service_type or None, address=address or None,
            building=raw_cell(row, c_building) or None,
            latitude=lat if isinstance(lat, float) else None, longitude=lon if isinstance(lon, float) else None,
            phone=cell(row, c_phone) or None, fax=cell(row, c_fax) or None, url=url, declared_capacity=capacity,
            corporate_number=corporate or None, corporate_name=raw_cell(row, c_corp_name) or None,
            code=number))
    if problems:
        raise ImportRefused(problems)
    return Parsed(source="kaigo", kind="kaigo", as_of=as_of, records=records, warnings=warnings)


def is_visiting_nurse_station(number: str) -> bool:
    """The third digit of a 介護保険事業所番号 is 6 for a 訪問看護ステーション, whose number is also its
    訪問看護ステーションコード in the 厚生局's lists."""
    return len(number) == 10 and number[2] == "6"


__all__ = ["parse", "office_value", "SCHEME", "nfkc", "is_visiting_nurse_station"]
