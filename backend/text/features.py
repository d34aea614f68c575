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
        return self.char.transform(prepared).tocsr(), self.word.transform(prepared).tocsr()

    def word_names(self) -> np.ndarray:
        return self.word.get_feature_names_out()

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"char_vocab": self.char.get_feature_names_out().astype(str), "char_idf": self.char.idf_.astype(np.float32),
                "word_vocab": self.word.get_feature_names_out().astype(str), "word_idf": self.word.idf_.astype(np.float32)}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> "Features":
        return cls(_restore(_char, a["char_vocab"], a["char_idf"]), _restore(_word, a["word_vocab"], a["word_idf"]))


def combined(xc: sp.csr_matrix, xw: sp.csr_matrix) -> sp.csr_matrix:
    """One unit-length row per note over both feature sets: cosine similarity is a dot product."""
    return l2_rows(sp.hstack([l2_rows(xc) * CHAR_WEIGHT, l2_rows(xw) * WORD_WEIGHT]).tocsr())
