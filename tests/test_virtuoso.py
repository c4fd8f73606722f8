"""whosaid on Virtuoso (Debian's virtuoso-opensource 7.2), through graph/virtuoso.py.

The fixture (tests/conftest.py, virtuoso_endpoint) installs the package when absent, starts
virtuoso-t on loopback with its own folder and ini (answers capped at 2,000 rows, below the seed
graph's 3,942 quads, so that every whole-store read must page), grants SPARQL_UPDATE to one
writer account only, and builds the seed graph into it with `whosaid build --store URL`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import yaml
from rdflib import Dataset, Literal, URIRef

from graph.config import DEFAULT_BASE_IRI, PROJECT_ROOT
from graph.index import IndexView, index_path
from graph.ingest import Ingest, read_submission
from graph.read import Reader
from graph.remote_store import RemoteStore, detect_engine
from graph.store import StoreError, open_store
from graph.virtuoso import VirtuosoStore

from .conftest import VIRTUOSO_MAX_ROWS, virtuoso_server

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
FOREIGN_GRAPH = "urn:another-application:graph"


def whosaid(*args: str, endpoint: str, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
    """`whosaid ARGS --store ENDPOINT` in a child process, as an operator runs it."""
    result = subprocess.run([sys.executable, "-m", "graph", *args, "--store", endpoint],
                            capture_output=True, env=dict(os.environ, COLUMNS="200", **(env or {})),
                            cwd=PROJECT_ROOT, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"whosaid {' '.join(args)} failed:\n{result.stdout.decode()}\n"
                             f"{result.stderr.decode()}")
    return result


def select(endpoint: str, query: str) -> httpx.Response:
    return httpx.post(endpoint, data={"query": query}, timeout=30,
                      headers={"accept": "application/sparql-results+json"})


def graph_counts(endpoint: str) -> dict[str, int]:
    """Quads per graph of the whole store, whosaid's and Virtuoso's alike (fewer graphs than
    the row cap)."""
    body = select(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").json()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in body["results"]["bindings"]}


def engine_graphs(endpoint: str) -> dict[str, int]:
    return {g: n for g, n in graph_counts(endpoint).items() if not g.startswith(DEFAULT_BASE_IRI)}


def whosaid_quads(endpoint: str) -> set[ox.Quad]:
    return set(open_store(endpoint).quads())


def test_the_engine_is_detected_from_the_server_header(virtuoso_endpoint):
    assert detect_engine(virtuoso_endpoint) == "virtuoso"
    store = open_store(virtuoso_endpoint, user="someone", password="x")
    assert isinstance(store, VirtuosoStore)
    assert store.update_endpoint == virtuoso_endpoint + "-auth"
    assert type(open_store(virtuoso_endpoint, engine="sparql")) is RemoteStore


def test_the_store_has_virtuosos_own_graphs_and_a_row_cap(virtuoso_endpoint):
    """What the adapter is for: other graphs in the same store, answers cut at a cap."""
    assert engine_graphs(virtuoso_endpoint)  # virtrdf#, the DAV and /sparql graphs
    response = select(virtuoso_endpoint, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert response.headers["x-sparql-maxrows"] == str(VIRTUOSO_MAX_ROWS)
    assert len(response.json()["results"]["bindings"]) == VIRTUOSO_MAX_ROWS


def test_stats_counts_exactly_whosaids_quads(virtuoso_endpoint, store):
    out = whosaid("stats", endpoint=virtuoso_endpoint).stdout.decode()
    assert f"{len(store)} quads in {len(store.named_graphs())} named graphs" in out, out
    remote = open_store(virtuoso_endpoint)
    assert len(remote) == len(store)
    assert remote.named_graphs() == store.named_graphs()


def test_a_dump_equals_the_embedded_stores(virtuoso_endpoint, store):
    """Every quad, booleans and dates and language tags as the embedded store has them, though
    Virtuoso cuts each answer at 2,000 rows."""
    embedded = set(store._inner)
    assert whosaid_quads(virtuoso_endpoint) == embedded
    nq = whosaid("export", "-f", "nq", endpoint=virtuoso_endpoint).stdout
    assert set(ox.parse(nq, format=ox.RdfFormat.N_QUADS)) == embedded
    nt = whosaid("export", "-f", "nt", endpoint=virtuoso_endpoint).stdout
    triples = [ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    assert set(triples) == {ox.Triple(q.subject, q.predicate, q.object) for q in embedded}
    assert len(triples) == len(set(triples))  # the union: each triple once


def test_booleans_come_back_as_true_and_false(virtuoso_endpoint):
    rows = open_store(virtuoso_endpoint).select(
        "SELECT ?v WHERE { ?x <https://w3id.org/whosaid/ontology#approximate> ?v }")
    assert rows and {r["v"] for r in rows} == {
        ox.Literal("true", datatype=ox.NamedNode(XSD_BOOLEAN)),
        ox.Literal("false", datatype=ox.NamedNode(XSD_BOOLEAN))}
    # What Virtuoso sends itself:
    raw = select(virtuoso_endpoint, "SELECT ?v WHERE { ?x <https://w3id.org/whosaid/ontology#approximate> ?v }")
    assert {b["v"]["value"] for b in raw.json()["results"]["bindings"]} == {"1", "0"}


def test_a_batch_read_of_every_claim_equals_the_embedded_stores(virtuoso_endpoint, store):
    """claims.rq with every claim of the seed graph bound (a GraphQL page of 100 binds as many):
    one VALUES block of 73 or more lost some OPTIONAL values on a freshly loaded Virtuoso, so
    the adapter reads a batch in parts of MAX_BATCH_VALUES."""
    from graph.queries import named
    claims = [r["c"] for r in store.select(
        "SELECT ?c WHERE { ?c a <https://w3id.org/whosaid/ontology#Claim> }")]
    assert len(claims) > VirtuosoStore.MAX_BATCH_VALUES
    remote = open_store(virtuoso_endpoint)

    def rows(reader) -> list:
        return sorted(sorted((k, str(v)) for k, v in r.items())
                      for r in reader.select(named("claims"), claim=claims))
    assert rows(remote) == rows(store)
    assert remote.query_count == -(-len(claims) // VirtuosoStore.MAX_BATCH_VALUES)


def test_virtuoso_blank_node_labels_become_blank_nodes():
    store = VirtuosoStore("http://127.0.0.1:1/sparql")
    node = store._term({"type": "bnode", "value": "nodeID://b10001"})
    assert node == ox.BlankNode("b10001")
    assert store._term({"type": "typed-literal", "datatype": XSD_BOOLEAN, "value": "0"}) == \
        ox.Literal("false", datatype=ox.NamedNode(XSD_BOOLEAN))


def test_validate_works(virtuoso_endpoint, store):
    out = whosaid("validate", endpoint=virtuoso_endpoint).stdout.decode()
    assert "conforms" in out, out


def test_the_anonymous_endpoint_refuses_updates(virtuoso_endpoint):
    before = graph_counts(virtuoso_endpoint)
    update = f"INSERT DATA {{ GRAPH <{DEFAULT_BASE_IRI}graph/intruder> {{ <urn:a> <urn:b> <urn:c> }} }}"
    response = httpx.post(virtuoso_endpoint, data={"update": update}, timeout=30)
    assert response.status_code >= 400 and "SR186" in response.text
    with pytest.raises(StoreError, match="refused the update"):
        open_store(virtuoso_endpoint).update(update)  # no account: the anonymous endpoint
    with pytest.raises(StoreError, match="401|refused"):
        open_store(virtuoso_endpoint, user=virtuoso_endpoint.server.WRITER, password="wrong").update(update)
    assert graph_counts(virtuoso_endpoint) == before


def test_a_rebuild_replaces_only_whosaids_graphs(virtuoso_endpoint, store):
    """No doubling, Virtuoso's graphs and another application's untouched."""
    server = virtuoso_endpoint.server
    writer = open_store(virtuoso_endpoint, user=server.WRITER, password=server.password)
    writer.update(f"INSERT DATA {{ GRAPH <{FOREIGN_GRAPH}> {{ <urn:x> <urn:y> \"kept\" }} }}")
    before = engine_graphs(virtuoso_endpoint)
    assert before[FOREIGN_GRAPH] == 1
    whosaid("build", endpoint=virtuoso_endpoint, env=server.env())
    assert engine_graphs(virtuoso_endpoint) == before
    assert len(open_store(virtuoso_endpoint)) == len(store)
    assert whosaid_quads(virtuoso_endpoint) == set(store._inner)


def test_a_build_that_needs_several_requests(virtuoso_endpoint, store, monkeypatch):
    """Requests of at most MAX_REQUEST_BYTES, GRAPH blocks of at most MAX_BLOCK_TRIPLES: here
    made small so that the seed graph takes several of each."""
    server = virtuoso_endpoint.server
    writer = open_store(virtuoso_endpoint, user=server.WRITER, password=server.password)
    monkeypatch.setattr(VirtuosoStore, "MAX_BLOCK_TRIPLES", 100)
    monkeypatch.setattr(VirtuosoStore, "MAX_REQUEST_BYTES", 100_000)
    sent = []
    real_send = VirtuosoStore._send_update
    monkeypatch.setattr(VirtuosoStore, "_send_update", lambda self, text: (sent.append(text),
                                                                           real_send(self, text))[1])
    writer.replace_all([store.dump(ox.RdfFormat.N_QUADS)])
    assert len(sent) > 5 and all(len(t.encode()) <= 100_000 for t in sent)
    assert max(t.count("GRAPH <") - t.count("GRAPH ?g") for t in sent) > 1  # blocks share requests
    assert whosaid_quads(virtuoso_endpoint) == set(store._inner)


def test_adding_the_seed_articles_one_by_one_gives_the_built_graph(store, built_store_path):
    """The write path (graph/ingest.py) on Virtuoso: each write one request, its INSERT DATA in
    the store's dialect (the entities and ontology graphs alone pass Virtuoso's SQL limit)."""
    from .conftest import CORPUS
    history = f"{DEFAULT_BASE_IRI}graph/history"
    with virtuoso_server() as server:
        whosaid("add", str(CORPUS / "entities.yaml"), endpoint=server.endpoint, env=server.env())
        for article in sorted((CORPUS / "articles").glob("*.yaml")):
            out = whosaid("add", str(article), endpoint=server.endpoint, env=server.env())
            assert b"added" in out.stdout
        found = whosaid_quads(server.endpoint)
        assert {q for q in found if q.graph_name.value != history} == set(store._inner)
        assert len({q.subject for q in found if q.graph_name.value == history}) == 6
        # Each add brought Virtuoso's text index up to date (WHOSAID_STORE_TEXT_INDEX): `words`
        # finds the claims of the last article added, as the embedded store's claim index does.
        last = sorted((CORPUS / "articles").glob("*.yaml"))[-1]
        article_id = yaml.safe_load(last.read_text(encoding="utf-8"))["id"]
        on_virtuoso = Reader(open_store(server.endpoint, text_index=True), DEFAULT_BASE_IRI)
        embedded = Reader(store, DEFAULT_BASE_IRI, IndexView(index_path(built_store_path)))
        for words in ("killed", '"north korean"'):
            wanted = _ids(embedded, embedded.claim_filter(words=words, article=article_id))
            assert wanted and _ids(on_virtuoso, on_virtuoso.claim_filter(words=words, article=article_id)) == wanted


def _ids(reader: Reader, f) -> list[str]:
    return reader.search_claims(f, first=100).items


# ---------------------------------------------------------------------------------------------
# kill -9 of virtuoso-t during a build
# ---------------------------------------------------------------------------------------------

KILL_AT = (0.15, 0.45, 0.85)  # of the time the load takes


def _bulk_graph(ds: Dataset, n: int) -> None:
    """n triples in one more graph under the base IRI: a load that takes long enough to be
    killed in its middle (and still one request)."""
    g = ds.graph(URIRef(f"{DEFAULT_BASE_IRI}graph/bulk"))
    for i in range(n):
        g.add((URIRef(f"{DEFAULT_BASE_IRI}bulk/{i}"), URIRef(f"{DEFAULT_BASE_IRI}ontology#n"),
               Literal(f"bulk value {i}, long enough to weigh something in the request", lang="en")))


def test_kill_9_during_a_build_leaves_the_old_graph_or_the_new_whole(store):
    seed = [store.dump(ox.RdfFormat.N_QUADS)]
    new = Dataset()
    new.parse(data=store.dump(ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    gone = sorted(g for g in store.named_graphs() if "/graph/article/" in g)[0]
    new.remove_graph(new.graph(URIRef(gone)))
    _bulk_graph(new, 30_000)
    with virtuoso_server() as server:
        def writer() -> VirtuosoStore:
            return open_store(server.endpoint, user=server.WRITER, password=server.password)

        old_quads = set(store._inner)
        writer().replace_all(seed)
        # The one request replace_all sends for the new dataset; timed, then killed in its middle.
        (request,) = writer()._requests([new.serialize(format="nquads", encoding="utf-8")], [])
        started = time.monotonic()
        writer().update(request)
        took = time.monotonic() - started
        new_quads = whosaid_quads(server.endpoint)
        assert len(new_quads) == _size(new)
        outcomes = []
        for fraction in KILL_AT:
            writer().replace_all(seed)
            assert whosaid_quads(server.endpoint) == old_quads
            failure = []
            loading = threading.Thread(target=lambda: _capture(failure, writer().update, request))
            loading.start()
            time.sleep(took * fraction)
            server.kill()
            loading.join(timeout=60)
            server.start()
            found = whosaid_quads(server.endpoint)  # also checks Virtuoso's count against them
            assert found in (old_quads, new_quads), (
                f"killed at {fraction:.0%} of the load: {len(found)} quads, neither the old "
                f"graph ({len(old_quads)}) nor the new ({len(new_quads)})")
            outcomes.append("old" if found == old_quads else "new")
        print("outcomes:", outcomes, f"(a load took {took:.1f} s)")


def _size(ds: Dataset) -> int:
    return sum(len(g) for g in ds.graphs() if g.identifier != ds.default_graph.identifier)


def _capture(failures: list, fn, *args) -> None:
    try:
        fn(*args)
    except Exception as exc:  # the server was killed under it
        failures.append(exc)


def test_whosaid_in_front_of_virtuoso_refuses_its_engine_functions(virtuoso_endpoint):
    """Virtuoso's anonymous endpoint runs bif:exec('checkpoint'); whosaid's /sparql, the one the
    public reaches, refuses it before Virtuoso sees it, and still answers plain queries."""
    from .conftest import running_server
    with running_server(virtuoso_endpoint) as base:
        for query in ('SELECT (bif:exec("checkpoint") AS ?x) WHERE {}',
                      'PREFIX b: <bif:> SELECT (b:exec("checkpoint") AS ?x) WHERE {}'):
            response = httpx.get(f"{base}/sparql", params={"query": query}, timeout=30)
            assert response.status_code == 400 and "engine functions outside SPARQL" in response.text
        plain = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s a <https://w3id.org/whosaid/ontology#Claim> }",
                                                    "format": "json"}, timeout=30)
        assert plain.status_code == 200 and plain.json()["boolean"] is True


def test_kill_9_during_an_add_leaves_the_article_before_or_after_whole(store):
    """An add is one update request (graph/ingest.py): killed while Virtuoso runs it, the store
    holds the graph from before the add or from after it, whole, never a part of the article.
    The kill comes at fractions of the time the add's request took, counted from when it is
    sent (the wrapper only records that moment; the real request runs)."""
    from .conftest import CORPUS
    history = f"{DEFAULT_BASE_IRI}graph/history"
    path = sorted((CORPUS / "articles").glob("*.yaml"))[-1]  # no other article refers to it
    article_id = yaml.safe_load(path.read_text(encoding="utf-8"))["id"]

    def graph_without_history(endpoint: str) -> set[ox.Quad]:
        return {q for q in whosaid_quads(endpoint) if q.graph_name.value != history}

    with virtuoso_server() as server:
        whosaid("build", endpoint=server.endpoint, env=server.env())
        whosaid("remove", article_id, endpoint=server.endpoint, env=server.env())
        before = graph_without_history(server.endpoint)
        sending = threading.Event()

        def add() -> float:
            """The add, in process, as `whosaid add` does it; how long its request took."""
            writer = open_store(server.endpoint, user=server.WRITER, password=server.password)
            real_update = writer.update
            timing = []

            def update(text: str) -> None:
                sending.set()
                started = time.monotonic()
                real_update(text)
                timing.append(time.monotonic() - started)
            writer.update = update
            Ingest(writer, DEFAULT_BASE_IRI).add(read_submission(path), "test")
            return timing[0]

        took = add()
        after = graph_without_history(server.endpoint)
        assert after - before and before - after == set()  # the article's graphs came in
        outcomes = []
        # 1.5: after the commit, while whosaid brings the text index up to date
        for fraction in (0.1, 0.5, 0.9, 1.5):
            if outcomes[-1:] != ["before"]:
                whosaid("remove", article_id, endpoint=server.endpoint, env=server.env())
            assert graph_without_history(server.endpoint) == before
            sending.clear()
            failure = []
            adding = threading.Thread(target=lambda: _capture(failure, add))
            adding.start()
            assert sending.wait(timeout=60)
            time.sleep(took * fraction)
            server.kill()
            adding.join(timeout=60)
            server.start()
            found = graph_without_history(server.endpoint)
            assert found in (before, after), (
                f"killed at {fraction:.0%} of the add's request: {len(found)} quads, neither the "
                f"graph before the add ({len(before)}) nor after it ({len(after)})")
            outcomes.append("before" if found == before else "after")
        print("outcomes:", outcomes, f"(the add's request took {took * 1000:.0f} ms)")


def test_the_words_expression_is_built_from_words_only():
    """The one value from a request written into a query's text (bif:contains takes no
    variable): quoted runs of letters and digits joined by AND, as a SPARQL literal; anything
    else is refused before a query is made."""
    expression = VirtuosoStore.words_expression([["north", "korean"], ["killed"], ["ägypt"]])
    assert str(expression) == '"\\"north korean\\" AND \\"killed\\" AND \\"ägypt\\""'
    for word in ('say"', "it's", "two words", "}", "a\\", "", "x_y", "#"):
        with pytest.raises(ValueError):
            VirtuosoStore.words_expression([["fine", word]])
