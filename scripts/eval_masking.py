"""How well `mask_pii` removes personal data and keeps everything else, on the labelled notes in
tests/text/ (development, held-out, red-team and blind parts, reported apart):

    .venv/bin/python scripts/eval_masking.py [--write] [--show-errors]

Recall: share of labelled personal-data spans removed. A span is removed when none of its letters
or digits survives in the masked note and its NFKC text does not occur in it; which original
characters survive is read from a character alignment of the masked note with the original.
Keep-precision: share of the other characters (white space aside) that survive unchanged.
With --write the figures go into docs/quality.md (section "Masking")."""

import argparse
import difflib
import json
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.text.masking import TOKENS, find_pii, mask_pii  # noqa: E402

DATA = ROOT / "tests" / "text"
PARTS = {"development": DATA / "masking_notes.jsonl", "held-out": DATA / "masking_heldout.jsonl",
         "red-team": DATA / "masking_redteam.jsonl", "blind": DATA / "masking_blind.jsonl"}
PROBE = [ROOT.parent / "shared" / "data" / "consultations_dev.jsonl",
         ROOT.parent / "shared" / "data" / "consultations_dev2.jsonl"]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).lower()


def _identifying(c: str) -> bool:
    return any(unicodedata.category(x)[0] in "LN" for x in _nfkc(c))


