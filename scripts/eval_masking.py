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

from backend.text.masking import TOKENS, mask_pii  # noqa: E402

DATA = ROOT / "tests" / "text"
PARTS = {"development": DATA / "masking_notes.jsonl", "held-out": DATA / "masking_heldout.jsonl"}


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


def timing(rows: list[dict]) -> tuple[float, float]:
    """Milliseconds: the first call (loads the dictionary) and the median per note after it."""
    from backend.text import sudachi
    sudachi.dictionary.cache_clear()
    t = time.perf_counter()
    mask_pii(rows[0]["text"])
    first = (time.perf_counter() - t) * 1000
    per_note = []
    for row in rows * 3:
        t = time.perf_counter()
        mask_pii(row["text"])
        per_note.append((time.perf_counter() - t) * 1000)
    return first, statistics.median(per_note)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    parts = {name: load(path) for name, path in PARTS.items()}
    first, median = timing([r for rows in parts.values() for r in rows])
    results = {name: evaluate(rows) for name, rows in parts.items()}
    everything = evaluate([r for rows in parts.values() for r in rows])
    lines = ["| part | notes | personal-data spans | recall | keep-precision | keep-phrases intact |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, res in [*results.items(), ("all", everything)]:
        lines.append(f"| {name} | {res['notes']} | {res['spans']} | {res['recall']:.3f} | {res['keep_precision']:.3f} "
                     f"| {res['keep_ok']}/{res['keep']} |")
    kinds = ["| kind | removed / labelled (all notes) |", "| --- | --- |",
             *[f"| {k} | {ok}/{n} |" for k, (ok, n) in everything["per_kind"].items()]]
    timing_line = f"Time: {median:.1f} ms per note (median), {first:.0f} ms for the first call of a process (loads the dictionary)."
    table = "\n".join(lines) + "\n\n" + "\n".join(kinds)
    print(table + "\n\n" + timing_line)
    if args.show_errors:
        for name, res in results.items():
            for e in res["errors"]:
                print(name, *e, sep="\n  ")
    if args.write:
        from scripts.quality_doc import write_section
        write_section("Masking", (ROOT / "scripts" / "masking_doc.md").read_text(encoding="utf-8").format(
            table=table, timing=timing_line))


if __name__ == "__main__":
    main()
