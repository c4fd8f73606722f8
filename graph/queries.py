"""Named SPARQL queries, kept as .rq files in graph/queries/, with bound parameters.

A parameter is a slot written in the query as a valid, unbound VALUES block:

    VALUES ?claimant { UNDEF }

so that every query file runs as it is in any SPARQL tool. Binding fills the slot with RDF terms
serialised by pyoxigraph or rdflib (which escape quotes, newlines and NUL), never with text pasted
from a request. Why not pyoxigraph's `substitutions`: it only binds projected variables, and the
same query text must also run on an external SPARQL endpoint, where a VALUES block is standard.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Identifier

QUERY_DIR = Path(__file__).resolve().parent / "queries"
_SLOT = re.compile(r"VALUES\s+\?(\w+)\s*\{\s*UNDEF\s*\}")

Term = ox.NamedNode | ox.Literal | Identifier


def sparql_term(term: Term) -> str:
    """An RDF term in SPARQL syntax, escaped by the library that made it."""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    if isinstance(term, Identifier):
        return term.n3()
    raise TypeError(f"a query parameter must be an RDF term, not {type(term).__name__}")


class NamedQuery:
    def __init__(self, name: str, text: str):
        self.name, self.text = name, text
        self.slots = set(_SLOT.findall(text))

    def bind(self, **values: Term | list[Term] | tuple[Term, ...] | None) -> str:
        """The query text with each named slot filled; None leaves a slot unbound (UNDEF)."""
        unknown = set(values) - self.slots
        if unknown:
            raise KeyError(f"query {self.name} has no parameter {', '.join(sorted(unknown))}")

        def fill(m: re.Match) -> str:
            value = values.get(m.group(1))
            if value is None:
                return m.group(0)
            terms = value if isinstance(value, (list, tuple)) else [value]
            return f"VALUES ?{m.group(1)} {{ {' '.join(sparql_term(t) for t in terms)} }}"

        return _SLOT.sub(fill, self.text)

    def __repr__(self) -> str:
        return f"NamedQuery({self.name!r})"


@lru_cache(maxsize=None)
def named(name: str) -> NamedQuery:
    """The query graph/queries/<name>.rq."""
    path = QUERY_DIR / f"{name}.rq"
    return NamedQuery(name, path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def fragments(name: str) -> dict[str, str]:
    """The "#: part" sections of graph/queries/<name>.rq, for queries assembled from parts."""
    parts: dict[str, list[str]] = {}
    current = None
    for line in (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8").splitlines():
        if line.startswith("#: "):
            current = line[3:].strip()
            parts[current] = []
        elif current is not None:
            parts[current].append(line)
    return {k: "\n".join(v) for k, v in parts.items()}
