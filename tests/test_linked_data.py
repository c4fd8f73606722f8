"""Linked Data against a real `whosaid serve` process, with a real HTTP client: every kind of IRI
resolves to a page for a browser and to RDF in four formats for an RDF client; the VoID, the
ontology and the JSON-LD context.

What a page or a description should hold is read from the curated corpus itself (the article
YAML and texts, corpus/entities.yaml, the topic scheme), never from graph.read, which is the code
the pages are built with: a wrong query there would otherwise agree with itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import pytest
import yaml
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from api.linked_data import Link, Span, segments
from graph.config import PROJECT_ROOT, Settings
from graph.iris import OA, SCHEMA, TOPIC, WS
from graph.rdf import ontology_graph

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_FORMATS = {  # media type -> (?format= value, rdflib parser)
    "text/turtle": ("ttl", "turtle"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/rdf+xml": ("xml", "xml"),
}
VOID = "http://rdfs.org/ns/void#"

SYRSKYI_HALF = "syrskyi-half-of-contingent-killed-or-wounded"
KYIV_INDEPENDENT_ARTICLE = "002_394fee5181a7713e"


@pytest.fixture(scope="module")
def http(server) -> httpx.Client:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


@dataclass
class CuratedClaim:
    """A claim as the corpus states it, gathered over every article that reports it."""
    id: str
    statement: str
    claimant: str
    topic: str
    about: set[str] = field(default_factory=set)
    evidence: dict[str, dict] = field(default_factory=dict)   # article id -> {start, end, exact}
    via: dict[str, list[str]] = field(default_factory=dict)   # article id -> entity ids, in order
    via_basis: dict[str, list] = field(default_factory=dict)  # article id -> basis or None per step
    period_basis: str | None = None
    stated: object = None
    value: dict | None = None


@dataclass
class CuratedArticle:
    id: str
    title: str | None
    text: str
    claims: list[str]


@dataclass
class Curated:
    entities: dict[str, dict]          # id -> its entry in corpus/entities.yaml
    claims: dict[str, CuratedClaim]
    articles: dict[str, CuratedArticle]

    def claims_where(self, **wanted) -> set[str]:
        """Ids of the claims with claimant=, about= (entity ids) or topic= (a topic id, narrower
        topics included, as the README says)."""
        found = set(self.claims)
        if "claimant" in wanted:
            found = {i for i in found if self.claims[i].claimant == wanted["claimant"]}
        if "about" in wanted:
            found = {i for i in found if wanted["about"] in self.claims[i].about}
        if "topic" in wanted:
            topics = topic_and_narrower(wanted["topic"])
            found = {i for i in found if self.claims[i].topic in topics}
        return found


def topic_and_narrower(topic_id: str) -> set[str]:
    """A topic and every topic under it, from the topic scheme (ontology/topics.ttl)."""
    g = ontology_graph()
    found, frontier = {TOPIC[topic_id]}, [TOPIC[topic_id]]
    while frontier:
        t = frontier.pop()
        for n in set(g.objects(t, SKOS.narrower)) | set(g.subjects(SKOS.broader, t)):
            if n not in found:
                found.add(n)
                frontier.append(n)
    return {str(t)[len(str(TOPIC)):] for t in found}


@pytest.fixture(scope="module")
def corpus() -> Curated:
    folder = PROJECT_ROOT / "corpus"
    entities = {e["id"]: e for e in yaml.safe_load((folder / "entities.yaml").read_text("utf-8"))}
    claims: dict[str, CuratedClaim] = {}
    articles: dict[str, CuratedArticle] = {}
    for path in sorted((folder / "articles").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        text = path.with_suffix(".txt").read_text("utf-8")
        articles[doc["id"]] = CuratedArticle(doc["id"], doc.get("title"), text,
                                             [c["id"] for c in doc["claims"]])
        for c in doc["claims"]:
            claim = claims.setdefault(c["id"], CuratedClaim(c["id"], c["statement"], c["claimant"],
                                                             c["topic"]))
            claim.about |= set(c.get("about") or [])
            claim.evidence[doc["id"]] = c["evidence"]
            # a via step is an entity id, or {agent, basis} for a step worked out
            steps = list(c.get("via") or [])
            claim.via[doc["id"]] = [v["agent"] if isinstance(v, dict) else v for v in steps]
            claim.via_basis[doc["id"]] = [v.get("basis") if isinstance(v, dict) else None for v in steps]
            period = c.get("period")
            if isinstance(period, dict) and period.get("inferred"):
                claim.period_basis = period["basis"]
            claim.stated = claim.stated or c.get("stated")
            claim.value = claim.value or c.get("value")
    return Curated(entities, claims, articles)


@pytest.fixture(scope="module")
def base() -> str:
    return Settings.from_env().base_iri


# ---------------------------------------------------------------------------------------------
# A small HTML reader: headings, links, marks (per report section) and the article text
# ---------------------------------------------------------------------------------------------

class Page(HTMLParser):
    """What the tests read from a page: the h1, every <a href>, every <link rel=alternate>, the
    text of each <mark> with the id of the section holding it, and the text shown in each
    div.text as (text, marked) pieces with footnote <sup>s and the notes for screen readers
    (.visually-hidden) left out."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.h1, self.links, self.alternates = "", [], []
        self.marks: list[tuple[str | None, str]] = []
        self.texts: list[list[tuple[str, bool]]] = []
        self._open: list[str] = []
        self._section: str | None = None
        self._mark: list[str] | None = None
        self._in_text = self._in_sup = self._in_hidden = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._open.append(tag)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "alternate":
            self.alternates.append((a.get("type"), a.get("href")))
            self._open.pop()  # a void element
        elif tag == "section":
            self._section = a.get("id")
        elif tag == "mark":
            self._mark = []
        elif tag == "div" and "text" in a.get("class", "").split():
            self._in_text = True
            self.texts.append([])
        elif tag == "sup":
            self._in_sup = True
        elif tag == "span" and "visually-hidden" in a.get("class", "").split():
            self._in_hidden = True

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
        if tag == "mark" and self._mark is not None:
            self.marks.append((self._section, "".join(self._mark)))
            self._mark = None
        elif tag == "div" and self._in_text:
            self._in_text = False
        elif tag == "sup":
            self._in_sup = False
        elif tag == "span":   # a visually hidden note holds no other span
            self._in_hidden = False
        elif tag == "section":
            self._section = None

    def handle_data(self, data):
        if "h1" in self._open:
            self.h1 += data
        if self._mark is not None:
            self._mark.append(data)
        if self._in_text and not self._in_sup and not self._in_hidden:
            self.texts[-1].append((data, self._mark is not None))


