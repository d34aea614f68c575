"""Masks what could identify a person in a note before it goes into a generated document:
phone numbers, e-mail addresses, postal codes, personal names with an honorific, dates of birth.
Works on the original text (offsets kept), so everything else reads as the coordinator wrote it."""

import re

_D = r"[0-9０-９]"
_SEP = r"[-‐－ー―（）()\s]?"
PATTERNS = [
    # e-mail first: its digits must not be taken for a phone number
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}|[Ａ-Ｚａ-ｚ０-９._％＋－]+＠[Ａ-Ｚａ-ｚ０-９.－]+"), "［メール］"),
    (re.compile(rf"(?:生年月日|生年)[:：\s]*[^\s、。]*?{_D}+[年/.\-]{_D}+[月/.\-]{_D}+日?(?:生まれ|生)?|"
                rf"(?:昭和|平成|大正|令和|[SHTRshtr]\.?)\s?{_D}{{1,2}}[年/.\-]{_D}{{1,2}}[月/.\-]{_D}{{1,2}}日?\s?(?:生まれ|生)|"
                rf"(?:19|20){_D}{{2}}[年/.\-]{_D}{{1,2}}[月/.\-]{_D}{{1,2}}日?\s?(?:生まれ|生)"), "［生年月日］"),
    (re.compile(rf"(?<!{_D})(?:0{_D}{{1,4}}{_SEP}{_D}{{1,4}}{_SEP}{_D}{{3,4}}|０{_D}{{9,10}}|0{_D}{{9,10}})(?!{_D})"
                rf"(?:\s?(?:内線|＃|#)\s?{_D}+)?"), "［電話番号］"),
    (re.compile(rf"〒\s?{_D}{{3}}[-‐－ー]?{_D}{{4}}|(?<!{_D}){_D}{{3}}[-‐－]{_D}{{4}}(?!{_D})"), "［郵便番号］"),
]
# a name (kanji, kana, or Latin) directly before an honorific; role words that take さん/様 are kept
HONORIFIC = re.compile(r"([一-龥々〆ヵヶ]{1,6}|[ァ-ヴー]{2,8}|[ぁ-ゖ]{2,6}|[A-Za-zＡ-Ｚａ-ｚ]{2,12})(さん|様|さま|氏|くん|君|ちゃん)")
ROLE_WORDS = {
    "奥", "娘", "息子", "お嫁", "嫁", "ご本人", "本人", "患者", "利用者", "家族", "ご家族", "ケアマネ", "ヘルパー", "お母", "お父",
    "母", "父", "旦那", "ご主人", "主人", "お子", "子", "妹", "姉", "兄", "弟", "お孫", "孫", "皆", "みな", "担当", "職員",
    "看護師", "先生", "入居者", "入所者", "相談員", "管理者", "施設長", "医師", "薬剤師", "お客", "奥様", "ご利用者", "民生委員",
    "隣人", "近所", "大家", "主任", "包括", "訪看", "事業所", "病院", "クリニック", "薬局", "お医者", "歯医者", "お兄", "お姉",
    "おじ", "おば", "おばあ", "おじい", "じい", "ばあ", "おにい", "おねえ", "あかちゃん", "長男", "長女", "次男", "次女", "三男", "三女", "夫", "妻", "ご夫婦", "親戚", "叔母", "叔父", "伯母", "伯父", "嫁いだ娘",
}


def _name(match: re.Match) -> str:
    name, honorific = match.group(1), match.group(2)
    for cut in range(len(name)):  # 「長男の山田さん」: keep the role word, mask what follows it
        if name[cut:] in ROLE_WORDS:
            return match.group(0)
    if name[0] in "ぁ-ゖ" or "\u3041" <= name[0] <= "\u3096":
        # a hiragana run can start with the particle before the name: 「近所のおじさん」
        rest = name.split("の")[-1]
        if not rest or rest in ROLE_WORDS:
            return match.group(0)
    return "○○" + honorific


def mask_pii(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return HONORIFIC.sub(_name, text)
