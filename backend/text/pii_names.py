"""Personal names, read with SudachiPy's part of speech (名詞-固有名詞-人名) and its dictionary, plus
the rules a coordinator's writing needs:

- before an honorific (さん 様 氏 くん ちゃん 先生…) whatever is not a role word is a name, so rare
  surnames the dictionary lacks go too; role words (保健師さん, 大家さん, 娘さん) are matched exactly,
  never by their ending;
- after a role (担当MSW西田, ｹｱﾏﾈ 田村) or before a title (村上Dr, 大林医師) a word that can be a name is one;
- a word the tokenizer reads as a person's name is one anywhere (向かいの高木ヨシ), unless it is part of a
  role word or an organisation's name (保健師, 大野内科);
- katakana and Latin names joined by ・ or spaces go whole (アナ・ロペス, Tran Van Minh), and a Latin name
  takes the Latin words beside it (SILVA OLIVEIRA ANA PAULA, Nguyễn Thị Mai);
- smaller habits: initials (K.T.さん), honorifics in katakana or romaji (ﾔﾏｸﾞﾁｻﾝ, tanaka-san), a name
  before ばあちゃん, a given name after 長男の, a name in brackets after a role or a role in brackets after
  a surname (長女（ミヨコ）, 上野（長男）), surnames joined by ・ (松本・森両名), a reading in brackets.
A word for a trade (マッサージ|師さん), a word a name would start inside (福祉用|具さん), an
organisation's own name (事業所ハート) and a surname used as a place (直江津方面) stay.

Works on NFKC-normalised text; yields (start, end, "name")."""

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from backend.text.pii_rules import KANJI
from backend.text.sudachi import readings_pos, tokenize

WORDS = Path(__file__).with_name("masking_words.toml")
MAX_RUN = 6  # tokens of a name in front of an honorific

_KANJI_ONLY = re.compile(rf"[{KANJI}]+")
_KATAKANA = re.compile(r"[ァ-ヴー]+")
_HIRAGANA = re.compile(r"[ぁ-ゖー]+")


def _latin_letters(upper: bool) -> str:
    """Latin letters beyond ASCII, for a character class: Nguyễn, Trần, Bình, João, Müller."""
    ranges = (range(0xC0, 0x250), range(0x1E00, 0x1F00))
    return "".join(c for r in ranges for c in map(chr, r) if c.isalpha() and (c.isupper() if upper else c.islower()))


_UPPER, _LOWER = "A-Z" + _latin_letters(True), "a-z" + _latin_letters(False)
_LATIN_NAME = re.compile(rf"[{_UPPER}][{_LOWER}][{_UPPER}{_LOWER}'\-]*|[{_UPPER}]")
_LATIN = re.compile(rf"[{_UPPER}{_LOWER}][{_UPPER}{_LOWER}'\-.]*")
# lower-case particles inside names: João da Silva, Ludwig van Beethoven, Maria dela Cruz
_PARTICLES = "da|de|do|dos|das|del|della|dela|di|du|van|von|der|den|la|le|bin|binti|y"
_JOINERS = {"・", "=", "="}
_NOT_GIVEN_NAME = set("宅家邸様氏達等ら方側君殿宛")
_KANA_HONORIFICS = {"さん", "さま", "様", "くん", "君", "ちゃん"}
# one-character prefixes that the tokenizer may read as a given name (元 Hajime): 元看護師, 前施設長
_PREFIXES = set("元前現新旧副各当同本全主准正非")
# capitalised words that are not names (an organisation written in Latin, a service)
_LATIN_WORDS = {"Care", "Center", "Centre", "Clinic", "Home", "Hospital", "Station", "Plus", "Net", "Team", "Support",
                "Service", "Services", "Group", "Japan", "Line", "Zoom", "Teams", "Excel", "Word", "Google", "The",
                "And", "Of", "Co", "Ltd", "Inc", "Dr", "Mr", "Ms", "Mrs", "Prof", "Ns", "Tel", "Fax", "Mail", "No",
                "Id", "Ok", "Covid"}
# capitals that are care's abbreviations, not a name written in capitals (BUI THI HOA)
_ACRONYMS = {"ADL", "IADL", "COPD", "ALS", "DNAR", "DNR", "ACP", "BPSD", "MMSE", "HDS", "NRS", "PEG", "HOT", "NPPV",
             "CV", "ICU", "HCU", "NICU", "ER", "CT", "MRI", "BMI", "BP", "HR", "KP", "CM", "MSW", "SW", "PT", "OT",
             "ST", "NS", "DR", "ID", "NO", "TEL", "FAX", "LINE", "PDF", "ICT", "GPS", "AED", "SOS", "OK", "NG", "IVH",
             "TPN", "CKD", "DM", "HT", "CHF", "AF", "CVA", "RA", "PD", "DLB", "FTD", "AD", "MCI", "SPO", "BT", "RR",
             "GH", "SS", "PH", "RH", "HP", "QOL", "IC", "RN", "CW", "PSW", "SSW", "DH", "RD", "OD", "HD", "PCA"}


