"""Linked Data: every IRI whosaid mints resolves on this server, for people and for RDF clients.

    /entity/{id} /claim/{id} /article/{id} /topic/{id}   a page in a browser, RDF otherwise
    /claim/{id}/report/{article} (and the other nodes minted under a claim or an article IRI)
                                                         303 to the claim or article
    /ontology            the ontology and the topic scheme: documentation or RDF
    /.well-known/void    a VoID description of the dataset
    /context.jsonld      a JSON-LD context for the API's terms

A resource's IRI is the configured base IRI plus its path, so a deployment whose base IRI is its
own host serves the IRIs it mints. The RDF of a resource comes from a named CONSTRUCT query
(graph/queries/describe_*.rq) with the IRI bound in its VALUES slot; request text never reaches
SPARQL any other way. Pages are Jinja2 templates in api/templates/, autoescaped.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote, urlencode

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS

from graph.export import FORMATS as DUMP_FORMATS
from graph.iris import DCTERMS, OA, ONTOLOGY_IRI, PREFIXES, PROV, SCHEMA, SKOS, TOPIC, WS, XSD
from graph.queries import named
from graph.rdf import ontology_graph
from graph.read import (ArticleRecord, ClaimFilter, ClaimRecord, CurationRecord, EntityRecord, QuantityRecord,
                        ReadError, Reader,
                        ReportRecord, TopicRecord, is_iri)
from graph.read import AmbiguousReference, date_span

from .charts import Chart, figure_chart
from .charts import PALETTE as CLAIMANT_PALETTE
from .negotiation import accepted_types

router = APIRouter()
GET = ["GET", "HEAD"]
VOID = Namespace("http://rdfs.org/ns/void#")

# ---------------------------------------------------------------------------------------------
# Content negotiation
# ---------------------------------------------------------------------------------------------

HTML = "text/html"
RDF_MEDIA = {  # media type -> (Oxigraph format, rdflib format)
    "text/turtle": (ox.RdfFormat.TURTLE, "turtle"),
    "application/n-triples": (ox.RdfFormat.N_TRIPLES, "nt"),
    "application/ld+json": (ox.RdfFormat.JSON_LD, "json-ld"),
    "application/rdf+xml": (ox.RdfFormat.RDF_XML, "xml"),
}
FORMAT_PARAM = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                "xml": "application/rdf+xml", "html": HTML}
FORMAT_NAMES = {"text/turtle": "Turtle", "application/n-triples": "N-Triples",
                "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF/XML", HTML: "HTML"}
# Names clients use for the same types.
MEDIA_ALIASES = {"application/xhtml+xml": HTML, "application/x-turtle": "text/turtle"}
# What a wildcard is answered with, best first: a client that sends no Accept, or */*, is taken
# to be an RDF client (browsers always name text/html), and Turtle is the most readable RDF.
PREFERENCE = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
              HTML)
PAGE_OR_RDF = (HTML, *RDF_MEDIA)
RDF_ONLY = tuple(RDF_MEDIA)


def plain(status: int, message: str) -> Response:
    """Every error of these routes: a plain sentence, never a trace."""
    return Response(message + "\n", status_code=status, media_type="text/plain",
                    headers={"Vary": "Accept"})


def _matches(pattern: str, media: str) -> bool:
    if pattern == "*/*":
        return True
    return pattern.endswith("/*") and media.startswith(pattern[:-1])


def negotiate(request: Request, offered: tuple[str, ...]) -> str | Response:
    """The media type to answer with: ?format= first, then Accept; or a 400/406 to send."""
    fmt = request.query_params.get("format")
    if fmt is not None:
        media = FORMAT_PARAM.get(fmt)
        if media in offered:
            return media
        names = ", ".join(k for k, v in FORMAT_PARAM.items() if v in offered)
        return plain(400, f"no representation as format={fmt[:40]!r} here: use one of {names}")
    header = request.headers.get("accept", "").strip()
    if not header:
        return next(m for m in PREFERENCE if m in offered)
    for wanted in accepted_types(header):
        wanted = MEDIA_ALIASES.get(wanted, wanted)
        if wanted in offered:
            return wanted
        for media in PREFERENCE:
            if media in offered and _matches(wanted, media):
                return media
    return plain(406, "this resource is served as " + ", ".join(offered) +
                 "; ask for one of them in Accept, or add ?format=" +
                 "|".join(k for k, v in FORMAT_PARAM.items() if v in offered))


def _headers(offered: tuple[str, ...]) -> dict[str, str]:
    # Vary: caches must keep the page and the RDF apart. The Link header names the other
    # representations for clients that do not read HTML <link> elements.
    alternates = ", ".join(f'<?format={k}>; rel="alternate"; type="{v}"'
                           for k, v in FORMAT_PARAM.items() if v in offered)
    return {"Vary": "Accept", "Link": alternates, "Access-Control-Allow-Origin": "*"}


# ---------------------------------------------------------------------------------------------
# RDF
# ---------------------------------------------------------------------------------------------

_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def describe(request: Request, query: str, iri: str) -> list[ox.Triple]:
    """The triples of a describe_*.rq query with ?resource bound to `iri`."""
    text = named(query).bind(resource=ox.NamedNode(iri))
    found = request.app.state.store.raw_query(text, use_default_graph_as_union=True)
    # A remote store parses its answer into quads; the RDF formats served here take triples.
    return [ox.Triple(t.subject, t.predicate, t.object) for t in found]


def triples_response(triples: Iterable[ox.Triple], media: str, resource: str,
                     offered: tuple[str, ...]) -> Response:
    rdf_format = RDF_MEDIA[media][0]
    subject = ox.NamedNode(resource)
    # The resource first, then the nodes around it, one block per subject; duplicates dropped
    # (a CONSTRUCT template can yield one triple from several branches).
    ordered = sorted(set(triples), key=lambda t: (t.subject != subject, str(t.subject),
                                                  str(t.predicate), str(t.object)))
    prefixes = _PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    body = ox.serialize(ordered, format=rdf_format, prefixes=prefixes)
    return Response(body, media_type=media, headers=_headers(offered))


def graph_response(graph: Graph, media: str, offered: tuple[str, ...]) -> Response:
    body = graph.serialize(format=RDF_MEDIA[media][1], encoding="utf-8")
    return Response(body, media_type=media, headers=_headers(offered))


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


# A page counts the claims it lists no further than this: past it, "more than 1,000". The count of
# combined filters costs what the most selective one holds (0.95 s for a claimant of 186,000
# claims at 10^5, to say 59,784 of them are on casualties); capped, about 20 ms.
PAGE_COUNT_CAP = 1_000


def number(n: float) -> str:
    if getattr(n, "capped", False):   # graph.read.Count: "more than 10,000"
        return str(n)
    return f"{int(n):,}" if n == int(n) else f"{n:,}"


TEMPLATES.filters["number"] = number


def page(template: str, offered: tuple[str, ...], **context) -> HTMLResponse:
    alternates = [{"href": f"?format={k}", "media": v, "name": FORMAT_NAMES[v]}
                  for k, v in FORMAT_PARAM.items() if v in offered and v != HTML]
    html = TEMPLATES.get_template(template).render(alternates=alternates, **context)
    return HTMLResponse(html, headers=_headers(offered))


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    title: str | None = None


def local_href(iri: str, base: str) -> str:
    """The path on this server of an IRI whosaid mints; other IRIs are left as they are."""
    for namespace, path in ((base, "/"), (str(TOPIC), "/topic/"), (str(WS), "/ontology#")):
        if iri.startswith(namespace):
            return path + iri[len(namespace):]
    return "/ontology" if iri == str(ONTOLOGY_IRI) else iri


class Site:
    """Names and local paths for the IRIs a page links to."""

    def __init__(self, request: Request):
        self.reader: Reader = request.app.state.reader
        self.base: str = request.app.state.settings.base_iri

    def href(self, iri: str) -> str:
        return local_href(iri, self.base)

    def id_of(self, iri: str) -> str:
        """The id the GraphQL API gives the resource ("entity/nis", "claim/…")."""
        return iri.removeprefix(self.base)

    def entity(self, iri: str | None) -> Link | None:
        if iri is None:
            return None
        e = self.reader.entities.get(iri)
        return Link(self.href(iri), e.label if e else iri.rsplit("/", 1)[-1])

    def topic(self, iri: str) -> Link:
        t = self.reader.topics.get(iri)
        return Link(self.href(iri), t.label if t else iri.rsplit("/", 1)[-1],
                    t.description if t else None)

    def term(self, iri: str) -> Link:
        """An ontology term, named by its label (a class, a measure)."""
        label = ontology().value(URIRef(iri), RDFS.label)
        return Link(self.href(iri), str(label) if label else curie(iri))

    def claim(self, c: ClaimRecord) -> Link:
        return Link(self.href(c.iri), c.statement)

    def article(self, a: ArticleRecord) -> Link:
        return Link(self.href(a.iri), a.title or f"Article {a.local_id.rsplit('/', 1)[-1]}")


def quantity_text(q: QuantityRecord | None) -> str | None:
    """A claim's figure in words, its bounds as the source gave them ("up to about 4,000")."""
    if q is None:
        return None
    about = "about " if q.approximate else ""
    if q.amount is not None:
        figure = about + number(q.amount)
    elif q.min is not None and q.max is not None:
        figure = about + (number(q.min) if q.min == q.max else f"{number(q.min)}–{number(q.max)}")
    elif q.max is not None:
        figure = f"up to {about}{number(q.max)}"
    elif q.min is not None:
        figure = f"{'more than' if q.exclusive_min else 'at least'} {about}{number(q.min)}"
    else:
        figure = "no figure given"
    return f"{figure} {q.unit}" if q.unit else figure


