"""How well `mask_pii` removes personal data and keeps everything else, on the labelled notes in
tests/text/ (the development part and the held-out part, reported apart):

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
PARTS = {"development": DATA / "masking_notes.jsonl", "held-out": DATA / "masking_heldout.jsonl"}
PROBE = [ROOT.parent / "shared" / "data" / "consultations_dev.jsonl", ROOT.parent / "shared" / "data" / "consultations_dev2.jsonl"]


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


HELD_OUT_HISTORY = """\
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
    kinds = ["| kind | removed / labelled (all notes) |", "| --- | --- |",
             *[f"| {k} | {ok}/{n} |" for k, (ok, n) in everything["per_kind"].items()]]
    probed, alarms = probe(PROBE)
    extra = [f"Time: {median:.1f} ms per note (median; slowest {slowest:.1f} ms), {first:.0f} ms for the first call in a "
             "process (loads the dictionary). One core of this project's machine kind.",
             f"Masked spans in {probed} scene-classification notes without masking labels (`../shared/data/consultations_dev*.jsonl`): "
             f"{len(alarms)}" + (f" ({', '.join(alarms)})." if alarms else ".")]
    table = "\n".join(lines) + "\n\n" + "\n".join(kinds)
    print(table + "\n\n" + "\n".join(extra))
    if args.show_errors:
        for name, res in results.items():
            for e in res["errors"]:
                print(name, *e, sep="\n  ")
    if args.write:
        from scripts.quality_doc import write_section
        write_section("Masking", DOC.format(table=table, extra="\n".join(f"- {x}" for x in extra),
                                            history=HELD_OUT_HISTORY))


DOC = """
Command: `.venv/bin/python scripts/eval_masking.py --write` on the labelled notes in `tests/text/`
(`masking_notes.jsonl`, developed against; `masking_heldout.jsonl`, held out). Targets: recall 1.0,
keep-precision ≥ 0.95. `tests/text/test_masking.py` asserts them on both parts.

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
| a street address below the municipality, with building and room | ［住所］ | the municipality (上越市［住所］): it is known for every consultation and identifies nobody |
| an identifier after its label (被保険者番号, マイナンバー, カルテNo., ID...) or a long unlabelled number | ［番号］ | the label |
| a date of birth in any era form | ［生年月日］ | the label and 生/生まれ |

How. All rules run on an NFKC copy of the note and their spans are mapped back to the original
characters, so width never hides a digit or a letter and the rest keeps its width. Names use SudachiPy
(core dictionary, split mode C; A and B gave the same figures here and C was fastest at the tail): the
part of speech 名詞-固有名詞-人名, the dictionary's readings of a word (can it be a surname, a given
name?) and 地名 to recognise a town before a block number; with rules for honorifics and titles with
or without a space, role words before a name, katakana and Latin names joined by ・ or spaces. Role
words, desk words, titles, organisation endings and eponyms (パーキンソン病) are data in
`backend/text/masking_words.toml`, matched exactly on token boundaries, never by a word's ending
(森本和子, 岡田信夫 are names). One dictionary per process, one tokenizer per thread.

Limits, on purpose or known: organisation names stay even when they carry a surname (大野内科); a
surname alone, without honorific, role or given name, that the tokenizer reads as a place (家の川村から)
stays, as does a name in hiragana without honorific; a rare surname the dictionary knows only as a
common noun stays unless an honorific or a role surrounds it; addresses without a block number (本町の
角の家) stay; a rare surname reading can mask an ordinary word (数口). The masker is one layer: the hub
manager reviews each example before a packet leaves.
"""


if __name__ == "__main__":
    main()
