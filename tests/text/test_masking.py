"""Masking what identifies a person in example notes of generated documents."""

import json
import threading
from pathlib import Path

import pytest

from backend.text.masking import find_pii, mask_pii
from scripts.eval_masking import PARTS, evaluate, load, substituted_names


def _check(text: str, gone: list[str], kept: list[str]) -> None:
    masked = mask_pii(text)
    for g in gone:
        assert g not in masked, masked
    for k in kept:
        assert k in masked, masked


# the reviewers' examples from issue 8: each must be masked or kept as stated
@pytest.mark.parametrize("text, gone, kept", [
    ("森本和子さんの退院調整", ["森本", "和子"], ["○○さん"]),
    ("岡田信夫さんより電話", ["岡田", "信夫"], ["○○さん"]),
    ("石川 進 様 宅へ訪問", ["石川", "進"], ["様"]),
    ("担当MSW西田より連絡", ["西田"], ["担当MSW○○より"]),
    ("大野先生から説明", ["大野"], ["○○先生"]),
    ("村上Drに確認", ["村上"], ["○○Dr"]),
    ("向かいの高木ヨシが見守り", ["高木", "ヨシ"], ["向かいの○○"]),
    ("アナ・ロペスさんの服薬", ["アナ", "ロペス"], ["○○さん"]),
    ("Tran Van Minh さんの職場", ["Tran", "Van", "Minh"], ["さん"]),
    ("上越市本町3丁目2-8 △△ハイツ102号室", ["本町", "3丁目", "2-8", "ハイツ", "102"], ["上越市［住所］"]),
    ("被保険者番号 1520987712", ["1520987712"], ["被保険者番号 ［番号］"]),
    ("カルテNo. 40213", ["40213"], ["［番号］"]),
    ("長男 mitsuru.h＠example.jp", ["mitsuru", "example"], ["［メール］"]),
    ("携帯０７０（３３１８）２２４６", ["３３１８", "２２４６"], ["［電話番号］"]),
    ("自宅 ０８０－６６０３－１９５８", ["６６０３", "１９５８"], ["［電話番号］"]),
    ("昭12.7.9生の女性", ["12.7.9"], ["［生年月日］"]),
    ("平成元年10月3日生まれ", ["元年", "10月3日"], ["［生年月日］生まれ"]),
    ("昭和十二年七月九日生", ["十二年", "七月九日"], ["［生年月日］"]),
])
def test_reviewers_examples_are_masked(text, gone, kept):
    _check(text, gone, kept)


@pytest.mark.parametrize("text", [
    "保健師さんと同行", "PTさんの評価", "大家さんが鍵を開けた", "娘さんが疲れ切っている", "訪看さんは週3回",
    "MSWさんより連絡", "ケアマネさんより", "尿量 800-1500ml/日",
])
def test_reviewers_keep_examples_stay(text):
    assert mask_pii(text) == text


