"""Text benchmarks (issue: workers). Run:

    .venv/bin/python -m tests.bench.bench_text

1. Scene classification throughput on one core: our lexicon classifier against a character n-gram
   TF-IDF + logistic regression (scikit-learn) trained on the development notes, on the same notes,
   in the same run.
2. Grouping 20,000 consultations of one hub-year through the real `regroup` service on PostgreSQL
   (the job's own code path): time and the process's peak memory."""

import asyncio
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from tests.bench.common import ROOT, fresh_database, write_section

DATA = ROOT.parent / "shared" / "data" / "consultations_dev.jsonl"
ROWS = 20_000


def classification() -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MultiLabelBinarizer

    from backend.text.scenes import classify
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    labels = MultiLabelBinarizer().fit_transform([r["scenes"] for r in rows])
    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)),
                          OneVsRestClassifier(LogisticRegression(max_iter=1000))).fit(texts, labels)
    corpus = texts * 25  # 4,000 notes
    classify(corpus[0])
    t = time.perf_counter()
    for text in corpus:
        classify(text)
    ours = len(corpus) / (time.perf_counter() - t)
    model.predict(corpus[:10])
    t = time.perf_counter()
    for text in corpus:  # one note at a time, as intake classifies them
        model.predict([text])
    baseline_single = len(corpus) / (time.perf_counter() - t)
    t = time.perf_counter()
    model.predict(corpus)
    baseline_batch = len(corpus) / (time.perf_counter() - t)
    return {"ours": ours, "single": baseline_single, "batch": baseline_batch, "n": len(corpus)}


async def _seed(url: str) -> tuple[int, int]:
    from backend.consultations import service as consultations
    from backend.db import make_engine, make_sessions, transaction
    from backend.fiscal import fiscal_year_of
    from backend.text.normalize import normalize
    from backend.text.scenes import classify
    from backend.taxonomy import CareScene, mask_of
    from tests.conftest import make_world
    engine = make_engine(url)
    sessions = make_sessions(engine)
    world = await make_world(sessions)
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = datetime(2025, 4, 2, tzinfo=UTC)
    batch = []
    async with transaction(sessions) as s:
        for i in range(ROWS):
            text = rows[i % len(rows)]["text"] + f"（{i}）"
            result = classify(text)
            scenes = [CareScene[x.scene] for x in result.scenes]
            received = start + timedelta(minutes=25 * i)
            batch.append(dict(hub_id=world.hub_id, municipality_code="15202", idempotency_key=f"g-{i}", received_at=received,
                              fiscal_year=fiscal_year_of(received), channel="phone", caller_role="care_manager", summary=text,
                              search_text=normalize(text), primary_scene=scenes[0].value if scenes else None,
                              scenes_mask=mask_of(scenes) if scenes else 0, scenes_confirmed=False, suggested_scenes=[],
                              categories_mask=0, subject_flags_mask=0, status="received", version=1,
                              created_by_id=world.coordinator_id, assignee_id=world.coordinator_id,
                              created_at=received, updated_at=received))
            if len(batch) == 5000:
                await consultations.insert_many(s, batch)
                batch = []
    await engine.dispose()
    return world.hub_id, 2025


async def _regroup(url: str, hub_id: int, fy: int) -> None:
    from backend.db import make_engine, make_sessions, transaction
    from backend.issues import service as issues
    engine = make_engine(url)
    async with transaction(make_sessions(engine)) as s:
        await issues.regroup(s, hub_id=hub_id, fiscal_year=fy)
    await engine.dispose()


def grouping_child(url: str, hub_id: int, fy: int) -> None:
    """Runs in a process of its own so that its peak memory is the regrouping's."""
    t = time.perf_counter()
    asyncio.run(_regroup(url, hub_id, fy))
    elapsed = time.perf_counter() - t
    print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def grouping() -> dict:
    url = asyncio.run(fresh_database("renkei_bench_grouping"))
    hub_id, fy = asyncio.run(_seed(url))
    runs = []
    for _ in range(2):  # the first run forms the issues, the second is the incremental nightly case
        out = subprocess.run([sys.executable, "-m", "tests.bench.bench_text", "--child", url, str(hub_id), str(fy)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"first": runs[0], "again": runs[1]}


def main() -> None:
    c = classification()
    g = grouping()
    body = f"""
Command: `.venv/bin/python -m tests.bench.bench_text` (one core each; PostgreSQL on localhost).

Scene classification, {c['n']:,} notes (the development notes repeated), same run:

| classifier | notes/s | ratio |
| --- | --- | --- |
| lexicon classifier (`backend/text/scenes.py`), one note at a time | {c['ours']:,.0f} | **{c['ours'] / c['single']:.1f}×** the baseline |
| char 1–3-gram TF-IDF + logistic regression (scikit-learn), one note at a time | {c['single']:,.0f} | 1.0× |
| the same model, all notes in one batch | {c['batch']:,.0f} | {c['batch'] / c['single']:.1f}× |

Target: at least as fast as the scikit-learn baseline. Intake classifies one note per call, so the
one-at-a-time figure is the one that matters; even against the batched model the lexicon is
{c['ours'] / c['batch']:.1f}× as fast.

Grouping {ROWS:,} consultations of one hub-year through `issues.service.regroup` (the `group_hub`
job's code: load, group, write issues and memberships), in a fresh process each:

| run | time | peak memory (process RSS) |
| --- | --- | --- |
| first grouping (issues created) | {g['first']['seconds']:.1f} s | {g['first']['peak_mb']:.0f} MB |
| regrouping the same year (incremental) | {g['again']['seconds']:.1f} s | {g['again']['peak_mb']:.0f} MB |

Target: under 30 s and 500 MB.
"""
    write_section("Classification and grouping", body)
    print(body)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        grouping_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
