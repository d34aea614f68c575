"""Turning the coordinator's form fields into the contract's variables and its userErrors back into
messages beside the fields. Only the shape of values is handled here (a Japan-time clock reading
becomes an instant, a choice becomes an enum value); every rule about them is the service's."""

from datetime import datetime
from enum import Enum

from backend import taxonomy
from backend.fiscal import JST


class FormError(Exception):
    """A field whose value the contract cannot even carry (an unknown choice, letters as minutes)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def choices(enum_name: str) -> list[tuple[str, str]]:
    """(GraphQL value, Japanese label) of a taxonomy enum, in the taxonomy's order."""
    return [(member.name, member.label) for member in getattr(taxonomy, enum_name)]


def enum_value(raw: str, enum_name: str, field: str, what: str, *, required: bool = True) -> str | None:
    raw = raw.strip()
    if not raw:
        if required:
            raise FormError(field, f"{what}を選択してください。")
        return None
    if raw not in getattr(taxonomy, enum_name).__members__:
        raise FormError(field, f"{what}の選択肢から選んでください。")
    return raw


def enum_values(raws: list[str], enum_name: str, field: str, what: str) -> list[str]:
    return [v for v in (enum_value(r, enum_name, field, what) for r in raws) if v] if raws else []


def whole_number(raw: str, field: str, what: str) -> int | None:
    raw = raw.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise FormError(field, f"{what}は数字で入力してください。")
    return int(raw)


def japan_moment(raw: str) -> str:
    """A datetime-local value (Japan time, as the screen shows it) as ISO 8601 with +09:00. Anything
    else is passed on as typed: the service answers the Japanese format error."""
    raw = raw.strip()
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=JST).isoformat()
    except ValueError:
        return raw


def japan_now_local() -> str:
    """Now in Japan, as a datetime-local input shows it."""
    return datetime.now(JST).strftime("%Y-%m-%dT%H:%M")


def local_value(iso: str | None) -> str:
    """An instant from GraphQL as a datetime-local value in Japan time."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(JST).strftime("%Y-%m-%dT%H:%M")


def field_errors(user_errors: list[dict]) -> dict[str, str]:
    """userErrors by the input field they name (its last part: ["input", "summary"] → summary)."""
    errors: dict[str, str] = {}
    for e in user_errors:
        path = [p for p in (e.get("field") or []) if p != "input"]
        errors.setdefault(path[-1] if path else "_form", e["message"])
    return errors


def labels_of(values: list[str], enum_cls: type[Enum]) -> list[str]:
    return [enum_cls[v].label for v in values if v in enum_cls.__members__]  # type: ignore[attr-defined]
