"""地方厚生局 届出受理医療機関名簿 (施設基準の届出受理状況), an Excel workbook per 厚生局 and section,
updated monthly. Above the table, a title and the date (「令和7年10月1日現在」); the table's header row
starts with 項番: 項番, 都道府県コード, 都道府県名, 区分, 医療機関番号, 併設医療機関番号, 医療機関記号番号,
医療機関名称, 医療機関所在地（郵便番号）, 医療機関所在地（住所）, 電話番号, FAX番号, 病床数, 受理届出名称,
受理記号, 受理番号, 算定開始年月日, 個別有効開始年月日, 備考… One row per filing; an institution's
columns may be left blank on its following rows. 区分 (医科, 歯科, 薬局 / 調剤, 訪問看護) names the
section when the workbook mixes them; otherwise the operator says it (--section).

An institution's 10-digit code is 都道府県コード + the section's 点数表 digit (医科 1, 歯科 3, 調剤 4,
訪問看護 6) + its 7-digit 医療機関番号. The filings become registration capabilities (届出) through the
symbols and names in capabilities.toml: a registration the 名簿 does not list for an institution it
covers is 不可 on that date.

Refused: no 項番 header, a 医療機関番号 that is not 7 (or 10) digits, an unknown prefecture."""

import io
import re
from dataclasses import dataclass, field
from datetime import date

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from backend.resources import capabilities as taxonomy
from backend.resources.importers.common import (Columns, ImportRefused, Parsed, Problem, Record, japanese_date,
                                                municipality_from_address, nfkc, prefecture_from_name)
from backend.resources.vocabulary import IdentifierScheme, ServiceKind

SCHEME = IdentifierScheme.MEDICAL_INSTITUTION.value
SECTIONS = {  # 区分 → (点数表 digit, kinds it may match)
    "医科": ("1", (ServiceKind.HOSPITAL, ServiceKind.CLINIC)),
    "歯科": ("3", (ServiceKind.DENTAL_CLINIC,)),
    "薬局": ("4", (ServiceKind.PHARMACY,)),
    "調剤": ("4", (ServiceKind.PHARMACY,)),
    "訪問看護": ("6", (ServiceKind.VISITING_NURSE,)),
}
HEADER_SCAN = 15


@dataclass
class _Institution:
    line: int
    code: str
    section: str
    name: str
    prefecture_code: str
    address: str | None
    postal_code: str | None
    phone: str | None
    beds: str | None
    filings: list[tuple[str, str]] = field(default_factory=list)


def section_kinds(section: str) -> tuple[ServiceKind, ...]:
    return SECTIONS[section][1] if section in SECTIONS else ()


def _section(text: str) -> str | None:
    t = nfkc(text)
    return next((s for s in SECTIONS if s in t), None)


def parse(data: bytes, *, as_of: date | None, section: str | None = None) -> Parsed:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRefused([Problem(1, "ファイル", "Excel（.xlsx）として読めません。")]) from None
    problems: list[Problem] = []
    institutions: dict[str, _Institution] = {}
    found_date = None
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header, line = None, 0
        for line, values in enumerate(rows, start=1):
            if line > HEADER_SCAN:
                break
            first = nfkc(values[0]) if values else ""
            if first == "項番":
                header = [nfkc(v) for v in values]
                break
            for v in values or ():
                found_date = found_date or (japanese_date(str(v)) if v else None)
        if header is None:
            problems.append(Problem(1, f"シート「{sheet.title}」", "「項番」で始まる見出しの行が見つかりません。"))
            continue
        _parse_sheet(sheet.title, Columns(header, line), rows, line, section, institutions, problems)
    workbook.close()
    as_of = as_of or found_date
    if as_of is None:
        problems.append(Problem(1, "時点", "名簿の時点（「令和7年10月1日現在」など）が見つかりません。--as-of で指定してください。"))
    if problems or as_of is None:
        raise ImportRefused(problems)
    records = []
    for inst in institutions.values():
        kinds = section_kinds(inst.section)
        records.append(Record(
            line=inst.line, scheme=SCHEME, value=inst.code, kind=kinds[0], name=inst.name,
            municipality_code=municipality_from_address(inst.address or "", inst.prefecture_code),
            address=inst.address, postal_code=inst.postal_code, phone=inst.phone, code=inst.code,
            service_type=inst.section,
            registrations=sorted(set().union(*(taxonomy.registrations_filed(k.value, inst.filings) for k in kinds)))))
    return Parsed(source="kouseikyoku", kind="kouseikyoku", as_of=as_of, records=records)


