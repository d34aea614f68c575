"""Passwords: argon2id hashes, a minimum length and a check against common passwords, nothing else
(NIST SP 800-63B §5.1.1.2: no composition rules, no forced rotation)."""

import gzip
import string
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.errors import UserInputError

MIN_LENGTH = 12
MAX_LENGTH = 256   # long passphrases are welcome; the cap only bounds the work of one hash

# argon2id with OWASP's Password Storage Cheat Sheet minimum (19 MiB, 2 passes, 1 lane): about 60 ms
# on one core here. argon2-cffi's default (RFC 9106's 64 MiB profile, 4 lanes) took 400 ms on this
# two-core machine, which would let a burst of log-ins starve the desk's requests.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# verified when the e-mail matches no account, so that a wrong address costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("renkei-desk-dummy-password")


@cache
def common_passwords() -> frozenset[str]:
    """The 20,000 common passwords (lower-cased) that Django ships for its CommonPasswordValidator,
    copied unchanged from Django 5.2 (django/contrib/auth/common-passwords.txt.gz, BSD-3-Clause); Django
    documents it as the list created by Royce Williams,
    https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce ."""
    raw = files("backend.accounts").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(line.strip() for line in gzip.decompress(raw).decode("utf-8").splitlines() if line.strip())


_EDGES = string.digits + string.punctuation + " 　"


def is_common(password: str, *, context: tuple[str, ...] = ()) -> bool:
    """In the list, in the list with digits or symbols added at either end ("password2025!"), one short
    piece repeated ("abcabcabcabc"), or a word of this account or service (its e-mail)."""
    lowered = password.lower()
    core = lowered.strip(_EDGES)
    common = common_passwords()
    if lowered in common or (len(core) >= 4 and core in common):
        return True
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return True
    return any(word and len(word) >= 4 and word.lower() in (lowered, core) for word in context)


def check_new(password: str, *, email: str = "", field: str = "password") -> None:
    """Refuses a password a person should not choose, with the reason in Japanese."""
    if len(password) < MIN_LENGTH:
        raise UserInputError([field], f"パスワードは{MIN_LENGTH}文字以上にしてください（現在{len(password)}文字）。",
                             "TOO_SHORT")
    if len(password) > MAX_LENGTH:
        raise UserInputError([field], f"パスワードは{MAX_LENGTH}文字以内にしてください。", "TOO_LONG")
    local = email.split("@", 1)[0]
    if is_common(password, context=(email, local, "renkei", "renkeidesk", "連携デスク")):
        raise UserInputError([field], "よく使われるパスワードや推測されやすい語は使えません。"
                             "別のパスワードにしてください。", "COMMON_PASSWORD")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash costs the same time as a wrong password."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True after the parameters were raised: the next successful log-in stores a new hash."""
    return _hasher.check_needs_rehash(stored_hash)
