"""Scene suggestions: the lexicon and two supervised linear models, stacked and calibrated.

Three voices score every care scene of a note:
- the TOML lexicon (`scenes.py`: explainable, extendable by a deployment),
- logistic regressions over character 1–3-grams, and
- logistic regressions over Sudachi content words;
each supervised voice has two heads: which scene leads (softmax over scenes) and whether a scene
applies at all (one model per scene). A small stacker — one logistic regression shared by all scenes,
fitted on out-of-fold predictions so it learns how far to trust each voice on notes it has not seen —
turns them into two calibrated probabilities per scene: that it applies (the confidence shown) and
that it leads (the ranking). The top scene is adopted, and every other scene whose confidence reaches
a threshold chosen on the out-of-fold predictions.

Training is deterministic (fixed folds, lbfgs): the same examples and lexicon give the same model.
A model is stored as plain arrays (`to_bytes`, numpy's npz without pickle), never as a pickle."""

import hashlib
import io
import json
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from backend.text import corpus
from backend.text.features import Features
from backend.text.scenes import FALLBACK, MIN_SCORE, SCENES, Lexicon, _evidence, default_lexicon
from backend.text.words import noun_phrases_with_lemmas

ALGORITHM = "scenes-1"   # change when features or training change: stored models of another algorithm are rebuilt
N = len(SCENES)
CROSS_CUTTING = SCENES.index(FALLBACK)
HEAD_C = 10.0            # regularisation of the voices (chosen on cross-set scores of the shipped notes)
STACK_C = 1.0
MAX_ITER = 300
MIN_SHOWN = 3            # never silent: the three most likely scenes are always listed
PLAUSIBLE = 0.15         # beyond those, a scene is listed when its confidence reaches this
MAX_TERMS = 6
OOF_LIMIT = 6000         # the stacker learns from at most this many out-of-fold notes (speed on large sets)


@dataclass(frozen=True)
class Example:
    text: str
    scenes: tuple[str, ...]   # CareScene names
    primary: str
    weight: float = 1.0       # a deployment's confirmed consultation may count more than a shipped note


@dataclass(frozen=True)
class Suggestion:
    scene: str
    confidence: float         # calibrated probability that the scene applies
    matched_terms: tuple[str, ...]
    adopted: bool             # part of the scenes a consultation takes when the coordinator gives none


def shipped_examples() -> list[Example]:
    return [Example(text=n.text, scenes=n.scenes, primary=n.primary) for n in corpus.shipped()]


def digest(examples: list[Example], lexicon_version: str) -> str:
    """Names a training run: the algorithm, the lexicon and every example (order-independent)."""
    h = hashlib.sha256(f"{ALGORITHM}\n{lexicon_version}\n".encode())
    for line in sorted(json.dumps([e.text, list(e.scenes), e.primary, e.weight], ensure_ascii=False) for e in examples):
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


# --- the voices ----------------------------------------------------------------------------------

@dataclass
class Head:
    """A linear model over one feature set, one column per scene: logits = X·W + b."""
    W: np.ndarray
    b: np.ndarray

    def logits(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.W, dtype=np.float64) + self.b


def _lr(C: float) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=MAX_ITER, class_weight="balanced")


def _leading_head(X, primary: np.ndarray, w: np.ndarray) -> Head:
    W, b = np.zeros((X.shape[1], N), np.float32), np.full(N, -30.0)   # a scene never seen leading: never leads
    present = np.unique(primary)
    if len(present) == 1:
        b[present[0]] = 0.0
        return Head(W, b)
    lr = _lr(HEAD_C).fit(X, primary, sample_weight=w)
    coef, intercept = (lr.coef_, lr.intercept_) if len(present) > 2 else \
        (np.vstack([-lr.coef_[0] / 2, lr.coef_[0] / 2]), np.array([-lr.intercept_[0] / 2, lr.intercept_[0] / 2]))
    W[:, lr.classes_] = coef.T
    b[lr.classes_] = intercept
    return Head(W, b)


def _applies_head(X, y: np.ndarray, w: np.ndarray) -> Head:
    W, b = np.zeros((X.shape[1], N), np.float32), np.zeros(N)
    for j in range(N):
        positives = int(y[:, j].sum())
        if positives in (0, len(y)):
            b[j] = -6.0 if positives == 0 else 6.0   # no evidence either way in the data: the lexicon decides
            continue
        lr = _lr(HEAD_C).fit(X, y[:, j], sample_weight=w)
        W[:, j], b[j] = lr.coef_[0], lr.intercept_[0]
    return Head(W, b)


