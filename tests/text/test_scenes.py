"""The scene lexicon on its own (one voice of the ensemble): notes written here in other hands than
the development set."""

import pytest

from backend.text.scenes import LexiconError, classify, load_lexicon

# (note, expected scenes, expected primary) — terse desk shorthand, typos, half-width kana
HELD_OUT = [
    ("明後日退院、在宅Dr未定。MSWより至急", {"ADMISSION_DISCHARGE"}, "ADMISSION_DISCHARGE"),
    ("退院前ｶﾝﾌｧ日程調整の依頼 病棟Nsから", {"ADMISSION_DISCHARGE"}, "ADMISSION_DISCHARGE"),
    ("入院時情報提供書の様式がほしいとCMさん", {"ADMISSION_DISCHARGE"}, "ADMISSION_DISCHARGE"),
    ("夜間の連絡先不明、家族が119番。主治医と調整したい", {"ACUTE_CHANGE"}, "ACUTE_CHANGE"),
    ("休日に急変したら誰が往診？当番医の仕組みは", {"ACUTE_CHANGE"}, "ACUTE_CHANGE"),
    ("施設入居者が転倒、協力医療機関に連絡つかず救急搬送", {"ACUTE_CHANGE"}, "ACUTE_CHANGE"),
    ("ＡＣＰの進め方を知りたい、本人は自宅での最期を希望", {"END_OF_LIFE"}, "END_OF_LIFE"),
    ("がん末期、疼痛コントロール目的で在宅緩和ケアを希望", {"END_OF_LIFE"}, "END_OF_LIFE"),
    ("自宅で亡くなった場合の死亡診断は誰がするのか家族から質問", {"END_OF_LIFE"}, "END_OF_LIFE"),
    ("物忘れ進行、受診拒否。初期集中支援チームへ", {"DEMENTIA"}, "DEMENTIA"),
    ("BPSDで興奮強くデイ利用中止、家族疲弊", {"DEMENTIA"}, "DEMENTIA"),
    ("徘徊で行方不明2回目、見守りネットワークの相談", {"DEMENTIA"}, "DEMENTIA"),
    ("ｺﾛﾅ陽性でﾍﾙﾊﾟｰ派遣停止、代替サービスなし", {"INFECTION"}, "INFECTION"),
    ("GHでノロウイルス集団発生、保健所へ報告済み", {"INFECTION"}, "INFECTION"),
    ("防護具の在庫が足りない訪問看護ステーション", {"INFECTION"}, "INFECTION"),
    ("台風接近、人工呼吸器の方の停電対策を確認したい", {"DISASTER"}, "DISASTER"),
    ("個別避難計画の作成に訪看も関わってほしいと市防災課", {"DISASTER"}, "DISASTER"),
    ("地震で断水、透析患者の受診先の情報がほしい", {"DISASTER"}, "DISASTER"),
    ("訪問歯科を探している、入れ歯が合わず食べられない", {"DAILY_CARE"}, "DAILY_CARE"),
    ("残薬多数、飲み忘れ続く。在宅対応の薬局紹介希望", {"DAILY_CARE"}, "DAILY_CARE"),
    ("胃ろうの方のショートステイ先が見つからない", {"DAILY_CARE"}, "DAILY_CARE"),
    ("褥瘡悪化、訪問看護の回数を増やしたい", {"DAILY_CARE"}, "DAILY_CARE"),
]


def test_terms_of_each_scene_are_recognised():
    for note, scenes, primary in HELD_OUT:
        result = classify(note)
        assert result.primary == primary, (note, result)
        assert scenes <= {s.scene for s in result.scenes}, (note, result)


def test_held_out_notes_reach_the_targets():
    tp = fp = fn = 0
    primary_ok = 0
    for note, gold, primary in HELD_OUT:
        result = classify(note)
        pred = {s.scene for s in result.scenes}
        tp, fp, fn = tp + len(pred & gold), fp + len(pred - gold), fn + len(gold - pred)
        primary_ok += result.primary == primary
    assert 2 * tp / (2 * tp + fp + fn) >= 0.9 and primary_ok / len(HELD_OUT) >= 0.85


def test_width_and_case_are_normalised():
    for note in ("ACPについて", "ＡＣＰについて", "acpについて"):
        assert classify(note).primary == "END_OF_LIFE"
    assert "ヘルパー" in classify("ﾍﾙﾊﾟｰの吸引が必要な方").scenes[0].matched_terms or classify("ﾍﾙﾊﾟｰの吸引").primary == "DAILY_CARE"


def test_a_note_can_span_scenes_with_confidences_and_terms():
    result = classify("認知症の母を連れて避難所に行けない、福祉避難所の使い方は")
    scenes = {s.scene: s for s in result.scenes}
    assert result.primary == "DISASTER" and "DEMENTIA" in scenes
    assert 0 < scenes["DEMENTIA"].confidence < scenes["DISASTER"].confidence <= 1
    assert "福祉避難所" in scenes["DISASTER"].matched_terms


def test_context_rules():
    assert classify("人工呼吸器の方、停電時のバッテリーが心配").primary == "DISASTER"
    assert classify("人工呼吸器の回路交換の手順を確認したい").primary == "DAILY_CARE"
    assert classify("介護者の負担軽減のためレスパイト入院を探している").primary == "DAILY_CARE"


def test_the_lexicon_alone_finds_nothing_in_a_note_without_scene_terms():
    result = classify("資料を送ってほしい")
    assert result.scenes == [] and result.primary is None


def test_cross_cutting_only_when_no_scene_is_evident():
    assert classify("多職種連携の研修会の講師を探している").primary == "CROSS_CUTTING"
    assert "CROSS_CUTTING" not in {s.scene for s in classify("看取りの研修会の講師を探している").scenes}


def test_a_deployment_extends_the_lexicon(tmp_path):
    extra = tmp_path / "local.toml"
    extra.write_text('[scene.DISASTER]\n"線状降水帯" = 4\n', encoding="utf-8")
    lexicon = load_lexicon([extra])
    assert classify("線状降水帯の予報、訪問の判断", lexicon).primary == "DISASTER"
    assert classify("線状降水帯の予報、訪問の判断").primary != "DISASTER"
    assert lexicon.version != load_lexicon().version


def test_a_broken_lexicon_file_is_refused_with_file_and_line(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('[scene.DISASTER]\n"停電" = 4\n"断水 = 3\n', encoding="utf-8")
    with pytest.raises(LexiconError) as e:
        load_lexicon([bad])
    assert "broken.toml" in str(e.value) and "line 3" in str(e.value)


def test_an_unknown_scene_is_refused(tmp_path):
    bad = tmp_path / "typo.toml"
    bad.write_text('[scene.DISASTR]\n"停電" = 4\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="typo.toml.*DISASTR"):
        load_lexicon([bad])


def test_latin_abbreviations_expand_only_as_words_of_their_own():
    lexicon = load_lexicon()
    assert lexicon.prepare("SS利用をGHから相談") == "ショートステイ利用をグループホームから相談"
    assert "ショートステイ" not in lexicon.prepare("class")
    assert lexicon.prepare("インフルエンザ") == "インフルエンザ" and lexicon.prepare("インフル") == "インフルエンザ"
