"""Password rules: at least 12 characters, not a common password, nothing else; argon2id hashes."""

import pytest

from backend.accounts import passwords
from backend.errors import UserInputError


@pytest.mark.parametrize("candidate", ["qwerty123456", "Password2025!", "iloveyou1234", "abcabcabcabc",
                                       "aaaaaaaaaaaaaa",
                                       "1q2w3e4r5t6y"])
def test_common_passwords_are_refused_in_japanese(candidate):
    with pytest.raises(UserInputError) as e:
        passwords.check_new(candidate)
    assert e.value.code == "COMMON_PASSWORD" and "よく使われる" in e.value.message


def test_short_passwords_say_how_long_they_are():
    with pytest.raises(UserInputError) as e:
        passwords.check_new("短いパスワード")
    assert e.value.code == "TOO_SHORT" and "12文字以上" in e.value.message and "7文字" in e.value.message


def test_the_email_is_no_password():
    with pytest.raises(UserInputError):
        passwords.check_new("sato.hanako2025", email="sato.hanako@example.jp")


@pytest.mark.parametrize("candidate", ["correct horse battery staple", "桜と雪の長岡で3回目の会議",
                                       "zzqv-tomato-kettle",
                                       "lowercaseonlyisfine"])
def test_long_uncommon_passwords_need_no_symbols_or_capitals(candidate):
    passwords.check_new(candidate)


def test_the_shipped_list_is_the_20000_common_passwords():
    common = passwords.common_passwords()
    assert len(common) > 19_000 and "password" in common and "qwerty123456" in common


def test_hashes_are_argon2id_and_verify_only_the_same_password():
    stored = passwords.hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapl")
    assert not passwords.verify(None, "correct horse battery staple")
