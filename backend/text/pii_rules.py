"""Pattern rules for the personal data that has a shape: e-mail, phone, postal code, identifiers after
their labels, dates of birth, street addresses. They run on NFKC-normalised text (ASCII digits and
Latin, half-width punctuation), so a rule written once covers every width; positions are mapped back
to the original by the caller. Each rule yields (start, end, kind)."""

import re
from collections.abc import Iterator

Span = tuple[int, int, str]

_DASH = r"[-‐‑‒–—―−ー]"
_KNUM = r"[〇一二三四五六七八九十]"
# what follows a number that is a measure, not an address, a room or an identifier
_UNIT = (r"(?:[0-9.]|ml|mL|ML|mg|μg|mcg|g|kg|L|l|cc|%|回|時|分|秒|日|週|か月|ヶ月|ケ月|カ月|年|歳|才|人|名|件|錠|包|"
         r"単位|度|℃|cm|mm|mmHg|Fr|点|割|円|床|個|本|枚|階建|倍|滴|缶|袋|か所|ヶ所|カ所|箇所|戸|世帯|軒|施設|事業所|"
         r"組|台|基|代|級|〜|~)")

# also written with (at) or [at] to fool harvesters
EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*(?:@|\s?[(\[]at[)\]]\s?)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

_PHONE_SEP = rf"(?:{_DASH}|[\s.()・]){{0,3}}"
# a bracket belongs to the number only when it closes inside it: (050)3321-7708, not (090-1234-5678)
# the area code may stand in any bracket: (0255), 〔025〕, 【025】, ［025］
PHONE = re.compile(rf"(?<![0-9A-Za-z.])(?:\+81{_PHONE_SEP}(?:\(0\)|0)?[0-9]{{1,4}}|[(\[〔【]0[0-9]{{1,4}}[)\]〕】]"
                   rf"|0[0-9]{{1,4}})"
                   rf"(?:{_PHONE_SEP}[0-9]{{1,4}}){{1,3}}(?![0-9A-Za-z])"
                   rf"(?:\s?(?:内線|ext\.?|#)\s?[0-9]{{1,5}})?")
# in kanji numerals, as a note copied from a form written vertically may have it: 〇九〇－一二三四－五六七八
PHONE_KANJI = re.compile(rf"(?<![〇一二三四五六七八九])〇[〇一二三四五六七八九]{{1,4}}(?:{_DASH}|・)"
                         rf"[〇一二三四五六七八九]{{1,4}}(?:(?:{_DASH}|・)[〇一二三四五六七八九]{{1,4}})?(?![〇一二三四五六七八九])")
# a labelled number may be a local one (市内局番 only): "電話 52-3810"
PHONE_LABELLED = re.compile(r"(?:TEL|Tel|tel|電話|携帯|ケータイ|連絡先|☎|FAX|Fax|fax|ファックス|ファクス)[^0-9。\n]{0,6}?"
                            r"(?P<n>\(?[0-9][0-9().\s-]{4,14}[0-9])(?![0-9A-Za-z])")

POSTAL = re.compile(rf"(?P<mark>〒)?\s*(?(mark)|(?:郵便番号|郵便|ZIP|zip)\s*[:]?\s*)"
                    rf"(?P<n>[0-9]{{3}}(?:{_DASH}|\s)?[0-9]{{4}})(?![0-9])")

_ID_LABEL = (r"被保険者証?(?:番号|No\.?)|介護保険(?:被保険者)?証?(?:番号|No\.?)|保険証?番号|保険者番号|記号番号|個人番号|"
             r"マイナンバー|カルテ(?:番号|No\.?|NO\.?|#)?|患者(?:番号|ID|No\.?)|診察券(?:番号|No\.?)?|受給者証?番号|"
             r"手帳(?:番号|No\.?)|利用者(?:番号|ID|No\.?)|会員番号|登録番号|管理番号|整理番号|ケース番号|"
             r"年金番号|基礎年金番号|在留カード(?:番号|No\.?)?|住民票コード|(?:運転)?免許証?番号|口座番号|旅券番号|"
             r"パスポート(?:番号|No\.?)?|被保番|記号")
# labels that name no particular register: their number needs three digits ("No.1の課題" stays)
_GENERIC_LABEL = r"(?<![A-Za-z])(?:ID|Id|No\.?|NO\.?)|(?<!電話)(?<!郵便)(?<!FAX)(?<!Fax)(?<!fax)番号"
IDENT = re.compile(rf"(?:(?P<specific>{_ID_LABEL})|{_GENERIC_LABEL})\s*[:=.]?\s*(?:第\s*)?"
                   rf"(?P<n>[A-Za-z]{{0,4}}[-_]?[0-9]+(?:(?:-|\s)[0-9]{{3,}}|-[0-9]+)*[A-Za-z]{{0,2}})(?![0-9A-Za-z])")