def browse(http: httpx.Client, path: str) -> Page:
    response = http.get(path, headers={"accept": BROWSER})
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    return Page(response.text)


def rdf(http: httpx.Client, path: str, media: str) -> Graph:
    response = http.get(path, headers={"accept": media})
    assert response.status_code == 200, (path, media, response.status_code, response.text[:300])
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    return Graph().parse(data=response.content, format=RDF_FORMATS[media][1])


def local(iri: str, base: str) -> str:
    return "/" + iri[len(base):]


# ---------------------------------------------------------------------------------------------
# Pages for browsers
# ---------------------------------------------------------------------------------------------

def test_entity_page_names_the_entity_and_lists_its_claims(http, corpus, base):
    page = browse(http, "/entity/nis")
    assert page.h1 == corpus.entities["nis"]["label"] == "National Intelligence Service"
    made = corpus.claims_where(claimant="nis")
    assert made
    for claim_id in made:
        assert f"/claim/{claim_id}" in page.links
    about = corpus.claims_where(about="north-korean-force-kursk")
    assert about and about <= {href[len("/claim/"):] for href in
                               browse(http, "/entity/north-korean-force-kursk").links}
    assert {t for t, _ in page.alternates} == set(RDF_FORMATS)
    assert ("text/turtle", "?format=ttl") in page.alternates
    # Every link to the graph's own resources is a local path (sameAs aside, none are external).
    assert not [href for href in page.links if href.startswith(base)]


