"""Grouping one hub's consultations of a fiscal year into regional issues (地域課題).

1. Known problems. Each problem of the catalogue (`problems.toml`) is learned from the labelled notes
   that share its id (the shipped notes' `issue_group`): their centroid in the scene model's feature
   space, how close its own notes typically are to it, and which scenes they lead with. The hub's own
   curated issues teach as well: the members of issues the manager reviewed, and every consultation
   the manager moved or merged, are examples of that issue. A consultation joins the best-matching
   problem or issue when it is close enough — its similarity, relative to how close that problem's own
   notes are, reaches KNOWN_RATIO.
2. New problems. The rest are clustered together, across scenes (average linkage over a latent semantic
   space of the same features, cut at CLUSTER_DISTANCE), so that several consultations about a problem
   nobody labelled become a candidate issue.
The thresholds were chosen on the shipped notes (`scripts/eval_text.py --calibrate`): the cluster
distance on a year-sized set of recombined notes, the others by cross-validation with problems hidden.
Only problems seen at least twice become issues. Titles of new issues and every issue's key terms are
whole noun phrases (Sudachi). Pure and deterministic: the same notes give the same issues."""

import sys
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize as l2_rows
from threadpoolctl import threadpool_limits

from backend.text import corpus
from backend.text.features import vectors
from backend.text.model import SceneModel
from backend.text.scenes import SCENES, Lexicon, LexiconError, default_lexicon
from backend.text.words import key_phrases

PROBLEMS = Path(__file__).with_name("problems.toml")
MIN_MEMBERS = 2
MAX_KEY_TERMS = 6
KNOWN_RATIO = 1.1         # similarity to a problem ÷ its own notes' typical similarity, to join it
CLUSTER_DISTANCE = 0.85   # cosine distance (average linkage) that still makes one new problem
MARGIN_WEIGHT = 1.0       # how much beating the runner-up problem counts towards KNOWN_RATIO
SCENE_WEIGHT = 0.05       # how much a problem's usual scenes count when two problems match alike
TAUGHT_BONUS = 0.02       # a manager's own issue wins over the shipped catalogue when they match alike
LATENT_DIMENSIONS = 100
LATENT_FEATURES = 20000
LATENT_SAMPLE = 5000
LINKAGE_LIMIT = 3000      # larger scenes are clustered in batches of this size (memory is quadratic)
MAX_TAUGHT_EXAMPLES = 50  # per issue, the most recent taught members compared one by one


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    scenes: tuple[str, ...]   # the primary first
    received_at: datetime
    unresolved: bool = False


@dataclass(frozen=True)
class ExistingIssue:
    id: int
    scene: str
    signatures: tuple[str, ...]
    reviewed: bool
    locked_ids: frozenset[int] = frozenset()   # members that stay where they are (reviewed issue, manager's move)
    member_ids: frozenset[int] = frozenset()   # every current member
    taught_ids: tuple[int, ...] = ()           # members the manager vouched for, newest last: examples of this issue
    excluded_ids: frozenset[int] = frozenset()  # taken out by the manager: never back into this scene


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
    scene: str
    title: str

    @property
    def signature(self) -> str:
        return f"problem:{self.id}"


