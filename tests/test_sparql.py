"""/sparql and the dumps, with real SPARQL clients against a real server (embedded store and an
Oxigraph server), and the external-store run giving the same answers as the embedded one."""

from __future__ import annotations

import csv
import io
import json
import time

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from .conftest import GraphQLClient, run_cli, running_server

WS = "https://w3id.org/whosaid/ontology#"
SELECT = f"""PREFIX ws: <{WS}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?claim ?who WHERE {{ ?claim ws:claimant/skos:prefLabel ?who ;
  ws:topic <https://w3id.org/whosaid/topic/killed> }} ORDER BY ?claim"""
CONSTRUCT = f"""PREFIX ws: <{WS}>
CONSTRUCT {{ ?claim ws:claimant ?who }} WHERE {{ ?claim ws:claimant ?who ;
  ws:topic <https://w3id.org/whosaid/topic/killed> }}"""
ASK = f"PREFIX ws: <{WS}> ASK {{ ?c ws:claimant <https://w3id.org/whosaid/entity/nis> }}"


def wrapper(server: str, query: str, fmt, method: str = "GET") -> SPARQLWrapper:
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw


# ---------------------------------------------------------------------------------------------
# Every result format, through SPARQLWrapper
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_as_json_xml_csv_tsv(server, method):
    as_json = wrapper(server, SELECT, JSON, method).query().convert()
    claims = [b["claim"]["value"] for b in as_json["results"]["bindings"]]
    assert len(claims) >= 3 and claims == sorted(claims)
    xml_doc = wrapper(server, SELECT, XML, method).query().convert()
    assert len(xml_doc.getElementsByTagName("result")) == len(claims)
    for fmt, delimiter in ((CSV, ","), (TSV, "\t")):
        text = wrapper(server, SELECT, fmt, method).query().convert().decode("utf-8")
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert len(rows) == len(claims) + 1


def test_ask_as_json_and_xml(server):
    assert wrapper(server, ASK, JSON).query().convert()["boolean"] is True
    assert wrapper(server, ASK, XML).query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_construct_in_every_rdf_format(server, fmt):
    result = wrapper(server, CONSTRUCT, fmt).query().convert()
    g = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle" if fmt in (TURTLE, N3) else fmt)
    claimants = set(g.objects(None, URIRef(WS + "claimant")))
    assert URIRef("https://w3id.org/whosaid/entity/nis") in claimants


@pytest.mark.parametrize("media", ["application/n-triples", "application/trig", "text/turtle"])
def test_construct_by_accept_header(server, media):
    response = httpx.get(f"{server}/sparql", params={"query": CONSTRUCT}, headers={"accept": media})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    fmt = {"application/n-triples": "nt", "application/trig": "trig", "text/turtle": "turtle"}[media]
    assert len(Dataset().parse(data=response.text, format=fmt)) >= 3


def test_post_as_sparql_query_body(server):
    response = httpx.post(f"{server}/sparql", content=ASK.encode(),
                          headers={"content-type": "application/sparql-query",
                                   "accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_rdflib_sparqlstore_reads_the_endpoint(server):
    g = Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="json"))
    rows = list(g.query(SELECT))
    assert rows and all(str(r.who) for r in rows)
    assert bool(g.query(ASK).askAnswer)


def test_default_and_named_graph_uri_are_honoured(server):
    entities = "https://w3id.org/whosaid/graph/entities"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = int(httpx.get(f"{server}/sparql", params={"query": count, "format": "json"}).json()
                ["results"]["bindings"][0]["n"]["value"])
    only = int(httpx.get(f"{server}/sparql", params={"query": count, "format": "json",
                                                     "default-graph-uri": entities}).json()
               ["results"]["bindings"][0]["n"]["value"])
    assert 0 < only < whole
    named = httpx.get(f"{server}/sparql", params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "format": "json",
        "named-graph-uri": entities}).json()["results"]["bindings"]
    assert [b["g"]["value"] for b in named] == [entities]


# ---------------------------------------------------------------------------------------------
# Protocol errors, updates, limits
# ---------------------------------------------------------------------------------------------

def test_protocol_errors(server):
    url = f"{server}/sparql"
    assert httpx.get(url, params={"query": "SELEKT * WHERE { ?s ?p ?o }"}).status_code == 400
    assert httpx.get(url, params={"query": SELECT}, headers={"accept": "image/png"}).status_code == 406
    assert httpx.post(url, content=SELECT, headers={"content-type": "text/plain"}).status_code == 415
    assert httpx.get(url, params={"query": SELECT, "format": "docx"}).status_code == 400
    assert httpx.get(url, headers={"accept": "application/json"}).status_code == 400


