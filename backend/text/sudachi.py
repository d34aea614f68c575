"""One SudachiPy dictionary per process, one tokenizer per thread.

The dictionary is the expensive part (about 0.1 s and its memory map), so it is loaded once. A
Tokenizer must not be shared between threads (sudachi.rs: "use one Tokenizer per thread"), and
request handlers and workers may call the masker from several, hence the thread-local."""

import threading
from functools import cache, lru_cache

from sudachipy import Dictionary

_local = threading.local()


@cache
def dictionary() -> Dictionary:
    return Dictionary(dict="core")


def tokenize(text: str, mode: str = "C"):
    """Morphemes of `text`; mode "A" (shortest units), "B" or "C" (longest, the default)."""
    tokenizers = getattr(_local, "tokenizers", None)
    if tokenizers is None:
        tokenizers = _local.tokenizers = {}
    if mode not in tokenizers:
        tokenizers[mode] = dictionary().tokenizer(mode)
    return tokenizers[mode].tokenize(text)


@lru_cache(maxsize=20_000)
def readings_pos(surface: str) -> frozenset[tuple[str, ...]]:
    """Every part of speech the dictionary lists for this exact surface (empty when unknown)."""
    return frozenset(tuple(m.part_of_speech()[:4]) for m in dictionary().lookup(surface))
