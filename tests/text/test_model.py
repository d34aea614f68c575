"""Scene suggestions from the stacked model: what a coordinator sees for notes written here, never
from the development notes."""

import io

import numpy as np
import pytest

from backend.text import corpus
from backend.text.model import Example, SceneModel, base_model, train
from backend.text.scenes import Lexicon, load_lexicon
from tests.text.test_scenes import HELD_OUT


def test_every_note_gets_at_least_three_ranked_scenes_and_a_best_guess():
    for note in ("資料を送ってほしい", "明後日退院、在宅Dr未定", "？"):
        suggestions = base_model().suggest(note)
        assert len(suggestions) >= 3
        assert suggestions[0].adopted
        assert all(0.0 <= s.confidence <= 1.0 for s in suggestions)
        assert len({s.scene for s in suggestions}) == len(suggestions)
        rest = [s.confidence for s in suggestions[1:]]
        assert rest == sorted(rest, reverse=True)


def test_a_clear_note_is_suggested_with_the_terms_that_drove_it():
    top = base_model().suggest("退院前カンファに訪問Drが決まらず、在宅医を探している")[0]
    assert top.scene == "ADMISSION_DISCHARGE" and top.confidence > 0.8
    assert "退院前カンファ" in top.matched_terms and "在宅医" in top.matched_terms


def test_notes_written_in_other_hands_lead_with_the_right_scene():
    model = base_model()
    ranked = [([s.scene for s in model.suggest(note)], primary) for note, _, primary in HELD_OUT]
    assert sum(r[0] == p for r, p in ranked) / len(ranked) >= 0.85
    assert all(p in r[:3] for r, p in ranked)


def test_a_note_spanning_scenes_adopts_both():
    suggestions = base_model().suggest("認知症の母を連れて避難所に行けない、福祉避難所の使い方は")
    adopted = [s.scene for s in suggestions if s.adopted]
    assert adopted[0] == "DISASTER" and "DEMENTIA" in adopted


def test_cross_cutting_leads_only_when_no_scene_of_its_own_is_likely():
    assert base_model().suggest("多職種連携の研修会の講師を探している")[0].scene == "CROSS_CUTTING"
    assert base_model().suggest("看取りの研修会の講師を探している")[0].scene == "END_OF_LIFE"


def test_a_deployments_lexicon_extension_moves_the_suggestion(tmp_path):
    extra = tmp_path / "local.toml"
    extra.write_text('[scene.DISASTER]\n"線状降水帯" = 4\n', encoding="utf-8")
    note = "線状降水帯の予報、訪問の判断"
    assert base_model().suggest(note)[0].scene != "DISASTER"
    top = base_model().suggest(note, load_lexicon([extra]))[0]
    assert top.scene == "DISASTER" and "線状降水帯" in top.matched_terms


def test_training_is_deterministic_and_stored_as_arrays_only():
    examples = [Example(n.text, n.scenes, n.primary) for n in corpus.shipped()[::4]]
    first, second = train(examples), train(list(reversed(examples)))
    assert first.version == second.version and first.to_bytes() == second.to_bytes()
    restored = SceneModel.from_bytes(first.to_bytes())
    notes = [note for note, _, _ in HELD_OUT]
    assert restored.suggest_many(notes) == first.suggest_many(notes)


def test_a_stored_model_carrying_a_pickle_is_refused():
    arrays = dict(np.load(io.BytesIO(base_model().to_bytes()), allow_pickle=False))
    arrays["char_idf"] = np.array([{"not": "numbers"}], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with pytest.raises(ValueError):
        SceneModel.from_bytes(buffer.getvalue())


def test_trained_on_one_set_it_scores_the_other_without_the_lexicon():
    """The honest floor (docs/quality.md): supervised voices only, trained on dev, scored on dev2."""
    dev = corpus.read(corpus.DATA / "consultations_dev.jsonl")
    dev2 = corpus.read(corpus.DATA / "consultations_dev2.jsonl")
    bare = Lexicon(version="none")
    model = train([Example(n.text, n.scenes, n.primary) for n in dev], bare)
    ranked = [[s.scene for s in sugg] for sugg in model.suggest_many([n.text for n in dev2], bare)]
    assert sum(r[0] == n.primary for r, n in zip(ranked, dev2)) / len(dev2) >= 0.65
    assert sum(n.primary in r[:3] for r, n in zip(ranked, dev2)) / len(dev2) >= 0.90


def test_the_intake_path_computes_the_same_features_as_scikit_learn():
    from backend.text.features import _tfidf
    from backend.text.scenes import default_lexicon
    features = base_model().features
    prepared = [default_lexicon().prepare(note) for note, _, _ in HELD_OUT]
    for vectorizer in (features.char, features.word):
        assert np.abs(_tfidf(vectorizer, prepared).toarray() - vectorizer.transform(prepared).toarray()).max() < 1e-6
