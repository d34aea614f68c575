"""Tracebacks for the logs: where it failed (exception types, files, lines), never what an exception's
message says — a message can quote the data it failed on, and the data may be a consultation's text."""

import traceback


def describe(error: BaseException) -> str:
    lines = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        lines.extend(line.rstrip() for line in traceback.format_tb(current.__traceback__))
        current = current.__cause__ or current.__context__
    return "\n".join(lines)