# a messenger's user name may be any handle: LINE ID: hana0312, LINE：tanaka_k
HANDLE = re.compile(r"(?:LINE|Line|ライン)\s?(?:ID|Id|id)?\s*[:=]\s*(?P<n>[A-Za-z0-9][A-Za-z0-9._\-]{2,})"
                    r"|(?:LINE|Line|ライン)\s?(?:ID|Id|id)\s*(?P<m>[A-Za-z0-9][A-Za-z0-9._\-]{2,})")
LONG_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{8,}|[0-9]{4}[-\s][0-9]{4}[-\s][0-9]{4})(?![0-9])")

_ERA = r"(?:明治|大正|昭和|平成|令和|[明大昭平令]|(?<![A-Za-z])[MTSHRmtshr]\.?)"
_OLD_ERA = r"(?:明治|大正|昭和|[明大昭]|(?<![A-Za-z])[MTSmts]\.?)"
_YEAR = rf"(?:元|[0-9]{{1,2}}|{_KNUM}{{1,3}})"
_MD = rf"(?:[0-9]{{1,2}}|{_KNUM}{{1,3}})"


# the year in the other calendar, in brackets before or after 年: 1938年(昭和13年), 1936(昭和11)年
_OTHER = rf"(?:\s?\(\s?(?:{_ERA}\s?{_YEAR}|(?:18|19|20)[0-9]{{2}})\s?年?\s?\))?"
_DATE_SEP = r"\s?[./\-・]\s?"


def _date(era: str, western: str) -> str:
    """A full date: 昭和12年7月9日, 昭12.7.9, S.12/7/9, S12・3・4, 1938年(昭和13年)5月6日, 1948-11-02."""
    year = rf"(?:{era}\s?{_YEAR}|{western})"
    return (rf"{year}{_OTHER}(?:\s?年{_OTHER}\s?{_MD}\s?月\s?{_MD}\s?日?"
            rf"|{_DATE_SEP}{_MD}{_DATE_SEP}{_MD})")


_DATE = _date(_ERA, r"(?:18|19|20)[0-9]{2}")
_YEAR_ONLY = rf"(?:{_ERA}\s?{_YEAR}|(?:18|19|20)[0-9]{{2}}){_OTHER}\s?年{_OTHER}"
_YEAR_MONTH = rf"{_YEAR_ONLY}\s?{_MD}\s?月"   # 昭和15年3月生: the day left out
_BORN = r"(?=\s?(?:生まれ|生れ|産まれ|うまれ|生(?![活保存命理化食計涯協徒産物体])|出生))"  # looked at, left in place
_BIRTH_LABEL = r"(?:生年月日|誕生日|生年|DOB|D\.O\.B\.?|[Bb]irth(?:day|date)?)\s*(?:[:]|は|が|、)?\s*"
BIRTH = re.compile(
    rf"(?:{_DATE}|{_YEAR_MONTH}|{_YEAR_ONLY}|{_ERA}\s?{_YEAR}){_BORN}"          # …生 / …生まれ, 昭15生
    rf"|{_date(_OLD_ERA, '(?<![0-9])(?:18[0-9]{2}|19[0-8][0-9])')}(?![0-9])")  # a full date before 1990 is a birthdate
# after a label (生年月日: …, 誕生日 3/14) any date form is a birthdate
BIRTH_LABELLED = re.compile(rf"{_BIRTH_LABEL}(?P<n>{_DATE}|{_YEAR_MONTH}|{_YEAR_ONLY}|{_MD}\s?[/月]\s?{_MD}日?)")

# addresses: a town, a block number, then perhaps a building and room
_KN = rf"(?:[0-9]+|{_KNUM}+)"
# the parts after 丁目: 2-8, 5番12号, 8番地の2 (a separator only counts when a number follows it)
# in kanji numerals (一丁目十番十二号) a part needs its 番/号, or must follow one: 三二人暮らし is no address
_BLOCK_TAIL = (rf"(?:\s?[0-9]+\s?(?:番地(?:の(?=\s?[0-9]))?|番|号|(?:{_DASH}|の)(?=\s?[0-9]))?"
               rf"|\s?{_KNUM}+\s?(?:番地(?:の(?={_KNUM}))?|番|号)|(?<=[番地の]){_KNUM}+){{0,4}}")
