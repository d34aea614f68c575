"""The labelled notes the project ships (`backend/text/data/*.jsonl`, copied from ../shared/data):
the base model's training examples and the known problems' first labels."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")
FILES = ("consultations_dev.jsonl", "consultations_dev2.jsonl")


@dataclass(frozen=True)
class LabelledNote:
    id: str
    text: str
    scenes: tuple[str, ...]       # CareScene names, upper case; the primary first
    primary: str
    issue_group: str | None = None


def read(path: Path) -> tuple[LabelledNote, ...]:
    notes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        primary = row["primary_scene"].upper()
        scenes = tuple(dict.fromkeys([primary, *(s.upper() for s in row["scenes"])]))
        notes.append(LabelledNote(id=row["id"], text=row["text"], scenes=scenes, primary=primary,
                                  issue_group=row.get("issue_group")))
    return tuple(notes)


@cache
def shipped() -> tuple[LabelledNote, ...]:
    return tuple(n for name in FILES for n in read(DATA / name))
