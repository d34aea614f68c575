"""Masking what identifies a person in example notes of generated documents."""

import pytest

from backend.text.masking import mask_pii


@pytest.mark.parametrize("text, gone, kept", [
    ("長女の携帯 090-1234-5678 に連絡", "5678", "［電話番号］"),
    ("自宅 0258(12)3456 へ", "3456", "［電話番号］"),
    ("ＴＥＬ ０９０１２３４５６７８", "５６７８", "［電話番号］"),
    ("連絡先 025-123-4567 内線 12", "4567", "［電話番号］"),
    ("メール yamada.k@example.co.jp で送付", "example", "［メール］"),
    ("〒940-0062 の住所", "0062", "［郵便番号］"),
    ("郵便番号 940-0062", "0062", "［郵便番号］"),
    ("S12.3.4生の男性", "12.3.4", "［生年月日］"),
    ("昭和12年3月4日生まれの女性", "3月4日", "［生年月日］"),
    ("生年月日：1937/03/04", "1937", "［生年月日］"),
    ("山田太郎さんの退院調整", "山田", "○○さん"),
    ("ヤマダ様より電話", "ヤマダ", "○○様"),
    ("担当の佐藤氏が対応", "佐藤", "○○氏"),
    ("はなこちゃんの通学", "はなこ", "○○ちゃん"),
    ("ゆうとくんの入浴", "ゆうと", "○○くん"),
])
def test_personal_information_is_masked(text, gone, kept):
    masked = mask_pii(text)
    assert gone not in masked and kept in masked, masked


@pytest.mark.parametrize("text", ["娘さんが疲れ切っている", "奥さんから相談", "ご本人様の意向", "利用者さんが転倒",
                                  "ケアマネさんより", "息子さんより電話", "患者様の退院", "ご家族様の希望"])
def test_role_words_are_kept(text):
    assert mask_pii(text) == text


def test_everything_else_reads_as_written():
    text = "退院2日前に連絡、訪問Dr未定。要介護3、夜間の連絡先が不明。"
    assert mask_pii(text) == text
