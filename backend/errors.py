"""The one error type for mistakes a user can make; the API edge turns it into userErrors."""

from collections.abc import Sequence


class UserInputError(Exception):
    def __init__(self, field: Sequence[str], message: str, code: str = "INVALID") -> None:
        super().__init__(message)
        self.field = list(field)
        self.message = message
        self.code = code


class NotFound(UserInputError):
    """Also what out-of-scope looks like, so scope cannot be probed."""

    def __init__(self, field: Sequence[str], what: str = "対象") -> None:
        super().__init__(field, f"{what}が見つかりません。", "NOT_FOUND")


class Forbidden(UserInputError):
    def __init__(self, field: Sequence[str] = (), message: str = "この操作を行う権限がありません。") -> None:
        super().__init__(field, message, "FORBIDDEN")


class Unparsed(str):
    """A date or time the API could not parse, passed through so the service can answer a
    userError with the field's path instead of a GraphQL coercion error."""


def require_parsed(value, field: Sequence[str], message: str = "日時の形式が正しくありません（ISO 8601、例: 2025-06-01T09:30:00+09:00）。"):
    if isinstance(value, Unparsed):
        raise UserInputError(field, message, "INVALID_FORMAT")
    return value


MAX_ID = 2**31 - 1  # the id columns are 32-bit: anything larger cannot exist


def parse_id(raw: object, field: Sequence[str], what: str = "対象") -> int:
    """An opaque GraphQL ID as a row id; anything that cannot be one answers NOT_FOUND, like a missing row."""
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise NotFound(field, what) from None
    if not 0 < value <= MAX_ID:
        raise NotFound(field, what)
    return value
