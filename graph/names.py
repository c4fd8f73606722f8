"""Matching names the way readers write them: "zelensky", "Syrskii", "South Korea's NIS"."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_name(name: str) -> str:
    """Fold case, accents, apostrophes and punctuation so that spellings of one name compare equal.

    Apostrophes are dropped rather than turned into spaces, so "Korea's" and "Koreas" match.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    no_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    no_apostrophes = no_accents.translate({ord(c): None for c in _APOSTROPHES})
    return _NOT_WORD.sub(" ", no_apostrophes.casefold()).strip()