def load_problems(path: Path = PROBLEMS) -> tuple[Problem, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise LexiconError(f"{path}: {e}") from None
    problems = []
    for i, p in enumerate(data.get("problem", [])):
        if not p.get("id") or not p.get("title") or p.get("scene") not in SCENES:
            raise LexiconError(f"{path}: problem #{i + 1} ({p.get('id')}) needs id, title and a care scene")
        problems.append(Problem(id=p["id"], scene=p["scene"], title=p["title"]))
    return tuple(problems)


@cache
def default_problems() -> tuple[Problem, ...]:
    return load_problems()


# --- what is known -------------------------------------------------------------------------------

@dataclass
class _Targets:
    """Everything a consultation may join: rows of unit vectors with their typical similarity,
    their scene shares, and what joining means (a problem's signature or an existing issue)."""
    vectors: list[sp.csr_matrix] = field(default_factory=list)
    typical: list[float] = field(default_factory=list)
    shares: list[np.ndarray] = field(default_factory=list)
    scene: list[str] = field(default_factory=list)
    signature: list[str | None] = field(default_factory=list)
    issue_id: list[int | None] = field(default_factory=list)
    bonus: list[float] = field(default_factory=list)

    def add(self, vector, typical, shares, scene, signature=None, issue_id=None, bonus=0.0) -> None:
        self.vectors.append(vector)
        self.typical.append(typical)
        self.shares.append(shares)
        self.scene.append(scene)
        self.signature.append(signature)
        self.issue_id.append(issue_id)
        self.bonus.append(bonus)


def _typical_similarity(rows: sp.csr_matrix) -> float:
    """Mean similarity of each member to the centroid of the others (leave-one-out)."""
    total = np.asarray(rows.sum(0)).ravel()
    dots = np.asarray(rows @ total).ravel()
    rest = np.sqrt(np.maximum(total @ total - 2 * dots + 1.0, 1e-12))
    return float(np.mean((dots - 1.0) / rest))


def _unit(row_sum) -> sp.csr_matrix:
    v = sp.csr_matrix(row_sum)
    norm = np.sqrt(v.multiply(v).sum())
    return v / norm if norm else v


@dataclass
class Catalogue:
    problems: list[Problem]
    centroids: sp.csr_matrix
    typical: np.ndarray
    shares: np.ndarray          # problems × scenes: which scenes its labelled notes have
    labelled: sp.csr_matrix     # the labelled notes (the latent space learns from them too)


def _vectors(model: SceneModel, texts: list[str], lexicon: Lexicon | None = None) -> sp.csr_matrix:
    lexicon = lexicon or default_lexicon()
    return vectors(model.features, [lexicon.prepare(t) for t in texts])


_catalogues: dict[tuple, Catalogue] = {}


def catalogue(model: SceneModel, problems: Sequence[Problem] | None = None,
              labelled: Sequence[corpus.LabelledNote] | None = None, lexicon: Lexicon | None = None) -> Catalogue:
    """The known problems in this model's feature space, learned from labelled notes (by default the
    shipped ones); computed once per model version."""
    problems = tuple(default_problems() if problems is None else problems)
    labelled = tuple(n for n in (corpus.shipped() if labelled is None else labelled) if n.issue_group)
    lexicon = lexicon or default_lexicon()
    key = (model.version, lexicon.version, problems, tuple(n.id for n in labelled))
    if key not in _catalogues:
        if len(_catalogues) > 4:
            _catalogues.clear()
        _catalogues[key] = _learn_catalogue(model, problems, labelled, lexicon)
    return _catalogues[key]


def _learn_catalogue(model: SceneModel, problems: tuple[Problem, ...], notes: tuple[corpus.LabelledNote, ...],
                     lexicon: Lexicon) -> Catalogue:
    X = _vectors(model, [n.text for n in notes], lexicon)
    by_id = defaultdict(list)
    for i, n in enumerate(notes):
        by_id[n.issue_group].append(i)
    titled = {p.id: p for p in problems}
    # a labelled problem missing from problems.toml is still learned; it is named by its key terms
    known = [titled.get(g) or Problem(id=g, scene=Counter(notes[i].primary for i in by_id[g]).most_common(1)[0][0], title="")
             for g in sorted(by_id) if len(by_id[g]) >= MIN_MEMBERS]
    centroids, typical, shares = [], [], []
    for p in known:
        rows = X[by_id[p.id]]
        centroids.append(_unit(rows.sum(0)))
        typical.append(_typical_similarity(rows))
        counts = np.array([sum(s in notes[i].scenes for i in by_id[p.id]) for s in SCENES], float)
        shares.append((counts + 0.1) / (len(by_id[p.id]) + 0.1 * len(SCENES)))
    if not known:
        return Catalogue(problems=[], centroids=sp.csr_matrix((0, X.shape[1])), typical=np.zeros(0),
                         shares=np.zeros((0, len(SCENES))), labelled=X)
    return Catalogue(problems=known, centroids=sp.vstack(centroids).tocsr(), typical=np.array(typical),
                     shares=np.vstack(shares), labelled=X)


def _targets(cat: Catalogue, existing: Sequence[ExistingIssue], X: sp.csr_matrix, index: dict[int, int]) -> _Targets:
    t = _Targets()
    for k, p in enumerate(cat.problems):
        t.add(cat.centroids[k], float(cat.typical[k]), cat.shares[k], p.scene, signature=p.signature)
    usual = float(np.median(cat.typical)) if len(cat.typical) else 0.2
    for issue in existing:
        rows = [index[i] for i in issue.taught_ids if i in index]
        if not rows:
            continue
        shares = np.full(len(SCENES), 0.1)
        shares[SCENES.index(issue.scene)] = 1.0
        if len(rows) >= 3:   # the issue as a whole, measured like a problem of the catalogue
            t.add(_unit(X[rows].sum(0)), _typical_similarity(X[rows]), shares, issue.scene, issue_id=issue.id,
                  bonus=TAUGHT_BONUS)
        for r in rows[-MAX_TAUGHT_EXAMPLES:]:   # and each example, so that one moved consultation teaches
            t.add(X[r], usual, shares, issue.scene, issue_id=issue.id, bonus=TAUGHT_BONUS)
    return t


def _best_targets(X: sp.csr_matrix, notes: list[Note], t: _Targets, banned: list[set[str]],
                  known_ratio: float, scene_weight: float, margin_weight: float) -> list[int | None]:
    """For each note, the target it joins (index into t), or None."""
    if not t.vectors:
        return [None] * len(notes)
    P = sp.vstack(t.vectors).tocsr()
    typical = np.maximum(np.array(t.typical), 0.05)
    shares = np.vstack(t.shares)
    bonus = np.array(t.bonus)
    scene_of = np.array(t.scene)
    chosen: list[int | None] = []
    for start in range(0, len(notes), 2000):
        sims = (X[start:start + 2000] @ P.T).toarray()
        for row, note in zip(sims, notes[start:start + 2000]):
            ratio = row / typical
            cols = [SCENES.index(s) for s in note.scenes] or list(range(len(SCENES)))
            fit = np.log(shares[:, cols].max(1))
            rank = row + scene_weight * fit + bonus
            if banned[len(chosen)]:
                rank = np.where(np.isin(scene_of, list(banned[len(chosen)])), -np.inf, rank)
            best = int(np.argmax(rank))
            # close enough to the problem, counting how clearly it beats the runner-up: a short note
            # is far from everything, but much nearer to its own problem than to any other
            runner_up = np.partition(row, -2)[-2] if len(row) > 1 else 0.0
            margin = np.log(max(row[best], 1e-6) / max(runner_up, 1e-6)) if row[best] > runner_up else 0.0
            chosen.append(best if np.isfinite(rank[best]) and ratio[best] + margin_weight * margin >= known_ratio else None)
    return chosen


# --- what is new ---------------------------------------------------------------------------------

def _latent(X: sp.csr_matrix, background: sp.csr_matrix) -> np.ndarray:
    """Unit vectors in a latent semantic space learned from these notes and the labelled ones:
    notes that share no word can still be close when their words keep the same company."""
    counts = np.bincount(X.indices, minlength=X.shape[1]) + np.bincount(background.indices, minlength=X.shape[1])
    # a feature of one note links nothing; beyond the most shared LATENT_FEATURES the rest add memory
    # (the SVD's dense factors are features × dimensions), not meaning
    shared = np.flatnonzero(counts >= 2)
    if len(shared) > LATENT_FEATURES:
        shared = np.sort(shared[np.argsort(-counts[shared], kind="stable")[:LATENT_FEATURES]])
    X = X[:, shared]
    # the space is learned from at most LATENT_SAMPLE of the notes (memory), then every note is placed in it
    sample = np.arange(X.shape[0])
    if len(sample) > LATENT_SAMPLE:
        sample = np.sort(np.random.default_rng(0).choice(sample, LATENT_SAMPLE, replace=False))
    both = sp.vstack([X[sample], background[:, shared]], format="csr", dtype=np.float32)
    k = min(LATENT_DIMENSIONS, both.shape[0] - 1, both.shape[1] - 1)
    if k < 2:
        return l2_rows(X.toarray())
    with threadpool_limits(1):   # small dense steps: threads only contend (measured 2-8× slower on 2 cores)
        svd = TruncatedSVD(n_components=k, random_state=0, algorithm="randomized", n_iter=5).fit(both)
        del both
        return np.vstack([l2_rows(svd.transform(X[i:i + 5000])) for i in range(0, X.shape[0], 5000)])


def _clusters(E: np.ndarray, distance: float) -> list[list[int]]:
    """Average-linkage clusters cut at CLUSTER_DISTANCE. Beyond LINKAGE_LIMIT notes, batches: each
    batch first joins the clusters found so far (by centroid), the rest are clustered anew."""
    groups: list[list[int]] = []
    centroids: list[np.ndarray] = []
    for start in range(0, len(E), LINKAGE_LIMIT):
        batch = list(range(start, min(start + LINKAGE_LIMIT, len(E))))
        rest = []
        if centroids:
            C = l2_rows(np.vstack(centroids))
            sims = E[batch] @ C.T
            for i, row in zip(batch, sims):
                j = int(np.argmax(row))
                if 1 - row[j] <= distance:
                    groups[j].append(i)
                else:
                    rest.append(i)
        else:
            rest = batch
        if len(rest) == 1:
            labels = np.array([1])
        elif rest:
            labels = fcluster(linkage(E[rest], method="average", metric="cosine"), t=distance, criterion="distance")
        for label in sorted(set(labels.tolist())) if rest else []:
            members = [i for i, lab in zip(rest, labels) if lab == label]
            groups.append(members)
            centroids.append(E[members].mean(0))
        for j, members in enumerate(groups):
            centroids[j] = E[members].mean(0)
    return groups


# --- naming --------------------------------------------------------------------------------------

def _key_terms(members: list[int], phrases: list[tuple[str, ...]], df: Counter, n: int) -> list[str]:
    """The noun phrases that most set these consultations apart from the hub-year's others."""
    inside = Counter(p for i in members for p in phrases[i])
    need = 2 if len(members) >= 2 else 1
    # the longer phrase first when two say as much (マイナ保険証 before マイナ)
    scored = sorted(((-(c / len(members)) * np.log((n + 1) / (df[p] + 1)), -len(p), p) for p, c in inside.items() if c >= need))
    terms: list[str] = []
    for _, _, phrase in scored:
        if not any(phrase in t or t in phrase for t in terms):
            terms.append(phrase)
        if len(terms) == MAX_KEY_TERMS:
            break
    return terms


def _title(key_terms: list[str], scene: str) -> str:
    from backend.taxonomy import CareScene
    head = "・".join(key_terms[:2]) if key_terms else CareScene[scene].label
    return f"{head}に関する相談が続いている"


# --- the grouping --------------------------------------------------------------------------------

def group(notes: Iterable[Note], existing: Sequence[ExistingIssue] = (), *, model: SceneModel | None = None,
          problems: Sequence[Problem] | None = None, labelled: Sequence[corpus.LabelledNote] | None = None,
          known_ratio: float = KNOWN_RATIO, cluster_distance: float = CLUSTER_DISTANCE,
          scene_weight: float = SCENE_WEIGHT, margin_weight: float = MARGIN_WEIGHT,
          lexicon: Lexicon | None = None) -> list[IssueDraft]:
    from backend.text.store import current_model
    model = model or current_model()
    notes = sorted(notes, key=lambda n: (n.received_at, n.id))
    if not notes:
        return []
    cat = catalogue(model, problems, labelled, lexicon)
    index = {n.id: i for i, n in enumerate(notes)}
    X = _vectors(model, [n.text for n in notes], lexicon)
    placed = set().union(*(issue.locked_ids for issue in existing)) if existing else set()
    excluded = defaultdict(set)
    for issue in existing:
        for i in issue.excluded_ids:
            excluded[i].add(issue.scene)
    todo = [k for k, n in enumerate(notes) if n.id not in placed]
    targets = _targets(cat, existing, X, index)
    chosen = _best_targets(X[todo], [notes[k] for k in todo], targets, [excluded[notes[k].id] for k in todo], known_ratio,
                          scene_weight, margin_weight)

    by_signature = {}
    for issue in sorted(existing, key=lambda e: e.id):
        for sig in issue.signatures:
            by_signature.setdefault(sig, issue)
    existing_by_id = {issue.id: issue for issue in existing}
    buckets: dict[tuple, list[int]] = defaultdict(list)   # (scene, signature, existing id) → note positions
    leftovers: list[int] = []
    for k, target in zip(todo, chosen):
        note = notes[k]
        if target is None:
            if note.scenes:
                leftovers.append(k)
            continue
        if targets.issue_id[target] is not None:
            issue = existing_by_id[targets.issue_id[target]]
            buckets[(issue.scene, issue.signatures[0] if issue.signatures else f"issue:{issue.id}", issue.id)].append(k)
        else:
            signature = targets.signature[target]
            issue = by_signature.get(signature)
            scene = issue.scene if issue else targets.scene[target]
            buckets[(scene, signature, issue.id if issue else None)].append(k)

    if leftovers:
        left = X[leftovers]
        del X   # 20,000 notes: each copy of the matrix is some 50 MB
        E = _latent(left, cat.labelled)
        taken: set[int] = set()
        # one partition, not one per scene: a problem told under different primary scenes stays together;
        # the cluster's scene is its members' most common primary scene
        for members in _clusters(E, cluster_distance):
            scene = min(Counter(notes[leftovers[m]].scenes[0] for m in members).items(), key=lambda c: (-c[1], c[0]))[0]
            ks = [leftovers[m] for m in members if scene not in excluded[notes[leftovers[m]].id]]
            if len(ks) < MIN_MEMBERS:
                continue
            ids = {notes[k].id for k in ks}
            # the candidate issue these consultations formed last time keeps its id and name
            previous = max((issue for issue in existing if issue.scene == scene and not issue.reviewed
                            and issue.id not in taken and len(issue.member_ids & ids) * 2 > len(ids)),
                           key=lambda e: (len(e.member_ids & ids), -e.id), default=None)
            if previous is not None:
                taken.add(previous.id)
                signature = previous.signatures[0] if previous.signatures else f"cluster:{scene}:{min(ids)}"
                buckets[(scene, signature, previous.id)].extend(ks)
            else:
                buckets[(scene, f"cluster:{scene}:{min(ids)}", None)].extend(ks)

    # interned: the same phrases recur across a year's notes (20,000 notes: a third of the memory)
    phrases = [tuple(sys.intern(p) for p in key_phrases(unicodedata.normalize("NFKC", n.text))) for n in notes]
    df = Counter(p for ps in phrases for p in ps)
    titles = {p.signature: p.title for p in cat.problems}
    drafts = []
    for (scene, signature, issue_id), ks in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)):
        if len(ks) < MIN_MEMBERS and issue_id is None:
            continue
        key_terms = _key_terms(ks, phrases, df, len(notes))
        drafts.append(IssueDraft(scene=scene, signature=signature, title=titles.get(signature) or _title(key_terms, scene),
                                 key_terms=key_terms, member_ids=sorted(notes[k].id for k in ks), existing_id=issue_id))
    return drafts