@pytest.mark.parametrize("text, gone, kept", [
    # names of many origins, with or without an honorific, title or role
    ("ヤマダ様より電話", ["ヤマダ"], ["○○様"]),
    ("ﾔﾏﾀﾞ様より電話", ["ﾔﾏﾀﾞ"], ["○○様"]),
    ("はなこちゃんの通学", ["はなこ"], ["○○ちゃん"]),
    ("ゆうとくんの入浴", ["ゆうと"], ["○○くん"]),
    ("担当の佐藤氏が対応", ["佐藤"], ["担当の○○氏"]),
    ("利用者の林さん", ["林"], ["利用者の○○さん"]),
    ("王 偉 氏が経営", ["王", "偉"], ["○○ 氏"]),
    ("朴ソヨンさん（韓国籍）", ["朴", "ソヨン"], ["○○さん"]),
    ("グエン・ヴァン・ナムさん", ["グエン", "ナム"], ["○○さん"]),
    ("Maria Cristina Dela Cruz さん", ["Maria", "Cruz"], ["○○ さん"]),
    ("NGUYEN VAN AN さん", ["NGUYEN", "AN さん"], ["○○ さん"]),
    ("João da Silva さん", ["João", "Silva"], ["○○ さん"]),
    ("Ｒｏｓａ Ｍｅｎｄｏｚａ さん", ["Ｒｏｓａ", "Ｍｅｎｄｏｚａ"], ["○○ さん"]),
    ("Dr.Fernandes（小児科）", ["Fernandes"], ["Dr.○○"]),
    ("ＣＭ山口さんから", ["山口"], ["ＣＭ○○さん"]),
    ("ｹｱﾏﾈ 田村 より", ["田村"], ["ｹｱﾏﾈ ○○ より"]),
    ("ＭＳＷ　髙橋より電話", ["髙橋"], ["ＭＳＷ　○○より"]),
    ("CM林より電話", ["林"], ["CM○○より"]),
    ("息子の隆が来ない", ["隆"], ["息子の○○が"]),
    ("川村トメから連絡", ["川村", "トメ"], ["○○から"]),
    ("鈴木ﾖｼ子 さん 転倒", ["鈴木", "ﾖｼ", "子 さん"], ["○○ さん"]),
    ("西村師長と打合せ", ["西村"], ["○○師長"]),
    ("地域包括支援センター職員 ｻｲﾄｳさん", ["ｻｲﾄｳ"], ["地域包括支援センター職員 ○○さん"]),
    # phones in every width and separator
    ("長女の携帯 090-1234-5678 に連絡", ["5678"], ["［電話番号］"]),
    ("自宅 0258(12)3456 へ", ["3456"], ["［電話番号］"]),
    ("ＴＥＬ ０９０１２３４５６７８", ["５６７８"], ["ＴＥＬ ［電話番号］"]),
    ("連絡先 025-123-4567 内線 12", ["4567", "内線 12"], ["［電話番号］"]),
    ("090ｰ1234ｰ5678 夜間不可", ["1234"], ["［電話番号］ 夜間不可"]),
    ("090−1234−5678", ["1234"], ["［電話番号］"]),
    ("(050)3321-7708 IP電話", ["3321"], ["［電話番号］ IP電話"]),
    ("+81-90-5521-7730 (海外)", ["5521"], ["［電話番号］ (海外)"]),
    ("(090-2211-6650)より", ["2211"], ["(［電話番号］)より"]),
    # e-mail, also full width
    ("メール yamada.k@example.co.jp で送付", ["example"], ["［メール］"]),
    ("ｔａｋａｓｈｉ．ｍ＠ｅｘａｍｐｌｅ．ｃｏｍ（ご家族）", ["ｔａｋａｓｈｉ", "ｅｘａｍｐｌｅ"], ["［メール］（ご家族）"]),
    # postal codes only after 〒 or 郵便番号
    ("〒940-0062 の住所", ["0062"], ["〒［郵便番号］"]),
    ("郵便番号 940-0062", ["0062"], ["郵便番号 ［郵便番号］"]),
    ("〒９４３－０８０４ 確認済", ["０８０４"], ["［郵便番号］"]),
    # addresses below the municipality, rooms included
    ("新潟市中央区東大通2丁目5番12号 グランメゾン東大通 805号室", ["東大通", "805"], ["新潟市中央区［住所］"]),
    ("上越市大手町4-17-3 で転倒", ["大手町", "17"], ["上越市［住所］ で転倒"]),
    ("柏崎市大字平井字上野245番地の家", ["平井", "245"], ["柏崎市［住所］の家"]),
    ("上越市西本町三丁目8番地の2", ["西本町", "8番地の2"], ["上越市［住所］"]),
    ("長岡市城内町２－４－１８ ｺｰﾎﾟ城内２０１号室", ["城内町", "２０１"], ["長岡市［住所］"]),
    # identifiers after their labels
    ("マイナンバー 1234 5678 9012 の写し", ["5678"], ["マイナンバー ［番号］ の写し"]),
    ("個人番号：123456789012", ["1234"], ["［番号］"]),
    ("介護保険番号：3100456721", ["3100456721"], ["［番号］"]),
    ("患者ID A00381 の件", ["A00381"], ["患者ID ［番号］ の件"]),
    ("ｶﾙﾃNo.３３０１２ 入院歴", ["３３０１２"], ["［番号］"]),
    ("障害者手帳番号 第12345号", ["12345"], ["［番号］"]),
    # birthdates in every era form
    ("S12.3.4生の男性", ["12.3.4"], ["［生年月日］"]),
    ("昭和12年3月4日生まれの女性", ["3月4日"], ["［生年月日］"]),
    ("生年月日：1937/03/04", ["1937"], ["［生年月日］"]),
    ("Ｈ２．３．１５生まれ", ["２．３．１５"], ["［生年月日］生まれ"]),
    ("平元.8.8生 重心児", ["8.8"], ["［生年月日］"]),
    ("令和元年5月1日生れの医ケア児", ["5月1日"], ["［生年月日］"]),
    ("1938年(昭和13年)5月6日生", ["1938", "5月6日"], ["［生年月日］"]),
    ("誕生日 3/14、生年は不明", ["3/14"], ["［生年月日］"]),
    ("昭和22年生まれ、要介護1", ["22年"], ["［生年月日］生まれ、要介護1"]),
    ("昭和8年12月1日 生", ["12月1日"], ["［生年月日］"]),
    # habits the red-team and blind sets brought up
    ("NGUYEN THI HUONG さん、SANTOS DA SILVA MARIA さん", ["NGUYEN", "HUONG", "SANTOS", "SILVA", "MARIA"], ["○○ さん"]),
    ("本人 LE VAN TAM（ベトナム）", ["LE", "TAM"], ["本人 ○○（ベトナム）"]),
    ("Phạm Thị Hương さん", ["Phạm", "Hương"], ["○○ さん"]),
    ("S.K.さん（次女）", ["S.K."], ["○○さん（次女）"]),
    ("ウメばあちゃんの見守り", ["ウメ"], ["○○ばあちゃん"]),
    ("石田係長、小山主査と協議", ["石田", "小山"], ["○○係長", "○○主査"]),
    ("森田ヘルパーが発見", ["森田"], ["○○ヘルパー"]),
    ("次女の恵が同居", ["恵"], ["次女の○○が"]),
    ("妻のトメが介護", ["トメ"], ["妻の○○が"]),
    ("長女（ﾐﾖｺ）が来所", ["ﾐﾖｺ"], ["長女（○○）"]),
    ("訪看 つばさ 南Ns", ["南"], ["つばさ ○○Ns"]),
    ("ﾀｹﾀﾞｻﾝ から電話", ["ﾀｹﾀﾞ"], ["○○ｻﾝ"]),
    ("kobayashi-san の件", ["kobayashi"], ["○○-san"]),
    ("MSW高橋と調整", ["高橋"], ["MSW○○と"]),
    ("松本・森両名で訪問", ["松本", "森"], ["○○・○○両名"]),
    ("千葉（長男）から電話", ["千葉"], ["○○（長男）"]),
    ("本人 佐藤 実、独居", ["佐藤", "実、"], ["本人 ○○、独居"]),
    ("佐伯（さえき）さん", ["佐伯", "さえき"], ["○○（○○）さん"]),
    ("〔0255〕72-3344 自宅", ["3344"], ["［電話番号］ 自宅"]),
    ("自宅 025-52-7788", ["7788"], ["自宅 ［電話番号］"]),
    ("yoko.m(at)example.jp", ["yoko", "example"], ["［メール］"]),
    ("LINE ID: sakura_0401", ["sakura_0401"], ["LINE ID: ［番号］"]),
    ("在留カード番号 AB12345678CD", ["AB12345678CD"], ["［番号］"]),
    ("1940年（昭和15年）生まれ", ["1940", "15年"], ["［生年月日］生まれ"]),
    ("昭9生、独居", ["昭9"], ["［生年月日］生、独居"]),
    ("S８・１・２生", ["８・１・２"], ["［生年月日］生"]),
    ("誕生日は12月24日", ["12月24日"], ["誕生日は［生年月日］"]),
    ("長岡市表町一丁目二番三号", ["表町", "二番三号"], ["長岡市［住所］"]),
    ("上越市 東城町 3-4-5", ["東城町", "3-4-5"], ["上越市 ［住所］"]),
    ("京都市中京区河原町通三条下る大黒町45", ["河原町", "大黒町45"], ["京都市中京区［住所］"]),
    ("横浜市緑区つつじが丘3-2-1", ["つつじが丘", "3-2-1"], ["横浜市緑区［住所］"]),
    ("県営住宅 2号棟 105号室", ["2号棟", "105"], ["県営住宅 ［住所］"]),
    ("3階東病棟 312号室", ["312"], ["3階東病棟 ［住所］"]),
    ("Juan さん（フィリピン）", ["Juan"], ["○○ さん（フィリピン）"]),
    ("マツばあちゃん", ["マツ"], ["○○ばあちゃん"]),
    ("携帯 〇九〇－一二三四－五六七八", ["一二三四", "五六七八"], ["携帯 ［電話番号］"]),
    ("鈴木宛の書類", ["鈴木"], ["○○宛"]),
])
def test_personal_information_is_masked(text, gone, kept):
    _check(text, gone, kept)