def test_every_entity_and_article_resolves_for_a_browser(http, corpus):
    for entity_id, e in corpus.entities.items():
        assert browse(http, f"/entity/{entity_id}").h1 == e["label"]
    for a in corpus.articles.values():
        page = browse(http, f"/article/{a.id}")
        assert page.h1 == (a.title or f"Article {a.id}")


def test_every_claim_page_marks_each_report_evidence_at_its_offsets(http, corpus):
    texts = {a.id: a.text for a in corpus.articles.values()}
    for c in corpus.claims.values():
        page = browse(http, f"/claim/{c.id}")
        assert page.h1 == c.statement
        marks = dict(page.marks)
        assert len(page.marks) == len(c.evidence) == len(marks), c.id
        for article_id, evidence in c.evidence.items():
            assert marks[f"report-{article_id}"] == evidence["exact"] == \
                texts[article_id][evidence["start"]:evidence["end"]]
        for shown in page.texts:  # the article text is shown whole, unaltered
            assert "".join(t for t, _ in shown) in texts.values()


def test_a_claim_page_gives_who_through_whom_when_and_the_figure(http, corpus):
    c = corpus.claims[SYRSKYI_HALF]
    page = browse(http, f"/claim/{SYRSKYI_HALF}")
    assert f"/entity/{c.claimant}" in page.links
    assert browse(http, f"/entity/{c.claimant}").h1 == corpus.entities[c.claimant]["label"]
    assert list(c.evidence) == [KYIV_INDEPENDENT_ARTICLE]
    assert f"/article/{KYIV_INDEPENDENT_ARTICLE}" in page.links
    assert f"/topic/{c.topic}" in page.links
    for about in c.about:
        assert f"/entity/{about}" in page.links
    html = http.get(f"/claim/{SYRSKYI_HALF}", headers={"accept": BROWSER}).text
    assert c.stated == "2025-01-19" and (c.value["min"], c.value["max"]) == (5500, 6000)
    for shown in ("2025-01-19", "about 5,500–6,000 soldiers", "roughly half", "derived"):
        assert shown in html


def test_a_claim_page_lists_the_via_chain_in_order(http, corpus):
    chained = [(c.id, via) for c in corpus.claims.values() for via in c.via.values() if via]
    assert chained, "the corpus has claims relayed through intermediaries"
    for claim_id, via in chained:
        html = http.get(f"/claim/{claim_id}", headers={"accept": BROWSER}).text
        positions = [html.index(f'href="/entity/{entity_id}"') for entity_id in via]
        assert positions == sorted(positions)


def test_a_claim_page_says_what_was_worked_out_and_on_what_basis(http, corpus):
    """A via step and a period the text does not print as such are shown marked inferred, with
    their basis (from the curated files)."""
    relayed = [(c.id, basis) for c in corpus.claims.values() for bases in c.via_basis.values()
               for basis in bases if basis]
    periods = [(c.id, c.period_basis) for c in corpus.claims.values() if c.period_basis]
    assert relayed and periods, "the corpus has inferred via steps and periods"
    for claim_id, basis in relayed + periods:
        html = http.get(f"/claim/{claim_id}", headers={"accept": BROWSER}).text
        assert f"inferred: {escape(basis)}" in html, (claim_id, basis)


def test_an_article_page_shows_its_text_with_every_claims_evidence_marked(http, corpus):
    for a in corpus.articles.values():
        page = browse(http, f"/article/{a.id}")
        assert page.h1 == (a.title or f"Article {a.id}")
        [shown] = page.texts
        assert "".join(t for t, _ in shown) == a.text
        covered = {i for claim_id in a.claims
                   for i in range(corpus.claims[claim_id].evidence[a.id]["start"],
                                  corpus.claims[claim_id].evidence[a.id]["end"])}
        marked, at = set(), 0
        for piece, is_marked in shown:
            if is_marked:
                marked |= set(range(at, at + len(piece)))
            at += len(piece)
        assert marked == covered, a.id
        for claim_id in a.claims:
            assert f"/claim/{claim_id}" in page.links


