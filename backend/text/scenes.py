"""Care-scene classification of consultation notes: a weighted lexicon (a TOML data file a
deployment can extend) with context rules. Pure functions; microseconds per note."""

import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from backend.taxonomy import CareScene
from backend.text.normalize import normalize

DEFAULT_LEXICON = Path(__file__).with_name("scene_lexicon.toml")
SCENES = tuple(s.name for s in CareScene)
MIN_SCORE = 2.5          # below this a scene is noise
SECONDARY_RATIO = 0.35   # a further scene needs this share of the top score
MAX_SCENES = 3
FALLBACK = CareScene.CROSS_CUTTING.name
GENERIC = CareScene.DAILY_CARE.name
GENERIC_YIELD = 0.4   # a specific scene with this share of daily care's score leads


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file and the line or key."""


@dataclass(frozen=True)
class SceneScore:
    scene: str
    confidence: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class Classification:
    scenes: list[SceneScore]
    primary: str | None


@dataclass(frozen=True)
class Rule:
    scene: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    none: tuple[str, ...]
    weight: float


@dataclass
class Lexicon:
    terms: dict[str, dict[str, float]] = field(default_factory=dict)   # term → scene → weight
    abbreviations: dict[str, str] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    version: str = ""

    def __post_init__(self) -> None:
        self._compile()

    def _compile(self) -> None:
        longest_first = sorted(self.terms, key=lambda t: (-len(t), t))
        self._pattern = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None
        abbr = sorted(self.abbreviations, key=lambda t: (-len(t), t))
        # a Latin abbreviation (ss, gh, ns) only as a word of its own, never inside another Latin word
        self._abbr = re.compile("|".join(
            rf"(?<![a-z]){re.escape(a)}(?![a-z])" if a.isascii() and a.isalpha() else re.escape(a) for a in abbr)) if abbr else None

    def prepare(self, text: str) -> str:
        text = normalize(text)
        if self._abbr is not None:
            text = self._abbr.sub(lambda m: self.abbreviations[m.group(0)], text)
        return text


def _load_file(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise LexiconError(f"{path}: {e}") from None  # tomllib's message carries "(at line N, column M)"
    except OSError as e:
        raise LexiconError(f"{path}: {e.strerror}") from None


def load_lexicon(paths: list[Path] | tuple[Path, ...] = ()) -> Lexicon:
    """The shipped lexicon merged with a deployment's files (later files override weights)."""
    terms: dict[str, dict[str, float]] = {}
    abbreviations: dict[str, str] = {}
    rules: list[Rule] = []
    digest = hashlib.sha256()
    for path in (DEFAULT_LEXICON, *map(Path, paths)):
        data = _load_file(path)
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
        for key, value in data.get("abbreviations", {}).items():
            abbreviations[normalize(key)] = normalize(value)
        for scene, table in data.get("scene", {}).items():
            if scene not in SCENES:
                raise LexiconError(f"{path}: [scene.{scene}] is not a care scene (expected one of {', '.join(SCENES)})")
            for term, weight in table.items():
                if not isinstance(weight, int | float) or isinstance(weight, bool):
                    raise LexiconError(f"{path}: [scene.{scene}] {term!r} needs a number as its weight")
                terms.setdefault(normalize(term), {})[scene] = float(weight)
        for i, rule in enumerate(data.get("rule", [])):
            if rule.get("scene") not in SCENES or not rule.get("all"):
                raise LexiconError(f"{path}: rule #{i + 1} needs a care scene and a non-empty `all`")
            rules.append(Rule(scene=rule["scene"], all=tuple(map(normalize, rule["all"])),
                              any=tuple(map(normalize, rule.get("any", ()))),
                              none=tuple(map(normalize, rule.get("none", ()))), weight=float(rule.get("weight", 2))))
    return Lexicon(terms=terms, abbreviations=abbreviations, rules=rules, version=digest.hexdigest()[:12])


