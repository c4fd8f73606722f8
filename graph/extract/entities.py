"""Names in a sentence linked to the graph's entities: labels, aliases and spelling variants.

A gazetteer of every entity name (folded as graph/names.py folds them) is matched against the
sentence's word sequences, longest first, so that "South Korea's National Intelligence Service"
is the NIS and not South Korea. A word that differs by one letter from a name word of five
letters or more still matches (Syrskii/Syrskyi, Zelensky/Zelenskyy): transliterations of
Ukrainian and Korean names vary that way, and a longer word is unlikely to be a different name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..corpus import AGENT_TYPES, Entity
from ..names import normalize_name

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
MAX_NAME_WORDS = 10


@dataclass(frozen=True)
class Mention:
    start: int        # offsets in the sentence
    end: int
    entity: str       # entity id
    type: str


class Gazetteer:
    def __init__(self, entities: dict[str, Entity]):
        self.entities = entities
        self._names: dict[tuple[str, ...], set[str]] = {}
        self._by_length: dict[int, set[str]] = {}   # long name words, for one-letter variants
        for e in entities.values():
            if e.type == "Occasion":
                continue  # occasions are named by the curators, not by the text
            for name in (e.label, *e.aliases, *e.external_aliases):
                words = tuple(normalize_name(name).split())
                if words and len(words) <= MAX_NAME_WORDS:
                    self._names.setdefault(words, set()).add(e.id)
                    for w in words:
                        if len(w) >= 5:
                            self._by_length.setdefault(len(w), set()).add(w)

    def _variant(self, word: str) -> str:
        """The name word `word` may be a spelling variant of (one letter added, dropped or
        changed), or `word` itself."""
        if len(word) < 5 or word in self._by_length.get(len(word), ()):
            return word
        for n in (len(word) - 1, len(word), len(word) + 1):
            for known in self._by_length.get(n, ()):
                if known == word or _one_edit(word, known):
                    return known
        return word

    def mentions(self, sentence: str) -> list[Mention]:
        """Entity mentions, longest first without overlaps, in sentence order."""
        tokens = [(m.start(), m.end(), self._variant(normalize_name(m.group()))) for m in _WORD.finditer(sentence)]
        taken = [False] * len(tokens)
        found: list[Mention] = []
        for size in range(min(MAX_NAME_WORDS, len(tokens)), 0, -1):
            for i in range(len(tokens) - size + 1):
                if any(taken[i:i + size]):
                    continue
                key = tuple(t[2] for t in tokens[i:i + size])
                ids = self._names.get(key)
                if not ids or len(ids) > 1:
                    continue  # unknown, or ambiguous: never guess between two entities
                eid = next(iter(ids))
                found.append(Mention(tokens[i][0], tokens[i + size - 1][1], eid, self.entities[eid].type))
                for j in range(i, i + size):
                    taken[j] = True
        return sorted(found, key=lambda m: m.start)

    def is_agent(self, entity_id: str) -> bool:
        return self.entities[entity_id].type in AGENT_TYPES


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]
