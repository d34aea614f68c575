"""Regional-issue grouping quality on the labelled development notes, taken as one hub's year:

    .venv/bin/python scripts/eval_grouping.py [--write] [--show]

Each note's scenes are its labelled scenes. A note is counted in the issue of its primary scene (or
its only issue); notes in no issue count as singletons. Reports the adjusted Rand index and the
V-measure against `issue_group`, and the time to group a synthetic 20,000-note hub-year."""

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score, v_measure_score  # noqa: E402

from backend.text.grouping import Note, group  # noqa: E402
from scripts.quality_doc import write_section  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "consultations_dev.jsonl"


def notes_of(rows: list[dict]) -> list[Note]:
    start = datetime(2025, 4, 1, tzinfo=UTC)
    return [Note(id=i, text=r["text"], scenes=tuple(dict.fromkeys([r["primary_scene"].upper(), *(s.upper() for s in r["scenes"])])),
                 received_at=start + timedelta(hours=i)) for i, r in enumerate(rows)]


def evaluate(rows: list[dict]) -> dict:
    notes = notes_of(rows)
    drafts = group(notes)
    assigned: dict[int, str] = {}
    for d in drafts:
        for m in d.member_ids:
            if m not in assigned or d.scene == notes[m].scenes[0]:
                assigned[m] = f"{d.scene}:{d.signature}"
    predicted = [assigned.get(n.id, f"single:{n.id}") for n in notes]
    gold = [r["issue_group"] for r in rows]
    return {"ari": adjusted_rand_score(gold, predicted), "v": v_measure_score(gold, predicted),
            "issues": len(drafts), "grouped": len(assigned), "n": len(rows), "drafts": drafts}


def scale(n: int = 20_000) -> float:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    base = notes_of(rows)
    notes = [Note(id=i, text=base[i % len(base)].text + f"（{i}）", scenes=base[i % len(base)].scenes,
                  received_at=base[0].received_at + timedelta(minutes=i)) for i in range(n)]
    t = time.perf_counter()
    group(notes)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    res = evaluate(rows)
    if args.show:
        for d in res["drafts"]:
            print(d.scene, d.title, d.key_terms, [rows[m]["issue_group"] for m in d.member_ids])
    elapsed = scale()
    table = "\n".join(["| measure | value |", "| --- | --- |", f"| notes | {res['n']} |",
                       f"| adjusted Rand index | {res['ari']:.3f} |", f"| V-measure | {res['v']:.3f} |",
                       f"| issues formed | {res['issues']} |", f"| notes in an issue | {res['grouped']} |",
                       f"| 20,000 notes: time (pure grouping, one core; the whole job is in performance.md) | {elapsed:.2f} s |"])
    print(table)
    if args.write:
        write_section("Regional-issue grouping", f"""
Command: `.venv/bin/python scripts/eval_grouping.py --write` on `../shared/data/consultations_dev.jsonl`,
all notes taken as one hub's fiscal year. Target: ARI ≥ 0.6.

{table}

How it groups: each consultation joins the issue of the canonical collaboration problem it matches
best (`backend/text/problems.toml`: per scene, the problem, the title a hub manager would write, and
groups of terms that must and may occur); consultations that match none are grouped by the scene terms
they share. A problem needs two consultations to become an issue. The key terms shown with each issue
are the terms that matched. The catalogue is written in general domain vocabulary, not from the
development notes' sentences; notes written differently match as long as they name the same problem.
""")


if __name__ == "__main__":
    main()
