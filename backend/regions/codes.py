"""Prefecture and municipality codes: validation (pure) and the shipped reference list (in memory)."""

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True, slots=True)
class Prefecture:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    code6: str
    prefecture_code: str
    name: str


class InvalidMunicipalityCode(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class InvalidPrefectureCode(InvalidMunicipalityCode):
    pass


def check_digit(code5: str) -> int:
    d = [int(c) for c in code5]
    return (11 - (6 * d[0] + 5 * d[1] + 4 * d[2] + 3 * d[3] + 2 * d[4]) % 11) % 10


def parse_municipality_code(raw: str) -> str:
    """5-digit JIS X 0402 or 6-digit with check digit (full-width digits too) → the 5-digit code."""
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not (text.isascii() and text.isdigit() and len(text) in (5, 6)):
        raise InvalidMunicipalityCode("INVALID_FORMAT", f"市町村コードは5桁または6桁の数字で指定してください（{raw}）。")
    if len(text) == 6 and int(text[5]) != check_digit(text[:5]):
        raise InvalidMunicipalityCode("BAD_CHECK_DIGIT", f"市町村コードの検査数字が正しくありません（{raw}）。")
    return text[:5]


def parse_prefecture_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if text.isascii() and text.isdigit() and len(text) in (1, 2):
        code = text.zfill(2)
        if code in prefecture_names():
            return code
    raise InvalidPrefectureCode("INVALID_PREFECTURE_CODE", f"都道府県コードは01〜47で指定してください（{raw}）。")


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def load_prefectures() -> tuple[Prefecture, ...]:
    return tuple(Prefecture(**r) for r in _rows("prefectures.csv"))


@cache
def load_municipalities() -> tuple[Municipality, ...]:
    return tuple(Municipality(**r) for r in _rows("municipalities.csv"))


@cache
def prefecture_names() -> dict[str, str]:
    return {p.code: p.name for p in load_prefectures()}


@cache
def _by_code() -> dict[str, Municipality]:
    return {m.code: m for m in load_municipalities()}


def lookup(code5: str) -> Municipality | None:
    return _by_code().get(code5)
