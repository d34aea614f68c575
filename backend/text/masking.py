"""Masks what identifies a person in a note before it goes into a generated document (meeting packets
show masked example notes): personal names of any origin and script, phone numbers, e-mail addresses,
postal codes, street addresses below the municipality, identifiers after their labels, dates of birth.
Everything else stays as the coordinator wrote it.

The rules run on an NFKC-normalised copy (so width never hides a digit or a letter) and their spans are
mapped back to the original characters, which are replaced by one token per kind:

    name       ○○            the honorific or role around it stays: ○○さん, 担当MSW○○, ○○Dr
    phone      ［電話番号］
    email      ［メール］
    postal     ［郵便番号］    the 〒 or label stays
    address    ［住所］        the municipality stays (上越市［住所］): it is known for every consultation
    id         ［番号］        the label stays: 被保険者番号 ［番号］
    number     ［番号］        a long number without a label (8+ digits, or 4-4-4 like a My Number)
    birthdate  ［生年月日］    the label or 生/生まれ stays: ［生年月日］生まれ
"""

import unicodedata
from dataclasses import dataclass

from backend.text import pii_rules
from backend.text.pii_names import names, tokens

TOKENS = {"name": "○○", "phone": "［電話番号］", "email": "［メール］", "postal": "［郵便番号］",
          "address": "［住所］", "id": "［番号］", "number": "［番号］", "birthdate": "［生年月日］"}
# where two rules claim the same characters, the earlier kind wins
PRIORITY = ("email", "birthdate", "postal", "id", "phone", "number", "address", "name")


@dataclass(frozen=True)
class Span:
    start: int   # in the original text
    end: int
    kind: str

    @property
    def token(self) -> str:
        return TOKENS[self.kind]


@dataclass(frozen=True)
class _Folded:
    text: str           # NFKC-normalised
    origin: list[int]   # for each character of `text`, the index of the original character it came from
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        last = self.origin[end - 1]
        following = self.origin[end] if end < len(self.origin) else self.original_length
        # a normalised character may stand for several original ones (ﾃﾞ → デ): take them all
        return self.origin[start], max(following, last + 1)


def _fold(text: str) -> _Folded:
    """NFKC, one original character (with the combining marks that follow it) at a time, so every
    normalised character knows where it came from."""
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and (unicodedata.combining(text[j]) or text[j] in "\uff9e\uff9f"):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j])
        out.append(piece)
        origin.extend([i] * len(piece))
        i = j
    return _Folded("".join(out), origin, len(text))


def find_pii(text: str) -> list[Span]:
    """The personal data in `text`, as non-overlapping spans of the original, in order."""
    if not text:
        return []
    folded = _fold(text)
    norm = folded.text
    toks = tokens(norm)
    places = frozenset(i for t in toks if t.pos[2] == "地名" for i in range(t.start, t.end))
    found = [*pii_rules.contacts(norm), *pii_rules.identifiers(norm), *pii_rules.birthdates(norm),
             *pii_rules.addresses(norm, places), *names(norm, toks)]
    owner: list[str | None] = [None] * len(norm)
    for start, end, kind in sorted(found, key=lambda s: PRIORITY.index(s[2])):
        for i in range(start, end):
            if owner[i] is None or PRIORITY.index(kind) < PRIORITY.index(owner[i]):
                owner[i] = kind
    spans: list[Span] = []
    i = 0
    while i < len(norm):
        if owner[i] is None or norm[i].isspace():
            i += 1
            continue
        j = i
        while j < len(norm) and (owner[j] == owner[i]
                                 or (norm[j].isspace() and j + 1 < len(norm) and owner[j + 1] == owner[i])):
            j += 1
        start, end = folded.to_original(i, j)
        if spans and spans[-1].end > start:  # two kinds meeting inside one original character
            start = spans[-1].end
        if start < end:
            spans.append(Span(start, end, owner[i]))
        i = j
    return spans


def mask_pii(text: str) -> str:
    out: list[str] = []
    at = 0
    for span in find_pii(text):
        out.append(text[at:span.start])
        out.append(span.token)
        at = span.end
    out.append(text[at:])
    return "".join(out)
