"""Writes one `## title` section of docs/quality.md, keeping the others."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "quality.md"


def write_section(title: str, body: str) -> None:
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Quality\n\nHow well the text components do on the labelled development notes, and how to repeat each figure.\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    current = pattern.sub(lambda _: section + "\n", current) if pattern.search(current) else current.rstrip() + "\n\n" + section
    DOC.write_text(current.rstrip() + "\n", encoding="utf-8")