def _voices(Xs: list, y: np.ndarray, primary: np.ndarray, w: np.ndarray) -> list[tuple[Head, Head]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return [(_leading_head(X, primary, w), _applies_head(X, y, w)) for X in Xs]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


def _lexicon_scores(found) -> np.ndarray:
    return np.array([[f.scores.get(s, 0.0) for s in SCENES] for f in found])


def _stack_features(voices: list[tuple[Head, Head]], Xs: list, lex: np.ndarray) -> np.ndarray:
    """Per note and scene: each voice's leading log-probability and applies-logit, the lexicon's score
    and its share, and which scene it is. Shape (notes × scenes, features)."""
    columns = []
    for (leading, applies), X in zip(voices, Xs):
        columns += [np.maximum(_log_softmax(leading.logits(X)), -12.0), np.clip(applies.logits(X), -12.0, 12.0)]
    columns += [np.log1p(lex), np.maximum(_log_softmax(lex / 2.0), -12.0)]
    F = np.stack(columns, -1)
    onehot = np.broadcast_to(np.eye(N), (len(lex), N, N))
    return np.concatenate([F, onehot], -1).reshape(len(lex) * N, -1)


# --- the model -----------------------------------------------------------------------------------

@dataclass
class SceneModel:
    features: Features
    voices: list[tuple[Head, Head]]
    applies: tuple[np.ndarray, float]     # stacker: coefficients and intercept
    leads: tuple[np.ndarray, float]
    threshold: float                      # adopt a further scene from this confidence
    meta: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.meta["digest"]

    def _predict(self, texts: list[str], lexicon: Lexicon):
        prepared = [lexicon.prepare(t) for t in texts]
        found = [_evidence(p, lexicon) for p in prepared]
        Xs = list(self.features.transform(prepared))
        F = _stack_features(self.voices, Xs, _lexicon_scores(found))
        applies = 1 / (1 + np.exp(-(F @ self.applies[0] + self.applies[1])))
        z = (F @ self.leads[0] + self.leads[1]).reshape(len(texts), N)
        leads = np.exp(_log_softmax(z))
        return applies.reshape(len(texts), N), leads, found, Xs[1]

    def probabilities(self, texts: list[str], lexicon: Lexicon | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(applies, leads): notes × scenes, in SCENES order. For evaluation."""
        applies, leads, _, _ = self._predict(texts, lexicon or default_lexicon())
        return applies, leads

    def suggest(self, text: str, lexicon: Lexicon | None = None) -> list[Suggestion]:
        return self.suggest_many([text], lexicon)[0]

    def suggest_many(self, texts: list[str], lexicon: Lexicon | None = None) -> list[list[Suggestion]]:
        applies, leads, found, _ = self._predict(texts, lexicon or default_lexicon())
        out = []
        for i, text in enumerate(texts):
            conf = applies[i].copy()
            top = int(np.argmax(leads[i]))
            # 場面横断 has no labelled notes; it leads only when the lexicon names it and no scene of
            # its own is likely (domain.md: "only where no scene of its own is evident")
            if found[i].scores.get(FALLBACK, 0.0) >= MIN_SCORE and conf[top] < self.threshold:
                top = CROSS_CUTTING
                conf[top] = max(conf[top], 1.0 - float(np.delete(conf, CROSS_CUTTING).max()))
            order = [top] + sorted((s for s in range(N) if s != top), key=lambda s: (-conf[s], -leads[i, s], s))
            shown = order[:MIN_SHOWN] + [s for s in order[MIN_SHOWN:] if conf[s] >= PLAUSIBLE]
            phrases = noun_phrases_with_lemmas(unicodedata.normalize("NFKC", text))
            out.append([Suggestion(scene=SCENES[s], confidence=round(float(conf[s]), 3),
                                   matched_terms=self._terms(found[i], phrases, s),
                                   adopted=bool(rank == 0 or conf[s] >= self.threshold))
                        for rank, s in enumerate(shown)])
        return out

    def _terms(self, found, phrases: list[tuple[str, list[str]]], s: int) -> tuple[str, ...]:
        """The lexicon's matched terms, then the note's own noun phrases that pushed this scene up
        the most in the word voice (whole phrases, as written)."""
        terms = list(dict.fromkeys(found.matched.get(SCENES[s], ())))
        vocabulary, W = self.features.word.vocabulary_, self.voices[1][1].W
        pushed = []
        for phrase, lemmas in dict(phrases).items():
            weight = sum(float(W[j, s]) for j in (vocabulary.get(w) for w in lemmas) if j is not None)
            if weight > 0.3:
                pushed.append((-weight, phrase))
        for _, phrase in sorted(pushed):
            if not any(phrase in t or t in phrase for t in terms):
                terms.append(phrase)
        return tuple(terms[:MAX_TERMS])

    # --- storage: arrays only --------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        arrays = dict(self.features.to_arrays())
        for k, (leading, applies) in enumerate(self.voices):
            arrays |= {f"v{k}_lead_W": leading.W, f"v{k}_lead_b": leading.b, f"v{k}_apply_W": applies.W,
                       f"v{k}_apply_b": applies.b}
        arrays |= {"stack_applies": np.append(self.applies[0], self.applies[1]),
                   "stack_leads": np.append(self.leads[0], self.leads[1]),
                   "meta": np.array(json.dumps({**self.meta, "threshold": self.threshold}, ensure_ascii=False))}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "SceneModel":
        with np.load(io.BytesIO(blob), allow_pickle=False) as a:   # never unpickles: arrays of numbers and strings only
            arrays = {k: a[k] for k in a.files}
        meta = json.loads(str(arrays["meta"]))
        if meta.get("algorithm") != ALGORITHM:
            raise ValueError(f"stored model of algorithm {meta.get('algorithm')!r}, this code runs {ALGORITHM!r}")
        voices = [(Head(arrays[f"v{k}_lead_W"], arrays[f"v{k}_lead_b"]), Head(arrays[f"v{k}_apply_W"], arrays[f"v{k}_apply_b"]))
                  for k in range(2)]
        sa, sl = arrays["stack_applies"], arrays["stack_leads"]
        return cls(features=Features.from_arrays(arrays), voices=voices, applies=(sa[:-1], float(sa[-1])),
                   leads=(sl[:-1], float(sl[-1])), threshold=float(meta.pop("threshold")), meta=meta)


# --- training ------------------------------------------------------------------------------------

def _labels(examples: list[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.array([[s in e.scenes for s in SCENES] for e in examples], dtype=int)
    primary = np.array([SCENES.index(e.primary) for e in examples])
    w = np.array([e.weight for e in examples], dtype=float)
    return y, primary, w


def _best_threshold(applies: np.ndarray, leads: np.ndarray, y: np.ndarray) -> float:
    """The adoption threshold with the best micro-F1 on out-of-fold predictions (top scene always adopted)."""
    top = leads.argmax(1)
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.20, 0.81, 0.05):
        pred = (applies >= t).astype(int)
        pred[np.arange(len(top)), top] = 1
        tp, fp, fn = (pred & y).sum(), (pred & (1 - y)).sum(), ((1 - pred) & y).sum()
        f1 = 2 * tp / (2 * tp + fp + fn)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(t, 2)), f1
    return best


def train(examples: list[Example], lexicon: Lexicon | None = None, *, folds: int = 5) -> SceneModel:
    # one BLAS thread: the dense steps are small, and threads only contend (measured 5× slower on 2 cores)
    with threadpool_limits(1):
        return _train(examples, lexicon or default_lexicon(), folds)


def _train(examples: list[Example], lexicon: Lexicon, folds: int) -> SceneModel:
    examples = sorted(examples, key=lambda e: (e.text, e.primary, e.scenes, e.weight))   # order-independent
    prepared = [lexicon.prepare(e.text) for e in examples]
    y, primary, w = _labels(examples)
    lex = _lexicon_scores([_evidence(p, lexicon) for p in prepared])
    features, xc, xw = Features.fit(prepared, min_df=1 if len(examples) < 2000 else 2)
    Xs = [xc, xw]
    # out-of-fold voices for the stacker: on large sets a fixed subset keeps the job within its time
    rows = np.arange(len(examples))
    if len(rows) > OOF_LIMIT:
        rows = np.sort(np.random.default_rng(0).choice(rows, OOF_LIMIT, replace=False))
    oof = np.zeros((len(rows) * N, 2 * 2 + 2 + N))
    for fit_idx, held_idx in KFold(folds, shuffle=True, random_state=0).split(rows):
        fit_rows, held_rows = rows[fit_idx], rows[held_idx]
        voices = _voices([X[fit_rows] for X in Xs], y[fit_rows], primary[fit_rows], w[fit_rows])
        F = _stack_features(voices, [X[held_rows] for X in Xs], lex[held_rows]).reshape(len(held_rows), N, -1)
        oof.reshape(len(rows), N, -1)[held_idx] = F
    leading = np.zeros((len(rows), N), int)
    leading[np.arange(len(rows)), primary[rows]] = 1
    row_w = np.repeat(w[rows], N)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        applies_lr = LogisticRegression(C=STACK_C, max_iter=1000).fit(oof, y[rows].reshape(-1), sample_weight=row_w)
        leads_lr = LogisticRegression(C=STACK_C, max_iter=1000).fit(oof, leading.reshape(-1), sample_weight=row_w)
    applies_oof = applies_lr.predict_proba(oof)[:, 1].reshape(len(rows), N)
    z = leads_lr.decision_function(oof).reshape(len(rows), N)
    threshold = _best_threshold(applies_oof, np.exp(_log_softmax(z)), y[rows])
    return SceneModel(
        features=features, voices=_voices(Xs, y, primary, w),
        applies=(applies_lr.coef_[0], float(applies_lr.intercept_[0])),
        leads=(leads_lr.coef_[0], float(leads_lr.intercept_[0])), threshold=threshold,
        meta={"algorithm": ALGORITHM, "digest": digest(examples, lexicon.version), "lexicon": lexicon.version,
              "examples": len(examples), "local_examples": sum(1 for e in examples if e.weight != 1.0)})


@cache
def _base(lexicon_version: str) -> SceneModel:
    return train(shipped_examples(), default_lexicon())


def base_model() -> SceneModel:
    """Trained on the shipped notes with the configured lexicon, in this process (a few seconds,
    once). Processes with a database share the stored model instead (`store.py`)."""
    return _base(default_lexicon().version)