@dataclass(frozen=True)
class When:
    """A date as stored (its precision is its length), and how it was worked out if inferred."""
    date: str | None
    basis: str | None
    window: str | None

    @classmethod
    def of(cls, date: str | None, basis: str | None, earliest: str | None,
           latest: str | None) -> "When | None":
        if date is None and basis is None:
            return None
        if earliest and latest:
            window = f"between {earliest} and {latest}"
        elif earliest or latest:
            window = f"on or after {earliest}" if earliest else f"on or before {latest}"
        else:
            window = None
        return cls(date, basis, window)


@dataclass(frozen=True)
class ClaimRow:
    """A claim as a line of a list: what, who, when, what figure, on what topic."""
    link: Link
    claimant: Link
    stated: str | None
    value: str | None
    topic: Link
    number: int | None = None
    colour: ClaimantColour | None = None   # on an article page, the claimant's colour


def claim_rows(site: Site, claim_iris: list[str], records: dict | None = None) -> list[ClaimRow]:
    """The rows of these claims, in this order (`records`: the claims, when already read)."""
    records = site.reader.claims(claim_iris) if records is None else records
    return [ClaimRow(site.claim(c), site.entity(c.claimant), c.stated, quantity_text(c.value),
                     site.topic(c.topic))
            for c in (records[i] for i in claim_iris if i in records)]


@dataclass(frozen=True)
class ClaimList:
    rows: list[ClaimRow]
    total: int


def claims_where(site: Site, **criteria) -> ClaimList:
    """The first page of claims matching reader.claim_filter(**criteria), ordered by date."""
    found = site.reader.search_claims(site.reader.claim_filter(**criteria), first=100,
                                      count_cap=PAGE_COUNT_CAP)
    return ClaimList(claim_rows(site, found.items), found.total)


# -- highlighting evidence in an article's text -----------------------------------------------

INK = "#1d1f23"            # the text colour of the pages (base.html --ink)
TEXT_GROUND = "#fafafa"    # the background of an article's text (base.html .text)
# A claimant's evidence is told apart by colour and, for readers who cannot tell the colours
# apart, by the style of the line under it. Nine claimants or more reuse colours, never the
# pair of colour and line (the cycle of api/charts.py's shapes).
CLAIMANT_RULES = ("solid", "dashed", "dotted", "double")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _mix(colour: str, towards: str, share: float) -> str:
    """`colour` moved `share` of the way to `towards` (0: unchanged, 1: `towards`)."""
    return "#" + "".join(f"{round(a + (b - a) * share):02x}"
                         for a, b in zip(_rgb(colour), _rgb(towards)))


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    def luminance(colour: str) -> float:
        channels = [c / 255 for c in _rgb(colour)]
        r, g, b_ = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class ClaimantColour:
    """How one claimant's evidence is marked on an article page: a light tint of its palette
    colour behind the words, and a line under them in the palette colour, drawn in a style of
    its own. `index` is the claimant's place on the page (the CSS class claimant-{index})."""
    index: int
    tint: str
    line: str
    rule: str