@dataclass(frozen=True)
class Words:
    honorifics: frozenset[str]
    titles: frozenset[str]
    callings: frozenset[str]
    places_after: frozenset[str]
    latin_titles: frozenset[str]
    roles: frozenset[str]
    desks: frozenset[str]
    organisations: frozenset[str]
    eponyms: frozenset[str]
    # unions asked for at every token, computed once
    people_and_desks: frozenset[str] = field(init=False)
    vetoing: frozenset[str] = field(init=False)
    after_names: frozenset[str] = field(init=False)
    longest_word: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "people_and_desks", self.roles | self.desks)
        object.__setattr__(self, "vetoing", self.roles | self.desks | self.organisations)
        object.__setattr__(self, "after_names", self.honorifics | self.titles)
        object.__setattr__(self, "longest_word", max(map(len, self.vetoing)))


@cache
def words() -> Words:
    data = tomllib.loads(WORDS.read_text(encoding="utf-8"))
    norm = lambda key: frozenset(unicodedata.normalize("NFKC", w) for w in data[key])  # noqa: E731
    keys = ("honorifics", "titles", "callings", "places_after", "latin_titles", "roles", "desks", "organisations",
            "eponyms")
    return Words(*(norm(k) for k in keys))


@dataclass(frozen=True)
class Tok:
    surface: str
    start: int
    end: int
    pos: tuple[str, ...]
    oov: bool

    @property
    def space(self) -> bool:
        return self.pos[0] == "空白" or self.surface.isspace()

    @property
    def person(self) -> bool:  # the tokenizer's reading in this sentence
        return self.pos[:3] == ("名詞", "固有名詞", "人名")


# Sudachi reads "長男(タカシ)" as one common noun (a word with its reading in brackets); square brackets
# of the same length keep the name a token of its own, and every position where it was
_BRACKETS = str.maketrans("()", "[]")


# Sudachi may cut a name glued to a Latin role in the wrong place (MSW|高|橋, MSW|竹|内): the text is
# tokenized in pieces split where Latin letters meet Japanese
_LATIN_TO_JAPANESE = re.compile(rf"(?<=[A-Za-z])(?=[{KANJI}ぁ-ゖァ-ヺ])")


def tokens(text: str) -> list[Tok]:
    text = text.translate(_BRACKETS)
    out: list[Tok] = []
    at = 0
    for piece in _LATIN_TO_JAPANESE.split(text):
        out.extend(Tok(m.surface(), at + m.begin(), at + m.end(), tuple(m.part_of_speech()[:4]), m.is_oov())
                   for m in tokenize(piece) if piece)
        at += len(piece)
    return out


def _can_be_name(surface: str) -> bool:
    """The dictionary knows the word as a person's name, or does not know it at all."""
    pos = readings_pos(surface)
    return not pos or any(p[2] == "人名" for p in pos)


def _name_like(t: Tok) -> bool:
    if t.person:
        return True
    if _verbal_noun(t.surface):
        return False  # メール, マッサージ: a word that takes する is no name
    if _LATIN_NAME.fullmatch(t.surface):
        return t.surface not in _LATIN_WORDS
    if not (_KANJI_ONLY.fullmatch(t.surface) or _KATAKANA.fullmatch(t.surface)):
        return False
    if t.pos[0] not in ("名詞", "接尾辞", "接頭辞") and not t.oov:
        return False
    return t.oov or _can_be_name(t.surface)


def _verbal_noun(surface: str) -> bool:
    return any(p[2] == "サ変可能" for p in readings_pos(surface))


def _is_role(text: str) -> bool:
    w = words()
    text = text.replace(" ", "")
    if text.endswith("御") and len(text) > 1:  # 甥御, 姪御
        text = text[:-1]
    known = w.people_and_desks
    return text in known or (text[:1] in "おご" and text[1:] in known)


# suffixes that make a word for a trade or a relation when they stand as their own token after a common
# word (マッサージ|師, 看護|部|長, 福祉用具専門相談|員); a name's ending (ヨシ|子) is not among them
_TRADE_SUFFIXES = set("師士員官長係婦医手工職者屋業隊")


def _trade_word(run: list[Tok]) -> bool:
    """見守り|隊さん: a suffix alone is never a name either."""
    last = run[-1]
    return last.pos[0] == "接尾辞" and last.surface in _TRADE_SUFFIXES and (len(run) == 1 or not run[-2].person)


def _is_organisation(run: list[Tok]) -> bool:
    """A run that ends in an organisation word standing as its own token (ひまわり|内科, 大野|医院)."""
    w = words()
    for k in range(len(run) - 1, 0, -1):
        if "".join(t.surface for t in run[k:]) in w.organisations:
            return True
    return False


