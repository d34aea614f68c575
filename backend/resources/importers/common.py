"""What every importer shares: reading UTF-8 CSV with line numbers, problems with line and column,
the normalised record, dates in the Japanese calendar, municipalities from addresses."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache

from backend.regions import codes
from backend.resources.vocabulary import ServiceKind

JAPAN_LAT = (20.0, 46.0)
JAPAN_LON = (122.0, 154.0)
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    line: int
    column: str          # the header's name, or a spreadsheet cell such as "H12"
    message: str

    def __str__(self) -> str:
        return f"{self.line}行目 {self.column}: {self.message}"


class ImportRefused(Exception):
    """The file is not imported at all; `problems` say where (line and column) and why, in Japanese."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.more = max(0, len(problems) - MAX_PROBLEMS)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass
class Record:
    """One row of a source, normalised. `openings` None means the source says nothing about hours;
    `registrations` None means it says nothing about registrations (a 名簿 row lists them all)."""

    line: int
    scheme: str
    value: str
    kind: ServiceKind
    name: str
    municipality_code: str | None = None
    name_kana: str | None = None
    service_type: str | None = None
    address: str | None = None
    building: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    fax: str | None = None
    url: str | None = None
    declared_capacity: int | None = None
    corporate_number: str | None = None
    corporate_name: str | None = None
    code: str | None = None          # a code another source also uses for the same service (訪問看護ステーション)
    openings: list[tuple[int, int, int]] | None = None
    closed_days: list[int] | None = None      # weekdays (and 7, holidays) the facility says it is closed
    registrations: list[str] | None = None

    def payload(self) -> dict:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data


@dataclass
class Hours:
    """Opening hours for an entry another file created (ナビイ's 診療科・診療時間 file)."""

    line: int
    scheme: str
    value: str
    openings: list[tuple[int, int, int]]


@dataclass
class Parsed:
    source: str
    kind: str
    as_of: date
    records: list[Record]
    warnings: list[Problem] = field(default_factory=list)
    hours: list[Hours] = field(default_factory=list)


def merge_openings(openings: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """One day's overlapping or touching openings as one (the union of all 診療科' hours)."""
    out: list[tuple[int, int, int]] = []
    for day, opens, closes in sorted(openings):
        if out and out[-1][0] == day and opens <= out[-1][2] and out[-1][2] > out[-1][1]:
            out[-1] = (day, out[-1][1], max(out[-1][2], closes))
        else:
            out.append((day, opens, closes))
    return out


def nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def decode(data: bytes) -> str:
    """UTF-8, with or without a BOM; anything else is refused at the line where decoding failed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ImportRefused([Problem(line, "文字コード", "UTF-8 として読めません（Shift_JIS のファイルは UTF-8 に変換してください）。")]) from None


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells); a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as e:
        raise ImportRefused([Problem(reader.line_num, "CSV", f"CSV として読めません（{e}）。")]) from None


class Columns:
    """A header: finds columns by name (or one of its aliases), reports a missing one on line 1."""

    def __init__(self, header: list[str], line: int = 1) -> None:
        self.names = [nfkc(h) for h in header]
        self.line = line

    def find(self, *names: str) -> int | None:
        for name in names:
            key = nfkc(name)
            if key in self.names:
                return self.names.index(key)
        return None

    def require(self, problems: list[Problem], *names: str) -> int:
        index = self.find(*names)
        if index is None:
            problems.append(Problem(self.line, names[0], "この列がありません（公開されている列の定義と照らしてください）。"))
            return -1
        return index

    def label(self, index: int | None) -> str:
        if index is None or not 0 <= index < len(self.names):
            return "列"
        return f"{index + 1}列目（{self.names[index]}）"


def cell(row: list[str], index: int | None) -> str:
    if index is None or index < 0 or index >= len(row):
        return ""
    return nfkc(row[index])


def raw_cell(row: list[str], index: int | None) -> str:
    """As published, only stripped (names keep their width: 〇〇クリニック is shown as it is written)."""
    if index is None or index < 0 or index >= len(row):
        return ""
    return str(row[index]).strip()


def coordinate(text: str, bounds: tuple[float, float]) -> float | None | str:
    """A coordinate, None when blank or 0 (the sources' "not registered"), or an error message."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return "数値ではありません。"
    if value == 0:
        return None
    if not bounds[0] <= value <= bounds[1]:
        return f"日本の範囲（{bounds[0]}〜{bounds[1]}）の外です。"
    return value


def corporate_number_ok(number: str) -> bool:
    """法人番号: 13 digits whose first is the check digit of the other twelve."""
    if not re.fullmatch(r"\d{13}", number):
        return False
    digits = [int(c) for c in number[1:]]
    total = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(digits)))
    return int(number[0]) == 9 - total % 9


def clean_url(text: str) -> str | None:
    match = re.search(r"https?://[^\s　、,]+", text or "")
    return match.group(0)[:500] if match else None


_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}


def japanese_date(text: str) -> date | None:
    """令和7年10月1日 / R7.10.1 / 2025年10月1日 / 2025-10-01 → date (None when there is none)."""
    t = nfkc(text).replace("元年", "1年")
    m = re.search(r"(令和|平成|昭和)(\d{1,2})年(\d{1,2})月(\d{1,2})日", t)
    if m:
        return _date(_ERAS[m.group(1)] + int(m.group(2)), int(m.group(3)), int(m.group(4)))
    m = re.search(r"\b([RH])(\d{1,2})\.(\d{1,2})\.(\d{1,2})\b", t)
    if m:
        return _date((2018 if m.group(1) == "R" else 1988) + int(m.group(2)), int(m.group(3)), int(m.group(4)))
    m = re.search(r"(\d{4})[年/\-.](\d{1,2})[月/\-.](\d{1,2})", t)
    if m:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def date_in_name(file_name: str) -> date | None:
    m = re.search(r"(20\d{2})(\d{2})(\d{2})", file_name)
    return _date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


@cache
def _municipalities_by_prefecture() -> dict[str, list[tuple[str, str]]]:
    """prefecture code → (name as an address starts with it, code), longest names first; a 郡 is optional."""
    out: dict[str, list[tuple[str, str]]] = {}
    for m in codes.load_municipalities():
        names = {m.name}
        if "郡" in m.name:
            names.add(m.name.split("郡", 1)[1])
        for name in names:
            out.setdefault(m.prefecture_code, []).append((name, m.code))
    for rows in out.values():
        rows.sort(key=lambda r: -len(r[0]))
    return out


def municipality_from_address(address: str, prefecture_code: str | None) -> str | None:
    """The municipality an address is in: the longest municipality name (a ward before its city) it
    starts with after the prefecture. None when the prefecture is unknown or nothing matches."""
    text = re.sub(r"^〒?\s*\d{3}-?\d{4}\s*", "", nfkc(address))
    names = codes.prefecture_names()
    if prefecture_code is None:
        prefecture_code = next((c for c, n in names.items() if text.startswith(n)), None)
    if prefecture_code is None:
        return None
    name = names[prefecture_code]
    if text.startswith(name):
        text = text[len(name):]
    for candidate, code in _municipalities_by_prefecture().get(prefecture_code, []):
        if text.startswith(candidate):
            return code
    return None


def prefecture_from_name(text: str) -> str | None:
    t = nfkc(text)
    return next((c for c, n in codes.prefecture_names().items() if n == t), None)