def claimant_colour(index: int) -> ClaimantColour:
    colour = CLAIMANT_PALETTE[index % len(CLAIMANT_PALETTE)]
    # The words stay readable on the tint: the ink keeps a contrast of 4.5:1 (WCAG AA) at least.
    tint = _mix(colour, "#ffffff", 0.7)
    while contrast(INK, tint) < 4.5:
        tint = _mix(tint, "#ffffff", 0.2)
    # The line is a graphic that carries meaning: 3:1 against the text's background (WCAG
    # 1.4.11), so the light colours of the palette (yellow, sky blue) are darkened.
    line = colour
    while contrast(line, TEXT_GROUND) < 3:
        line = _mix(line, "#000000", 0.1)
    rule = CLAIMANT_RULES[(index // len(CLAIMANT_PALETTE) + index) % len(CLAIMANT_RULES)]
    return ClaimantColour(index, tint, line, rule)


@dataclass(frozen=True)
class Span:
    """An evidence span: code point offsets into the article text, the claim it supports and
    the claim's claimant (their ids as the GraphQL API gives them, for the page's data-
    attributes), and on an article page the claimant's colour."""
    start: int
    end: int
    claim: Link
    number: int | None = None
    claim_id: str = ""
    claimant: str = ""
    colour: ClaimantColour | None = None


@dataclass(frozen=True)
class Segment:
    """A stretch of text covered by the same spans: spans may overlap or nest, so the text is cut
    at every span boundary and each piece is marked with every span covering it, innermost first
    (the innermost claim is the one the piece is coloured and linked for)."""
    text: str
    start: int     # code point offsets of the piece in the article text
    end: int
    spans: tuple[Span, ...]
    in_body: bool
    ending: tuple[Span, ...] = ()  # spans that end here: where their footnote marks go

    @property
    def innermost(self) -> Span:
        return self.spans[0]

    @property
    def mark_class(self) -> str:
        """The CSS classes of the piece's <mark>: its innermost claim's claimant colour, and for
        overlapping evidence `overlap` with the next claim's claimant colour (base.html)."""
        classes = [f"claimant-{self.spans[0].colour.index}"] if self.spans[0].colour else []
        if len(self.spans) > 1:
            classes.append("overlap")
            if self.spans[1].colour:
                classes.append(f"over-{self.spans[1].colour.index}")
        return " ".join(classes)


def segments(text: str, body: tuple[int, int], spans: list[Span]) -> list[Segment]:
    """The text cut into segments at the body's bounds and every span's bounds."""
    bounds = {0, len(text), *body, *(s.start for s in spans), *(s.end for s in spans)}
    cuts = sorted(c for c in bounds if 0 <= c <= len(text))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        # sorted() is stable: spans of the same extent keep the order they were given in
        covering = tuple(sorted((s for s in spans if s.start <= a and b <= s.end),
                                key=lambda s: (s.end - s.start, s.start)))
        ending = tuple(s for s in spans if s.end == b and s.start < b)
        out.append(Segment(text[a:b], a, b, covering, body[0] <= a and b <= body[1], ending))
    return out


# ---------------------------------------------------------------------------------------------
# Resources: entity, claim, article, topic
# ---------------------------------------------------------------------------------------------

def resource_iri(request: Request, path: str) -> str:
    return request.app.state.settings.base_iri + path


def not_found(kind: str, iri: str) -> Response:
    return plain(404, f"there is no {kind} <{iri[:300]}> in this graph")


def represent(request: Request, iri: str, query: str, template: str,
              context: Callable[[], dict]) -> Response:
    """The resource as a page or as RDF, whichever the client asked for."""
    media = negotiate(request, PAGE_OR_RDF)
    if isinstance(media, Response):
        return media
    if media == HTML:
        return page(template, PAGE_OR_RDF, iri=iri, **context())
    return triples_response(describe(request, query, iri), media, iri, PAGE_OR_RDF)


def _one(load: Callable[[list[str]], dict], iri: str):
    """One record from a batched reader method, or None (also for a malformed IRI, which the
    reader would refuse to put in a query)."""
    return load([iri]).get(iri) if is_iri(iri) else None


@dataclass(frozen=True)
class EntityList:
    links: list[Link]
    total: int


@router.api_route("/", methods=GET, include_in_schema=False)
def home(request: Request) -> Response:
    """What the graph holds, a search box, where the sources disagree most, the articles."""
    site = Site(request)
    reader = site.reader
    indexed = reader.index is not None   # totals and disagreements cost nothing with the index
    counts = {"claims": reader.count_claims(ClaimFilter()) if indexed else None,
              "articles": reader.article_page(0).total if indexed else None,
              "entities": sum(1 for e in reader.entities.values() if e.type != "Occasion"),
              "topics": len(reader.topics), "stated": reader.stated_range()}
    latest = reader.latest_articles(10)
    records = reader.articles(latest)
    return page("home.html", (), iri=None, counts=counts,
                disagreements=widest_disagreements(site) if indexed else [],
                articles=[(site.article(records[a]), records[a].published) for a in latest if a in records])


def widest_disagreements(site: Site, shown: int = 5, read: int = 50) -> list[dict]:
    """Of the first `read` disagreeing groups (a walk of the index), the `shown` whose figures
    lie furthest apart (highest over lowest), each linked to its chart."""
    groups = site.reader.disagreements(None, None, read)
    groups.sort(key=lambda g: -(g["high"] / g["low"] if g["low"] else float("inf")))
    out = []
    for g in groups[:shown]:
        topic = site.reader.topics.get(g["topic"])
        subject = site.reader.entities.get(g["about"][0])
        if topic is None or subject is None:
            continue
        out.append({"href": f"/topic/{topic.id}?about={quote(subject.local_id.rsplit('/', 1)[-1])}#chart",
                    "topic": topic.label, "about": subject.label, "count": g["count"],
                    "low": number(g["low"]), "high": number(g["high"])})
    return out


@router.api_route("/search", methods=GET, include_in_schema=False)
def search(request: Request, q: str = "") -> Response:
    """Entities by any spelling of their names, and claims by words (the claim index's word
    search, or Virtuoso's text index; a substring search on a store with neither)."""
    site = Site(request)
    reader = site.reader
    query = q.strip()[:200]
    try:
        if not query:
            raise ReadError("type a name or some words to search for")
        found = reader.entity_page(query, None, 20)
        entities = EntityList([site.entity(i) for i in found.items], found.total)
        wanted = reader.claim_filter(words=query) if reader.has_word_search else reader.claim_filter(text=query)
        hits = reader.search_claims(wanted, first=20, count_cap=PAGE_COUNT_CAP)
    except ReadError as exc:
        response = page("search.html", (), iri=None, q=query, problem=str(exc))
        response.status_code = 400
        return response
    return page("search.html", (), iri=None, q=query, problem=None, entities=entities,
                claims=ClaimList(claim_rows(site, hits.items), hits.total or len(hits.items)))


# `:path` so that an id with a slash gets this route's plain 404, not the framework's JSON one.
@router.api_route("/entity/{entity_id:path}", methods=GET, include_in_schema=False)
def entity(entity_id: str, request: Request) -> Response:
    iri = resource_iri(request, f"entity/{entity_id}")
    record = request.app.state.reader.entities.get(iri)
    if record is None:
        return not_found("entity", iri)
    return represent(request, iri, "describe_entity", "entity.html",
                     lambda: entity_page(Site(request), record))


def entity_page(site: Site, e: EntityRecord) -> dict:
    made, made_figures = charted_claims(site, e, "claimant", claimant=e.iri)
    about, about_figures = charted_claims(site, e, "about", about=e.iri)
    return {"entity": e, "type": site.term(str(WS) + e.type),
            "part_of": site.entity(e.part_of), "located_in": site.entity(e.located_in),
            "made": made, "made_figures": made_figures, "about": about, "about_figures": about_figures,
            "relayed": claims_where(site, reported_by=e.iri),
            "place": site.entity(e.place),
            "on_occasion": claims_where(site, occasion=e.iri) if e.type == "Occasion" else None,
            "date_basis": next((n.basis for n in site.reader.inferences([e.iri])[e.iri]), None)
            if e.date else None}


@dataclass(frozen=True)
class EntityFigures:
    """A chart on an entity page: the figures of one of its lists of claims, and the topic pages
    that draw them too (each topic of the drawn claims, narrowed to this entity)."""
    chart: Chart
    topics: list[Link]
    total: int        # the claims of the list; the chart draws the first page of them


def charted_claims(site: Site, e: EntityRecord, role: str,
                   **criteria) -> tuple[ClaimList, EntityFigures | None]:
    """The first page of the claims reader.claim_filter(**criteria) selects, ordered by date,
    and the chart of their figures (None when none can be drawn). `role` is the topic page's
    parameter that narrows a topic to this entity's part in them: claimant or about."""
    found = site.reader.search_claims(site.reader.claim_filter(**criteria), first=TOPIC_PAGE,
                                      count_cap=PAGE_COUNT_CAP)
    records = site.reader.claims(found.items)
    ordered = [records[i] for i in found.items if i in records]
    listed = ClaimList(claim_rows(site, found.items, records), found.total)
    chart = draw(site, ordered, Carried.of(site, found.items))
    if chart is None:
        return listed, None
    # A topic page lists its narrower topics' claims too: link the broadest topics drawn.
    on = Counter(records[i].topic for i in chart.drawn)
    topics = [Link(f"/topic/{t.id}?{urlencode({role: entity_slug(e)})}#chart", t.label)
              for t in (site.reader.topics.get(i) for i, _ in on.most_common())
              if t is not None and not any(b in on for b in broader_topics(site.reader, t))]
    return listed, EntityFigures(chart, topics, found.total)


def broader_topics(reader: Reader, t: TopicRecord) -> list[str]:
    """The IRIs of the topics above `t` in the scheme, nearest first."""
    found = []
    while t.broader and t.broader not in found and t.broader in reader.topics:
        found.append(t.broader)
        t = reader.topics[t.broader]
    return found


@router.api_route("/claim/{claim_id}", methods=GET, include_in_schema=False)
def claim(claim_id: str, request: Request) -> Response:
    iri = resource_iri(request, f"claim/{claim_id}")
    record = _one(request.app.state.reader.claims, iri)
    if record is None:
        rejected = request.app.state.reader.rejection(iri)
        if rejected is not None:   # the IRI resolved once: say what became of it (410 Gone)
            return plain(410, f"the claim <{iri}> was rejected at review on {rejected['at']} by "
                              f"{rejected['by']}" + (f": {rejected['note']}" if rejected.get("note") else "")
                              + "; the history keeps the decision")
        return not_found("claim", iri)
    return represent(request, iri, "describe_claim", "claim.html",
                     lambda: claim_page(Site(request), record))


@dataclass(frozen=True)
class LinkView:
    source: Link | None
    relation: str
    target: Link | None


@dataclass(frozen=True)
class Step:
    """One step of the way a claim reached the reader of one article: who made it, who passed
    it on, who published it, where."""
    role: str                       # claimant | via | outlet | article
    link: Link | None
    inferred: str | None = None     # the basis, when the step was worked out rather than printed
    named_source: bool = False      # the article names this step, not the claimant, as its source


@dataclass(frozen=True)
class ReportView:
    """One article's report of a claim: the article, the chain of intermediaries, the evidence
    marked in the article's text."""
    anchor: str
    article: Link
    outlet: Link | None
    via: list[Link]
    start: int
    end: int
    evidence: str
    segments: list[Segment]
    via_notes: dict[int, str] = field(default_factory=dict)  # position -> basis, for a step worked out
    links: list["LinkView"] = field(default_factory=list)    # what the article relates in its own voice
    attributed_to: Link | None = None     # the intermediary the article names instead of the claimant
    curation: "CurationRecord | None" = None
    path: list[Step] = field(default_factory=list)   # claimant -> via... -> outlet -> article
    published: When | None = None         # the article's date


def attribution_path(claimant: Step, via: list[Link], via_notes: dict[int, str],
                     attributed_to: Link | None, outlet: Step, article: Link) -> list[Step]:
    """The chain of one report, from the claimant's end: via steps in order (positions count
    from 1), the one the article names as its source flagged."""
    steps = [Step("via", v, via_notes.get(i), v == attributed_to)
             for i, v in enumerate(via, start=1)]
    return [claimant, *steps, outlet, Step("article", article)]


def report_views(site: Site, claim: ClaimRecord, reports: list[ReportRecord],
                 claimant_basis: str | None = None) -> list[ReportView]:
    """`claimant_basis`: how the claimant was worked out, when the articles do not name it."""
    article_iris = sorted({r.article for r in reports})
    articles = site.reader.articles(article_iris)
    texts = site.reader.article_texts(article_iris)
    notes = site.reader.inferences([r.iri for r in reports])
    links = site.reader.report_links([r.iri for r in reports])
    curations = site.reader.curations([r.iri for r in reports])
    ends = sorted({end for found in links.values() for link in found for end in (link.source, link.target)})
    linked = site.reader.claims(ends)
    views = []
    for r in reports:
        a, text = articles[r.article], texts[r.article]
        span = Span(r.start, r.end, site.claim(claim), claim_id=site.id_of(claim.iri),
                    claimant=site.id_of(claim.claimant))
        via = [site.entity(v) for v in r.via]
        via_notes = {n.via_position: n.basis for n in notes[r.iri] if n.via_position}
        attributed_to = site.entity(r.attributed_to)
        path = attribution_path(Step("claimant", site.entity(claim.claimant), claimant_basis), via,
                                via_notes, attributed_to,
                                Step("outlet", site.entity(a.outlet), a.outlet_basis), site.article(a))
        views.append(ReportView(
            anchor="report-" + a.local_id.rsplit("/", 1)[-1], article=site.article(a),
            outlet=site.entity(a.outlet), via=via, start=r.start,
            end=r.end, evidence=r.exact, segments=segments(text, (a.body_start, a.body_end), [span]),
            via_notes=via_notes,
            links=[LinkView(site.claim(linked[link.source]) if link.source in linked else None,
                            link.relation,
                            site.claim(linked[link.target]) if link.target in linked else None)
                   for link in links[r.iri]],
            attributed_to=attributed_to, curation=curations.get(r.iri), path=path,
            published=When.of(a.published, a.published_basis, a.published_earliest,
                              a.published_latest)))
    return views


def claim_page(site: Site, c: ClaimRecord) -> dict:
    links = site.reader.claim_links([c.iri])[c.iri]
    related = site.reader.claims(links["confirms"] + links["caveats"] + links["caveatedBy"]
                                 + ([c.revises] if c.revises else []))
    q = c.value
    notes = {n.property.rsplit("#", 1)[-1]: n.basis for n in site.reader.inferences([c.iri])[c.iri]}
    return {
        "claim": c, "claimant": site.entity(c.claimant), "topic": site.topic(c.topic),
        "claimant_basis": notes.get("claimant"),
        "period_basis": notes.get("periodStart") or notes.get("periodEnd"),
        "about": [site.entity(i) for i in links["about"]], "subject": site.entity(c.subject),
        "stated": When.of(c.stated, c.stated_basis, c.stated_earliest, c.stated_latest),
        "value": quantity_text(q), "quantity": q,
        "confirms": [site.claim(related[i]) for i in links["confirms"] if i in related],
        "revises": site.claim(related[c.revises]) if c.revises in related else None,
        "caveats": [site.claim(related[i]) for i in links["caveats"] if i in related],
        "caveated_by": [site.claim(related[i]) for i in links["caveatedBy"] if i in related],
        "hedges": links["hedge"], "insertions": links["editorialInsertion"],
        "occasion": site.entity(c.occasion),
        "reports": report_views(site, c, site.reader.reports([c.iri])[c.iri], notes.get("claimant")),
        "compared": compared_claims(site, c),
    }


@dataclass(frozen=True)
class Compared:
    claim: Link
    claimant: Link
    stated: str | None
    value: str
    agrees: bool      # the two figures' ranges overlap


def compared_claims(site: Site, c: ClaimRecord, first: int = 100) -> list[Compared]:
    """The other figures of the same topic (not a narrower one) about the same subject, in the
    same unit, each marked
    as agreeing (the ranges overlap) or not: the first `first` of the topic's claims about the
    subject, so that a claim page costs what one page of claims costs."""
    if c.value is None or not c.subject:
        return []
    topic = site.reader.topics.get(c.topic)
    found = site.reader.search_claims(site.reader.claim_filter(topic=topic.id if topic else None,
                                                               about=c.subject), first=first,
                                      count=False)
    mine = _range(c.value)
    unit = (c.value.unit or "").casefold()
    out = []
    for other in site.reader.claims(found.items).values():
        # The same measure only: a narrower topic (killed under casualties) counts something else.
        if other.iri == c.iri or other.value is None or (other.value.unit or "").casefold() != unit \
                or other.subject != c.subject or other.topic != c.topic:
            continue
        theirs = _range(other.value)
        out.append(Compared(site.claim(other), site.entity(other.claimant), other.stated,
                            quantity_text(other.value), mine[0] <= theirs[1] and theirs[0] <= mine[1]))
    return sorted(out, key=lambda x: (x.agrees, x.stated or "9999"))


def _range(q: QuantityRecord) -> tuple[float, float]:
    """A figure as a closed interval: an open bound reaches to 0 or to infinity."""
    low, high = q.bounds
    return (low if low is not None else 0.0, high if high is not None else float("inf"))


@router.api_route("/article/{article_id}", methods=GET, include_in_schema=False)
def article(article_id: str, request: Request) -> Response:
    iri = resource_iri(request, f"article/{article_id}")
    record = _one(request.app.state.reader.articles, iri)
    if record is None:
        return not_found("article", iri)
    return represent(request, iri, "describe_article", "article.html",
                     lambda: article_page(Site(request), record))


@dataclass(frozen=True)
class ClaimantKey:
    """A line of an article page's legend: a claimant, how its evidence is marked, and the
    numbers of its claims."""
    claimant: Link
    colour: ClaimantColour
    numbers: list[int]


def article_page(site: Site, a: ArticleRecord) -> dict:
    found = site.reader.search_claims(site.reader.claim_filter(article=a.iri), first=100)
    records = site.reader.claims(found.items)
    reports = site.reader.reports(found.items)
    # Number the claims in the order their evidence appears, so footnotes read in order.
    carried = sorted(((r, records[r.claim]) for rs in reports.values() for r in rs
                      if r.article == a.iri and r.claim in records),
                     key=lambda rc: (rc[0].start, rc[0].end, rc[1].iri))
    # Colours go to claimants in the order they are first heard in the text, so the first
    # voices of an article get the palette's most distinct colours.
    colours = {iri: claimant_colour(i)
               for i, iri in enumerate(dict.fromkeys(c.claimant for _, c in carried))}
    rows, spans = [], []
    numbers: dict[str, list[int]] = {iri: [] for iri in colours}
    for n, (report, c) in enumerate(carried, start=1):
        colour = colours[c.claimant]
        rows.append(ClaimRow(site.claim(c), site.entity(c.claimant), c.stated,
                             quantity_text(c.value), site.topic(c.topic), number=n, colour=colour))
        spans.append(Span(report.start, report.end, site.claim(c), n, claim_id=site.id_of(c.iri),
                          claimant=site.id_of(c.claimant), colour=colour))
        numbers[c.claimant].append(n)
    text = site.reader.article_texts([a.iri]).get(a.iri, "")
    return {"article": a, "title": site.article(a).label, "outlet": site.entity(a.outlet),
            "published": When.of(a.published, a.published_basis, a.published_earliest,
                                  a.published_latest),
            "segments": segments(text, (a.body_start, a.body_end), spans),
            "legend": [ClaimantKey(site.entity(iri), colour, numbers[iri])
                       for iri, colour in colours.items()],
            "claims": ClaimList(rows, found.total)}


@router.api_route("/claim/{claim_id}/report/{article_id}", methods=GET, include_in_schema=False)
def report(claim_id: str, article_id: str, request: Request) -> Response:
    """A report is described with its claim: see the claim, at this article's report."""
    return part_of(request, "claim", claim_id, f"report/{article_id}",
                   fragment=f"report-{article_id}")


@router.api_route("/claim/{claim_id}/{rest:path}", methods=GET, include_in_schema=False)
def claim_part(claim_id: str, rest: str, request: Request) -> Response:
    """The value, inference notes, selectors and via steps of a claim: see the claim."""
    fragment = f"report-{rest.split('/')[1]}" if rest.startswith("report/") else None
    return part_of(request, "claim", claim_id, rest, fragment)


@router.api_route("/article/{article_id}/{rest:path}", methods=GET, include_in_schema=False)
def article_part(article_id: str, rest: str, request: Request) -> Response:
    """The body selector, authors and inference notes of an article: see the article."""
    return part_of(request, "article", article_id, rest)


def part_of(request: Request, kind: str, owner_id: str, rest: str,
            fragment: str | None = None) -> Response:
    """303 to the resource whose description holds this node (httpRange-14: the node is not a
    document), or 404 if that description does not mention the node."""
    owner = resource_iri(request, f"{kind}/{owner_id}")
    node = f"{owner}/{rest}"
    if not (is_iri(owner) and is_iri(node)) or \
            not any(t.subject.value == node for t in describe(request, f"describe_{kind}", owner)):
        return not_found(f"node of a {kind}", node)
    target = f"/{kind}/{owner_id}" + (f"#{fragment}" if fragment else "")
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


# -- figures drawn (api/charts.py): topic and entity pages -------------------------------------

@dataclass(frozen=True)
class Carried:
    """How a page's claims reached print: each claim's first report (reports come in article
    order) and that report's article. Two batched reads for the whole page."""
    first_report: dict[str, ReportRecord]
    articles: dict[str, ArticleRecord]

    @classmethod
    def of(cls, site: Site, claim_iris: list[str]) -> "Carried":
        first = {iri: rs[0] for iri, rs in site.reader.reports(claim_iris).items() if rs}
        return cls(first, site.reader.articles(sorted({r.article for r in first.values()})))

    def outlet(self, c: ClaimRecord) -> str | None:
        """The outlet of the first article reporting the claim, when the article names one."""
        r = self.first_report.get(c.iri)
        a = self.articles.get(r.article) if r else None
        return a.outlet if a else None

    def words(self, site: Site, c: ClaimRecord) -> str:
        """The rest of a mark's tooltip after the claimant: " via ISW via AP, in OUTLET"."""
        r = self.first_report.get(c.iri)
        via = "".join(f" via {site.entity(v).label}" for v in (r.via if r else ()))
        outlet = self.outlet(c)
        return via + (f", in {site.entity(outlet).label}" if outlet else "")


def draw(site: Site, ordered: list[ClaimRecord], carried: Carried) -> Chart | None:
    """The chart of a page's claims, each mark titled "statement (claimant via X, in OUTLET;
    stated DATE)"."""
    return figure_chart(ordered, lambda c: site.claim(c).href, lambda iri: site.entity(iri).label,
                        lambda c: carried.words(site, c))


def entity_slug(e: EntityRecord) -> str:
    """The short id a page's query string names an entity by ("nis" for entity/nis)."""
    return e.local_id.rsplit("/", 1)[-1]


def stated_key(c: ClaimRecord) -> str:
    """The first day of the claim's stated date: the order claim searches list claims in."""
    return date_span(c.stated, "statedOn")[0] if c.stated else "9999-12-31"


def figure_key(q: QuantityRecord) -> tuple[float, float]:
    """A figure for sorting: its lower bound, or its upper one when only that is given."""
    low, high = q.bounds
    return (low if low is not None else high, high if high is not None else low)


SORTS = ("stated", "figure", "claimant")   # the columns a topic page's table sorts by


def sort_claims(site: Site, claims: list[ClaimRecord], sort: str | None,
                descending: bool) -> list[ClaimRecord]:
    """A page of claims in the order a table header asks for. Claims without the value sorted
    by (no date, no figure) stay last either way, in the page's order; figures are grouped by
    unit, as "3 percent" and "3 soldiers" do not compare. Only the page is sorted: a topic's
    claims beyond it are not read to sort them."""
    if sort in (None, "stated") and not descending:
        return claims    # the reader's order: by date stated, unknown dates last
    if sort in (None, "stated"):
        def known(c): return c.stated is not None
        def key(c): return stated_key(c), c.local_id
    elif sort == "figure":
        def known(c): return c.value is not None and c.value.bounds != (None, None)
        def key(c): return (c.value.unit or "").casefold(), figure_key(c.value), c.local_id
    else:
        def known(c): return True
        def key(c): return site.entity(c.claimant).label.casefold(), stated_key(c), c.local_id
    return sorted(filter(known, claims), key=key, reverse=descending) + \
        [c for c in claims if not known(c)]


# -- the topic page -----------------------------------------------------------------------------

TOPIC_PAGE = 100          # claims a topic page reads, draws and lists
COUNTED_SOURCES = 8       # sources counted one by one when the filters select more than a page
TOPIC_FILTERS = ("about", "claimant", "outlet", "from", "to", "curation")


class BadParameter(ReadError):
    """A query parameter a page cannot use: `name` says which, the message what to change."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class TopicView:
    """What a topic page's query string asks for, as given: the filters (the form shows them
    again and every link of the page keeps them, so a view is shared by its URL), and the column
    the table is sorted by, ascending unless order is "desc"."""
    topic_id: str
    filters: dict[str, str]
    sort: str | None = None
    order: str | None = None

    @classmethod
    def of(cls, topic_id: str, params) -> "TopicView":
        # A GET form sends its empty fields too: an empty value is no filter.
        given = {k: params.get(k, "").strip() for k in (*TOPIC_FILTERS, "sort", "order")}
        return cls(topic_id, {k: given[k] for k in TOPIC_FILTERS if given[k]},
                   given["sort"] or None, given["order"] or None)

    @property
    def descending(self) -> bool:
        return self.order == "desc"

    def href(self, **changes: str | None) -> str:
        """The path of this view with some parameters changed (None drops one)."""
        params = {**self.filters, "sort": self.sort, "order": self.order, **changes}
        query = urlencode({k: v for k, v in params.items() if v})
        return f"/topic/{self.topic_id}" + (f"?{query}" if query else "")

    def cleared(self) -> str:
        """The path of this view without its filters (its sort kept)."""
        return self.href(**dict.fromkeys(TOPIC_FILTERS))

    def check_sort(self) -> None:
        if self.sort is not None and self.sort not in SORTS:
            raise BadParameter("sort", f"sort must be one of {', '.join(SORTS)}, not {self.sort[:40]!r}")
        if self.order not in (None, "asc", "desc"):
            raise BadParameter("order", f"order must be asc or desc, not {self.order[:40]!r}")


def topic_criteria(reader: Reader, t: TopicRecord, view: TopicView) -> dict | None:
    """The arguments of reader.claim_filter for a topic page's filters: the same ones the
    GraphQL field claims(topic:, about:, claimant:, reportedBy:, statedFrom:, statedTo:,
    curation:) passes it, so that the page and the API select the same claims. `outlet` is
    reportedBy: an outlet whose article reports the claim, or an intermediary of it.

    Where GraphQL answers an unknown name with no claims, the page answers BadParameter (a 400
    saying which parameter): a shared link with a typo should say so, not show an empty chart.
    `about` keeps its lenient reading (an unknown subject lists nothing; an ambiguous one:
    None, nothing is drawn for a guess), as the page's own links only name known subjects."""
    f = view.filters
    iris = {}
    for name in ("claimant", "outlet"):
        if name in f:
            try:
                iri, matched = reader.entity_filter(name, f[name])
            except AmbiguousReference as exc:
                raise BadParameter(name, str(exc)) from None
            if not matched:
                raise BadParameter(name, f"{name}: there is no entity {f[name][:60]!r} in this graph; "
                                         "give an entity's id (the end of its /entity/ address) or its name")
            iris[name] = iri
    spans = {}
    for name in ("from", "to"):
        if name in f:
            try:
                spans[name] = date_span(f[name], name)
            except ReadError as exc:
                raise BadParameter(name, str(exc)) from None
    if "from" in spans and "to" in spans and spans["from"][0] > spans["to"][1]:
        raise BadParameter("to", f"to: {f['to']} is before from: {f['from']}, so no date is in the window")
    if "curation" in f:
        try:  # the reader's own check, so that the page takes the values the API takes
            reader.claim_filter(curation=f["curation"])
        except ReadError as exc:
            raise BadParameter("curation", str(exc)) from None
    about = f.get("about")
    try:
        subject = reader.entity_filter("about", about)[0] if about else None
    except AmbiguousReference:
        return None
    return dict(topic=t.id, about=subject or about, claimant=iris.get("claimant"),
                reported_by=iris.get("outlet"), stated_from=f.get("from"), stated_to=f.get("to"),
                curation=f.get("curation"))


def narrowing(site: Site, view: TopicView, criteria: dict) -> list[str]:
    """The filters but `about` (which the heading names), in words, for the list's heading."""
    f, words = view.filters, []
    if criteria["claimant"]:
        words.append(f"said by {site.entity(criteria['claimant']).label}")
    if criteria["reported_by"]:
        words.append(f"reported by {site.entity(criteria['reported_by']).label}")
    if "from" in f or "to" in f:
        window = " ".join(w for w in (f"from {f['from']}" if "from" in f else "",
                                      f"to {f['to']}" if "to" in f else "") if w)
        words.append(f"stated {window}")
    if "curation" in f:
        words.append("curated by hand" if f["curation"] == "hand" else "extracted by a program")
    return words


@dataclass(frozen=True)
class SortLink:
    href: str
    direction: str | None    # "ascending" or "descending" on the column the table is sorted by


def sort_links(view: TopicView) -> dict[str, SortLink]:
    """Each sortable column's header link: to ascending order, or to descending when the table
    is already sorted ascending by it. Stated, ascending, is the default."""
    current = view.sort or "stated"
    links = {}
    for column in SORTS:
        on = column == current
        links[column] = SortLink(
            view.href(sort=column, order="desc" if on and not view.descending else None),
            ("descending" if view.descending else "ascending") if on else None)
    return links


@dataclass(frozen=True)
class SourceCount:
    source: Link
    count: int       # of all the claims the filters select, not only the page's
    href: str        # the same view narrowed to this source


@dataclass(frozen=True)
class TopicSummary:
    """What the chart says of all the claims the filters select, when it draws only a page."""
    total: int
    shown: int
    sources: list[SourceCount]
    others: int      # the claims of the sources not counted one by one, together


def topic_summary(site: Site, view: TopicView, criteria: dict, ordered: list[ClaimRecord],
                  total: int) -> TopicSummary | None:
    """None when the page holds every claim selected. Otherwise the total, and how many of
    all the claims each of the page's most frequent sources (at most COUNTED_SOURCES) made:
    one count each, through the same filter with the claimant added (none when the view is
    already one claimant's)."""
    if total <= len(ordered):
        return None
    sources = []
    if criteria.get("claimant") is None:
        for iri, _ in Counter(c.claimant for c in ordered).most_common(COUNTED_SOURCES):
            e = site.reader.entities.get(iri)
            if e is None:
                continue
            n = site.reader.count_claims(site.reader.claim_filter(**{**criteria, "claimant": iri}),
                                         cap=PAGE_COUNT_CAP)
            sources.append(SourceCount(site.entity(iri), n, view.href(claimant=entity_slug(e)) + "#chart"))
    exact = not any(getattr(n, "capped", False) for n in (total, *(s.count for s in sources)))
    return TopicSummary(total, len(ordered), sources,
                        total - sum(s.count for s in sources) if exact else None)


@dataclass(frozen=True)
class Choice:
    value: str      # what the form's field takes: an entity's short id
    label: str


def choices(site: Site, iris: Iterable[str | None]) -> list[Choice]:
    """The entities among `iris`, as suggestions for a field, by name."""
    found = (site.reader.entities.get(i) for i in dict.fromkeys(i for i in iris if i))
    return sorted((Choice(entity_slug(e), e.label) for e in found if e is not None),
                  key=lambda c: c.label.casefold())


@router.api_route("/topic/{topic_id:path}", methods=GET, include_in_schema=False)
def topic(topic_id: str, request: Request) -> Response:
    # Topic IRIs live in the vocabulary's fixed namespace, not under the data base IRI.
    iri = str(TOPIC) + topic_id
    record = request.app.state.reader.topics.get(iri)
    if record is None:
        return not_found("topic", iri)
    view = TopicView.of(record.id, request.query_params)
    shown: dict = {}

    def context() -> dict:
        shown.update(topic_page(Site(request), record, view))
        return shown
    response = represent(request, iri, "describe_topic", "topic.html", context)
    if shown.get("problem") is not None:
        response.status_code = 400   # the page says which parameter, and what to change
    return response


def topic_page(site: Site, t: TopicRecord, view: TopicView) -> dict:
    """The topic, its claims narrowed by the view's filters, and their figures drawn against the
    date they were stated (api/charts.py). A parameter the page cannot use gives "problem"
    (a BadParameter) and no claims: the page shows the form again and says what to change.

    Cost: one page of claims (TOPIC_PAGE), whatever the topic holds: one search with its total,
    then the claims, their first reports and those reports' articles, each one batched read; the
    table is sorted within that page. When the filters select more claims than a page, the chart
    still draws the page only (the first claims by date stated, as the reader lists them) and
    its caption says so, with how many of all the claims each of the page's most frequent
    sources made: at most COUNTED_SOURCES counts, which the claim index answers by walking its
    most selective filter (without the index, a SPARQL count each), so no request reads a big
    topic's claims one by one."""
    narrower = sorted((n for n in site.reader.topics.values() if n.broader == t.iri),
                      key=lambda n: n.label)
    context = {"topic": t, "broader": site.topic(t.broader) if t.broader else None,
               "narrower": [site.topic(n.iri) for n in narrower], "view": view, "problem": None,
               "subjects": [], "about": None, "chart": None, "summary": None, "claims": None,
               "narrowing": [],
               "sorting": sort_links(view), "choices": {"claimant": [], "outlet": [], "about": []},
               # The form's hidden fields: a new filter keeps the table's sort.
               "hidden": {k: v for k, v in (("sort", view.sort), ("order", view.order)) if v}}
    try:
        view.check_sort()
        criteria = topic_criteria(site.reader, t, view)
    except BadParameter as exc:
        context["problem"] = exc
        if exc.name in ("sort", "order"):   # neither the form nor its links carry a bad sort on
            context.update(view=TopicView(t.id, view.filters), hidden={})
        return context
    wanted = site.reader.claim_filter(**criteria) if criteria else ClaimFilter(empty=True)
    found = site.reader.search_claims(wanted, first=TOPIC_PAGE, count_cap=PAGE_COUNT_CAP)
    records = site.reader.claims(found.items)
    ordered = [records[i] for i in found.items if i in records]
    carried = Carried.of(site, found.items)
    subject = criteria["about"] if criteria and criteria["about"] in site.reader.entities else None
    # The entities this page's figures are about: each has a chart of its own.
    context["subjects"] = [
        Link(view.href(about=entity_slug(e)), e.label)
        for e in (site.reader.entities.get(i) for i in dict.fromkeys(
            c.subject for c in ordered if c.subject and c.value is not None))
        if e is not None and e.iri != subject]
    listed = sort_claims(site, ordered, view.sort, view.descending)
    context.update(
        narrowing=narrowing(site, view, criteria) if criteria else [],
        about=site.entity(subject), chart=draw(site, ordered, carried),
        summary=topic_summary(site, view, criteria, ordered, found.total) if criteria else None,
        claims=ClaimList(claim_rows(site, [c.iri for c in listed], records), found.total),
        choices={"claimant": choices(site, (c.claimant for c in ordered)),
                 "outlet": choices(site, [carried.outlet(c) for c in ordered]
                                   + [v for r in carried.first_report.values() for v in r.via]),
                 "about": choices(site, (c.subject for c in ordered))})
    return context


# ---------------------------------------------------------------------------------------------
# The ontology
# ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def ontology() -> Graph:
    """ontology/whosaid.ttl and ontology/topics.ttl, read once: they only change with a release."""
    return ontology_graph()


@lru_cache(maxsize=None)
def ontology_bytes(media: str) -> bytes:
    return ontology().serialize(format=RDF_MEDIA[media][1], encoding="utf-8")


_NAMESPACES = sorted(((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def curie(iri: str) -> str:
    for ns, prefix in _NAMESPACES:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def anchor(iri: str) -> str:
    """The id of a term on the ontology page: a ws: term's own fragment, so that its IRI,
    https://w3id.org/whosaid/ontology#Claim, lands on it; the CURIE for reused terms."""
    return iri[len(str(WS)):] if iri.startswith(str(WS)) else curie(iri)


@dataclass(frozen=True)
class Term:
    anchor: str
    curie: str
    iri: str
    label: str
    definition: str | None
    parents: list[Link] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)


def term_link(g: Graph, node) -> Link:
    """A link to a term: on the page if the ontology declares it, else to its own IRI."""
    iri = str(node)
    declared = (node, RDF.type, None) in g
    return Link(f"#{anchor(iri)}" if declared else iri, curie(iri))


def terms(g: Graph, kind: URIRef, parent: URIRef) -> list[Term]:
    def links(s, p) -> list[Link]:
        return sorted((term_link(g, o) for o in g.objects(s, p)), key=lambda l: l.label)

    found = []
    for s in set(g.subjects(RDF.type, kind)):
        definition = g.value(s, SKOS.definition)
        found.append(Term(anchor(str(s)), curie(str(s)), str(s), str(g.value(s, RDFS.label) or ""),
                          str(definition) if definition else None, links(s, parent),
                          links(s, RDFS.domain), links(s, RDFS.range)))
    # whosaid's own terms first, then the reused ones, each alphabetically
    return sorted(found, key=lambda t: (not t.curie.startswith("ws:"), t.curie.casefold()))


@dataclass(frozen=True)
class TopicNode:
    link: Link
    definition: str | None
    children: list["TopicNode"]


def topic_tree(g: Graph, base: str) -> list[TopicNode]:
    def node(t) -> TopicNode:
        children = set(g.objects(t, SKOS.narrower)) | set(g.subjects(SKOS.broader, t))
        return TopicNode(Link(local_href(str(t), base), str(g.value(t, SKOS.prefLabel))),
                         str(g.value(t, SKOS.definition) or ""), sorted_nodes(children))

    def sorted_nodes(ts) -> list[TopicNode]:
        return sorted((node(t) for t in ts), key=lambda n: n.link.label)

    return sorted_nodes(g.objects(TOPIC.scheme, SKOS.hasTopConcept))


@router.api_route("/ontology", methods=GET, include_in_schema=False)
def ontology_document(request: Request) -> Response:
    media = negotiate(request, PAGE_OR_RDF)
    if isinstance(media, Response):
        return media
    if media != HTML:
        return Response(ontology_bytes(media), media_type=media, headers=_headers(PAGE_OR_RDF))
    g = ontology()
    return page("ontology.html", PAGE_OR_RDF, iri=str(ONTOLOGY_IRI),
                label=str(g.value(ONTOLOGY_IRI, RDFS.label)),
                definition=str(g.value(ONTOLOGY_IRI, SKOS.definition)),
                version=str(g.value(ONTOLOGY_IRI, OWL.versionInfo)),
                classes=terms(g, OWL.Class, RDFS.subClassOf),
                object_properties=terms(g, OWL.ObjectProperty, RDFS.subPropertyOf),
                datatype_properties=terms(g, OWL.DatatypeProperty, RDFS.subPropertyOf),
                topics=topic_tree(g, request.app.state.settings.base_iri))


# ---------------------------------------------------------------------------------------------
# VoID
# ---------------------------------------------------------------------------------------------

VOCABULARIES = (SCHEMA, PROV, OA, SKOS, ONTOLOGY_IRI)


def void_graph(request: Request) -> Graph:
    store, reader = request.app.state.store, request.app.state.reader
    server = str(request.base_url).rstrip("/")
    description = URIRef(f"{server}/.well-known/void")
    dataset, claims = URIRef(f"{description}#dataset"), URIRef(f"{description}#claims")
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcterms", DCTERMS), ("ws", WS), ("foaf", FOAF)):
        g.bind(prefix, ns)
    g.add((description, RDF.type, VOID.DatasetDescription))
    g.add((description, FOAF.primaryTopic, dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("whosaid", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "A who-said-what knowledge graph of news reporting: attributed claims, their chains of "
        "intermediaries and their verbatim evidence.", lang="en")))
    # No triple is in two named graphs (graph/rdf.py), so the quads counted are the triples.
    g.add((dataset, VOID.triples, Literal(reader.quads(), datatype=XSD.integer)))
    entities = store.select(named("entity_count"))[0]["entities"].value
    g.add((dataset, VOID.entities, Literal(int(entities), datatype=XSD.integer)))
    g.add((dataset, VOID.classPartition, claims))
    g.add((claims, VOID["class"], WS.Claim))
    g.add((claims, VOID.entities, Literal(reader.claim_total(), datatype=XSD.integer)))
    for vocabulary in VOCABULARIES:
        g.add((dataset, VOID.vocabulary, URIRef(str(vocabulary))))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(f"{server}/sparql")))
    for f in DUMP_FORMATS.values():
        g.add((dataset, VOID.dataDump, URIRef(f"{server}/dump.{f.extension}")))
    g.add((dataset, VOID.uriSpace, Literal(request.app.state.settings.base_iri)))
    g.add((dataset, VOID.rootResource, ONTOLOGY_IRI))
    return g


@router.api_route("/.well-known/void", methods=GET, include_in_schema=False)
def void(request: Request) -> Response:
    media = negotiate(request, RDF_ONLY)
    if isinstance(media, Response):
        return media
    return graph_response(void_graph(request), media, RDF_ONLY)


# ---------------------------------------------------------------------------------------------
# The JSON-LD context
# ---------------------------------------------------------------------------------------------

def _iri(term: str, **extra) -> dict:
    return {"@id": term, "@type": "@id", **extra}


def _en(term: str, **extra) -> dict:
    # whosaid writes these in English and tags them so (graph/rdf.py).
    return {"@id": term, "@language": "en", **extra}


CONTEXT = {"@context": {
    # The prefixes, but for topic:, whose name the term "topic" (ws:topic) takes.
    **{prefix: str(ns) for prefix, ns in PREFIXES.items() if prefix != "topic"},
    "id": "@id", "type": "@type",
    "Claim": "ws:Claim", "Report": "ws:Report", "Article": "ws:Article", "Entity": "ws:Entity",
    "Agent": "ws:Agent", "Quantity": "ws:Quantity", "Topic": "ws:Topic", "ViaStep": "ws:ViaStep",
    "Inference": "ws:Inference",
    # claims
    "claimant": _iri("ws:claimant"), "statement": _en("ws:statement"), "quote": "ws:quote",
    "topic": _iri("ws:topic"), "about": _iri("schema:about", **{"@container": "@set"}),
    "value": _iri("ws:value"), "statedOn": "ws:statedOn", "period": _en("ws:period"),
    "periodStart": "ws:periodStart", "periodEnd": "ws:periodEnd",
    "confirms": _iri("ws:confirms"), "revises": _iri("ws:revises"),
    "reports": _iri("ws:report", **{"@container": "@set"}), "report": _iri("ws:report"),
    "appearance": _iri("schema:appearance"), "identifier": "schema:identifier",
    "subject": _iri("rdf:subject"), "predicate": _iri("rdf:predicate"), "object": _iri("rdf:object"),
    # reports
    "article": _iri("oa:hasSource"), "source": _iri("oa:hasSource"),
    "selector": _iri("oa:hasSelector"), "evidence": "oa:exact", "exact": "oa:exact",
    "prefix": "oa:prefix", "suffix": "oa:suffix",
    "start": {"@id": "oa:start", "@type": "xsd:integer"},
    "end": {"@id": "oa:end", "@type": "xsd:integer"},
    "via": _iri("ws:via"), "agent": _iri("ws:agent"),
    "position": {"@id": "ws:position", "@type": "xsd:integer"},
    # quantities
    "min": "schema:minValue", "max": "schema:maxValue", "amount": "schema:value",
    "approximate": "ws:approximate", "exclusiveMin": "ws:exclusiveMin", "derived": "ws:derived",
    "unit": _en("schema:unitText"), "basis": _en("ws:basis"),
    # inferred values
    "inferred": _iri("ws:inferred"), "onProperty": _iri("ws:onProperty"),
    "earliest": {"@id": "ws:earliest", "@type": "xsd:date"},
    "latest": {"@id": "ws:latest", "@type": "xsd:date"},
    # entities and topics
    "label": _en("skos:prefLabel"), "aliases": _en("skos:altLabel", **{"@container": "@set"}),
    "description": _en("schema:description"), "sameAs": _iri("schema:sameAs"),
    "partOf": _iri("ws:partOf"), "locatedIn": _iri("schema:containedInPlace"),
    "definition": _en("skos:definition"), "broader": _iri("skos:broader"),
    "narrower": _iri("skos:narrower"),
    # articles
    "outlet": _iri("ws:outlet"), "published": "schema:datePublished", "title": "schema:headline",
    "text": "schema:text", "url": {"@id": "schema:url", "@type": "xsd:anyURI"},
    "language": "schema:inLanguage", "authors": _iri("schema:author", **{"@container": "@set"}),
    "author": _iri("schema:author"), "name": "schema:name", "body": _iri("ws:body"),
}}
CONTEXT_BYTES = json.dumps(CONTEXT, indent=2, ensure_ascii=False).encode("utf-8")


@router.api_route("/context.jsonld", methods=GET, include_in_schema=False)
def context() -> Response:
    # Any origin may load it: JSON-LD processors in browsers fetch contexts cross-origin.
    return Response(CONTEXT_BYTES, media_type="application/ld+json",
                    headers={"Access-Control-Allow-Origin": "*"})
