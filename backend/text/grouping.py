"""Grouping one hub's consultations of a fiscal year into regional issues (地域課題), per care scene.

A consultation joins the issue of the canonical collaboration problem it matches best
(`problems.toml`, terms a hub manager would recognise as the reason); consultations that match none
are grouped by the scene terms they share. Only problems seen at least twice become issues — a
regional issue is a recurring one. Pure and deterministic: the same notes give the same issues."""

import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from backend.text.scenes import SCENES, LexiconError, default_lexicon

PROBLEMS = Path(__file__).with_name("problems.toml")
MIN_MEMBERS = 2
SIMILARITY = 0.5      # Jaccard of shared scene terms for notes no problem explains
MIN_SHARED = 2
MAX_KEY_TERMS = 6


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    scenes: tuple[str, ...]
    received_at: datetime
    unresolved: bool = False


@dataclass(frozen=True)
class ExistingIssue:
    id: int
    scene: str
    signatures: tuple[str, ...]
    reviewed: bool
    locked_ids: frozenset[int] = frozenset()  # members that stay where they are (reviewed issue, manager's move)


@dataclass
class IssueDraft:
    scene: str
    signature: str
    title: str
    key_terms: list[str]
    member_ids: list[int]
    existing_id: int | None = None


@dataclass(frozen=True)
class Problem:
    id: str
    scenes: tuple[str, ...]
    title: str
    all: tuple[tuple[str, ...], ...]
    any: tuple[tuple[str, ...], ...]

    def match(self, text: str) -> tuple[float, list[str]] | None:
        terms = []
        for group in self.all:
            hit = next((t for t in group if t in text), None)
            if hit is None:
                return None
            terms.append(hit)
        bonus = 0
        for group in self.any:
            hit = next((t for t in group if t in text), None)
            if hit is not None:
                bonus += 1
                terms.append(hit)
        return 2.0 * len(self.all) + bonus, terms


def load_problems(path: Path = PROBLEMS) -> tuple[Problem, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise LexiconError(f"{path}: {e}") from None
    problems = []
    for i, p in enumerate(data.get("problem", [])):
        scenes = (p.get("scene"), *p.get("also", ()))
        if not p.get("id") or not p.get("title") or not p.get("all") or any(s not in SCENES for s in scenes):
            raise LexiconError(f"{path}: problem #{i + 1} ({p.get('id')}) needs id, title, `all` and care scenes")
        lexicon = default_lexicon()
        norm = lambda groups: tuple(tuple(lexicon.prepare(t) for t in g) for g in groups)  # noqa: E731
        problems.append(Problem(id=p["id"], scenes=scenes, title=p["title"], all=norm(p["all"]), any=norm(p.get("any", ()))))
    return tuple(problems)


@cache
def default_problems() -> tuple[Problem, ...]:
    return load_problems()


def best_problem(text: str, problems: Sequence[Problem]) -> tuple[Problem, list[str]] | None:
    best = None
    for problem in problems:
        found = problem.match(text)
        if found and (best is None or found[0] > best[1]):
            best = (problem, found[0], found[1])
    return (best[0], best[2]) if best else None


def _scene_terms(text: str, scene: str) -> set[str]:
    lexicon = default_lexicon()
    if lexicon._pattern is None:
        return set()
    return {m.group(0) for m in lexicon._pattern.finditer(text) if scene in lexicon.terms[m.group(0)]}


@dataclass
class _Cluster:
    scene: str
    signature: str
    title: str | None
    members: list[int] = field(default_factory=list)
    terms: Counter = field(default_factory=Counter)


def group(notes: Iterable[Note], existing: Sequence[ExistingIssue] = (),
          problems: Sequence[Problem] | None = None) -> list[IssueDraft]:
    problems = default_problems() if problems is None else problems
    lexicon = default_lexicon()
    locked = defaultdict(set)
    for issue in existing:
        locked[issue.scene] |= issue.locked_ids
    clusters: dict[tuple[str, str], _Cluster] = {}
    leftovers: dict[str, list[tuple[Note, set[str]]]] = defaultdict(list)
    for note in sorted(notes, key=lambda n: (n.received_at, n.id)):
        text = lexicon.prepare(note.text)
        match = best_problem(text, problems)
        scene = next((s for s in match[0].scenes if s in note.scenes), None) if match else None
        if match and scene and note.id not in locked[scene]:
            problem, terms = match
            c = clusters.setdefault((scene, f"problem:{problem.id}"), _Cluster(scene, f"problem:{problem.id}", problem.title))
            c.members.append(note.id)
            c.terms.update(dict.fromkeys(terms, 1))
        elif note.scenes and note.id not in locked[note.scenes[0]]:
            leftovers[note.scenes[0]].append((note, _scene_terms(text, note.scenes[0])))
    for scene, items in leftovers.items():
        for c in _by_shared_terms(scene, items):
            clusters[(scene, c.signature)] = c
    by_signature = {(issue.scene, sig): issue for issue in existing for sig in issue.signatures}
    drafts = []
    for (scene, signature), c in sorted(clusters.items()):
        issue = by_signature.get((scene, signature))
        if len(c.members) < MIN_MEMBERS and issue is None:
            continue
        key_terms = [t for t, _ in sorted(c.terms.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_KEY_TERMS]
        drafts.append(IssueDraft(scene=scene, signature=signature, title=c.title or _title(key_terms, scene),
                                 key_terms=key_terms, member_ids=sorted(c.members),
                                 existing_id=issue.id if issue else None))
    return drafts


def _by_shared_terms(scene: str, items: list[tuple[Note, set[str]]]) -> list[_Cluster]:
    """Leader clustering on shared scene terms, blocked by term so it stays near-linear."""
    clusters: list[_Cluster] = []
    index: dict[str, list[int]] = defaultdict(list)
    for note, terms in items:
        if len(terms) < MIN_SHARED:
            continue
        candidates = {i for t in terms for i in index[t]}
        best, best_sim = None, 0.0
        for i in sorted(candidates):
            leader = set(clusters[i].signature.split(":", 1)[1].split("+"))
            shared = len(terms & leader)
            sim = shared / len(terms | leader)
            if shared >= MIN_SHARED and sim >= SIMILARITY and sim > best_sim:
                best, best_sim = i, sim
        if best is None:
            signature = "terms:" + "+".join(sorted(terms))
            clusters.append(_Cluster(scene, signature, None))
            best = len(clusters) - 1
            for t in terms:
                index[t].append(best)
        clusters[best].members.append(note.id)
        clusters[best].terms.update(terms)
    return clusters


def _title(key_terms: list[str], scene: str) -> str:
    from backend.taxonomy import CareScene
    head = "・".join(key_terms[:2]) if key_terms else CareScene[scene].label
    return f"{head}に関する相談が続いている"
