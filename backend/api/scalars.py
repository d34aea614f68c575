"""Date and DateTime that let a malformed value through as `Unparsed`, so the service can answer a
userError naming the input field instead of a bare coercion error."""

from datetime import date, datetime
from typing import NewType

import strawberry

from backend.errors import Unparsed

DateTime = NewType("DateTime", datetime)
Date = NewType("Date", date)


def _parse_datetime(value: object) -> datetime | Unparsed:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return Unparsed(str(value))


def _parse_date(value: object) -> date | Unparsed:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return Unparsed(str(value))


SCALARS = {
    DateTime: strawberry.scalar(name="DateTime", serialize=lambda v: v.isoformat(), parse_value=_parse_datetime,
                                description="ISO 8601 date and time with an offset, e.g. 2025-06-01T09:30:00+09:00"),
    Date: strawberry.scalar(name="Date", serialize=lambda v: v.isoformat(), parse_value=_parse_date,
                            description="YYYY-MM-DD"),
}