_KATAKANA_HONORIFIC = re.compile(r"(?<![ァ-ヺー])([ァ-ヺー]{2,})(?:サン|サマ|クン|チャン)(?![ァ-ヺー])")
_TO_HIRAGANA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}


_ROMAJI_HONORIFIC = re.compile(r"(?<![A-Za-z])([A-Za-z][a-z]+)-(?:san|sama|kun|chan|sensei|shi|sensei)(?![A-Za-z])",
                               re.IGNORECASE)


def _romaji_honorifics(text: str) -> Iterator[tuple[int, int, str]]:
    """tanaka-san, Suzuki-sensei: a name in romaji with its honorific."""
    for m in _ROMAJI_HONORIFIC.finditer(text):
        yield m.start(1), m.end(1), "name"


def _katakana_honorifics(text: str) -> Iterator[tuple[int, int, str]]:
    """ﾔﾏｸﾞﾁｻﾝ, キタムラサマ: a name and its honorific in katakana, read by Sudachi as one word."""
    for m in _KATAKANA_HONORIFIC.finditer(text):
        stem = m.group(1)
        if _is_role(stem) or _is_role(stem.translate(_TO_HIRAGANA)) or stem in ("オバ", "オジ", "オバア", "オジイ", "オネエ", "オニイ"):
            continue
        if any(p[2] != "人名" for p in readings_pos(m.group(0))):
            continue
        kana = [*readings_pos(stem), *readings_pos(stem.translate(_TO_HIRAGANA))]
        if (kana or stem[0] in "オゴ") and not any(p[2] == "人名" for p in kana):
            continue  # a greeting, not a name: オツカレサマ, ゴクロウサマ, オカゲサマ
        yield m.start(1), m.end(1), "name"


def names(text: str, toks: list[Tok] | None = None) -> Iterator[tuple[int, int, str]]:
    """`toks`: the text's tokens, when the caller has them already."""
    toks = tokens(text) if toks is None else toks
    vetoed = _role_and_organisation_tokens(toks)
    found = [*_before_honorifics(text, toks), *_after_roles(toks, vetoed), *_tagged_persons(toks, vetoed),
             *_surname_given_name(toks, vetoed), *_joined_foreign_names(text, toks), *_initials(text),
             *_before_callings(toks), *_given_names_after_roles(toks, vetoed), *_katakana_honorifics(text),
             *_romaji_honorifics(text),
             *_capitals_after_roles(text, toks)]
    found += [*_joined_surnames(toks, found), *_before_bracketed_roles(toks, vetoed), *_bracketed_after_roles(toks)]
    for start, end, kind in found:
        start, end = _widen_latin(text, start, end)
        yield start, end, kind
        # its reading in brackets goes too: 佐伯（さえき）さん, 岡本 茂(おかもと しげる); not a role or a
        # country after a name in katakana or Latin (ｻﾄｳ ｹｲｺ（ｹｱﾏﾈ）, Juan dela Cruz（フィリピン）)
        reading = _READING.match(text, end)
        if reading and _KANJI_ANY.search(text[start:end]) and _is_reading(reading.group(1)):
            yield reading.start(1), reading.end(1), kind


_KANJI_ANY = re.compile(rf"[{KANJI}]")


def _is_reading(kana: str) -> bool:
    return not any(_is_role(part) or any(p[2] in ("地名", "サ変可能") or p[1] == "普通名詞" and not _can_be_name(part)
                                         for p in readings_pos(part)) for part in kana.split())


_READING = re.compile(r"\s?[(\[]\s?([ぁ-ゖァ-ヺー]+(?:\s[ぁ-ゖァ-ヺー]+)?)\s?[)\]]")


def _surname_word(t: Tok) -> bool:
    if not _KANJI_ONLY.fullmatch(t.surface):
        return False
    return t.person or any(p[2:] == ("人名", "姓") for p in readings_pos(t.surface))


_PAIR_WORDS = {"両名", "両氏", "両人", "二人", "2人", "2名", "ら", "達", "たち", "両者", "夫妻", "夫婦", "姉妹", "兄弟"}