@pytest.mark.parametrize("text", [
    # role words with an honorific, matched exactly
    "奥さんから相談", "ご本人様の意向", "利用者さんが転倒", "息子さんより電話", "患者様の退院", "ご家族様の希望",
    "お嫁さんが主介護者", "社会福祉士さんと介護福祉士さん", "民生委員さんと包括さん", "おばあちゃんの物忘れ",
    "管理人さんが発見", "配達員さんが通報", "主任ケアマネさんと管理者さん", "病棟さんに確認", "先生方の参加",
    # organisations
    "ひまわり内科に打診", "さくら薬局さんが対応", "あおば訪問看護ステーションが24時間対応", "南地域包括支援センターより",
    "上越総合病院 地域連携室から", "こばやしクリニックは往診不可",
    # numbers, measures, and dates that are not birthdates
    "退院2日前に連絡、訪問Dr未定。要介護3、夜間の連絡先が不明。", "退院日 11/28 決定", "カンファ 14:00-15:00",
    "血圧 160/95、SpO2 88%、酸素 1-2L", "ロキソプロフェン60mg 1日3回", "吸引 1日8-10回", "NRS 6-7",
    "R7.4.1 から区分変更", "H20年 脳梗塞、R6.12.1 退院", "2025/11/20 退院予定", "令和7年度 第2回 協議の場",
    "No.1の課題は夜間の連絡体制", "市内の住宅型有料老人ホーム12か所", "元看護師の娘が介護",
    "若年性アルツハイマー型の疑い", "パーキンソン病の患者さん", "訪問済。ショート中。", "本人 87歳",
    # role words and trades the red-team and blind sets brought up
    "甥御さんと姪御さん", "お坊さんと住職さん", "福祉用具さんが搬入", "マッサージ師さん", "お姑さんとの関係", "サポーターさん",
    "見守り隊さん", "看護学生さん", "小多機さんとサ高住さん", "長男メールあり", "副院長と面談", "直江津方面に徘徊",
    "3丁目の交差点で転倒", "5階西病棟に入院中", "デイサービスひだまりの管理者", "ヘルパー事業所ハート 管理者より",
    "昭和一桁生まれ", "大正生まれ", "オツカレサマでした", "ADL IADL とも自立",
    "担当中の利用者が入院", "英語は read のみ可", "平成二十年に転居",
])
def test_everything_else_reads_as_written(text):
    assert mask_pii(text) == text


