"""Reading the clients' documents, and small builders the tests share."""

import re
import uuid
from pathlib import Path

from tests.clock import earlier_today

OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"


def operation(file: str, name: str) -> str:
    """One named operation out of a contract file, exactly as the client sends it."""
    source = (OPERATIONS / file).read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^(query|mutation|subscription) ", source, re.M)]
    for i, start in enumerate(starts):
        chunk = source[start: starts[i + 1] if i + 1 < len(starts) else len(source)]
        if re.match(rf"(query|mutation|subscription) {name}\b", chunk):
            return chunk
    raise KeyError(name)


def log_input(municipality_code: str, summary: str = "退院予定の方の訪問診療医が見つからない", **extra) -> dict:
    data = {
        "idempotencyKey": uuid.uuid4().hex,
        "receivedAt": earlier_today().isoformat(),
        "channel": "PHONE",
        "callerRole": "CARE_MANAGER",
        "municipalityCode": municipality_code,
        "summary": summary,
    }
    data.update(extra)
    return data
