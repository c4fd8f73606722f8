"""/sparql and the dumps, with real SPARQL clients against a real server (embedded store, an
Oxigraph server and Virtuoso), and the external stores giving the same answers as the embedded
one, to the byte."""

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
# The external stores answer exactly as the embedded one
# ---------------------------------------------------------------------------------------------

# Everything a claim has, down to each report's evidence, curation and links.
CLAIM = """id iri statement quote claimant { id label } via { id } about { id }
  topic { id label broader { id } } value { min max approximate unit basis qualifier }
  statedOn period periodStart periodEnd modality hedges editorialInsertions
  occasion { id label kind date place { id } } caveats { id } caveatedBy { id }
  inferences { field property basis earliest latest viaPosition }
  reports { article { id title published } evidence start end attributedTo { id }
    inferences { field property basis earliest latest viaPosition }
    links { relation source { id } target { id } assertedBy { id } drawnBy reason }
    curation { method by curatedOn extractor extractorVersion confidence reviewStatus reviewedBy
               reviewedOn reviewNote } }"""

# Claim filters: each filter alone, the texts that Virtuoso answered wrongly or not at all with
# the first shapes of graph/queries/claim_search.rq, and filters together.
CLAIM_FILTERS = [
    {}, {"claimant": "NIS"}, {"claimant": "zelenskyy"}, {"about": "north-korean-force-kursk"},
    {"topic": "casualties"}, {"topic": "killed"}, {"reportedBy": "Kyiv Independent"},
    {"reportedBy": "ISW"}, {"text": "killed"}, {"text": "North Korean"}, {"text": "completely destroyed"},
    {"text": ""}, {"text": "no such words anywhere"}, {"statedFrom": "2025-01"},
    {"statedTo": "2025-01-20"}, {"statedFrom": "2025-01-10", "statedTo": "2025-02"},
    {"statedFrom": "2025"}, {"modality": "HEDGED"}, {"modality": "ASSERTED"}, {"modality": "PREDICTED"},
    {"occasion": "zelenskyy-at-ramstein-2025-01-09"}, {"curation": "HAND"}, {"curation": "EXTRACTED"},
    {"reviewStatus": "REVIEWED"}, {"reviewStatus": "UNREVIEWED"},
    {"claimant": "NIS", "topic": "casualties"}, {"text": "killed", "topic": "casualties"},
    {"text": "North Korean", "statedFrom": "2025-01", "statedTo": "2025-01-31"},
    {"reportedBy": "Kyiv Independent", "text": "north korean", "curation": "HAND"},
    {"about": "north-korean-force-kursk", "modality": "ASSERTED", "reviewStatus": "REVIEWED"},
]
ARGUMENT_TYPES = {"statedFrom": "Date", "statedTo": "Date", "modality": "Modality",
                  "curation": "CurationMethod", "reviewStatus": "ReviewStatus"}

OTHER_QUESTIONS = [
    '{ claims(claimant: "NIS", topic: "casualties") { totalCount nodes { id statement value { min max approximate } via { id } reports { article { id } evidence start end } } } }',
    '{ claims(first: 100, statedFrom: "2025-01", statedTo: "2025-01-31") { edges { cursor node { id statedOn } } pageInfo { hasNextPage endCursor } } }',
    '{ disagreements(first: 100) { topic { id label } about { id label } low high claimCount cursor claims(first: 100) { id statement value { min max } } } }',
    '{ disagreements(topic: "casualties", first: 1) { cursor claims { id } } }',
    '{ disagreements(about: "north-korean-force-kursk") { topic { id } claims { id } } }',
    '{ entities(first: 100) { totalCount nodes { id iri label type aliases description sameAs externalAliases externalDescription } pageInfo { hasNextPage endCursor } } }',
    '{ entities(search: "zelensky") { nodes { id label claimsMade(first: 100) { totalCount nodes { id } } claimsAbout { totalCount nodes { id } } } } }',
    '{ entities(type: "Organization", first: 100) { totalCount nodes { id type } } }',
    '{ entities(type: "occasion", first: 100) { totalCount nodes { id } } }',
    '{ articles(first: 100) { totalCount edges { cursor node { id iri title author published url outlet { id label } inferences { field basis earliest latest } claims(first: 100) { totalCount nodes { id } } } } pageInfo { hasNextPage endCursor } } }',
    '{ articles(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
    '{ topics { id label description broader { id } } }',
    '{ occasion(id: "zelenskyy-at-ramstein-2025-01-09") { id label kind date place { id } description inferences { field basis } claims(first: 100) { totalCount nodes { id } } } }',
    '{ entity(ref: "Syrskyi") { id claimsMade(topic: "casualties") { totalCount nodes { id } } } }',
]


