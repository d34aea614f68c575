"""Writes one `## title` section of a Markdown document in docs/, keeping the others."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
HEADERS = {
    "quality.md": "# Quality\n\nHow well scene suggestions and regional-issue grouping do on notes the model has not seen, and how to\nrepeat each figure.\n",
    "performance.md": "# Performance\n\nMeasured on this project's machine kind (2 cores). Each section says how to repeat it.\n",
}


def write_section(title: str, body: str, *, doc: str = "quality.md") -> None:
    path = DOCS / doc
    current = path.read_text(encoding="utf-8") if path.exists() else HEADERS[doc]
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    current = pattern.sub(lambda _: section + "\n", current) if pattern.search(current) else current.rstrip() + "\n\n" + section
    path.write_text(current.rstrip() + "\n", encoding="utf-8")
