"""Quality of scene suggestions and regional-issue grouping, on notes the model has not seen:

    .venv/bin/python scripts/eval_text.py [--write] [--calibrate]

Splits of the two shipped labelled sets (backend/text/data: `dev`, 160 notes; `dev2`, 240 notes):
- 5-fold cross-validation over both sets pooled (folds stratified by primary scene, fixed seed);
- trained on dev, scored on dev2; trained on dev2, scored on dev.
In every split the scene model is trained on the training side only, and grouping learns its known
problems from the training side's labelled groups only; the scored side is grouped as one hub's
year, each note with the scenes the model adopted for it (as when logged through the API).

Variants: the ensemble as shipped (lexicon + character and word voices), and the ensemble without
the lexicon (no terms, abbreviations or rules) — the lexicon was written while reading dev, so only
the lexicon-free figures are clean of that.

--calibrate: chooses grouping's two thresholds by 5-fold cross-validation in which a third of the
problems are also hidden from the catalogue in each fold (a deployment meets problems nobody
labelled); prints the best pair for backend/text/grouping.py. --write: docs/quality.md."""

import argparse
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score, v_measure_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from backend.text import corpus, grouping  # noqa: E402
from backend.text.model import Example, train  # noqa: E402
from backend.text.scenes import Lexicon, default_lexicon  # noqa: E402
from scripts.quality_doc import write_section  # noqa: E402

DEV = corpus.read(corpus.DATA / "consultations_dev.jsonl")
DEV2 = corpus.read(corpus.DATA / "consultations_dev2.jsonl")
NO_LEXICON = Lexicon(version="none")
T0 = datetime(2025, 4, 1, tzinfo=UTC)


def examples(notes) -> list[Example]:
    return [Example(text=n.text, scenes=n.scenes, primary=n.primary) for n in notes]


# --- scenes --------------------------------------------------------------------------------------

def scene_scores(pairs: list[tuple]) -> dict:
    """pairs: (note, suggestions). top-1 / top-3 on the primary scene; micro-F1 of adopted scene sets."""
    top1 = top3 = tp = fp = fn = 0
    for note, suggestions in pairs:
        ranked = [s.scene for s in suggestions]
        top1 += ranked[0] == note.primary
        top3 += note.primary in ranked[:3]
        adopted = {s.scene for s in suggestions if s.adopted}
        gold = set(note.scenes)
        tp, fp, fn = tp + len(adopted & gold), fp + len(adopted - gold), fn + len(gold - adopted)
    n = len(pairs)
    return {"n": n, "top1": top1 / n, "top3": top3 / n, "micro_f1": 2 * tp / (2 * tp + fp + fn)}


# --- grouping ------------------------------------------------------------------------------------

def group_scores(notes, suggestions, labelled, model, lexicon, **thresholds) -> dict:
    items = [grouping.Note(id=i, text=n.text, scenes=tuple(s.scene for s in sugg if s.adopted),
                           received_at=T0 + timedelta(hours=i)) for i, (n, sugg) in enumerate(zip(notes, suggestions))]
    drafts = grouping.group(items, model=model, labelled=labelled, lexicon=lexicon, **thresholds)
    issue_of = {}
    for d in drafts:
        for m in d.member_ids:
            issue_of.setdefault(m, f"{d.scene}:{d.signature}")
    predicted = [issue_of.get(i, f"none:{i}") for i in range(len(notes))]
    gold = [n.issue_group for n in notes]
    sizes = Counter(gold)
    sharing = [i for i, g in enumerate(gold) if sizes[g] >= 2]
    return {"ari": adjusted_rand_score(gold, predicted), "v": v_measure_score(gold, predicted),
            "in_issue": sum(i in issue_of for i in sharing) / len(sharing), "issues": len(drafts),
            "problems": sum(1 for g, c in sizes.items() if c >= 2)}


def mean(rows: list[dict]) -> dict:
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


# --- splits --------------------------------------------------------------------------------------

def folds(notes, k: int = 5):
    primary = [n.primary for n in notes]
    for fit, held in StratifiedKFold(k, shuffle=True, random_state=1).split(notes, primary):
        yield [notes[i] for i in fit], [notes[i] for i in held]


def run_split(fit, held, lexicon, *, hide: set[str] = frozenset(), thresholds=None):
    model = train(examples(fit), lexicon)
    suggestions = model.suggest_many([n.text for n in held], lexicon)
    labelled = [n for n in fit if n.issue_group not in hide]
    grids = thresholds or [{}]
    return model, suggestions, [group_scores(held, suggestions, labelled, model, lexicon, **g) for g in grids]


def evaluate(lexicon) -> dict:
    pooled = list(DEV) + list(DEV2)
    cv_pairs, cv_groups = [], []
    for fit, held in folds(pooled):
        _, suggestions, [g] = run_split(fit, held, lexicon)
        cv_pairs += list(zip(held, suggestions))
        cv_groups.append(g)
    out = {"cv": (scene_scores(cv_pairs), mean(cv_groups))}
    for name, fit, held in (("dev → dev2", DEV, DEV2), ("dev2 → dev", DEV2, DEV)):
        _, suggestions, [g] = run_split(fit, held, lexicon)
        out[name] = (scene_scores(list(zip(held, suggestions))), g)
    return out


