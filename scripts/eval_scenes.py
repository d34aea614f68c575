"""Scene classification quality on the labelled development notes:

    .venv/bin/python scripts/eval_scenes.py [--write] [--show-errors]

micro-F1 over the scene sets, primary-scene accuracy, per-scene precision and recall. With --write
the figures go into docs/quality.md (section "Scene classification")."""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.text.scenes import classify  # noqa: E402
from scripts.quality_doc import write_section  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "consultations_dev.jsonl"


def evaluate(rows: list[dict]) -> dict:
    tp, fp, fn = Counter(), Counter(), Counter()
    primary_ok = 0
    errors = []
    for r in rows:
        gold = {s.upper() for s in r["scenes"]}
        result = classify(r["text"])
        pred = {s.scene for s in result.scenes}
        for s in pred & gold:
            tp[s] += 1
        for s in pred - gold:
            fp[s] += 1
        for s in gold - pred:
            fn[s] += 1
        primary_ok += result.primary == r["primary_scene"].upper()
        if pred != gold or result.primary != r["primary_scene"].upper():
            errors.append((r["id"], sorted(gold), r["primary_scene"], [(s.scene, s.confidence, s.matched_terms) for s in result.scenes], r["text"]))
    t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro = 2 * t / (2 * t + p + n)
    per_scene = {s: (tp[s] / (tp[s] + fp[s]) if tp[s] + fp[s] else 0.0, tp[s] / (tp[s] + fn[s]) if tp[s] + fn[s] else 0.0)
                 for s in sorted(set(tp) | set(fn) | set(fp))}
    return {"n": len(rows), "micro_f1": micro, "primary_accuracy": primary_ok / len(rows), "per_scene": per_scene, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    res = evaluate(rows)
    lines = [f"| notes | {res['n']} |", f"| micro-F1 (scene sets) | {res['micro_f1']:.3f} |",
             f"| primary-scene accuracy | {res['primary_accuracy']:.3f} |"]
    table = "\n".join(["| measure | value |", "| --- | --- |", *lines])
    per = "\n".join(["| scene | precision | recall |", "| --- | --- | --- |",
                     *[f"| {s} | {p:.2f} | {r:.2f} |" for s, (p, r) in res["per_scene"].items()]])
    print(table + "\n\n" + per)
    if args.show_errors:
        for e in res["errors"]:
            print(e)
    if args.write:
        write_section("Scene classification", f"""
Command: `.venv/bin/python scripts/eval_scenes.py --write` on `../shared/data/consultations_dev.jsonl`.
Targets: micro-F1 ≥ 0.90, primary accuracy ≥ 0.85.

{table}

{per}

The lexicon (`backend/text/scene_lexicon.toml`) is written from domain vocabulary (domain.md's scene
terms, their synonyms, abbreviations and the ways desks write them), not from the development notes'
sentences; the development set is used to measure and to find missing vocabulary.
""")


if __name__ == "__main__":
    main()
