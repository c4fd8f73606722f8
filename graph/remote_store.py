"""The graph on an external RDF store, through the SPARQL 1.1 Protocol.

Any store with a SPARQL 1.1 Query and Update endpoint will do: Oxigraph server, Apache Jena Fuseki,
GraphDB, Stardog, Amazon Neptune; Virtuoso through its own adapter (graph/virtuoso.py), which
open_store picks behind the same --store setting (WHOSAID_STORE_ENGINE, detected by default).
whosaid needs one thing from the store beyond the standard: its default graph must be the union of
the named graphs (see README, "Running on an external store"), because every whosaid query reads
the union.

whosaid shares the store with whatever else it holds (an engine's own system graphs, another
application's data): it reads, counts, dumps and drops only its own graphs, those whose names
start with its base IRI (WHOSAID_BASE_IRI). Whole-store reads (dump, quads, named_graphs, graph)
go page by page, so that a store's cap on the rows of one answer (Virtuoso's ResultSetMaxRows,
announced in its X-SPARQL-MaxRows header) cannot cut them short; a read that still comes back
short of the store's own count is an error, never a silently smaller graph.

RemoteStore offers what Store offers (select, ask, raw_query, named_graphs, len, dump, replace_all),
so the build, the read model, the API and the exports run on it unchanged. Why not rdflib's
SPARQLUpdateStore: it answers in rdflib terms and one query per triple pattern for graph-level
operations, where the read model wants pyoxigraph terms and whole queries; the protocol itself is
two HTTP requests, written here with httpx.
"""

from __future__ import annotations

import json
import logging
from typing import IO, Iterable, Iterator

import httpx
import pyoxigraph as ox
from rdflib import Dataset

from .config import DEFAULT_BASE_IRI
from .queries import NamedQuery, sparql_term
from .store import StoreError, insert_data

log = logging.getLogger(__name__)

RESULTS_JSON = "application/sparql-results+json"

# Rows asked for per page of a whole-store read. A store that caps answers lower and says so
# (X-SPARQL-MaxRows) is followed down to its cap.
PAGE_ROWS = 10_000
# Graphs named in one VALUES block of a dump query.
GRAPHS_PER_QUERY = 500


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def sparql_string(text: str) -> str:
    """`text` as a SPARQL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\r", "\\r") + '"'


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


class _Capped(Exception):
    """An answer came back cut at the store's row cap, lower than the page asked for."""

    def __init__(self, cap: int):
        self.cap = cap