@pytest.fixture(scope="module", params=["oxigraph_endpoint", "virtuoso_endpoint"])
def embedded_and_external(request, built_store_path):
    """(embedded, external) GraphQL clients: whosaid on the seed graph built into the embedded
    store, and into an Oxigraph server or Virtuoso (query cost unbounded: the answers are what
    is compared here)."""
    endpoint = request.getfixturevalue(request.param)
    unbounded = {"WHOSAID_MAX_QUERY_COST": str(10 ** 9)}
    text_index = {"WHOSAID_STORE_TEXT_INDEX": "true"} if request.param == "virtuoso_endpoint" else {}
    with running_server(built_store_path, **unbounded) as embedded, \
            running_server(endpoint, **unbounded, **text_index) as external:
        yield GraphQLClient(embedded), GraphQLClient(external)


def same_answer(pair, query: str, variables: dict | None = None) -> dict:
    """The data of `query`, after checking that both servers answer it with the same bytes."""
    embedded, external = pair
    a, b = embedded.post(query, variables), external.post(query, variables)
    assert a.status_code == b.status_code == 200, (query, a.text[:300], b.text[:300])
    if a.content != b.content:
        at = next((i for i, (x, y) in enumerate(zip(a.content, b.content)) if x != y),
                  min(len(a.content), len(b.content)))
        pytest.fail(f"the answers differ at byte {at} of {query[:200]!r} with {variables}:\n"
                    f"embedded: {a.content[max(at - 300, 0):at + 100]!r}\n"
                    f"external: {b.content[max(at - 300, 0):at + 100]!r}")
    body = a.json()
    assert not body.get("errors"), (query, body["errors"])
    return body["data"]


@pytest.mark.parametrize("criteria", CLAIM_FILTERS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "all")
def test_every_page_of_claims_is_the_same_on_an_external_store(embedded_and_external, criteria):
    """Each page of each filter the same bytes: pages of 7, with the cursors the store's sort
    keys make."""
    every_page_is_the_same(embedded_and_external, criteria)


def claims_query(criteria: dict) -> str:
    """Pages of 7 claims selected by `criteria`, with what a client pages by."""
    args = "".join(f", {k}: ${k}" for k in criteria)
    params = "".join(f", ${k}: {ARGUMENT_TYPES.get(k, 'String')}" for k in criteria)
    return (f"query($after: String{params}) {{ claims(first: 7, after: $after{args}) "
            f"{{ totalCount edges {{ cursor node {{ id statedOn }} }} pageInfo {{ hasNextPage "
            f"hasPreviousPage startCursor endCursor }} }} }}")


def every_page_is_the_same(pair, criteria: dict) -> None:
    """Page through the claims `criteria` select, each page the same bytes from both servers,
    every claim once, as many as the total says."""
    seen, after = [], None
    while True:
        page = same_answer(pair, claims_query(criteria), dict(criteria, after=after))["claims"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]


WORD_SEARCHES = [
    {"words": "killed"}, {"words": "North Korean"}, {"words": '"north korean" killed'},
    {"words": '"completely destroyed"'}, {"words": '"destroyed completely"'}, {"words": "destroy"},
    {"words": "3,000"}, {"words": "Kursk"}, {"words": "ZELENSKYY"}, {"words": "the"},
    {"words": "soldiers", "claimant": "NIS"}, {"words": "killed", "topic": "casualties"},
    {"words": "north korean", "statedFrom": "2025-01", "statedTo": "2025-01-31"},
    {"words": "korean", "text": "north korean", "curation": "HAND"},
]


