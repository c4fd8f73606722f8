"""The graph on an external RDF store, through the SPARQL 1.1 Protocol.

Any store with a SPARQL 1.1 Query and Update endpoint will do: Oxigraph server, Apache Jena Fuseki,
GraphDB, Virtuoso, Stardog, Amazon Neptune. whosaid needs one thing from it beyond the standard:
its default graph must be the union of the named graphs (see README, "Running on an external
store"), because every whosaid query reads the union.

RemoteStore offers what Store offers (select, ask, raw_query, named_graphs, len, dump, replace_all),
so the build, the read model, the API and the exports run on it unchanged. Why not rdflib's
SPARQLUpdateStore: it answers in rdflib terms and one query per triple pattern for graph-level
operations, where the read model wants pyoxigraph terms and whole queries; the protocol itself is
two HTTP requests, written here with httpx.
"""

from __future__ import annotations

import json
from typing import IO

import httpx
import pyoxigraph as ox
from rdflib import Dataset

from .queries import NamedQuery
from .store import StoreError

RESULTS_JSON = "application/sparql-results+json"


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def _term(binding: dict):
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


class RemoteStore:
    def __init__(self, query_endpoint: str, update_endpoint: str | None = None,
                 timeout: float = 30.0):
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or (
            query_endpoint[:-len("/query")] + "/update" if query_endpoint.endswith("/query")
            else query_endpoint)
        self.path = None
        self.query_count = 0
        self._http = httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_endpoint!r})"

    # -- the protocol ----------------------------------------------------------------------

    def _query(self, text: str, accept: str) -> httpx.Response:
        self.query_count += 1
        try:
            response = self._http.post(self.query_endpoint, data={"query": text},
                                       headers={"accept": accept})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.query_endpoint}: {exc}") from None
        if response.status_code != 200:
            raise StoreError(f"{self.query_endpoint} answered {response.status_code}: "
                             f"{response.text[:300]}")
        return response

    def update(self, text: str) -> None:
        try:
            response = self._http.post(self.update_endpoint, data={"update": text})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL update endpoint {self.update_endpoint}: {exc}") from None
        if response.status_code not in (200, 204):
            raise StoreError(f"{self.update_endpoint} refused the update ({response.status_code}): "
                             f"{response.text[:300]}")

    # -- reading ---------------------------------------------------------------------------

    def select(self, query: NamedQuery | str, **bindings) -> list[dict[str, object]]:
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        body = json.loads(self._query(text, RESULTS_JSON).content)
        return [{k: _term(v) for k, v in row.items()} for row in body["results"]["bindings"]]

    def ask(self, query: NamedQuery | str, **bindings) -> bool:
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        return bool(json.loads(self._query(text, RESULTS_JSON).content)["boolean"])

    def raw_query(self, text: str, **_options):
        """Triples of a CONSTRUCT or DESCRIBE (the union default graph is the server's)."""
        response = self._query(text, "application/n-triples")
        return ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)

    def named_graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows)

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value)

    def graph(self, name: str):
        """One named graph as an rdflib Graph."""
        from rdflib import Graph
        from .queries import sparql_term
        g = Graph()
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_term(ox.NamedNode(name))} {{ ?s ?p ?o }} }}"
        g.parse(data=self._query(text, "application/n-triples").content, format="nt")
        return g

    def quads(self) -> list[ox.Quad]:
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]

    def dump(self, rdf_format: ox.RdfFormat, output: IO[bytes] | None = None,
             prefixes: dict[str, str] | None = None) -> bytes | None:
        return ox.serialize(self.quads(), output, format=rdf_format, prefixes=prefixes)

    def dataset(self) -> Dataset:
        ds = Dataset()
        ds.parse(data=self.dump(ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
        return ds

    # -- writing ---------------------------------------------------------------------------

    def replace_all(self, ds: Dataset) -> None:
        """Replace the whole dataset in one update request, which the store runs atomically.

        The data goes in as INSERT DATA blocks of N-Triples that rdflib serialised (and escaped);
        nothing from a request is pasted in."""
        blocks = []
        for g in ds.graphs():
            if not len(g) or g.identifier == ds.default_graph.identifier:
                continue
            triples = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
            blocks.append(f"GRAPH {g.identifier.n3()} {{\n{triples}}}")
        self.update("DROP ALL ;\nINSERT DATA {\n" + "\n".join(blocks) + "\n}")

    def flush(self) -> None:
        """Nothing to flush: the server has committed once it answered."""

    def close(self) -> None:
        self._http.close()