class RemoteStore:
    engine = "sparql"
    # Whether the store's own text index answers `words` (graph/read.py): see VirtuosoStore.
    word_search = False

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None,
                 timeout: float = 30.0, *, base_iri: str = DEFAULT_BASE_IRI,
                 user: str | None = None, password: str | None = None,
                 page_rows: int = PAGE_ROWS):
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or self.default_update_endpoint(query_endpoint, user)
        self.base_iri = base_iri
        self.page_rows = page_rows
        self.path = None
        self.query_count = 0
        self._auth = self._make_auth(user, password) if user else None
        self._http = httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.query_endpoint!r})"

    @staticmethod
    def default_update_endpoint(query_endpoint: str, user: str | None) -> str:
        if query_endpoint.endswith("/query"):
            return query_endpoint[:-len("/query")] + "/update"
        return query_endpoint

    def _make_auth(self, user: str, password: str | None) -> httpx.Auth:
        return httpx.BasicAuth(user, password or "")

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

    def insert_data(self, graphs: dict[str, str]) -> str:
        """The INSERT DATA operation that adds these graphs' N-Triples (see store.insert_data)."""
        return insert_data(graphs)

    def update(self, text: str) -> None:
        try:
            response = self._http.post(self.update_endpoint, data={"update": text}, auth=self._auth)
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL update endpoint {self.update_endpoint}: {exc}") from None
        if response.status_code not in (200, 204):
            raise StoreError(f"{self.update_endpoint} refused the update ({response.status_code}): "
                             f"{response.text[:300]}")

    def _term(self, binding: dict):
        return _term(binding)

    def _rows(self, text: str) -> tuple[list[dict[str, object]], int | None]:
        """The rows of a SELECT, and the store's row cap if it says it cut them there."""
        response = self._query(text, RESULTS_JSON)
        body = json.loads(response.content)
        rows = [{k: self._term(v) for k, v in row.items()} for row in body["results"]["bindings"]]
        cap = response.headers.get("x-sparql-maxrows", "")
        return rows, (int(cap) if cap.isdigit() and int(cap) <= len(rows) else None)

    # -- reading ---------------------------------------------------------------------------

    def select(self, query: NamedQuery | str, **bindings) -> list[dict[str, object]]:
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        rows, cap = self._rows(text)
        if cap is not None:
            log.warning("%s cut an answer at %d rows (its own row cap): %s", self.query_endpoint,
                        cap, text[:200])
        return rows

    def select_all(self, query: NamedQuery | str, **bindings) -> list[dict[str, object]]:
        """Every row of a SELECT that ends in ORDER BY a total order, page by page with LIMIT
        and OFFSET. (Virtuoso refuses a sorted page that reaches past MaxSortedTopRows, 10,000 by
        default, with SR353: an error, never a short answer.)"""
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        found, offset = [], 0
        while True:
            page = self.page_rows
            rows, cap = self._rows(f"{text}\nLIMIT {page} OFFSET {offset}")
            self._follow_cap(cap, page)
            found.extend(rows)
            offset += len(rows)
            if not rows or (cap is None and len(rows) < page):
                return found

    def _follow_cap(self, cap: int | None, page: int) -> None:
        if cap is not None and cap < page:
            log.info("%s caps answers at %d rows: reading pages of that size",
                     self.query_endpoint, cap)
            self.page_rows = cap

    def ask(self, query: NamedQuery | str, **bindings) -> bool:
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        return self._boolean(json.loads(self._query(text, RESULTS_JSON).content)["boolean"])

    @staticmethod
    def _boolean(value) -> bool:
        return value in (True, "true", 1, "1")

    def raw_query(self, text: str, **_options):
        """Triples of a CONSTRUCT or DESCRIBE (the union default graph is the server's)."""
        response = self._query(text, "application/n-triples")
        return ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)

    def _ours(self, var: str = "?g") -> str:
        """A FILTER keeping the graphs whose names start with the base IRI: whosaid's."""
        return f"FILTER(STRSTARTS(STR({var}), {sparql_string(self.base_iri)}))"

    def named_graphs(self) -> list[str]:
        return [name for name, _ in self.graph_sizes()]

    def __len__(self) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours()} }}")
        return int(rows[0]["n"].value)

    def graph_sizes(self) -> list[tuple[str, int]]:
        """(name, quads) of each of whosaid's graphs, by name: pages that start after the last
        name of the one before (keyset paging: no OFFSET, which stores limit when sorting)."""
        found: list[tuple[str, int]] = []
        while True:
            page = self.page_rows
            after = f" && STR(?g) > {sparql_string(found[-1][0])}" if found else ""
            rows, cap = self._rows(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"FILTER(STRSTARTS(STR(?g), {sparql_string(self.base_iri)}){after}) }} "
                f"GROUP BY ?g ORDER BY (STR(?g)) LIMIT {page}")
            self._follow_cap(cap, page)
            found.extend((r["g"].value, int(r["n"].value)) for r in rows)
            if not rows or (cap is None and len(rows) < page):
                return found

    def _graph_triples(self, name: str, size: int | None = None) -> Iterator[ox.Triple]:
        """The triples of one graph: in one answer if it fits a page, else in pages of whole
        subjects, each starting at the last subject of the one before (keyset paging)."""
        g = sparql_term(ox.NamedNode(name))
        if size is not None and size <= self.page_rows:
            rows, cap = self._rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
            if cap is not None:
                raise _Capped(cap)
            yield from (ox.Triple(r["s"], r["p"], r["o"]) for r in rows)
            return
        start = None
        while True:
            page = self.page_rows
            after = f" FILTER(STR(?s) >= {sparql_string(start)})" if start is not None else ""
            rows, cap = self._rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }}{after} }} "
                                   f"ORDER BY (STR(?s)) LIMIT {page}")
            self._follow_cap(cap, page)
            if cap is None and len(rows) < page:
                yield from (ox.Triple(r["s"], r["p"], r["o"]) for r in rows)
                return
            # A full page may end inside a subject: keep the subjects before the last one,
            # and start the next page at that one.
            last = rows[-1]["s"].value
            whole = [r for r in rows if r["s"].value != last]
            if not whole:
                raise StoreError(f"{self.query_endpoint}: <{last}> has more triples in <{name}> "
                                 f"than one answer may hold ({len(rows)})")
            yield from (ox.Triple(r["s"], r["p"], r["o"]) for r in whole)
            start = last

    def graph(self, name: str):
        """One named graph as an rdflib Graph."""
        from rdflib import Graph
        g = Graph()
        data = ox.serialize(self._retrying(lambda: list(self._graph_triples(name))),
                            format=ox.RdfFormat.N_TRIPLES)
        g.parse(data=data, format="nt")
        return g

    def _retrying(self, read):
        """read(), again with smaller pages if an answer came back cut at the store's cap."""
        for _ in range(3):
            try:
                return read()
            except _Capped as capped:
                log.info("%s caps answers at %d rows: reading pages of that size",
                         self.query_endpoint, capped.cap)
                self.page_rows = capped.cap
        return read()

    def quads(self) -> list[ox.Quad]:
        """Every quad of whosaid's graphs: graphs a page at a time (a graph larger than a page,
        in pages of its own), checked against the store's count of them."""
        return self._retrying(self._read_quads)

    def _read_quads(self) -> list[ox.Quad]:
        sizes = self.graph_sizes()
        found: list[ox.Quad] = []
        batch: list[str] = []
        rows = 0

        def read_batch() -> None:
            values = " ".join(sparql_term(ox.NamedNode(g)) for g in batch)
            answer, cap = self._rows(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
                                     "GRAPH ?g { ?s ?p ?o } }")
            if cap is not None:
                raise _Capped(cap)
            found.extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in answer)

        for name, size in sizes:
            if size > self.page_rows:
                graph = ox.NamedNode(name)
                found.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                             for t in self._graph_triples(name, size))
                continue
            if batch and (rows + size > self.page_rows or len(batch) >= GRAPHS_PER_QUERY):
                read_batch()
                batch, rows = [], 0
            batch.append(name)
            rows += size
        if batch:
            read_batch()
        expected = sum(size for _, size in sizes)
        if len(found) != expected:
            raise StoreError(f"{self.query_endpoint} gave {len(found)} of the {expected} quads it "
                             "counts in whosaid's graphs: it was written to meanwhile, or it cuts "
                             "answers short without saying so (raise its row cap); try again")
        return found

    def union_triples(self) -> list[ox.Triple]:
        """The union of whosaid's graphs, each triple once (for the formats without graphs)."""
        return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in self.quads()))

    def dump(self, rdf_format: ox.RdfFormat, output: IO[bytes] | None = None,
             prefixes: dict[str, str] | None = None) -> bytes | None:
        return ox.serialize(self.quads(), output, format=rdf_format, prefixes=prefixes)

    def dataset(self) -> Dataset:
        ds = Dataset()
        ds.parse(data=self.dump(ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
        return ds

    # -- writing ---------------------------------------------------------------------------

    def _drop_ours(self) -> str:
        """An update operation that deletes every quad of whosaid's graphs, and nothing else."""
        return (f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                f"{self._ours()} }}")

    def replace_all(self, nquads: Iterable[bytes]) -> int:
        """Replace whosaid's graphs (those under the base IRI) with the named graphs of these
        N-Quads, in one update request, which the store runs atomically. Other graphs in the
        store stay as they are. (One request: the whole dataset is in memory once, as its text.)
        Returns the number of quads whosaid's graphs hold now.

        The data goes in as INSERT DATA blocks of N-Triples that pyoxigraph wrote (and escaped);
        nothing from a request is pasted in."""
        blocks = [f"GRAPH {name} {{\n{triples}}}" for name, triples in graph_blocks(nquads)]
        self.update(self._drop_ours() + " ;\nINSERT DATA {\n" + "\n".join(blocks) + "\n}")
        return len(self)

    def flush(self) -> None:
        """Nothing to flush: the server has committed once it answered."""

    def close(self) -> None:
        self._http.close()


def graph_blocks(nquads: Iterable[bytes]) -> Iterator[tuple[str, str]]:
    """(graph IRI in SPARQL syntax, its triples as N-Triples) for each named graph of chunks of
    N-Quads (a build gives one chunk per graph), chunk by chunk, so that a load holds one chunk
    at a time rather than the dataset: pyoxigraph parses and writes them, at 4.8 million quads
    (10^4 articles) far faster and smaller than an rdflib Dataset. A graph split across chunks
    gives a block per chunk. A triple in the default graph is refused: whosaid's are all named."""
    for chunk in nquads:
        by_graph: dict[ox.NamedNode, list[ox.Triple]] = {}
        for quad in ox.parse(chunk, ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise StoreError(f"a triple outside any named graph cannot be loaded: {quad}")
            by_graph.setdefault(quad.graph_name, []).append(quad.triple)
        for name, triples in by_graph.items():
            yield str(name), ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


# -- choosing the adapter ------------------------------------------------------------------

_detected: dict[str, str] = {}


def detect_engine(query_endpoint: str, timeout: float = 10.0) -> str:
    """Which engine answers at `query_endpoint`, from its Server header: virtuoso, oxigraph, or
    sparql (another, or none could be asked: the first real request will say why)."""
    if query_endpoint in _detected:
        return _detected[query_endpoint]
    try:
        response = httpx.post(query_endpoint, data={"query": "ASK {}"},
                              headers={"accept": RESULTS_JSON}, timeout=timeout)
    except httpx.HTTPError:
        return "sparql"
    server = response.headers.get("server", "").lower()
    engine = "virtuoso" if "virtuoso" in server else "oxigraph" if "oxigraph" in server else "sparql"
    _detected[query_endpoint] = engine
    return engine


def remote_store(query_endpoint: str, update_endpoint: str | None = None, *,
                 base_iri: str = DEFAULT_BASE_IRI, engine: str = "auto",
                 user: str | None = None, password: str | None = None,
                 text_index: bool = False) -> RemoteStore:
    """The adapter for the engine at `query_endpoint` (WHOSAID_STORE_ENGINE; auto: detected).
    `text_index`: the engine's own text index serves `words` (Virtuoso's only, so far)."""
    if engine == "auto":
        engine = detect_engine(query_endpoint)
    options = dict(base_iri=base_iri, user=user, password=password)
    if engine == "virtuoso":
        from .virtuoso import VirtuosoStore
        return VirtuosoStore(query_endpoint, update_endpoint, text_index=text_index, **options)
    if text_index:
        raise StoreError(f"WHOSAID_STORE_TEXT_INDEX: whosaid uses the text index of Virtuoso "
                         f"only, and {query_endpoint} is {engine}")
    store = RemoteStore(query_endpoint, update_endpoint, **options)
    store.engine = engine
    return store
