"""SHACL validation with pyshacl, reported as a person reads it: focus node, path, message."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery

SHAPES_FILE = Path(__file__).resolve().parent.parent / "shapes" / "whosaid.shapes.ttl"


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    shape: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        return f"{where}: {self.message}" + (f" (value: {self.value})" if self.value else "")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def _path_text(results: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return results.namespace_manager.normalizeUri(path)
    inverse = results.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + results.namespace_manager.normalizeUri(inverse)
    return str(path)


class _PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once.

    pyshacl hands rdflib the same SHACL-SPARQL text once per focus node, and rdflib parses it
    anew every time (10-20 ms with pyparsing, against well under a millisecond to evaluate it
    here). Caching the parsed query makes a SPARQL constraint cost what its evaluation costs.
    """

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepared(text: str):
    return prepareQuery(text)


def validate_graph(data: Graph, focus_nodes: list | None = None) -> list[Violation]:
    """Every SHACL violation in `data` (which must include the ontology, for subclass checks);
    with focus_nodes, only those nodes are checked (the rest of data is context)."""
    # inplace: no clone of the data; nothing writes to it (no inference, no SHACL rules).
    shared = _PreparedQueryGraph(store=data.store, identifier=data.identifier,
                                 namespace_manager=data.namespace_manager)
    _conforms, results, _text = pyshacl_validate(
        shared, shacl_graph=shapes_graph(), inference="none", advanced=True,
        allow_warnings=True, abort_on_first=False, inplace=True, focus_nodes=focus_nodes,
    )
    for prefix, ns in data.namespaces():
        results.bind(prefix, ns, override=False)
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        violations.append(Violation(
            focus=str(focus),
            path=_path_text(results, results.value(result, SH.resultPath)),
            message=str(results.value(result, SH.resultMessage) or "does not conform"),
            shape=str(results.value(result, SH.sourceShape)),
            value=None if value is None else str(value)[:120],
        ))
    return sorted(set(violations), key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