def _joined_surnames(toks: list[Tok], found: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    """佐藤・松本両名, 林・佐藤: beside a name and joined to it by ・, a word that can be a surname is one."""
    starts, ends = {s for s, _, _ in found}, {e for _, e, _ in found}
    for i in range(1, len(toks) - 1):
        if toks[i].surface != "・":
            continue
        left, right = toks[i - 1], toks[i + 1]
        # 松本・森両名: a word for the two of them says both are people
        pair = i + 2 < len(toks) and toks[i + 2].surface in _PAIR_WORDS
        if (left.end in ends or pair) and _surname_word(right) and not _is_role(right.surface):
            yield right.start, right.end, "name"
        if (right.start in starts or pair) and _surname_word(left) and not _is_role(left.surface):
            yield left.start, left.end, "name"


def _bracketed_after_roles(toks: list[Tok]) -> Iterator[tuple[int, int, str]]:
    """長女（ミヨコ）, ヘルパー(木村): a person's role, then a name in brackets."""
    people = words().roles
    for i in range(len(toks) - 3):
        if toks[i].surface not in people or toks[i + 1].surface != "[":
            continue
        k = i + 2
        while k < len(toks) and k < i + 6 and toks[k].surface != "]":
            k += 1
        inner = [t for t in toks[i + 2:k] if not t.space]
        if k >= len(toks) or toks[k].surface != "]" or not inner:
            continue
        if all(_name_like(t) and not _is_role(t.surface) and t.pos[0] == "名詞" for t in inner):
            yield inner[0].start, inner[-1].end, "name"


def _before_bracketed_roles(toks: list[Tok], vetoed: set[int]) -> Iterator[tuple[int, int, str]]:
    """上野（長男）から, 千葉(CM)より: a word that can be a surname, then a person's role in brackets."""
    people = words().roles
    for i in range(len(toks) - 3):
        t = toks[i]
        if i in vetoed or toks[i + 1].surface != "[" or toks[i + 3].surface != "]" or toks[i + 2].surface not in people:
            continue
        before = toks[i - 1] if i > 0 else None
        if _surname_word(t) and (before is None or before.space or before.pos[0] in ("補助記号", "助詞")):
            yield t.start, t.end, "name"


_LATIN_WORD = rf"[{_UPPER}][{_UPPER}{_LOWER}'\-]+"


def _widen_latin(text: str, start: int, end: int) -> tuple[int, int]:
    """A Latin name takes the Latin words beside it (SILVA OLIVEIRA ANA PAULA, Ramos, Maria): a name
    rule may have seen only its last words."""
    if not re.fullmatch(rf"[{_UPPER}{_LOWER}'\-. ,]+", text[start:end]):
        return start, end
    while m := re.search(rf"(?<![{_UPPER}{_LOWER}])({_LATIN_WORD})(?:,? )$", text[:start]):
        if m.group(1) in _LATIN_WORDS:
            break
        start = m.start(1)
    while m := re.match(rf",? ({_LATIN_WORD})(?![{_UPPER}{_LOWER}])", text[end:]):
        if m.group(1) in _LATIN_WORDS:
            break
        end += m.end(1)
    return start, end


def _role_and_organisation_tokens(toks: list[Tok]) -> set[int]:
    """Indexes of tokens inside a role word or an organisation name, matched on token boundaries, so
    that 保|健師 (保健師) is not taken for a name while 岡田|信夫 keeps its 夫."""
    w = words()
    vetoed: set[int] = set()
    for i in range(len(toks)):
        text = ""
        ends = []
        for k in range(i, min(len(toks), i + 5)):  # one token too: 次男, 孫 are read as names
            text += toks[k].surface
            if len(text) > w.longest_word:
                break
            ends.append((k + 1, text))
        for k, joined in reversed(ends):
            if joined in w.vetoing:
                vetoed.update(range(i, k))
                break
    for i, t in enumerate(toks):
        if t.surface in w.organisations or (i + 1 < len(toks) and t.surface + toks[i + 1].surface in w.organisations):
            j = i - 1
            while j >= 0 and toks[j].pos[0] in ("名詞", "接頭辞") and not toks[j].space:
                vetoed.add(j)
                j -= 1
    return vetoed


def _title_at(toks: list[Tok], h: int) -> str | None:
    """The honorific or title starting at token h; a title may be split over tokens (係|長, 看護|部|長)
    and then must end where the word ends (渡部係長は, not 係長補佐)."""
    w = words()
    known = w.after_names
    if toks[h].surface in known:
        return toks[h].surface
    text = toks[h].surface
    for k in range(h + 1, min(len(toks), h + 3)):
        text += toks[k].surface
        if text in known:
            following = toks[k + 1] if k + 1 < len(toks) else None
            if following is None or following.space or following.pos[0] not in ("名詞", "接尾辞") \
                    or following.surface in w.honorifics:
                return text
    return None


def _before_honorifics(text: str, toks: list[Tok]) -> Iterator[tuple[int, int, str]]:
    w = words()
    for h, t in enumerate(toks):
        title = _title_at(toks, h)
        if title is None:
            continue
        lenient = title in w.honorifics
        j = h - 1
        if j >= 0 and toks[j].space:
            j -= 1
        if j < 0:
            continue
        if _HIRAGANA.fullmatch(toks[j].surface):
            # はるとくん; but not 診てくれる先生, お願いできる先生: a verb before 先生 is no name
            if t.surface in _KANA_HONORIFICS and toks[j].pos[0] not in ("動詞", "助動詞", "形容詞"):
                span = _hiragana_name(text, toks[j].end)
                if span:
                    yield span
            continue
        run = _run_left(toks, j)
        if not run or _is_organisation(run) or _is_role("".join(x.surface for x in run)):
            continue  # さくら薬局さん, 連携室Ns, 主任ケアマネさん
        while len(run) > 1 and run[-1].surface in _PREFIXES and run[-1].end == toks[h].start:
            run = run[:-1]  # 和田|副|院長: the prefix belongs to the title
        whole = run
        run = _trim_ordinary_words(_strip_roles(run))
        if not run or _trade_word(run):
            continue  # マッサージ|師さん, 看護|部|長さん
        surface = text[run[0].start:run[-1].end]
        if _is_role(surface) or surface in w.titles:
            continue
        before = _previous(toks, run[0])
        if before is not None and not before.space and before.pos[0] in ("名詞", "接頭辞", "接尾辞") \
                and readings_pos(before.surface + run[0].surface) and not run[0].person:
            continue  # 福祉用|具さん: a name does not start inside a word (用具)
        if before is not None and not before.space and before.surface in w.organisations and not run[0].person \
                and not run[0].oov and before in whole:
            continue  # 事業所ハート 管理者: the name of the organisation, not of a person
        alone = before is None or before.space or before.pos[0] == "補助記号"
        if len(run) == 1 and len(surface) == 1 and not lenient and not run[0].person \
                and not (alone and _can_be_name(surface)):
            continue  # 連携|室|Ns: one character before a title is a name only when read as one, or alone (さくら 西Ns)
        if lenient:
            if len(run) == 1 and (_KANJI_ONLY.fullmatch(surface) and len(surface) >= 2
                                  or _KATAKANA.fullmatch(surface) and len(surface) >= 4) \
                    and run[0].pos[1] == "普通名詞" and not run[0].oov and not _can_be_name(surface):
                continue  # a common noun the dictionary never uses as a name: 管理人さん, 配達員さん, サポーターさん
            if len(run) > 1 and all(x.pos[0] in ("名詞", "接尾辞", "接頭辞") and x.pos[1] != "固有名詞" and not x.oov
                                    and not _can_be_name(x.surface) for x in run):
                continue  # 看護|学生さん: common words the dictionary never uses as names
            if before is not None and before.surface in ("お", "ご", "御") and before.end == run[0].start \
                    and len(run) == 1 \
                    and run[0].pos[1] == "普通名詞" and not run[0].oov and not _can_be_name(surface):
                continue  # お姑さん, お舅さん: a polite prefix makes a common noun a way of calling someone
        elif not any(_name_like(x) for x in run) or surface in _PREFIXES:
            continue  # 訪問Dr, 担当医師, 元看護師: a title after an ordinary word
        yield run[0].start, run[-1].end, "name"


def _previous(toks: list[Tok], t: Tok) -> Tok | None:
    i = toks.index(t)
    return toks[i - 1] if i > 0 else None


@cache
def _initials_pattern() -> re.Pattern:
    honorifics = "|".join(sorted(words().honorifics, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z.])(?:[A-Z]\.\s?){{1,3}}(?=\s?(?:{honorifics}))")


def _initials(text: str) -> Iterator[tuple[int, int, str]]:
    """K.T.さん, Y. S. 様: initials stand for a name and narrow it down (case reports leave them out too)."""
    for m in _initials_pattern().finditer(text):
        yield m.start(), m.end(), "name"


def _before_callings(toks: list[Tok]) -> Iterator[tuple[int, int, str]]:
    """トメばあちゃん, マサじい: a name right before a word that calls an elder or a sibling."""
    w = words()
    for i in range(1, len(toks)):
        if toks[i].surface not in w.callings or toks[i - 1].space:
            continue
        c = toks[i - 1]
        if _is_role(c.surface) or len(c.surface) > 4:
            continue
        # katakana before such a word is a name even when the dictionary knows it as a plant (ウメ, マツ)
        if c.person or _KATAKANA.fullmatch(c.surface) or (_KANJI_ONLY.fullmatch(c.surface) and _name_like(c)):
            yield c.start, c.end, "name"


# hiragana nouns that follow "Xの" and happen to be given names too (琴, 穂)
_FORMAL_NOUNS = {"こと", "もの", "ため", "とき", "ところ", "ほう", "わけ", "はず", "まま", "せい", "おかげ", "ぶん", "みな",
                 "みんな", "かた", "ひと", "うち", "あと", "まえ", "ころ", "ほか", "よう", "たび", "つもり", "なか", "そば"}


def _given_names_after_roles(toks: list[Tok], vetoed: set[int]) -> Iterator[tuple[int, int, str]]:
    """長男の誠が, 次男の勝は: after a person's role and の, a word the dictionary knows as a given name,
    closed by a particle. Sudachi reads many given names as common nouns in such places (誠, 勝, 幸)."""
    people = words().roles
    for i in range(len(toks) - 3):
        if toks[i].surface not in people or toks[i + 1].surface != "の" or i + 2 in vetoed:
            continue
        c = toks[i + 2]
        kanji = _KANJI_ONLY.fullmatch(c.surface) and len(c.surface) <= 3
        katakana = _KATAKANA.fullmatch(c.surface) and len(c.surface) <= 4
        hiragana = _HIRAGANA.fullmatch(c.surface) and 2 <= len(c.surface) <= 4 and c.surface not in _FORMAL_NOUNS
        if not (kanji or katakana or hiragana) or _verbal_noun(c.surface) or _is_role(c.surface) \
                or toks[i + 3].pos[0] != "助詞":
            continue
        readings = readings_pos(c.surface)
        # katakana: any reading as a person (妻のトメ); kanji and hiragana: as a given name (長男の誠, 妻のさくら)
        if any(p[2:] == ("人名", "名") or katakana and p[2] == "人名" for p in readings) \
                and not (hiragana and any(p[2] == "副詞可能" for p in readings)):
            yield c.start, c.end, "name"
    # 孫娘 さくら（中3）: a given name in hiragana after a person's role, standing as a word of its own
    for i in range(len(toks) - 2):
        if toks[i].surface not in people:
            continue
        j = i + 2 if toks[i + 1].space else i + 1
        if j + 1 >= len(toks) or j in vetoed:
            continue
        c, nxt = toks[j], toks[j + 1]
        if _HIRAGANA.fullmatch(c.surface) and len(c.surface) >= 2 and c.pos[0] == "名詞" and not _is_role(c.surface) \
                and any(p[2:] == ("人名", "名") for p in readings_pos(c.surface)) \
                and not any(p[2] == "副詞可能" for p in readings_pos(c.surface)) \
                and (nxt.pos[0] in ("助詞", "補助記号") or nxt.space or nxt.surface in words().honorifics):
            yield c.start, c.end, "name"


_CAPITALS = re.compile(r"[A-Z][A-Z'\-]{1,14}(?: [A-Z][A-Z'\-]{1,14})+(?![A-Za-z])")


def _capitals_after_roles(text: str, toks: list[Tok]) -> Iterator[tuple[int, int, str]]:
    """本人 BUI THI HOA, 利用者：NGUYEN VAN AN: a name in capitals, as a residence card writes it, after a
    person's role; two words at least, none of them an abbreviation of care (ADL IADL)."""
    people = words().roles
    for m in _CAPITALS.finditer(text):
        if any(w in _ACRONYMS for w in m.group(0).split()):
            continue
        head = text[max(0, m.start() - 12):m.start()].rstrip(" :：")
        if any(head.endswith(r) for r in people) or re.search(r"(?:氏名|名前|Name|NAME)$", head):
            yield m.start(), m.end(), "name"


def _hiragana_name(text: str, end: int) -> tuple[int, int, str] | None:
    """A name written in hiragana before an honorific (はるとくん); the tokenizer splits such names
    into particles, so the string is read instead. 「となりのおばあちゃん」: after の, a role word."""
    start = end
    while start > 0 and end - start < 8 and _HIRAGANA.fullmatch(text[start - 1]):
        start -= 1
    run = text[start:end]
    if "の" in run:
        start += run.rindex("の") + 1
        run = text[start:end]
    if not run or _is_role(run) or len(run) < 2:
        return None
    return start, end, "name"


def _run_left(toks: list[Tok], j: int) -> list[Tok]:
    """Tokens of a name ending at index j: nouns, joined katakana or Latin words, and spaces between
    name-like words (石川 進 様, Tran Van Minh さん)."""
    run: list[Tok] = []
    w = words()
    while j >= 0 and len(run) < MAX_RUN:
        t = toks[j]
        if t.space or t.surface in _JOINERS:
            left = toks[j - 1] if j > 0 else None
            if not run or left is None:
                break
            latin = _LATIN.fullmatch(left.surface) and _LATIN.fullmatch(run[0].surface)  # NGUYEN VAN AN さん
            # 王 偉 氏: after a surname, a short word before the honorific is the given name
            short = len(run) == 1 and len(run[0].surface) <= 3 and (_KANJI_ONLY.fullmatch(run[0].surface)
                                                                     or _KATAKANA.fullmatch(run[0].surface))
            if not (latin or short or _name_like(run[0]) or _is_role(run[0].surface)):
                break
            if not (latin or _name_like(left) or _is_role(left.surface) or left.surface in _JOINERS):
                break
            j -= 1
            continue
        if any(c.isdigit() for c in t.surface) or t.surface in w.honorifics:
            break
        if t.pos[0] not in ("名詞", "接頭辞", "接尾辞") and not (_KATAKANA.fullmatch(t.surface) or _LATIN.fullmatch(t.surface)):
            break
        if t.pos[1] == "数詞":
            break
        run.insert(0, t)
        j -= 1
        if len(run) > 1 and _is_role(t.surface):
            break  # a role word ends the name on its left: 地域包括支援センター職員 ｻｲﾄｳさん
    return run


def _trim_ordinary_words(run: list[Tok]) -> list[Tok]:
    """Ordinary words in front of a name (本日西田さん): the name starts at its first name-like word."""
    while len(run) > 1 and not _name_like(run[0]) and any(_name_like(x) for x in run[1:]):
        run = run[1:]
    return run


def _strip_roles(run: list[Tok]) -> list[Tok]:
    """担当MSW|西田, 長女|中川 恵, 西田|MSW: role words at either end are kept, the rest is the name.
    A run that is nothing but role words is returned whole, to be kept as written."""
    if _is_role("".join(t.surface for t in run)):
        return run
    changed = True
    while changed and run:
        changed = False
        for k in range(len(run), 0, -1):
            if _is_role("".join(t.surface for t in run[:k])) and k < len(run):
                run, changed = run[k:], True
                break
        for k in range(0, len(run)):
            if k > 0 and _is_role("".join(t.surface for t in run[k:])):
                run, changed = run[:k], True
                break
        while run and (run[0].space or run[0].surface in _JOINERS):
            run, changed = run[1:], True
        while run and (run[-1].space or run[-1].surface in _JOINERS):
            run, changed = run[:-1], True
    return run


def _after_roles(toks: list[Tok], vetoed: set[int]) -> Iterator[tuple[int, int, str]]:
    """担当MSW西田より, ｹｱﾏﾈ 田村 より, CM林より, 兄の修が: a name-like word right after a role word."""
    people = words().roles
    for i, t in enumerate(toks):
        if not _is_role(t.surface):
            continue
        desk = t.surface not in people  # 訪問済, ショート中, 施設間: after a desk only a word read as a name
        j = i + 1
        via_no = False
        if j < len(toks) and (toks[j].space or toks[j].surface in (":", "：")):
            j += 1
        elif j < len(toks) and toks[j].surface == "の":
            j, via_no = j + 1, True
        if j >= len(toks) or j in vetoed or _is_role(toks[j].surface):
            continue
        c = toks[j]
        if not (c.person if via_no or desk else _name_like(c)) or c.surface in _NOT_GIVEN_NAME:
            continue
        if c.pos[0] == "接尾辞" and j == i + 1:
            continue  # 担当|中, 担当|分: a suffix glued to the role is part of its word
        end = _extend_name(toks, j)
        nxt = toks[end + 1] if end + 1 < len(toks) else None
        if len(c.surface) == 1 and end == j and not c.person and not _closes_name(toks, end + 1):
            continue  # 訪問済。, ショート中: a one-character word is a name only before より, さん...
        if nxt is not None and not nxt.space and nxt.pos[0] in ("名詞", "接尾辞") and not _is_role(nxt.surface) \
                and nxt.surface not in words().after_names and nxt.surface not in _NOT_GIVEN_NAME:
            continue  # 担当変更手続き: the word is part of a compound, not a name
        yield c.start, toks[end].end, "name"


def _closes_name(toks: list[Tok], k: int) -> bool:
    """What follows a name: a particle or an honorific, perhaps after a space."""
    if k < len(toks) and toks[k].space:
        k += 1
    if k >= len(toks):
        return False
    t = toks[k]
    return t.pos[0] == "助詞" or t.surface in words().after_names or t.surface in ("より", "宛", "宛て")


def _tagged_persons(toks: list[Tok], vetoed: set[int]) -> Iterator[tuple[int, int, str]]:
    for i, t in enumerate(toks):
        if not t.person or i in vetoed or t.surface in _PREFIXES or t.surface in words().eponyms:
            continue
        if t.surface.isascii() and t.surface.islower():
            continue  # Sudachi tags some English words as names (scope, read); romaji names have an honorific
        end = _extend_name(toks, i)
        if _in_compound(toks, end + 1):
            continue  # 小多|機, アルツハイマー|型, 橋本|病: a name inside a compound word
        if end + 1 < len(toks) and toks[end + 1].surface in words().places_after:
            continue  # 直江津|方面, 高田|駅: a surname that is also a place, used as one
        if end == i and len(t.surface) == 1 and not _closes_name(toks, i + 1) and not _ends_phrase(toks, i + 1):
            continue  # 元看護師: a one-character "name" inside a compound is a word
        yield t.start, toks[end].end, "name"


def _surname_given_name(toks: list[Tok], vetoed: set[int]) -> Iterator[tuple[int, int, str]]:
    """川村|トメから: many surnames are also place names (川村, 西田, 浜田) and the tokenizer may read
    them as places; a word that can be a surname followed by one that can be a given name is a name."""
    for i in range(len(toks) - 1):
        a = toks[i]
        # 益子 ミツ: with a space between, only a given name the tokenizer reads as one
        k = i + 2 if toks[i + 1].space and i + 2 < len(toks) and toks[i + 2].person else i + 1
        b = toks[k]
        if a.person or i in vetoed or k in vetoed or not _KANJI_ONLY.fullmatch(a.surface):
            continue
        if not any(p[2:] == ("人名", "姓") for p in readings_pos(a.surface)):
            continue
        readings = readings_pos(b.surface)
        given = b.person or (_KATAKANA.fullmatch(b.surface) and any(p[2] == "人名" for p in readings)) \
            or (_KANJI_ONLY.fullmatch(b.surface) and any(p[2:] == ("人名", "名") for p in readings))
        if given and not _is_role(b.surface) \
                and (_closes_name(toks, k + 1) or _ends_phrase(toks, k + 1)
                     or (k + 1 < len(toks) and toks[k + 1].space)):
            yield a.start, toks[_extend_name(toks, k)].end, "name"


def _in_compound(toks: list[Tok], k: int) -> bool:
    """The token at k glues the word before it into a compound: one kanji that is not a name's
    ending nor a word that follows names (宅, 様, 家...)."""
    if k >= len(toks):
        return False
    t = toks[k]
    return (len(t.surface) == 1 and bool(_KANJI_ONLY.fullmatch(t.surface)) and t.surface not in _NOT_GIVEN_NAME
            and t.pos[0] in ("名詞", "接尾辞") and not _is_role(t.surface) and t.surface not in words().honorifics)


def _ends_phrase(toks: list[Tok], k: int) -> bool:
    return k >= len(toks) or toks[k].pos[0] == "補助記号"


def _given_name_word(toks: list[Tok], k: int) -> bool:
    t = toks[k]
    if t.pos[0] != "名詞":
        return False  # 田村 より: a particle, though より is a given name too
    if not (_KANJI_ONLY.fullmatch(t.surface) and len(t.surface) <= 3
            or _KATAKANA.fullmatch(t.surface) and len(t.surface) <= 4
            or _HIRAGANA.fullmatch(t.surface) and 2 <= len(t.surface) <= 4):
        return False
    if _is_role(t.surface) or _verbal_noun(t.surface) or not any(p[2:] == ("人名", "名") for p in readings_pos(t.surface)):
        return False
    return k + 1 >= len(toks) or toks[k + 1].space or toks[k + 1].pos[0] in ("補助記号", "助詞") \
        or toks[k + 1].surface in words().honorifics


def _extend_name(toks: list[Tok], i: int) -> int:
    """Index of the last token of the name starting at i: a given name after a surname, with or
    without a space (伊藤 健太郎, 川村トメ), and a kanji ending the tokenizer split off (ヨシ|子)."""
    end = i
    while end + 1 < len(toks):
        nxt = toks[end + 1]
        if nxt.person:
            end += 1
        elif nxt.space and end + 2 < len(toks) and toks[end + 2].person and not _is_role(toks[end + 2].surface):
            end += 2
        elif nxt.space and end + 2 < len(toks) and toks[end].pos[3] == "姓" and _given_name_word(toks, end + 2):
            end += 2  # 佐藤 実、: after a surname, a word that can be a given name and stands alone
        elif not nxt.space and _KATAKANA.fullmatch(nxt.surface) and len(nxt.surface) <= 4 \
                and _can_be_name(nxt.surface) \
                and not _is_role(nxt.surface) and nxt.surface not in words().honorifics:
            end += 1
        elif len(nxt.surface) == 1 and _KANJI_ONLY.fullmatch(nxt.surface) and nxt.surface not in _NOT_GIVEN_NAME \
                and nxt.pos[0] in ("名詞", "接尾辞") and toks[end].person and toks[end].pos[3] == "名":
            end += 1
        else:
            break
    return end


def _joined_foreign_names(text: str, toks: list[Tok]) -> Iterator[tuple[int, int, str]]:
    """アナ・ロペス, グエン・ヴァン・ナム: katakana words joined by ・ of which one is a name; Maria Santos,
    Leticia Yamamoto Silva: two or more capitalised Latin words; Dr.Fernandes: a Latin title and a word."""
    for m in re.finditer(r"[ァ-ヴー]+(?:[・=][ァ-ヴー]+)+", text):
        parts = [t for t in toks if m.start() <= t.start and t.end <= m.end() and _KATAKANA.fullmatch(t.surface)]
        if any(t.person or _can_be_name(t.surface) for t in parts):
            yield m.start(), m.end(), "name"
    word = rf"[{_UPPER}][{_LOWER}][{_UPPER}{_LOWER}'\-]*"
    for m in re.finditer(rf"(?<![{_UPPER}{_LOWER}]){word}(?:[ ・](?:(?:{_PARTICLES}) )*{word})+", text):
        if any(w not in _LATIN_WORDS for w in re.split(r"[ ・]", m.group(0))):
            yield m.start(), m.end(), "name"
    titles = "|".join(re.escape(t) for t in sorted(words().latin_titles, key=len, reverse=True))
    for m in re.finditer(rf"(?<![A-Za-z])(?:{titles})\s?(?P<n>[A-Z][A-Za-z'\-]+(?:\s[A-Z][A-Za-z'\-]+)*)", text):
        yield m.start("n"), m.end("n"), "name"
