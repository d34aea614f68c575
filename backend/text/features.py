"""The features the scene model and the grouping share: character 1–3-grams and Sudachi content
words (with adjacent pairs) of the prepared note — normalised, abbreviations expanded — TF-IDF
weighted. Stored as plain arrays (vocabulary and idf), never as pickled objects."""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_rows

from backend.text.words import content_words

# in the combined space the words weigh twice the characters: words carry the meaning, characters
# catch what the dictionary splits oddly (typos, abbreviations)
CHAR_WEIGHT, WORD_WEIGHT = 0.5, 1.0


def _char(**kw) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32, **kw)


def _word(**kw) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=content_words, sublinear_tf=True, dtype=np.float32, **kw)


def _restore(make, vocabulary: np.ndarray, idf: np.ndarray) -> TfidfVectorizer:
    vectorizer = make(vocabulary={str(t): i for i, t in enumerate(vocabulary)})
    vectorizer.idf_ = idf
    return vectorizer


@dataclass
class Features:
    char: TfidfVectorizer
    word: TfidfVectorizer

    @classmethod
    def fit(cls, prepared: list[str], *, min_df: int = 1) -> tuple["Features", sp.csr_matrix, sp.csr_matrix]:
        char, word = _char(min_df=min_df), _word(min_df=min_df)
        return cls(char, word), char.fit_transform(prepared).tocsr(), word.fit_transform(prepared).tocsr()

    def transform(self, prepared: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        if len(prepared) > 50:
            return self.char.transform(prepared).tocsr(), self.word.transform(prepared).tocsr()
        # a few notes (intake): the same arithmetic without scikit-learn's per-call checks, which cost
        # more than the work itself (about 2 ms a call)
        return _tfidf(self.char, prepared), _tfidf(self.word, prepared)

    def word_names(self) -> np.ndarray:
        return self.word.get_feature_names_out()

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"char_vocab": self.char.get_feature_names_out().astype(str), "char_idf": self.char.idf_.astype(np.float32),
                "word_vocab": self.word.get_feature_names_out().astype(str), "word_idf": self.word.idf_.astype(np.float32)}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> "Features":
        return cls(_restore(_char, a["char_vocab"], a["char_idf"]), _restore(_word, a["word_vocab"], a["word_idf"]))


def _tfidf(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """TfidfVectorizer.transform for sublinear tf, idf and l2 norm, with the vectorizer's own analyzer."""
    analyze = vectorizer.__dict__.setdefault("_renkei_analyzer", vectorizer.build_analyzer())
    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    indptr, indices, data = [0], [], []
    for text in texts:
        counts: dict[int, int] = {}
        for token in analyze(text):
            j = vocabulary.get(token)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
        values = (1.0 + np.log(np.array([counts[j] for j in cols], dtype=np.float64))) * idf[cols]
        norm = np.sqrt(values @ values)
        indices.append(cols)
        data.append((values / norm if norm else values).astype(np.float32))
        indptr.append(indptr[-1] + len(cols))
    return sp.csr_matrix((np.concatenate(data) if data else np.zeros(0, np.float32),
                          np.concatenate(indices) if indices else np.zeros(0, np.int32), np.array(indptr)),
                         shape=(len(texts), len(vocabulary)))


def vectors(features: Features, prepared: list[str]) -> sp.csr_matrix:
    """`combined` rows for many notes, a slice at a time: the intermediate matrices of 20,000 notes at
    once take some 200 MB, a slice's a tenth of that."""
    return sp.vstack([combined(*features.transform(prepared[i:i + 2000])) for i in range(0, len(prepared), 2000)],
                     format="csr", dtype=np.float32)


def combined(xc: sp.csr_matrix, xw: sp.csr_matrix) -> sp.csr_matrix:
    """One unit-length row per note over both feature sets: cosine similarity is a dot product."""
    both = sp.hstack([l2_rows(xc) * CHAR_WEIGHT, l2_rows(xw) * WORD_WEIGHT], format="csr", dtype=np.float32)
    return l2_rows(both, copy=False)