_STRONG_BLOCK = (rf"(?:{_KN}\s?丁目{_BLOCK_TAIL}"
                 rf"|{_KN}\s?番地(?:\s?の?\s?[0-9]+)*(?:{_DASH}[0-9]+)*"
                 rf"|{_KN}\s?番\s?{_KN}\s?号)")
_HYPHEN_BLOCK = rf"[0-9]{{1,4}}(?:{_DASH}[0-9]{{1,4}}){{1,3}}"
KANJI = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff々〆ヶ"
_PLACE_CHAR = re.compile(rf"[{KANJI}ケヵァ-ヴー]")
_BUILDING_WORD = (r"(?:ハイツ|コーポ|マンション|アパート|荘|メゾン|ハイム|レジデンス|団地|住宅|ビル|タワー|コート|パレス|"
                  r"ヴィラ|シャトー|ハウス|寮|(?<!病)棟|プラザ|ヒルズ|テラス|レジデンス|パーク|ガーデン)")
_NAME_CH = r"[^\s0-9、。,()「」:;/]"
_ROOM = rf"(?:(?:[0-9]{{1,2}}{_DASH})?[0-9]{{1,4}}\s?(?:号室|号|室|F|階)?(?!{_UNIT})|{_KNUM}{{1,4}}\s?(?:号室|号|室|階))"
BUILDING_AFTER = re.compile(rf"\s?(?:{_NAME_CH}{{1,15}}?(?:\s{_NAME_CH}{{1,12}}?)?\s?{_ROOM}"
                            rf"|(?:[0-9]{{1,4}}|{_KNUM}{{1,4}})\s?(?:号室|室))")
ADDRESS_BLOCK = re.compile(rf"{_STRONG_BLOCK}|(?P<h>{_HYPHEN_BLOCK})(?!{_UNIT})"
                           rf"|(?P<d>[0-9]{{2,4}})(?!{_UNIT}|{_DASH}|[0-9A-Za-z/:])")
BUILDING_ROOM = re.compile(rf"(?:[0-9]{{1,3}}\s?号?)?{_NAME_CH}{{0,10}}?{_BUILDING_WORD}{_NAME_CH}{{0,10}}?\s?"
                           rf"(?:[0-9]{{1,2}}{_DASH})?[0-9]{{2,4}}\s?(?:号室|号|室)?(?!{_UNIT})")
ROOM = re.compile(rf"(?<![0-9〇一二三四五六七八九十])(?:[0-9]{{2,4}}|{_KNUM}{{2,4}})\s?号室")
# the municipality stays: prefecture, 郡+町村, 市 (with its 区), or a ward
MUNICIPALITY = re.compile(r"^(?:.{1,4}?[都道府県])?(?:.{1,6}?郡.{1,5}?[町村]|.{1,6}?市(?:.{1,4}?区)?|.{1,5}?区)?")
_TOWN_SUFFIX = re.compile(r"(?:町|丁|通|台|丘|条|字|新田|団地|村|区|市|郡|野|沢|原|島|浜|崎|谷|山|川|田|林|森|橋|坂|宮|寺|東|西|南|北|本|上|下|中)$")


