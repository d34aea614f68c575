"""Checks every text a person types goes through before it is stored: the same answer on SQLite and
PostgreSQL (which refuses NUL), no lone surrogates (not encodable as UTF-8), no control characters
but tab and newline, and titles and names on one line."""

import re
from collections.abc import Sequence

from backend.errors import UserInputError

# C0 controls but tab and newline (a CR is folded into a newline first), DEL, C1 controls, lone surrogates
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\n\u2028\u2029\x85]")


def clean_text(value: str | None, field: Sequence[str], *, label: str, max_length: int, required: bool = True,
               one_line: bool = False) -> str | None:
    """The text stripped of surrounding blanks, or None when it is optional and empty; otherwise a
    UserInputError naming the field in Japanese."""
    if value is None:
        if required:
            raise UserInputError(field, f"{label}を入力してください。", "REQUIRED")
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not value:
        if required:
            raise UserInputError(field, f"{label}を入力してください。", "REQUIRED")
        return None
    if _FORBIDDEN.search(value):
        raise UserInputError(field, f"{label}に使用できない制御文字が含まれています。", "INVALID_CHARACTER")
    if one_line and _LINE_BREAK.search(value):
        raise UserInputError(field, f"{label}は1行で入力してください（改行は使えません）。", "INVALID_CHARACTER")
    if len(value) > max_length:
        raise UserInputError(field, f"{label}は{max_length}文字以内で入力してください（{len(value)}文字）。", "TOO_LONG")
    return value