def test_overlapping_evidence_is_cut_into_segments_each_marked_by_every_claim_covering_it():
    a, b = (Span(2, 6, Link("/claim/a", "A")), Span(4, 9, Link("/claim/b", "B")))
    segs = segments("0123456789", (1, 10), [a, b])
    assert [(s.text, [x.claim.href for x in s.spans], s.in_body) for s in segs] == [
        ("0", [], False), ("1", [], True), ("23", ["/claim/a"], True),
        ("45", ["/claim/a", "/claim/b"], True), ("678", ["/claim/b"], True), ("9", [], True)]
    assert [x.claim.href for s in segs for x in s.ending] == ["/claim/a", "/claim/b"]


def test_a_topic_page_lists_narrower_topics_and_its_claims(http, corpus):
    page = browse(http, "/topic/casualties")
    assert page.h1 == "casualties"
    assert "/topic/killed" in page.links
    expected = corpus.claims_where(topic="casualties")
    assert {corpus.claims[i].topic for i in expected} > {"casualties"}  # narrower ones too
    shown = {href[len("/claim/"):] for href in page.links if href.startswith("/claim/")}
    assert shown == expected


def test_the_ontology_page_documents_claim_with_its_definition_and_the_topic_tree(http):
    response = http.get("/ontology", headers={"accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    definition = str(ontology_graph().value(WS.Claim, SKOS.definition))
    assert 'id="Claim"' in html and "ws:Claim" in html
    assert definition.replace("'", "&#39;") in html
    assert 'href="#Report"' in html  # the range of ws:report links within the page
    page = Page(html)
    assert "/topic/casualties" in page.links and "/topic/killed" in page.links


# ---------------------------------------------------------------------------------------------
# RDF for RDF clients
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("media", RDF_FORMATS)
def test_a_claim_is_described_in_every_rdf_format(http, corpus, base, media):
    claim = URIRef(base + f"claim/{SYRSKYI_HALF}")
    g = rdf(http, f"/claim/{SYRSKYI_HALF}", media)
    claimant = g.value(claim, WS.claimant)
    assert claimant == URIRef(base + "entity/syrskyi")
    assert g.value(claimant, SKOS.prefLabel) == Literal("Oleksandr Syrskyi", lang="en")
    value = g.value(claim, WS.value)
    assert g.value(value, SCHEMA.minValue).toPython() == 5500
    report = g.value(claim, WS.report)
    assert g.value(report, OA.hasSource) == URIRef(base + f"article/{KYIV_INDEPENDENT_ARTICLE}")
    exacts = {str(o) for s in g.objects(report, OA.hasSelector) for o in g.objects(s, OA.exact)}
    assert exacts == {corpus.claims[SYRSKYI_HALF].evidence[KYIV_INDEPENDENT_ARTICLE]["exact"]}
    assert (TOPIC.casualties, SKOS.prefLabel, Literal("casualties", lang="en")) in g


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_an_entity_is_described_with_the_claims_it_made_and_those_about_it(http, corpus, base, media):
    nis = URIRef(base + "entity/nis")
    g = rdf(http, "/entity/nis", media)
    assert (nis, RDF.type, WS.GovernmentAgency) in g
    assert g.value(nis, SKOS.prefLabel) == Literal("National Intelligence Service", lang="en")
    made = {URIRef(f"{base}claim/{i}") for i in corpus.claims_where(claimant="nis")}
    assert made and set(g.subjects(WS.claimant, nis)) == made
    # NIS makes claims; the claims about an entity are seen on what the claims are about.
    force = URIRef(base + "entity/north-korean-force-kursk")
    about = {URIRef(f"{base}claim/{i}") for i in corpus.claims_where(about="north-korean-force-kursk")}
    assert about and about <= set(rdf(http, "/entity/north-korean-force-kursk", media)
                                  .subjects(SCHEMA.about, force))
    for claim in g.subjects(WS.claimant, nis):
        assert g.value(claim, WS.statement) is not None


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_an_article_is_described_with_its_text_and_the_reports_it_carries(http, corpus, base, media):
    iri = base + f"article/{KYIV_INDEPENDENT_ARTICLE}"
    g = rdf(http, f"/article/{KYIV_INDEPENDENT_ARTICLE}", media)
    article = URIRef(iri)
    curated = corpus.articles[KYIV_INDEPENDENT_ARTICLE]
    assert str(g.value(article, SCHEMA.text)) == curated.text
    assert g.value(g.value(article, WS.body), OA.start) is not None
    reports = set(g.subjects(OA.hasSource, article))
    assert len(reports) == len(curated.claims)
    reported = {}
    for report in reports:
        claim = g.value(predicate=WS.report, object=report)
        reported[str(claim)[len(base + "claim/"):]] = report
    assert set(reported) == set(curated.claims)
    for claim_id, report in reported.items():
        c = corpus.claims[claim_id]
        claim = URIRef(f"{base}claim/{claim_id}")
        assert g.value(claim, WS.claimant) == URIRef(f"{base}entity/{c.claimant}")
        assert str(g.value(claim, WS.statement)) == c.statement
        assert {str(o) for s in g.objects(report, OA.hasSelector) for o in g.objects(s, OA.exact)} \
            == {c.evidence[KYIV_INDEPENDENT_ARTICLE]["exact"]}


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_a_topic_is_described(http, media):
    g = rdf(http, "/topic/casualties", media)
    assert g.value(TOPIC.casualties, SKOS.prefLabel) == Literal("casualties", lang="en")
    assert (TOPIC.casualties, SKOS.narrower, TOPIC.killed) in g


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_the_format_parameter_overrides_accept(http, media):
    fmt, parser = RDF_FORMATS[media]
    response = http.get(f"/claim/{SYRSKYI_HALF}?format={fmt}", headers={"accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    assert len(Graph().parse(data=response.content, format=parser)) > 10


@pytest.mark.parametrize("accept, media", [
    (None, "text/turtle"), ("*/*", "text/turtle"), (BROWSER, "text/html"),
    ("text/html;q=0.5, text/turtle", "text/turtle"), ("application/*", "application/ld+json"),
    ("image/png, */*;q=0.1", "text/turtle"), ("application/xhtml+xml", "text/html"),
])
def test_content_negotiation_follows_accept(http, accept, media):
    headers = {} if accept is None else {"accept": accept}
    response = http.get("/entity/nis", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["vary"] == "Accept"


# ---------------------------------------------------------------------------------------------
# Errors, redirects, HEAD
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/entity/nis", f"/claim/{SYRSKYI_HALF}",
                                  f"/article/{KYIV_INDEPENDENT_ARTICLE}", "/topic/casualties",
                                  "/ontology", "/.well-known/void"])
def test_an_unsatisfiable_accept_is_406_with_a_plain_message(http, path):
    response = http.get(path, headers={"accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["vary"] == "Accept"
    assert "text/turtle" in response.text


@pytest.mark.parametrize("path", [
    "/entity/no-such-entity", "/claim/no-such-claim", "/article/no-such-article",
    "/topic/no-such-topic", '/claim/" } UNION { ?s ?p ?o', "/claim/a%20b%3E%3Cc",
    "/entity/<script>alert(1)</script>", f"/claim/{SYRSKYI_HALF}/no-such-node",
    f"/claim/no-such-claim/report/{KYIV_INDEPENDENT_ARTICLE}",
])
def test_an_unknown_resource_is_404_with_a_plain_message(http, path):
    for accept in (BROWSER, "text/turtle"):
        response = http.get(path, headers={"accept": accept})
        assert response.status_code == 404, (path, response.text)
        assert response.headers["content-type"].startswith("text/plain")
        assert "Traceback" not in response.text and response.text.strip()


def test_an_unknown_format_is_400(http):
    response = http.get("/entity/nis?format=png")
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")


def test_a_report_iri_redirects_to_its_claim(http, base):
    report = f"/claim/{SYRSKYI_HALF}/report/{KYIV_INDEPENDENT_ARTICLE}"
    response = http.get(report, headers={"accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/claim/{SYRSKYI_HALF}")
    followed = http.get(report, headers={"accept": "text/turtle"}, follow_redirects=True)
    g = Graph().parse(data=followed.content, format="turtle")
    assert (URIRef(base + report[1:]), RDF.type, WS.Report) in g


@pytest.mark.parametrize("node", [f"/claim/{SYRSKYI_HALF}/value",
                                  f"/article/{KYIV_INDEPENDENT_ARTICLE}/body"])
def test_nodes_minted_under_a_claim_or_article_redirect_to_it(http, node):
    response = http.get(node)
    assert response.status_code == 303
    assert response.headers["location"] == node.rsplit("/", 1)[0]


def test_head_answers_without_a_body(http):
    response = http.head(f"/claim/{SYRSKYI_HALF}", headers={"accept": "text/turtle"})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/turtle")


# ---------------------------------------------------------------------------------------------
# VoID, the ontology, the JSON-LD context
# ---------------------------------------------------------------------------------------------

def test_the_void_description_counts_the_store(http, server, corpus, base):
    response = http.get("/.well-known/void")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=response.content, format="turtle")
    void = lambda term: URIRef(VOID + term)  # noqa: E731
    [dataset] = g.subjects(RDF.type, void("Dataset"))
    assert g.value(dataset, void("triples")).toPython() == http.get("/healthz").json()["quads"]
    assert g.value(dataset, void("entities")).toPython() == len(corpus.entities)
    partition = g.value(dataset, void("classPartition"))
    assert g.value(partition, void("class")) == WS.Claim
    assert g.value(partition, void("entities")).toPython() == len(corpus.claims)
    assert g.value(dataset, void("sparqlEndpoint")) == URIRef(f"{server}/sparql")
    dumps = set(g.objects(dataset, void("dataDump")))
    assert {URIRef(f"{server}/dump.{e}") for e in ("nt", "ttl", "trig", "jsonld")} <= dumps
    for dump in dumps:  # each dump is served (only its headers are read)
        with http.stream("GET", str(dump)) as answer:
            assert answer.status_code == 200, dump
    assert str(g.value(dataset, void("uriSpace"))) == base
    vocabularies = {str(v) for v in g.objects(dataset, void("vocabulary"))}
    assert {"https://schema.org/", "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#",
            "http://www.w3.org/2004/02/skos/core#", "https://w3id.org/whosaid/ontology"} <= vocabularies


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_the_void_description_in_every_rdf_format(http, media):
    g = rdf(http, "/.well-known/void", media)
    assert len(list(g.subjects(RDF.type, URIRef(VOID + "Dataset")))) == 1


def test_the_ontology_in_turtle_is_the_ontology_and_topic_scheme(http):
    g = rdf(http, "/ontology", "text/turtle")
    assert isomorphic(g, ontology_graph())


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_the_ontology_in_every_rdf_format(http, media):
    assert len(rdf(http, "/ontology", media)) == len(ontology_graph())


def test_the_json_ld_context_maps_the_api_terms(http, server, base):
    response = http.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    for term in ("Claim", "Report", "Article", "Entity", "Quantity", "Topic", "claimant", "via",
                 "statement", "quote", "topic", "about", "value", "statedOn", "period", "reports",
                 "evidence", "min", "max", "approximate", "unit", "basis", "label", "aliases",
                 "sameAs", "outlet", "published", "title", "text"):
        assert term in context, term
    claim, nis = base + "claim/example", base + "entity/nis"
    document = {"@id": claim, "@type": "Claim", "claimant": nis, "statement": "NIS said so.",
                "topic": str(TOPIC.casualties), "value": {"min": 3000, "max": 3000,
                                                          "unit": "soldiers"}}
    for reference in (response.json()["@context"], f"{server}/context.jsonld"):
        g = Graph().parse(data=json.dumps({"@context": reference, **document}), format="json-ld")
        assert (URIRef(claim), WS.claimant, URIRef(nis)) in g
        assert (URIRef(claim), RDF.type, WS.Claim) in g
        assert (URIRef(claim), WS.statement, Literal("NIS said so.", lang="en")) in g
        assert (URIRef(claim), WS.topic, TOPIC.casualties) in g
        value = g.value(URIRef(claim), WS.value)
        assert g.value(value, SCHEMA.minValue) == Literal(3000)  # xsd:integer