def _surviving(original: str, masked: str) -> list[bool]:
    """For each character of the original, whether it is still there in the masked note. Replacement
    tokens become one character the notes never use, so 年 of ［生年月日］ cannot pass for the original's."""
    for token in TOKENS.values():
        if token not in original:  # a note may already say ○○さん
            masked = masked.replace(token, "\ue000")
    alive = [False] * len(original)
    for block in difflib.SequenceMatcher(None, original, masked, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            alive[block.a + k] = True
    return alive


def _spans(text: str, pieces: list[str]) -> list[tuple[int, int]]:
    found = []
    for piece in pieces:
        at = text.find(piece)
        while at >= 0:
            found.append((at, at + len(piece)))
            at = text.find(piece, at + 1)
    return found


def score_note(row: dict, masked: str) -> dict:
    text = row["text"]
    alive = _surviving(text, masked)
    pii_at = set()
    misses = []
    for item in row["pii"]:
        positions = _spans(text, [item["text"]])
        pii_at.update(i for a, b in positions for i in range(a, b))
        leaked = any(alive[i] and _identifying(text[i]) for a, b in positions for i in range(a, b))
        if leaked or _nfkc(item["text"]) in _nfkc(masked):
            misses.append(item)
    other = [i for i in range(len(text)) if i not in pii_at and not text[i].isspace()]
    damaged = [i for i in other if not alive[i]]
    kept = [k for k in row.get("keep", []) if k in masked]
    return {"spans": len(row["pii"]), "misses": misses, "chars": len(other), "damaged": len(damaged),
            "keep": len(row.get("keep", [])), "keep_ok": len(kept)}


def evaluate(rows: list[dict]) -> dict:
    per_kind, miss_kind = Counter(), Counter()
    spans = misses = chars = damaged = keep = keep_ok = 0
    errors = []
    for row in rows:
        masked = mask_pii(row["text"])
        s = score_note(row, masked)
        spans += s["spans"]
        misses += len(s["misses"])
        chars += s["chars"]
        damaged += s["damaged"]
        keep += s["keep"]
        keep_ok += s["keep_ok"]
        per_kind.update(i["kind"] for i in row["pii"])
        miss_kind.update(i["kind"] for i in s["misses"])
        if s["misses"] or s["damaged"] or s["keep_ok"] < s["keep"]:
            errors.append((row["id"], [i["text"] for i in s["misses"]], s["damaged"], row["text"], masked))
    return {"notes": len(rows), "spans": spans, "recall": 1 - misses / spans if spans else 1.0,
            "keep_precision": 1 - damaged / chars if chars else 1.0, "keep": keep, "keep_ok": keep_ok,
            "per_kind": {k: (per_kind[k] - miss_kind[k], per_kind[k]) for k in sorted(per_kind)}, "errors": errors}


def timing(rows: list[dict]) -> tuple[float, float, float]:
    """Milliseconds: the first call (loads the dictionary), then the median and the slowest note of one
    pass over all notes with the dictionary-lookup cache empty."""
    from backend.text import sudachi
    sudachi.dictionary.cache_clear()
    sudachi.readings_pos.cache_clear()
    t = time.perf_counter()
    mask_pii(rows[0]["text"])
    first = (time.perf_counter() - t) * 1000
    sudachi.readings_pos.cache_clear()
    per_note = []
    for row in rows:
        t = time.perf_counter()
        mask_pii(row["text"])
        per_note.append((time.perf_counter() - t) * 1000)
    return first, statistics.median(per_note), max(per_note)


def probe(paths: list[Path]) -> tuple[int, list[str]]:
    """Spans found in notes without masking labels (the scene-classification notes, which are about
    collaboration problems, not people): a check for false alarms on text nobody wrote for this set."""
    notes = [json.loads(line)["text"] for path in paths if path.exists()
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return len(notes), [t[s.start:s.end] for t in notes for s in find_pii(t)]


# Names the labelled notes mostly do not use, put into the shapes coordinators write them in: a check that
# the name rules hold for names beyond the ones their notes were written with.
SURNAMES = ("佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 "
            "橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 "
            "金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田 石田 森田 上田 原 柴田 酒井 工藤 横山 宮崎 宮本 "
            "内田 高木 安藤 島田 谷口 大野 丸山 今井 高田 藤本 武田 村田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 "
            "岩崎 桜井 木下 野口 松尾 菊地 野村 新井 渡部 佐野 杉本 古川 大西 浜田 市川 五十嵐 小松 関 本間 星野 樋口 土田 "
            "白井 小池 荒井 片桐 堀 東海林 勅使河原 小鳥遊").split()
GIVEN_NAMES = ("和子 幸子 節子 洋子 恵子 京子 美智子 久美子 由美子 ハナ トメ キヨ 正 茂 清 博 実 勇 進 誠 浩 健一 太郎 一郎 隆 "
               "修 明 翔太 大輝 蓮 陽菜 結衣 さくら").split()
NAME_SHAPES = [
    "{s}さんより電話あり。", "担当CM {s}より連絡。", "長女 {s}{g}さんが来所。", "{s}Drに往診依頼。", "主治医 {s}医師の方針。",
    "訪看 {s}Nsより報告。", "民生委員の{s}さんから。", "{s}（長男）から電話。", "本人 {s} {g}、独居。", "{s}様宅を訪問。",
    "MSW{s}と調整。", "{s}先生に相談。", "妻の{g}が介護。", "{s}ケアマネから依頼。", "ヘルパー {s} が発見。",
    "{s}・{t}両名で訪問。", "利用者：{s}{g}", "{s} {g} 様（85）",
]
FOREIGN_NAMES = ("グエン・ヴァン・アン チャン・ティ・ラン ファム・ミン・トゥアン マリア・サントス ホセ・リサール ジョン・スミス "
                 "キム・ミンス パク・ジヨン イ・スンギ ワン・ウェイ リー・ナ チェン・ハオ アナ・パウラ ルーカス・オリヴェイラ "
                 "ラジェシュ・クマール アイシャ ファティマ ソフィア エミリー マイケル ナターシャ オルガ ロドリゲス ゴンザレス "
                 "ペレイラ サントス シルバ ゴメス スミス ジョンソン ブラウン ミラー ウィルソン ガルシア ロペス キム パク チェ "
                 "グエン チャン ファム レ ホアン").split() + [
    "Nguyen Van An", "Tran Thi Lan", "Pham Minh Tuan", "Maria Santos", "Jose Rizal", "John Smith", "Kim Minsu",
    "Park Jiyoung", "Wang Wei", "Li Na", "Chen Hao", "Ana Paula Souza", "Lucas Oliveira", "Rajesh Kumar", "Aisha Khan",
    "Emily Brown", "Michael Miller", "Olga Ivanova", "Carlos Rodriguez", "Fatima Ali", "Nguyễn Văn Hùng",
    "Trần Thị Hoa",
    "Lê Minh", "Đặng Thu Trang", "José María García", "Müller Hans", "Bùi Thị Hòa", "NGUYEN THI MAI", "SANTOS MARIA",
    "KIM SUNGHO", "Ｍａｒｉａ Ｃｌａｒａ", "Tanaka Hanako", "Sato Kenji", "SUZUKI Taro"]
FOREIGN_SHAPES = ["{n}さんから相談。", "利用者 {n} さん、服薬管理。", "{n}氏（技能実習生）", "長女の夫 {n} さんより。",
                  "本人：{n}、在留資格あり。", "{n} 様の件", "Dr. {n}（在宅医）"]


def substituted_names() -> tuple[int, list[str]]:
    """Sentences made from the lists above, and those in which a part of the name survives."""
    made, leaks = 0, []
    for shape in NAME_SHAPES:
        for k, surname in enumerate(SURNAMES):
            given, other = GIVEN_NAMES[k % len(GIVEN_NAMES)], SURNAMES[(k + 7) % len(SURNAMES)]
            text = shape.format(s=surname, g=given, t=other)
            masked = mask_pii(text)
            made += 1
            parts = [surname] + [given] * ("{g}" in shape) + [other] * ("{t}" in shape)
            if any(p in masked for p in parts):
                leaks.append(masked)
    for shape in FOREIGN_SHAPES:
        for name in FOREIGN_NAMES:
            if shape.startswith("Dr.") and not name.isascii():
                continue
            masked = mask_pii(shape.format(n=name))
            made += 1
            if any(p in masked for p in name.replace("・", " ").split() if len(p) > 1):
                leaks.append(masked)
    return made, leaks


HELD_OUT_HISTORY = """\
Which part was developed against, and the figures before the fixes it led to (each part's first run):

| part | written | first run (masker of) | recall | keep-precision | keep-phrases | misses of the first run |
| --- | --- | --- | --- | --- | --- | --- |
| held-out | before the new masker (6e7571d) | db8a38a | 0.981 | 0.995 | 36/37 | name 1 |
| red-team | before any rule change of this round (de97189) | 6f834bd | 0.926 | 0.996 | 712/720 | name 11/177, address 5/36, birthdate 5/37, phone 2/34, id 1/27 |
| blind | after the red-team fixes, before running the masker on it (its own commit) | bb6c29c | 0.923 | 0.987 | 277/286 | name 7/72, address 3/16 |

All four parts were then developed against: the figures in the first table are after the fixes, so no
part is untouched any more. The fixes are general rules (word lists by meaning, parts of speech, shapes),
never a note's own words.

The red-team part (`tests/text/masking_redteam.jsonl`, 367 notes) was written as an attacker would: names
of many origins in every script and width, with and without honorific, surname or given name alone, in
lists, next to roles (長女, ケアマネ, 主治医, 訪看, MSW, 包括) and titles (田中Dr, Dr.田中, 田中医師,
田中Ns, 渡部係長); phones with every hyphen, space, bracket (〔〕), ・, +81, 内線, local numbers after TEL;
e-mails with ＠ and full-width letters; postal codes; addresses with 丁目/番地/番/号 in digits and kanji
numerals, 字, 大字, 番町, 条, Kyoto's 上る, buildings and rooms; IDs after their labels (LINE ID too);
birthdates in every era form (M/T/S/H/R, 元年, kanji numerals, year and month only, 西暦 with the era in
brackets, 生/生まれ/生年月日/誕生日は). Its misses, by habit: names in capitals (SILVA OLIVEIRA ANA PAULA)
and with letters beyond ASCII (Nguyễn Thị Mai), initials (K.T.さん), トメばあちゃん, 渡部係長,
栗原ヘルパー, 長男の誠, さくら 西Ns, 長男（ﾀｶｼ） (Sudachi reads a word and its bracketed katakana as
one noun); 〔025〕523-7789 and a number one digit short (025-52-1234); 東本町一丁目十番十二号,
寺町通丸太町上る松蔭町123, 下門前 1234番地, 上越市 西城町 2-5-8, 北城町一丁目三番二号 … 二〇三号室;
hana0312 after LINE ID; 1942年（昭和17年）生まれ, 昭15生, S１２・３・４生, 1936(昭和11)年7月7日生,
誕生日は5月5日. It damaged 長男メール, 甥御さん, お坊さん, 福祉用具さん, マッサージ師さん, the
service ﾍﾙﾊﾟｰ事業所ハート, and the ward of 5階西病棟 512号室.

The blind part (`tests/text/masking_blind.jsonl`, 153 notes) was written after those fixes in yet other
habits, to see whether they were general: it missed ﾔﾏｸﾞﾁｻﾝ and キタムラサマ (honorifics in katakana),
tanaka-san, BUI THI HOA after 本人, 孫娘 さくら, 妻のハナ, 益子 ミツ, 美しが丘2-14-7, 下源入字中屋敷 123,
市営住宅 5号棟 302号室, and damaged お姑さん, サポーターさん, 見守り隊さん, 和田副院長, 直江津方面,
3丁目の交差点, and the country or role in brackets after a Latin or katakana name.

Besides the labelled parts, {surnames} common surnames with given names are put into {shapes} sentence
shapes and {foreign} foreign names into {foreign_shapes} (`SURNAMES`, `NAME_SHAPES`... in the script; most
are names the labelled notes do not use): {made} sentences, {leaked} with a part of the name left.
`tests/text/test_masking.py` asserts none. This check was developed against too: its first run, after the
blind part's fixes, left 78 of 2,196 sentences with a part of the name (its list then also held 四月一日
and 八月朔日, surnames written in numerals, now a stated limit; the others were surnames read as places
before （長男） or beside ・, a given name after a space, 妻のトメ, and MSW高橋 cut wrongly by the
tokenizer), all fixed as rules.

The held-out part (`tests/text/masking_heldout.jsonl`, 53 notes) was written and committed (6e7571d)
before the new masker existed, and first run once the development part passed (commit db8a38a):
recall 0.981 (53 of 54 spans; `向かいの家の川村トメから` missed: the tokenizer read the surname as a
place), keep-precision 0.995 (`地域包括支援センター職員 ｻｲﾄｳさん` lost the office's name), keep-phrases
36/37. Both were fixed as general rules (a surname read as a place followed by a given name is a name;
a role word ends the name in front of an honorific), and the figure above is after that fix, so the
held-out part has been looked at once and is no longer untouched."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    parts = {name: load(path) for name, path in PARTS.items()}
    first, median, slowest = timing([r for rows in parts.values() for r in rows])
    results = {name: evaluate(rows) for name, rows in parts.items()}
    everything = evaluate([r for rows in parts.values() for r in rows])
    lines = ["| part | notes | personal-data spans | recall | keep-precision | keep-phrases intact |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, res in [*results.items(), ("all", everything)]:
        lines.append(f"| {name} | {res['notes']} | {res['spans']} | {res['recall']:.3f} | {res['keep_precision']:.3f} "
                     f"| {res['keep_ok']}/{res['keep']} |")
    kinds = ["| kind | " + " | ".join(results) + " | all |", "| --- |" + " --- |" * (len(results) + 1)]
    for k, (ok, n) in everything["per_kind"].items():
        cells = [f"{res['per_kind'][k][0]}/{res['per_kind'][k][1]}" if k in res["per_kind"] else "–"
                 for res in results.values()]
        kinds.append(f"| {k} | " + " | ".join(cells) + f" | {ok}/{n} |")
    probed, alarms = probe(PROBE)
    extra = [f"Time: {median:.1f} ms per note (median; slowest {slowest:.1f} ms), {first:.0f} ms for the first call "
             "in a "
             "process (loads the dictionary). One core of this project's machine kind.",
             f"Masked spans in {probed} scene-classification notes without masking labels "
             "(`../shared/data/consultations_dev*.jsonl`): "
             f"{len(alarms)}" + (f" ({', '.join(alarms)})." if alarms else ".")]
    made, leaks = substituted_names()
    extra.append(f"Names put into sentence shapes: {made} sentences, {len(leaks)} with a part of the name left"
                 + (f" ({', '.join(leaks[:10])})." if leaks else "."))
    history = HELD_OUT_HISTORY.format(surnames=len(SURNAMES), shapes=len(NAME_SHAPES), foreign=len(FOREIGN_NAMES),
                                      foreign_shapes=len(FOREIGN_SHAPES), made=made, leaked=len(leaks))
    table = "\n".join(lines) + "\n\n" + "\n".join(kinds)
    print(table + "\n\n" + "\n".join(extra))
    if args.show_errors:
        for name, res in results.items():
            for e in res["errors"]:
                print(name, *e, sep="\n  ")
    if args.write:
        from scripts.quality_doc import write_section
        write_section("Masking", DOC.format(table=table, extra="\n".join(f"- {x}" for x in extra),
                                            history=history))


DOC = """
Command: `.venv/bin/python scripts/eval_masking.py --write` on the labelled notes in `tests/text/`:
`masking_notes.jsonl` (development), `masking_heldout.jsonl` (held out), `masking_redteam.jsonl`
(red team) and `masking_blind.jsonl` (blind); see below which were developed against. Targets: recall
1.0, keep-precision ≥ 0.95 (aim 0.99). `tests/text/test_masking.py` asserts recall 1.0, keep-precision
≥ 0.99 and every keep-phrase on each part.

{table}

{extra}

Measures. Recall: share of labelled personal-data spans removed; a span counts as removed when none of
its letters or digits survives in the masked note (survival is read from a character alignment of the
masked note with the original, replacement tokens excluded) and its NFKC text does not occur in it, so a
half-masked phone number or a surname left beside ○○ is a miss. Keep-precision: share of all other
characters (white space aside) that survive unchanged. Keep-phrases: strings a note says must stay
verbatim (保健師さん, 800-1500ml, 退院日 11/28, ひまわり内科...).

{history}

What goes and what stays (`backend/text/masking.py`; the token replaces only the identifying part, so
the note still reads):

| found | becomes | stays |
| --- | --- | --- |
| a personal name, any origin or script | ○○ | the honorific, title or role: ○○さん, 担当MSW○○, ○○Dr |
| a phone number, any width or separator | ［電話番号］ | its label (TEL, 携帯) |
| an e-mail address, also with ＠ | ［メール］ | |
| a postal code after 〒 or 郵便番号 | ［郵便番号］ | the mark or label; other ddd-dddd (800-1500ml) are not postal codes |
| a street address below the municipality, with building and room | ［住所］ | the municipality (上越市［住所］): it is known for every consultation and identifies nobody; a bare 3丁目 with no town named |
| a room number (805号室), also a hospital's or a facility's | ［住所］ | the ward (5階西病棟［住所］): with the hospital named, a room finds the patient; a ward does not |
| an identifier after its label (被保険者番号, マイナンバー, カルテNo., ID...) or a long unlabelled number | ［番号］ | the label |
| a date of birth in any era form | ［生年月日］ | the label and 生/生まれ; dates of visits, 昭和一桁生まれ, 大正生まれ, ages |
| initials before an honorific (K.T.さん, Aさん) | ○○ | the honorific: initials narrow a person down, and case-report guidance leaves them out |

How. All rules run on an NFKC copy of the note and their spans are mapped back to the original
characters, so width never hides a digit or a letter and the rest keeps its width. Names use SudachiPy
(core dictionary, split mode C; A and B gave the same figures here and C was fastest at the tail): the
part of speech 名詞-固有名詞-人名, the dictionary's readings of a word (can it be a surname, a given
name?) and 地名 to recognise a town before a block number; with rules for honorifics and titles with
or without a space, role words before a name, katakana and Latin names joined by ・ or spaces. Role
words, desk words, titles, organisation endings and eponyms (パーキンソン病) are data in
`backend/text/masking_words.toml`, matched exactly on token boundaries, never by a word's ending
(森本和子, 岡田信夫 are names). One dictionary per process, one tokenizer per thread.

Sudachi is helped where it errs in these notes: brackets are tokenized as [] (it reads 長男(タカシ) as one
noun), and text is tokenized in pieces split where Latin letters meet Japanese (it cuts MSW高橋 as
MSW|高|橋).

Limits, on purpose or known: organisation names stay even when they carry a surname (大野内科); a
surname alone, without honorific, role, title, given name or a partner joined by ・, that the tokenizer
reads as a place (家の川村から) stays, as does a name in hiragana without honorific or role; a rare surname
the dictionary knows only as a common noun stays unless an honorific or a role surrounds it, and a
surname written with numerals (四月一日) is not recognised; an organisation called by its own name and
さん (ひまわりさん) loses the name; addresses without a block number (本町の角の家) stay; a rare surname
reading can mask an ordinary word (数口). The masker is one layer: the hub manager reviews each example
before a packet leaves.
"""


if __name__ == "__main__":
    main()