_configured: tuple[Path, ...] = ()


def configure(paths: list[Path] | tuple[Path, ...]) -> Lexicon:
    """Called at start-up with RENKEI_LEXICON_PATHS: a broken file stops the start, naming file and line."""
    global _configured
    lexicon = _lexicon(tuple(map(Path, paths)))
    _configured = tuple(map(Path, paths))
    return lexicon


@cache
def _lexicon(paths: tuple[Path, ...]) -> Lexicon:
    return load_lexicon(paths)


def default_lexicon() -> Lexicon:
    return _lexicon(_configured)


def lexicon_version() -> str:
    return default_lexicon().version


@dataclass(frozen=True)
class Evidence:
    """What the lexicon found in a note: a score and the matched terms per scene, and where each
    scene's first term occurs (an earlier mention leads when scores tie)."""
    scores: dict[str, float]
    matched: dict[str, list[str]]
    first_at: dict[str, int]


def evidence(text: str, lexicon: Lexicon | None = None) -> Evidence:
    lexicon = lexicon or default_lexicon()
    return _evidence(lexicon.prepare(text), lexicon)


def _evidence(prepared: str, lexicon: Lexicon) -> Evidence:
    scores: dict[str, float] = {}
    matched: dict[str, list[str]] = {}
    first_at: dict[str, int] = {}
    seen: set[str] = set()
    if lexicon._pattern is not None:
        for m in lexicon._pattern.finditer(prepared):
            term = m.group(0)
            if term in seen:
                continue
            seen.add(term)
            for scene, weight in lexicon.terms[term].items():
                scores[scene] = scores.get(scene, 0.0) + weight
                matched.setdefault(scene, []).append(term)
                first_at.setdefault(scene, m.start())
    for rule in lexicon.rules:
        if all(t in prepared for t in rule.all) and (not rule.any or any(t in prepared for t in rule.any)) \
                and not any(t in prepared for t in rule.none):
            scores[rule.scene] = scores.get(rule.scene, 0.0) + rule.weight
            hits = [t for t in (*rule.all, *rule.any) if t in prepared]
            matched.setdefault(rule.scene, []).extend(t for t in hits if t not in matched[rule.scene])
            first_at.setdefault(rule.scene, prepared.find(rule.all[0]))
    return Evidence(scores=scores, matched=matched, first_at=first_at)


def classify(text: str, lexicon: Lexicon | None = None) -> Classification:
    """The lexicon's own verdict (scenes above MIN_SCORE, or none): one voice of the ensemble in
    `backend.text.model`, and the explanation of its suggestions."""
    lexicon = lexicon or default_lexicon()
    found = evidence(text, lexicon)
    scores, matched, first_at = found.scores, found.matched, found.first_at
    ranked = sorted((s for s in scores if scores[s] >= MIN_SCORE), key=lambda s: (-scores[s], first_at[s]))
    if len(ranked) > 1 and FALLBACK in ranked:  # 場面横断 only where no scene of its own is evident
        ranked.remove(FALLBACK)
    if not ranked:
        return Classification(scenes=[], primary=None)
    top = scores[ranked[0]]
    chosen = [s for s in ranked if scores[s] >= SECONDARY_RATIO * top
              or (ranked[0] == GENERIC and scores[s] >= GENERIC_YIELD * top)][:MAX_SCENES]
    if chosen[0] == GENERIC and len(chosen) > 1 and scores[chosen[1]] >= GENERIC_YIELD * top:
        # 日常の療養支援 is the broadest scene: a specific scene that is clearly present (discharge,
        # dementia, infection...) says more about the case and leads
        chosen[0], chosen[1] = chosen[1], chosen[0]
    return Classification(
        scenes=[SceneScore(scene=s, confidence=round(1 - math.exp(-scores[s] / 4), 2), matched_terms=tuple(matched[s]))
                for s in chosen],
        primary=chosen[0])
