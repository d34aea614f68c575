"""The second factor: a TOTP key per person (RFC 6238, 30-second steps, 6 digits) and ten one-time
recovery codes.

Recovery codes are 80 random bits each and are kept as SHA-256 over a salt of their own. A slow hash
(argon2) protects guessable secrets such as passwords; a uniformly random 80-bit code cannot be
guessed offline whatever the hash (2^80 tries), so a fast hash loses nothing, and checking a code
against ten argon2 hashes would cost a second of CPU per try. The per-code salt keeps two identical
codes from having identical rows and rules out any precomputed table."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

from backend.db import utcnow

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no 0/o, 1/l/i: read from paper, typed by hand
_CODE_CHARS = 16                                  # 16 × log2(31) ≈ 79 bits


def new_secret() -> str:
    return pyotp.random_base32()   # 32 base32 characters: 160 bits, RFC 4226's recommended length


def provisioning_uri(secret: str, *, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The key in groups of four, as a person copies it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in raw.strip().lower() if ch.isalnum())


def matching_step(secret: str, code: str, *, at: datetime | None = None, last_step: int | None = None) -> int | None:
    """The 30-second step the 6-digit code belongs to (now, or one step either side for clock drift),
    or None. A step at or before `last_step` was used already: a code seen once is never accepted again."""
    code = normalize_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    moment = at or utcnow()
    now_step = totp.timecode(moment)
    for step in (now_step, now_step - 1, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass(frozen=True)
class HashedCode:
    salt: str
    code_hash: str


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _CODE_CHARS, 4)))
    return codes


def hash_recovery_code(code: str, salt: str | None = None) -> HashedCode:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.sha256(bytes.fromhex(salt) + normalize_code(code).encode()).hexdigest()
    return HashedCode(salt=salt, code_hash=digest)


def recovery_code_matches(code: str, *, salt: str, code_hash: str) -> bool:
    return hmac.compare_digest(hash_recovery_code(code, salt).code_hash, code_hash)


def looks_like_recovery_code(raw: str) -> bool:
    return len(normalize_code(raw)) == _CODE_CHARS
