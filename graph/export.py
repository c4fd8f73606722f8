"""Serialising the whole graph: the same bytes for `whosaid export` and the HTTP dumps.

Formats with named graphs (TriG, N-Quads, JSON-LD) carry the dataset as stored (graph/rdf.py):
one graph per claim, one per article, one for entities, one for the ontology, and the history of
changes once the store has been written to. Formats without them (Turtle, N-Triples, RDF/XML)
carry the union, each triple once. Oxigraph writes to the output as it reads the store, in
pieces of a few kB, so neither the CLI nor the server (api/dumps.py, which streams those pieces
to the client) holds the whole serialisation in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox

from .iris import PREFIXES
from .store import Store


@dataclass(frozen=True)
class ExportFormat:
    name: str
    rdf_format: ox.RdfFormat
    media_type: str
    extension: str

    @property
    def has_graphs(self) -> bool:
        return self.rdf_format.supports_datasets


FORMATS = {
    f.name: f for f in (
        ExportFormat("ttl", ox.RdfFormat.TURTLE, "text/turtle", "ttl"),
        ExportFormat("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt"),
        ExportFormat("xml", ox.RdfFormat.RDF_XML, "application/rdf+xml", "rdf"),
        ExportFormat("trig", ox.RdfFormat.TRIG, "application/trig", "trig"),
        ExportFormat("nq", ox.RdfFormat.N_QUADS, "application/n-quads", "nq"),
        ExportFormat("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", "jsonld"),
    )
}

_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def export(store: Store, fmt: str, output: IO[bytes]) -> None:
    """Write the whole graph to `output` in format `fmt` (a key of FORMATS)."""
    f = FORMATS[fmt]
    prefixes = _PREFIXES if f.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG,
                                             ox.RdfFormat.RDF_XML) else None
    if f.has_graphs:
        store.dump(f.rdf_format, output, prefixes)
        return
    # The union, each triple once: a CONSTRUCT result is a set (the union default graph alone
    # is not: it yields a triple once per graph holding it).
    # An external store gives the union of whosaid's graphs only, read page by page (its own
    # CONSTRUCT would hold every graph of the store, and may be cut at a row cap).
    triples = store.union_triples() if hasattr(store, "union_triples") else \
        store.raw_query(_UNION, use_default_graph_as_union=True)
    ox.serialize(triples, output, format=f.rdf_format, prefixes=prefixes)
