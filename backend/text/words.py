"""Japanese words with Sudachi (the core dictionary ships in the `sudachidict-core` wheel): content
words for the classifier, whole noun phrases for issue key terms and titles."""

import threading
from functools import cache

from sudachipy import dictionary, tokenizer

_MODE = tokenizer.Tokenizer.SplitMode.C   # the longest units: 訪問診療, 地域包括支援センター
_CONTENT = frozenset(("名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞"))
_NEGATION = frozenset(("ない", "ず", "ぬ"))   # 決まらない and 決まる must not look alike
# nouns that say nothing about a problem, however often they occur
_EMPTY_NOUNS = frozenset((
    "こと", "もの", "ところ", "ため", "よう", "方", "者", "人", "件", "等", "など", "とき", "時", "際", "中", "後", "前",
    "今", "今回", "今日", "先日", "以前", "場合", "相談", "連絡", "確認", "問い合わせ", "お問い合わせ", "依頼", "希望",
    "状況", "内容", "話", "様子", "感じ", "自分", "本人", "家族", "ご家族", "さん", "様", "方々", "皆", "他", "ほか",
    "同じ", "毎日", "何", "誰", "どこ", "いつ", "どう", "これ", "それ", "あれ", "ここ", "そこ", "一", "二", "三",
))


_TRAILING = frozenset(("なし", "等", "など", "ら"))


_local = threading.local()


@cache
def _dictionary():
    return dictionary.Dictionary()


def _tokenizer():
    # one tokenizer per thread (training runs in a worker thread beside the event loop's intake);
    # the dictionary, a read-only file mapping, is shared
    if not hasattr(_local, "tokenizer"):
        _local.tokenizer = _dictionary().tokenizer(mode=_MODE)
    return _local.tokenizer


def tokens(text: str) -> list:
    return list(_tokenizer().tokenize(text))


def content_words(text: str) -> list[str]:
    """Lemmas (normalised forms: ｹｱﾏﾈ and ケアマネ alike) of content words and negations, then
    adjacent pairs joined by `_` — the classifier's word features."""
    out = []
    for m in tokens(text):
        pos = m.part_of_speech()[0]
        lemma = m.normalized_form()
        if pos in _CONTENT or (pos == "助動詞" and lemma in _NEGATION):
            out.append(lemma)
    return out + [f"{a}_{b}" for a, b in zip(out, out[1:])]


def _is_noun_part(m) -> bool:
    pos = m.part_of_speech()
    if pos[0] == "名詞":
        return pos[1] not in ("数詞", "代名詞")
    return pos[0] in ("接頭辞",) or (pos[0] == "接尾辞" and pos[1] == "名詞的")


def _noun_runs(text: str) -> list[list]:
    runs, run = [], []

    def close() -> None:
        while run and run[0].part_of_speech()[0] == "接尾辞":  # a suffix cannot start a phrase
            run.pop(0)
        while run and (run[-1].part_of_speech()[0] == "接頭辞" or run[-1].surface() in _TRAILING):
            run.pop()  # nor a prefix or a bare 「なし」 end it
        if run:
            runs.append(list(run))
        run.clear()

    for m in tokens(text):
        if _is_noun_part(m):
            run.append(m)
        else:
            close()
    close()
    return runs


def _keep(phrase: str) -> bool:
    return len(phrase) >= 2 and phrase not in _EMPTY_NOUNS and not phrase.isdigit()


def noun_phrases(text: str) -> list[str]:
    """Whole noun phrases in reading order: runs of nouns with their prefixes and noun suffixes
    (在宅 + 医 → 在宅医, 退院前 + カンファ → 退院前カンファ). Never a verb stem or an inflection, so
    never a fragment like 「決まら」「いない」."""
    return [p for p in ("".join(m.surface() for m in run) for run in _noun_runs(text)) if _keep(p)]


def noun_phrases_with_lemmas(text: str) -> list[tuple[str, list[str]]]:
    """Each noun phrase with the lemmas of its words (the word voice's features)."""
    out = []
    for run in _noun_runs(text):
        phrase = "".join(m.surface() for m in run)
        if _keep(phrase):
            out.append((phrase, [m.normalized_form() for m in run]))
    return out


def key_phrases(text: str) -> set[str]:
    """Candidate key terms: each noun phrase, the nouns inside it and its two-word parts (来週退院 →
    来週退院, 退院), so that notes naming the same thing in longer or shorter phrases meet."""
    out = set()
    for run in _noun_runs(text):
        out.add("".join(m.surface() for m in run))
        for i, m in enumerate(run):
            if m.part_of_speech()[0] == "名詞":
                out.add(m.surface())
            if i + 1 < len(run) and run[i + 1].part_of_speech()[0] != "接頭辞" and m.part_of_speech()[0] != "接尾辞":
                out.add(m.surface() + run[i + 1].surface())
    return {p for p in out if _keep(p)}