def test_width_and_surroundings_are_kept_as_written():
    assert mask_pii("ＴＥＬ：０９０－１２３４－５６７８（長男）") == "ＴＥＬ：［電話番号］（長男）"
    assert mask_pii("ｹｱﾏﾈ ﾔﾏｼﾀさん") == "ｹｱﾏﾈ ○○さん"


def test_spans_are_ordered_and_disjoint_and_masking_is_idempotent():
    text = "長女 中島 美香 さん(090-2211-6650)より。本人 昭9.1.20生 上越市木田1-3-7 独居。"
    spans = find_pii(text)
    assert [s.kind for s in spans] == ["name", "phone", "birthdate", "address"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    once = mask_pii(text)
    assert mask_pii(once) == once
    assert mask_pii("") == ""


def test_threads_share_the_dictionary_not_the_tokenizer():
    lines = Path(PARTS["development"]).read_text(encoding="utf-8").splitlines()[:40]
    texts = [json.loads(line)["text"] for line in lines]
    expected = [mask_pii(t) for t in texts]
    results: dict[int, list[str]] = {}

    def run(k: int) -> None:
        results[k] = [mask_pii(t) for t in texts]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


@pytest.mark.parametrize("part", sorted(PARTS))
def test_labelled_notes_meet_the_targets(part):
    rows = load(PARTS[part])
    assert len(rows) >= 50
    res = evaluate(rows)
    assert res["recall"] == 1.0, [e[:2] for e in res["errors"] if e[1]]
    assert res["keep_precision"] >= 0.99, [e[0] for e in res["errors"] if e[2]]
    assert res["keep_ok"] == res["keep"], [e[0] for e in res["errors"]]


@pytest.mark.parametrize("parts", [("development", "held-out"), ("red-team",), ("blind",)])
def test_the_labelled_sets_are_large_and_varied(parts):
    rows = [r for part in parts for r in load(PARTS[part])]
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    kinds = {item["kind"] for r in rows for item in r["pii"]}
    assert kinds == {"name", "phone", "email", "postal", "address", "id", "birthdate"}
    assert sum(1 for r in rows if not r["pii"]) >= 20  # notes with nothing to mask
    for r in rows:  # every label is in its note, and no keep-phrase overlaps personal data
        assert all(item["text"] in r["text"] for item in r["pii"]), r["id"]
        assert all(k in r["text"] for k in r.get("keep", [])), r["id"]


def test_the_red_team_set_is_new():
    earlier = {r["text"] for part in ("development", "held-out") for r in load(PARTS[part])}
    assert not [r["id"] for r in load(PARTS["red-team"]) + load(PARTS["blind"]) if r["text"] in earlier]


def test_names_beyond_the_labelled_notes_are_masked():
    made, leaks = substituted_names()
    assert made > 2000
    assert leaks == []


def test_masking_a_masked_note_changes_nothing():
    notes = [r["text"] for part in sorted(PARTS) for r in load(PARTS[part])]
    once = [mask_pii(t) for t in notes]
    assert [mask_pii(m) for m in once] == once
