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

--calibrate: chooses grouping's thresholds and prints them for backend/text/grouping.py: the cluster
distance on 2,000 recombined notes with no known problem (a year's size), then the known-problem
thresholds by 5-fold cross-validation in which a third of the problems are also hidden from the
catalogue in each fold (a deployment meets problems nobody labelled). --write: docs/quality.md."""

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


def recombined(n: int, seed: int = 0) -> list[tuple[str, corpus.LabelledNote]]:
    """n notes made from the shipped ones (a span dropped, a clause of another note added, a serial
    number), each labelled like the note it came from: a hub-year's size for clustering and benchmarks."""
    import random
    shipped = corpus.shipped()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = shipped[i % len(shipped)], rng.choice(shipped)
        cut = rng.randrange(len(a.text))
        clause = b.text.split("、")[0][:30]
        out.append((a.text[:cut] + a.text[cut + rng.randint(2, 8):] + "。" + clause + f"（{i}）", a))
    return out


def calibrate_distance() -> float:
    """CLUSTER_DISTANCE on a year-sized set where nothing is known: 2,000 recombined notes, the known
    problems switched off, every note clustered. The best ARI wins. (Small held-out
    folds cannot choose it: with a dozen notes a scene, cutting late always looks good, and on a real
    year it makes a handful of giant issues.)"""
    from backend.text.model import base_model
    notes = recombined(2000, seed=2)
    items = [grouping.Note(id=i, text=t, scenes=(n.primary,), received_at=T0 + timedelta(minutes=i))
             for i, (t, n) in enumerate(notes)]
    gold = [n.issue_group for _, n in notes]
    best = None
    for d in (0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        drafts = grouping.group(items, model=base_model(), known_ratio=99.0, cluster_distance=d)
        issue_of = {m: dr.signature for dr in drafts for m in dr.member_ids}
        ari = adjusted_rand_score(gold, [issue_of.get(i, f"none:{i}") for i in range(len(items))])
        print(f"distance {d:.2f}: {len(drafts)} issues, ARI {ari:.3f}")
        best = max(best or (ari, d), (ari, d))
    return best[1]


def calibrate() -> dict:
    """The known-problem thresholds by 5-fold CV in which a third of the problems are also hidden from the
    catalogue in each fold (a deployment meets problems nobody labelled), with the distance fixed first."""
    distance = calibrate_distance()
    grid = [{"known_ratio": r, "cluster_distance": distance, "scene_weight": w, "margin_weight": m}
            for r in (1.0, 1.1, 1.2, 1.3, 1.4, 1.5) for w in (0.02, 0.05) for m in (0.0, 0.5, 1.0)]
    pooled = list(DEV) + list(DEV2)
    per_fold = []
    for k, (fit, held) in enumerate(folds(pooled)):
        groups = sorted({n.issue_group for n in fit})
        hide = set(np.random.default_rng(k).choice(groups, len(groups) // 3, replace=False))
        per_fold.append(run_split(fit, held, default_lexicon(), hide=hide, thresholds=grid)[2])
    table = [(g, mean([fold[j] for fold in per_fold])) for j, g in enumerate(grid)]
    # the coverage target first; when no setting reaches it, the best coverage among settings whose ARI is
    # within noise (0.012, one note of a fold) of the best
    eligible = [t for t in table if t[1]["in_issue"] >= 0.85]
    if not eligible:
        top = max(m["ari"] for _, m in table)
        eligible = [t for t in table if t[1]["ari"] >= top - 0.012]
        best = max(eligible, key=lambda t: (round(t[1]["in_issue"], 3), round(t[1]["ari"], 3)))
    else:
        best = max(eligible, key=lambda t: (round(t[1]["ari"], 3), -t[0]["known_ratio"]))
    for g, m in table:
        print(f"ratio {g['known_ratio']:.2f} scene {g['scene_weight']:.2f} margin {g['margin_weight']:.1f}  "
              f"ARI {m['ari']:.3f}  V {m['v']:.3f}  in issue {m['in_issue']:.3f}")
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


TARGETS = (("top1", 0.80, "primary scene"), ("top3", 0.95, "primary in top three"), ("micro_f1", 0.80, "scene micro-F1"),
           ("ari", 0.55, "grouping ARI"), ("in_issue", 0.85, "sharing notes in an issue"))


def missed(results: dict) -> str:
    """Which targets each table misses, split by split."""
    out = []
    for name, (scenes, groups) in results.items():
        label = "CV" if name == "cv" else name
        values = {**scenes, **groups}
        misses = [f"{what} {values[key]:.3f} < {goal:.2f}" for key, goal, what in TARGETS if values[key] < goal]
        out.append(f"{label}: " + ("all targets met" if not misses else "; ".join(misses)))
    return "; ".join(out)


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
Command: `.venv/bin/python scripts/eval_text.py --write` (about {time.perf_counter() - started:.0f} s wall on a shared 2-core machine).
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

Against the targets — as shipped: {missed(full)}. Without the lexicon: {missed(bare)}.

Grouping thresholds (`backend/text/grouping.py`, from `--calibrate`): the cluster distance on 2,000
recombined shipped notes with the catalogue switched off (a year's size: small folds would choose a
late cut that makes a handful of giant issues on a real year), then the known-problem thresholds by the
5-fold CV above with a third of the problems hidden from the catalogue in every fold; no setting reached
85% of sharing notes in an issue there, so among the settings within 0.012 ARI of the best the one with
the best coverage was taken.

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
- What the misses would need: on `dev → dev2` most grouping errors are notes of problems the catalogue
  has never seen, which can only be clustered, and clustering short notes in other words is weak with
  word and character features alone (ARI about 0.3–0.4 on clustering by itself). A deployment closes much
  of this as hub managers confirm, move and merge issues (each becomes a known problem for that hub at the
  next regrouping); beyond that, labelled notes for the problems desks actually meet, or a sentence
  encoder for the clustering step (none is used here: the project allows one only with weights shipped in
  a package whose origin can be vouched for, and prefers none). The CV folds (80 notes, about 24 problems, mostly pairs) are the harshest setting for coverage: a
  pair must be recognised by both of its notes.
- The figures that replaced the earlier ones (micro-F1 0.933, primary 0.906, ARI 0.850) were measured on
  `dev`, the notes the lexicon and the old problem rules were written against; they were not estimates of
  quality on new notes.
- This round's change: the notes no known problem takes are clustered in one partition across scenes
  (a cluster's scene is its members' most common primary), not within each scene; same thresholds.
  Before it (per-scene clustering): CV ARI 0.570 with 0.773 of sharing notes in an issue, dev → dev2
  0.335 / 0.875, dev2 → dev 0.625 / 0.942; coverage rose on both held-out rows, ARI moved within noise.
- Tried and not shipped, measured before that change (same splits; none beat the rule then shipped
  on the cross-validated rows, and choosing among them by these rows would be tuning on the scored
  notes): a logistic join model learned leave-one-out on the training side's labelled notes with a third
  of the problems hidden per round (CV ARI 0.46–0.55, dev2 → dev fell to 0.29–0.61: in-set similarities
  are higher than cross-set ones, so it joins too much or too little on new writing); re-fitted TF-IDF
  over character 2–4-grams, words, noun phrases or key terms, and latent spaces of 50–200 dimensions for
  matching known problems (top-1 problem accuracy at most 0.03 above the shipped space, often below); feature weights
  learned from the labelled groups (the chance that two notes sharing a feature share a problem) —
  clustering by itself improved (best-cut ARI on dev → dev2 0.06 → 0.14–0.19) and dev2 → dev rose to
  0.64–0.69, but CV ARI fell to 0.42–0.56 (then shipped 0.570) at every weight tried. Measured with the lexicon only.
"""
    print(body)
    if args.write:
        write_section("Scene suggestions and regional-issue grouping", body)


if __name__ == "__main__":
    main()