def calibrate() -> dict:
    ratios = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]
    distances = [0.8, 0.85, 0.9, 0.95]
    weights = [0.02, 0.05]
    margins = [0.0, 0.5, 1.0, 2.0]
    grid = [{"known_ratio": r, "cluster_distance": d, "scene_weight": w, "margin_weight": m}
            for r in ratios for d in distances for w in weights for m in margins]
    pooled = list(DEV) + list(DEV2)
    per_fold = []
    for k, (fit, held) in enumerate(folds(pooled)):
        groups = sorted({n.issue_group for n in fit})
        hide = set(np.random.default_rng(k).choice(groups, len(groups) // 3, replace=False))
        per_fold.append(run_split(fit, held, default_lexicon(), hide=hide, thresholds=grid)[2])
    table = []
    for j, g in enumerate(grid):
        m = mean([fold[j] for fold in per_fold])
        table.append((g, m))
    eligible = [t for t in table if t[1]["in_issue"] >= 0.85] or table
    best = max(eligible, key=lambda t: (round(t[1]["ari"], 3), -t[0]["known_ratio"]))
    for g, m in table:
        print(f"{g['known_ratio']:.2f} {g['cluster_distance']:.2f} {g['scene_weight']:.2f} {g['margin_weight']:.1f}  ARI {m['ari']:.3f}  V {m['v']:.3f}  in issue {m['in_issue']:.3f}")
    print("best:", best[0], {k: round(v, 3) for k, v in best[1].items()})
    return best[0]


def table(results: dict) -> str:
    lines = ["| split | notes scored | primary scene (top-1) | primary in top three | scene micro-F1 | ARI | V-measure | notes sharing a problem that are in an issue | issues formed / problems shared |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, (s, g) in results.items():
        label = "5-fold CV, dev + dev2" if name == "cv" else name
        issues = f"{g['issues']:.1f} / {g['problems']:.1f}" if name == "cv" else f"{g['issues']:.0f} / {g['problems']:.0f}"
        lines.append(f"| {label} | {s['n']} | {s['top1']:.3f} | {s['top3']:.3f} | {s['micro_f1']:.3f} | {g['ari']:.3f} | "
                     f"{g['v']:.3f} | {g['in_issue']:.3f} | {issues} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.calibrate:
        calibrate()
    full = evaluate(default_lexicon())
    bare = evaluate(NO_LEXICON)
    body = f"""
Command: `.venv/bin/python scripts/eval_text.py --write` ({time.perf_counter() - started:.0f} s on one core).
Data: the two shipped labelled sets, `dev` (160 notes, 30 problems) and `dev2` (240 notes in several
writing styles, 45 problems), in `backend/text/data/`. Every figure is on notes the model did not train
on: in each split the scene model is trained on the training side only, grouping learns its known
problems from the training side's labelled groups only, and the scored side is grouped as one hub's year
with the scenes the model adopted for each note (as when logged through the API, not the gold scenes).
CV rows: scene measures over all 400 held-out predictions; grouping measures the mean over the five
folds (each fold, 80 notes, grouped as a hub-year).

Targets on notes written in other hands: scene micro-F1 ≥ 0.80, primary ≥ 0.80, primary among the top
three ≥ 0.95; grouping ARI ≥ 0.55 with ≥ 85% of the notes that share a problem inside an issue.

**Ensemble as shipped** (lexicon + character n-grams + Sudachi words, stacked):

{table(full)}

**Without the lexicon** (character n-grams + Sudachi words only; abbreviations not expanded):

{table(bare)}

How to read these honestly:
- The lexicon (`scene_lexicon.toml`) was first written while reading `dev`, and in this issue it was
  extended with general domain vocabulary (abbreviations, symptoms, behaviours, weather) after looking at
  errors on both sets. So every row of the first table is optimistic about the lexicon's part, most of all
  `dev2 → dev`. The second table uses no lexicon at all and is clean: its cross-set rows are what the
  supervised voices do on a set written in other hands. The shipped model uses the lexicon; the gap
  between the two tables is an upper bound on what the lexicon adds on unseen writing.
- The problem catalogue's titles (`problems.toml`) name the shipped groups; recognising a problem is
  learned from labelled notes only, so grouping figures carry no hand-written rules.
- `dev → dev2` is the hard direction: 160 training notes in one style, and 21 of dev2's 45 problems never
  occur in dev, so about 45% of its notes belong to problems the catalogue cannot know; they can only be
  found by clustering. `dev2 → dev` has every multi-note problem of dev in its catalogue.
- The figures that replaced the earlier ones (micro-F1 0.933, primary 0.906, ARI 0.850) were measured on
  `dev`, the notes the lexicon and the old problem rules were written against; they were not estimates of
  quality on new notes.
"""
    print(body)
    if args.write:
        write_section("Scene suggestions and regional-issue grouping", body)


if __name__ == "__main__":
    main()