def _parse_sheet(title: str, cols: Columns, rows, header_line: int, section: str | None,
                 institutions: dict[str, _Institution], problems: list[Problem]) -> None:
    c_number = cols.require(problems, "医療機関番号")
    c_name = cols.require(problems, "医療機関名称")
    c_filing = cols.require(problems, "受理届出名称")
    if min(c_number, c_name, c_filing) < 0:
        return
    c_pref, c_pref_name = cols.find("都道府県コード"), cols.find("都道府県名")
    c_section, c_symbol = cols.find("区分"), cols.find("受理記号")
    c_address = cols.find("医療機関所在地（住所）", "住所", "所在地")
    c_postal = cols.find("医療機関所在地（郵便番号）", "郵便番号")
    c_phone, c_beds = cols.find("電話番号"), cols.find("病床数")
    if section is None and c_section is None:
        problems.append(Problem(header_line, "区分", "区分の列がありません。--section（医科・歯科・薬局・訪問看護）で指定してください。"))
        return

    def at(values, index):
        return values[index] if index is not None and index < len(values) else None

    current: _Institution | None = None
    for line, values in enumerate(rows, start=header_line + 1):
        if not values or not any(v not in (None, "") for v in values):
            continue
        raw_number = nfkc(at(values, c_number))
        if raw_number:
            number = re.sub(r"\D", "", raw_number)
            where = f"{get_column_letter(c_number + 1)}{line}（医療機関番号）"
            pref = nfkc(at(values, c_pref)).zfill(2) if c_pref is not None and nfkc(at(values, c_pref)) else \
                prefecture_from_name(nfkc(at(values, c_pref_name)))
            if pref is None or not re.fullmatch(r"\d{2}", pref):
                problems.append(Problem(line, f"シート「{title}」{where}", "都道府県コード（または都道府県名）が読めません。"))
                continue
            sec = _section(nfkc(at(values, c_section))) if c_section is not None else None
            sec = sec or (_section(section) if section else None)
            if sec is None:
                problems.append(Problem(line, f"シート「{title}」{get_column_letter((c_section or 0) + 1)}{line}（区分）",
                                        "区分が読めません（医科・歯科・薬局・訪問看護）。"))
                continue
            if len(number) == 7:
                code = pref + SECTIONS[sec][0] + number
            elif len(number) == 10 and number.startswith(pref):
                code = number
            else:
                problems.append(Problem(line, f"シート「{title}」{where}", f"医療機関番号は7桁の数字です（「{raw_number}」）。"))
                continue
            current = institutions.get(code)
            if current is None:
                current = institutions[code] = _Institution(
                    line=line, code=code, section=sec, name=str(at(values, c_name) or "").strip(), prefecture_code=pref,
                    address=str(at(values, c_address) or "").strip() or None,
                    postal_code=nfkc(at(values, c_postal)) or None, phone=nfkc(at(values, c_phone)) or None,
                    beds=nfkc(at(values, c_beds)) or None)
                if not current.name:
                    problems.append(Problem(line, f"シート「{title}」{get_column_letter(c_name + 1)}{line}（医療機関名称）",
                                            "医療機関名称が空です。"))
        elif current is None:
            problems.append(Problem(line, f"シート「{title}」{get_column_letter(c_number + 1)}{line}（医療機関番号）",
                                    "最初の届出に医療機関番号がありません。"))
            continue
        filing = str(at(values, c_filing) or "").strip()
        symbol = str(at(values, c_symbol) or "").strip()
        if filing or symbol:
            current.filings.append((symbol, filing))