@pytest.mark.parametrize("criteria", WORD_SEARCHES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_words_on_virtuoso_find_what_the_claim_index_finds(embedded_and_external, criteria, request):
    """Virtuoso's text index (WHOSAID_STORE_TEXT_INDEX) answers `words` as the embedded store's
    claim index does, page by page, on the seed corpus; an Oxigraph server has no word index
    and says so."""
    if request.node.callspec.params["embedded_and_external"] == "oxigraph_endpoint":
        body = embedded_and_external[1].post(claims_query(criteria), dict(criteria, after=None)).json()
        assert "word search needs the claim index" in body["errors"][0]["message"]
        return
    every_page_is_the_same(embedded_and_external, criteria)


def test_every_other_answer_is_the_same_on_an_external_store(embedded_and_external):
    # Every claim on one page with everything it has (the batch reads of a whole page).
    for query in ("{ claims(first: 100) { totalCount nodes { %s } } }" % CLAIM,
                  '{ claims(first: 100, text: "North Korean") { totalCount nodes { %s } } }' % CLAIM):
        same_answer(embedded_and_external, query)
    for query in OTHER_QUESTIONS:
        same_answer(embedded_and_external, query)
    # Every article, entity and claim by id, with what hangs off it (ten to a request).
    found = same_answer(embedded_and_external, "{ articles(first: 100) { nodes { id } } "
                        "entities(first: 100) { nodes { id } } claims(first: 100) { nodes { id } } }")
    asked = {
        "articles": "a{i}: article(id: {id}) {{ id title text claims(first: 100) {{ totalCount "
                    "nodes {{ id reports {{ evidence start end }} }} }} }} n{i}: node(id: {id}) {{ id }}",
        "entities": "e{i}: entity(ref: {id}) {{ id label type claimsMade(first: 100) {{ totalCount "
                    "nodes {{ id }} }} claimsAbout(first: 100) {{ totalCount nodes {{ id }} }} }}",
        "claims": "c{i}: claim(id: {id}) {{ " + CLAIM.replace("{", "{{").replace("}", "}}") + " }}",
    }
    for kind, field in asked.items():
        ids = [n["id"] for n in found[kind]["nodes"]]
        for start in range(0, len(ids), 10):
            fields = " ".join(field.format(i=i, id=json.dumps(ref))
                              for i, ref in enumerate(ids[start:start + 10]))
            same_answer(embedded_and_external, f"{{ {fields} }}")


def test_the_sparql_endpoint_answers_the_same_on_an_external_store(embedded_and_external):
    """/sparql on an external store writes its answers out as the embedded store's are: the same
    bytes in every result format (an ordered SELECT; an ASK)."""
    embedded, external = (c.url.rsplit("/graphql", 1)[0] for c in embedded_and_external)
    for query in (SELECT, ASK, """PREFIX ws: <https://w3id.org/whosaid/ontology#>
            PREFIX schema: <https://schema.org/>
            SELECT ?claim ?approximate ?min ?stated ?statement WHERE {
              ?claim ws:value ?v ; ws:statement ?statement . ?v ws:approximate ?approximate .
              OPTIONAL { ?v schema:minValue ?min } OPTIONAL { ?claim ws:statedOn ?stated } }
            ORDER BY ?claim"""):
        for fmt in ("json", "xml", "csv", "tsv"):
            if query is ASK and fmt in ("csv", "tsv"):
                continue
            params = {"query": query, "format": fmt}
            a, b = httpx.get(f"{embedded}/sparql", params=params), httpx.get(f"{external}/sparql", params=params)
            assert a.status_code == b.status_code == 200, (fmt, a.text[:200], b.text[:200])
            assert a.headers["content-type"] == b.headers["content-type"]
            assert a.content == b.content, (fmt, query)
    construct = {"query": CONSTRUCT}
    for media in ("application/n-triples", "application/trig", "text/turtle", "application/ld+json"):
        fmt = {"application/n-triples": "nt", "application/trig": "trig", "text/turtle": "turtle",
               "application/ld+json": "json-ld"}[media]
        got = []
        for url in (embedded, external):
            answer = httpx.get(f"{url}/sparql", params=construct, headers={"accept": media})
            assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
            parsed, triples = Dataset(), Graph()
            parsed.parse(data=answer.text, format=fmt)
            for s, p, o, _ in parsed.quads((None, None, None, None)):
                triples.add((s, p, o))
            got.append(triples)
        assert isomorphic(*got) and len(got[0]) >= 3, media


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