UPDATES = [
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL", "DROP ALL", "CREATE GRAPH <http://x/g>",
    "ADD DEFAULT TO <http://x/g>", "MOVE DEFAULT TO <http://x/g>", "COPY DEFAULT TO <http://x/g>",
    "WITH <http://x/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused_by_every_route(server, update):
    url = f"{server}/sparql"
    before = httpx.get(f"{server}/healthz").json()["quads"]
    responses = [
        httpx.get(url, params={"query": update}),
        httpx.get(url, params={"update": update}),
        httpx.post(url, data={"query": update}),
        httpx.post(url, data={"update": update}),
        httpx.post(url, content=update, headers={"content-type": "application/sparql-update"}),
        httpx.post(url, content=update, headers={"content-type": "application/sparql-query"}),
    ]
    for r in responses:
        assert r.status_code == 403, (r.request.method, r.text)
        assert "read-only" in r.text
    assert httpx.get(f"{server}/healthz").json()["quads"] == before


def test_a_runaway_query_is_stopped_at_the_limit(built_store_path):
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with running_server(built_store_path, WHOSAID_SPARQL_TIMEOUT="2") as base:
        started = time.monotonic()
        response = httpx.get(f"{base}/sparql", params={"query": cross}, timeout=60)
        elapsed = time.monotonic() - started
        assert response.status_code == 503 and "stopped after 2 s" in response.text
        assert elapsed < 20  # ~2.7e13 rows would run for hours
        after = httpx.get(f"{base}/sparql", params={"query": ASK, "format": "json"})
        assert after.status_code == 200 and after.json()["boolean"] is True


def test_results_are_capped_at_the_row_limit(built_store_path):
    with running_server(built_store_path, WHOSAID_SPARQL_MAX_ROWS="10") as base:
        response = httpx.get(f"{base}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                                       "format": "json"})
        assert len(response.json()["results"]["bindings"]) == 10
        assert "10 rows" in response.headers["x-whosaid-truncated"]


def test_service_description_and_query_page(server):
    sd = httpx.get(f"{server}/sparql", headers={"accept": "text/turtle"})
    g = Graph().parse(data=sd.text, format="turtle")
    sd_ns = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd_ns + "supportedLanguage"), URIRef(sd_ns + "SPARQL11Query")) in g
    page = httpx.get(f"{server}/sparql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "<textarea" in page.text


# ---------------------------------------------------------------------------------------------
# Dumps
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ext, fmt", [("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"),
                                      ("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")])
def test_dumps_parse_back_isomorphic_to_the_store(embedded_server, store, ext, fmt):
    response = httpx.get(f"{embedded_server}/dump.{ext}")
    assert response.status_code == 200
    expected = store.dataset()
    if ext in ("trig", "nq", "jsonld"):
        got = Dataset()
        got.parse(data=response.content, format=fmt)
        for g in expected.graphs():
            if len(g):
                assert isomorphic(got.graph(g.identifier), g), g.identifier
    else:
        union = Graph()
        for s, p, o, _ in expected.quads((None, None, None, None)):
            union.add((s, p, o))
        assert isomorphic(Graph().parse(data=response.content, format=fmt), union)


def test_dump_is_the_same_bytes_as_whosaid_export(embedded_server, built_store_path):
    exported = run_cli("export", "--format", "nt", store=built_store_path, check=True).stdout
    assert httpx.get(f"{embedded_server}/dump.nt").content == exported.encode("utf-8")


def test_unknown_dump_is_404(embedded_server):
    assert httpx.get(f"{embedded_server}/dump.docx").status_code == 404


# ---------------------------------------------------------------------------------------------
# The external store answers exactly as the embedded one
# ---------------------------------------------------------------------------------------------

QUESTIONS = [
    '{ claims(claimant: "NIS", topic: "casualties") { totalCount nodes { id statement value { min max approximate } via { id } reports { article { id } evidence start end } } } }',
    '{ disagreements { topic { id } about { id } low high claims { id } } }',
    '{ claims(first: 100, statedFrom: "2025-01", statedTo: "2025-01-31") { edges { cursor node { id statedOn } } pageInfo { hasNextPage endCursor } } }',
    '{ entities(first: 100) { totalCount nodes { id label type aliases } } }',
    '{ articles { nodes { id title author published outlet { id } claims(first: 100) { totalCount } } } }',
]


def test_external_store_gives_identical_answers(built_store_path, oxigraph_endpoint):
    with running_server(built_store_path) as embedded, running_server(oxigraph_endpoint) as external:
        for q in QUESTIONS:
            a, b = GraphQLClient(embedded).data(q), GraphQLClient(external).data(q)
            assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True), q
        sparql = {"query": SELECT, "format": "json"}
        assert httpx.get(f"{embedded}/sparql", params=sparql).json()["results"] == \
            httpx.get(f"{external}/sparql", params=sparql).json()["results"]


def test_cli_validate_and_export_on_the_external_store(oxigraph_endpoint, tmp_path, store):
    assert run_cli("validate", store=oxigraph_endpoint).returncode == 0
    target = tmp_path / "external.nq"
    run_cli("export", "--format", "nq", "-o", str(target), store=oxigraph_endpoint, check=True)
    got = Dataset()
    got.parse(target, format="nquads")
    assert len(got) == len(store.dataset()) or sum(1 for _ in got.quads()) == len(store)


def test_the_inferences_are_queryable_through_the_endpoint(server, compiled):
    """A linked-data user finds every value worked out rather than printed, with its basis."""
    from .test_articles import corpus_inferences
    query = """PREFIX ws: <https://w3id.org/whosaid/ontology#>
SELECT ?node ?property ?basis WHERE {
  ?node ws:inferred ?note . ?note a ws:Inference ; ws:onProperty ?property ; ws:basis ?basis }"""
    rows = wrapper(server, query, JSON).query().convert()["results"]["bindings"]
    got = {(r["node"]["value"], r["property"]["value"], r["basis"]["value"]) for r in rows}
    corpus, _ = compiled
    assert got == corpus_inferences(corpus)
