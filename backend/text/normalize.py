"""Text normalisation shared by search, classification, grouping and masking."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width Latin and digits to half-width, half-width kana to full-width), lower-case
    Latin, runs of white space folded to one space. Length may change; callers that need offsets
    into the original text must not use this."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", folded).strip()


_KATAKANA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}


def fold_kana(text: str) -> str:
    """Katakana to hiragana (ヴ and the small ヵヶ included), so a name typed in either script matches."""
    return text.translate(_KATAKANA)


_NAME_NOISE = re.compile(r"[\s・･\-‐ー－―]")


def name_key(*parts: str | None) -> str:
    """A search key for names: normalize, kana folded, blanks, middle dots and long-vowel marks dropped,
    so ｻｸﾗ, サクラ and さくら, or ステーション and ｽﾃｰｼｮﾝ, find the same entry."""
    return " ".join(_NAME_NOISE.sub("", fold_kana(normalize(p))) for p in parts if p)