def contacts(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield m.start(), m.end(), "email"
    for m in POSTAL.finditer(text):
        yield m.start("n"), m.end("n"), "postal"
    for m in PHONE.finditer(text):
        if _phone_digits_ok(m.group(0)):
            yield m.start(), m.end(), "phone"
    for m in PHONE_KANJI.finditer(text):
        if 10 <= sum(c in "〇一二三四五六七八九" for c in m.group(0)) <= 11:
            yield m.start(), m.end(), "phone"
    for m in PHONE_LABELLED.finditer(text):
        if 6 <= sum(c.isdigit() for c in m.group("n")) <= 13:
            yield m.start("n"), m.end("n"), "phone"


def _phone_digits_ok(number: str) -> bool:
    main = re.split(r"内線|ext|#", number)[0]
    digits = sum(c.isdigit() for c in main)
    if main.lstrip("(").startswith("+"):
        return 11 <= digits <= 13
    # a digit short in three groups ending in four (025-52-1234) is a number mistyped, not a measure
    short = digits == 9 and bool(re.fullmatch(rf"\D*0[0-9]+\D+[0-9]+\D+[0-9]{{4}}\D*", main))
    return 10 <= digits <= 11 or short


def identifiers(text: str) -> Iterator[Span]:
    for m in IDENT.finditer(text):
        if sum(c.isdigit() for c in m.group("n")) >= (1 if m.group("specific") else 3):
            yield m.start("n"), m.end("n"), "id"
    for m in HANDLE.finditer(text):
        n = "n" if m.group("n") else "m"
        yield m.start(n), m.end(n), "id"
    for m in LONG_NUMBER.finditer(text):  # unlabelled: a phone number of that shape wins
        yield m.start(), m.end(), "number"


def birthdates(text: str) -> Iterator[Span]:
    for m in BIRTH.finditer(text):
        yield m.start(), m.end(), "birthdate"
    for m in BIRTH_LABELLED.finditer(text):
        yield m.start("n"), m.end("n"), "birthdate"


def addresses(text: str, places: frozenset[int] = frozenset()) -> Iterator[Span]:
    """`places`: positions of characters the tokenizer read as place names (地名)."""
    for m in ADDRESS_BLOCK.finditer(text):
        strong = not (m.group("h") or m.group("d"))
        start = town = _town_start(text, m.start(), strong=strong)
        head = text[town:m.start()]
        muni = MUNICIPALITY.match(head)
        kept = muni.end() if muni else 0
        town_part = head[kept:].strip()
        placey = any(i in places for i in range(town, m.start())) or bool(_TOWN_SUFFIX.search(town_part))
        if strong and not town_part and not kept and re.fullmatch(rf"{_KN}\s?丁目", m.group(0)):
            continue  # 3丁目の交差点: a block of no named town is nobody's address
        if not strong:
            if not town_part or not (placey or kept):
                continue
            if m.group("d") and not kept:
                continue
        start = town + kept
        end = m.end()
        after = BUILDING_AFTER.match(text, end)
        if after and (re.search(_BUILDING_WORD, after.group(0)) or re.search(r"号室|室|F|階|[0-9]{3}", after.group(0))):
            end = after.end()
        yield start, end, "address"
    for m in BUILDING_ROOM.finditer(text):
        yield m.start(), m.end(), "address"
    for m in ROOM.finditer(text):
        yield m.start(), m.end(), "address"


# towns that carry a number of their own: 西堀通3番町, 南1条西, 2線, 3地割
_NUMBERED_TOWN = re.compile(rf"(?:[0-9]+|{_KNUM}+)(?:番町|条|線|地割)")


# the last character of a word that may stand before a space in an address (上越市 西城町 2-5-8)
_BEFORE_SPACE = re.compile(r"[都道府県郡市区町村丁通台丘条字]$|" + _TOWN_SUFFIX.pattern)


def _town_start(text: str, at: int, limit: int = 24, strong: bool = False) -> int:
    """Walk left from a block number over the characters of a place name, and over the number of a
    numbered town (西堀通3番町) with the place before it. A single space is crossed after a word that
    ends like a town or a municipality, or before a block that is an address by itself (下門前 1234番地)."""
    i = at
    spaces = 0
    while i > 0 and at - i < limit:
        if _is_place_char(text, i - 1):
            i -= 1
            continue
        if text[i - 1] == " " and i > 1 and spaces < 2 and _is_place_char(text, i - 2) \
                and (strong or _BEFORE_SPACE.search(text[i - 2]) or "字" in _word_before(text, i - 1)):
            i -= 1
            spaces += 1
            continue
        j = i
        while j > 0 and (text[j - 1].isdigit() or re.match(_KNUM, text[j - 1])):
            j -= 1
        if j < i and j > 0 and _is_place_char(text, j - 1) and _NUMBERED_TOWN.match(text, j):
            i = j
            continue
        break
    return i


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and end - start < 12 and _is_place_char(text, start - 1):
        start -= 1
    return text[start:end]


# a town in kana before its ending: 美しが丘, ひばりが丘, つつじが丘, あざみ野
_KANA_TOWN = re.compile(r"[ぁ-ゖ]{1,5}?(?:が|ヶ)?[丘台野原岡浜]")


def _is_place_char(text: str, i: int) -> bool:
    if _PLACE_CHAR.match(text[i]):
        return True
    if text[i] == "る" and i > 0 and text[i - 1] in "上下入":  # Kyoto's 寺町通丸太町上る
        return True
    if "ぁ" <= text[i] <= "ゖ" and text[i] not in "のにはをへとでもや":
        j = i
        while j > 0 and "ぁ" <= text[j - 1] <= "ゖ":
            j -= 1
        if _KANA_TOWN.match(text, j) and i < _KANA_TOWN.match(text, j).end():
            return True
    # が inside a place name (自由が丘, 旭が丘): only between kanji or katakana. の is left out on
    # purpose: 「自宅の本町3丁目」 would take 自宅 for part of the town.
    return text[i] == "が" and 0 < i < len(text) - 1 and bool(_PLACE_CHAR.match(text[i - 1])) \
        and bool(_PLACE_CHAR.match(text[i + 1]))
