"""Text normalisation shared by search, classification, grouping and masking."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC (full-width Latin and digits to half-width, half-width kana to full-width), lower-case
    Latin, runs of white space folded to one space. Length may change; callers that need offsets
    into the original text must not use this."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return _SPACES.sub(" ", folded).strip()
