"""Grouping notes into regional issues: the pure algorithm, on notes written for these tests."""

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backend.text.grouping import ExistingIssue, LexiconError, Note, group, load_problems

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "consultations_dev.jsonl"
T0 = datetime(2025, 5, 1, tzinfo=UTC)


def notes(*items):
    return [Note(id=i, text=text, scenes=tuple(scenes), received_at=T0 + timedelta(days=i))
            for i, (text, scenes) in enumerate(items)]


SAMPLE = notes(
    ("退院間近なのに往診医が見つからない", ["ADMISSION_DISCHARGE"]),
    ("退院調整中、在宅医を引き受ける診療所がいない", ["ADMISSION_DISCHARGE", "DAILY_CARE"]),
    ("退院後の訪問診療の医師が決まらず困っている", ["ADMISSION_DISCHARGE"]),
    ("停電したら人工呼吸器のバッテリーがもつか不安", ["DISASTER"]),
    ("台風の停電に備えて呼吸器の電源を確保したい", ["DISASTER", "DAILY_CARE"]),
    ("研修の日程を知りたい", ["CROSS_CUTTING"]),
)


def test_same_problem_in_other_words_groups_together_and_different_problems_apart():
    drafts = {d.title: d for d in group(SAMPLE)}
    assert drafts["退院前に訪問診療医が決まらない"].member_ids == [0, 1, 2]
    assert drafts["停電時の人工呼吸器・医療機器の電源確保"].member_ids == [3, 4]
    assert all(d.key_terms for d in drafts.values())
    assert len(drafts) == 2  # the stray note forms no issue on its own


def test_titles_are_japanese():
    for d in group(SAMPLE):
        assert any("\u3040" <= ch <= "\u9fff" for ch in d.title)


def test_grouping_is_deterministic_whatever_the_input_order():
    shuffled = SAMPLE[:]
    random.Random(3).shuffle(shuffled)
    assert [(d.signature, d.member_ids, d.title) for d in group(shuffled)] == \
           [(d.signature, d.member_ids, d.title) for d in group(SAMPLE)]


def test_a_note_is_in_at_most_one_issue_per_scene():
    seen = set()
    for d in group(SAMPLE):
        for m in d.member_ids:
            assert (d.scene, m) not in seen
            seen.add((d.scene, m))


def test_existing_issue_keeps_its_id_and_new_notes_join_it():
    first = {d.signature: d for d in group(SAMPLE[:2])}
    sig = "problem:no_home_physician_for_discharge"
    existing = [ExistingIssue(id=41, scene="ADMISSION_DISCHARGE", signatures=(sig,), reviewed=True,
                              locked_ids=frozenset(first[sig].member_ids))]
    later = {d.signature: d for d in group(SAMPLE, existing)}
    assert later[sig].existing_id == 41 and later[sig].member_ids == [2]  # locked members stay where they are


def test_unmatched_notes_group_by_shared_scene_terms():
    drafts = group(notes(("胃ろう交換の病院が遠く褥瘡処置も必要", ["DAILY_CARE"]),
                         ("胃ろうと褥瘡のケアで訪問回数が足りない", ["DAILY_CARE"])))
    assert len(drafts) == 1 and drafts[0].signature.startswith("terms:")
    assert set(drafts[0].key_terms) >= {"胃ろう", "褥瘡"} and "胃ろう" in drafts[0].title


def test_a_broken_problem_file_is_refused_with_file_and_line(tmp_path):
    bad = tmp_path / "problems.toml"
    bad.write_text('[[problem]]\nid = "x"\ntitle = "x\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="problems.toml.*line 3"):
        load_problems(bad)


@pytest.mark.skipif(not DEV.exists(), reason="development notes not present")
def test_development_set_reaches_the_target():
    from scripts.eval_grouping import evaluate
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert evaluate(rows)["ari"] >= 0.6
