"""Turning corpus objects into RDF named graphs.

- the ontology graph (classes, properties, topics);
- the entities graph;
- one graph per claim: what was claimed, by whom, when, with what value (like a nanopublication's
  assertion graph);
- one graph per article: the article, and its report of each claim it carries (evidence, via).

Each triple lives in exactly one graph. That matters: Oxigraph's union default graph is a
multiset, so a claim whose triples were repeated in the graphs of the three articles reporting it
would match three times per pattern, and a join over ten of its properties 3^10 times. Replacing
an article replaces its graph; a claim graph goes when no article reports the claim any more.

No blank nodes: every node has an IRI minted from corpus ids, so two builds give the same triples
and a node can be looked up on its own.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from .corpus import QUOTE_CONTEXT, Article, Claim, Corpus, Entity, PartialDate, Quantity, TimeSpec
from .curation import Curation
from .iris import OA, PREFIXES, PROV, SCHEMA, TOPIC, WS, Minter

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_FILES = ("whosaid.ttl", "topics.ttl")

_DATE_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def date_literal(d: PartialDate) -> Literal:
    """A partial date as the XSD type of its precision: xsd:date, xsd:gYearMonth or xsd:gYear."""
    return Literal(d.text, datatype=_DATE_TYPES[d.precision])


def number_literal(n: float | int) -> Literal:
    if isinstance(n, int):
        return Literal(n, datatype=XSD.integer)
    return Literal(Decimal(str(n)), datatype=XSD.decimal)


def concept(name: str) -> URIRef:
    """The ontology's concept for a format value: "socialMediaPost" -> ws:SocialMediaPost."""
    return WS[name[:1].upper() + name[1:]]


def ontology_graph(directory: Path = ONTOLOGY_DIR) -> Graph:
    g = bind_prefixes(Graph())
    for name in ONTOLOGY_FILES:
        g.parse(directory / name, format="turtle")
    return g


# ---------------------------------------------------------------------------------------------

def entities_graph(entities: dict[str, Entity], mint: Minter) -> Graph:
    g = bind_prefixes(Graph())
    for e in entities.values():
        add_entity(g, e, mint)
    return g


def add_entity(g: Graph, e: Entity, mint: Minter) -> URIRef:
    node = mint.entity(e.id)
    g.add((node, RDF.type, WS[e.type]))
    g.add((node, SCHEMA.identifier, Literal(e.id)))
    g.add((node, SKOS.prefLabel, Literal(e.label, lang="en")))
    g.add((node, RDFS.label, Literal(e.label, lang="en")))
    for alias in e.aliases:
        g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
    if e.description:
        g.add((node, SCHEMA.description, Literal(e.description, lang="en")))
    if e.part_of:
        g.add((node, WS.partOf, mint.entity(e.part_of)))
    if e.located_in:
        g.add((node, SCHEMA.containedInPlace, mint.entity(e.located_in)))
    for iri in e.same_as:
        g.add((node, SCHEMA.sameAs, URIRef(iri)))
    for alias in e.external_aliases:
        g.add((node, WS.externalAltLabel, Literal(alias, lang="en")))
    if e.external_description:
        g.add((node, WS.externalDescription, Literal(e.external_description, lang="en")))
    if e.kind:
        g.add((node, WS.occasionKind, concept(e.kind)))
    add_time(g, node, SCHEMA.startDate, "startDate", e.date)
    if e.place:
        g.add((node, SCHEMA.location, mint.entity(e.place)))
    return node


# ---------------------------------------------------------------------------------------------

def add_inference(g: Graph, subject: URIRef, prop: URIRef, name: str, basis: str | None,
                  earliest: PartialDate | None = None, latest: PartialDate | None = None) -> None:
    """Mark one of subject's values as worked out from the text, with the basis and bounds."""
    note = URIRef(f"{subject}/inferred/{name}")
    g.add((subject, WS.inferred, note))
    g.add((note, RDF.type, WS.Inference))
    g.add((note, WS.onProperty, prop))
    if basis:
        g.add((note, WS.basis, Literal(basis, lang="en")))
    if earliest:
        g.add((note, WS.earliest, Literal(earliest.text if earliest.precision == "day"
                                          else _first_day(earliest), datatype=XSD.date)))
    if latest:
        g.add((note, WS.latest, Literal(latest.text if latest.precision == "day"
                                        else _last_day(latest), datatype=XSD.date)))


def _first_day(d: PartialDate) -> str:
    return (d.text + "-01-01")[:10] if d.precision == "year" else d.text + "-01"


def _last_day(d: PartialDate) -> str:
    import calendar
    if d.precision == "year":
        return d.text + "-12-31"
    year, month = map(int, d.text.split("-"))
    return f"{d.text}-{calendar.monthrange(year, month)[1]:02d}"


def add_time(g: Graph, subject: URIRef, prop: URIRef, name: str, spec: TimeSpec | None) -> None:
    if spec is None:
        return
    if spec.date is not None:
        g.add((subject, prop, date_literal(spec.date)))
    if spec.inferred:
        add_inference(g, subject, prop, name, spec.basis, spec.earliest, spec.latest)


def add_article(g: Graph, a: Article, mint: Minter) -> URIRef:
    node = mint.article(a.id)
    g.add((node, RDF.type, WS.Article))
    g.add((node, SCHEMA.identifier, Literal(a.id)))
    if a.title:
        g.add((node, SCHEMA.headline, Literal(a.title, lang=a.language)))
    if a.outlet:
        g.add((node, WS.outlet, mint.entity(a.outlet)))
        if a.outlet_basis:
            add_inference(g, node, WS.outlet, "outlet", a.outlet_basis)
    for n, name in enumerate(a.authors, start=1):
        author = URIRef(f"{node}/author/{n}")
        g.add((node, SCHEMA.author, author))
        g.add((author, RDF.type, SCHEMA.Person))
        g.add((author, SCHEMA.name, Literal(name)))
    add_time(g, node, SCHEMA.datePublished, "datePublished", a.published)
    if a.url:
        g.add((node, SCHEMA.url, Literal(a.url, datatype=XSD.anyURI)))
    g.add((node, SCHEMA.text, Literal(a.text)))
    g.add((node, SCHEMA.inLanguage, Literal(a.language)))
    body = URIRef(f"{node}/body")
    g.add((node, WS.body, body))
    g.add((body, RDF.type, OA.TextPositionSelector))
    g.add((body, OA.start, Literal(a.body.start, datatype=XSD.integer)))
    g.add((body, OA.end, Literal(a.body.end, datatype=XSD.integer)))
    return node


def add_quantity(g: Graph, node: URIRef, q: Quantity) -> None:
    g.add((node, RDF.type, WS.Quantity))
    if q.min is not None:
        g.add((node, SCHEMA.minValue, number_literal(q.min)))
    if q.max is not None:
        g.add((node, SCHEMA.maxValue, number_literal(q.max)))
    if q.amount is not None:
        g.add((node, SCHEMA.value, number_literal(q.amount)))
    if q.unit:
        g.add((node, SCHEMA.unitText, Literal(q.unit, lang="en")))
    g.add((node, WS.approximate, Literal(q.approximate)))
    if q.exclusive_min:
        g.add((node, WS.exclusiveMin, Literal(True)))
    if q.derived:
        g.add((node, WS.derived, Literal(True)))
    if q.basis:
        g.add((node, WS.basis, Literal(q.basis, lang="en")))
    if q.qualifier:
        g.add((node, WS.qualifier, Literal(q.qualifier)))


def add_claim_core(g: Graph, c: Claim, mint: Minter, measures: dict[str, URIRef]) -> URIRef:
    """The claim itself: what every article reporting it agrees on."""
    node = mint.claim(c.id)
    g.add((node, RDF.type, WS.Claim))
    g.add((node, SCHEMA.identifier, Literal(c.id)))
    g.add((node, WS.claimant, mint.entity(c.claimant)))
    g.add((node, WS.statement, Literal(c.statement, lang="en")))
    if c.quote:
        g.add((node, WS.quote, Literal(c.quote)))
    g.add((node, WS.topic, TOPIC[c.topic]))
    for about in c.about:
        g.add((node, SCHEMA.about, mint.entity(about)))
    if c.value is not None:
        value = URIRef(f"{node}/value")
        g.add((node, WS.value, value))
        add_quantity(g, value, c.value)
        subject = c.subject or (c.about[0] if c.about else None)
        measure = measures.get(c.topic)
        # Classic reification alongside the n-ary node, for users who read a claim as a statement.
        if subject and measure:
            g.add((node, RDF.type, RDF.Statement))
            g.add((node, RDF.subject, mint.entity(subject)))
            g.add((node, RDF.predicate, measure))
            g.add((node, RDF.object, value))
    add_time(g, node, WS.statedOn, "statedOn", c.stated)
    if c.claimant_basis:
        add_inference(g, node, WS.claimant, "claimant", c.claimant_basis)
    if c.period:
        g.add((node, WS.period, Literal(c.period.label, lang="en")))
        for prop, name, date in ((WS.periodStart, "periodStart", c.period.start),
                                 (WS.periodEnd, "periodEnd", c.period.end)):
            if date:
                g.add((node, prop, date_literal(date)))
                if c.period.inferred:
                    add_inference(g, node, prop, name, c.period.basis)
    for target in c.confirms:
        g.add((node, WS.confirms, mint.claim(target)))
    if c.revises:
        g.add((node, WS.revises, mint.claim(c.revises)))
    for target in c.caveats:
        g.add((node, WS.caveats, mint.claim(target)))
    if c.occasion:
        g.add((node, WS.occasion, mint.entity(c.occasion)))
    g.add((node, WS.modality, concept(c.modality)))
    for words in c.insertions:
        g.add((node, WS.editorialInsertion, Literal(words)))
    return node


def add_curation(g: Graph, node: URIRef, c: Curation) -> URIRef:
    """The curation activity (PROV-O) behind a report: how, by whom or what, when, reviewed."""
    g.add((node, RDF.type, WS.Curation))
    g.add((node, WS.method, WS.HandCuration if c.method == "hand" else WS.Extraction))
    g.add((node, WS.reviewStatus, WS.Reviewed if c.review == "reviewed" else WS.Unreviewed))
    for prop, text in ((WS.curatedBy, c.by), (WS.extractor, c.extractor),
                       (SCHEMA.softwareVersion, c.version), (WS.reviewedBy, c.reviewed_by)):
        if text:
            g.add((node, prop, Literal(text)))
    for prop, day in ((WS.curatedOn, c.on), (WS.reviewedOn, c.reviewed_on)):
        if day:
            g.add((node, prop, date_literal(day)))
    if c.confidence is not None:
        g.add((node, WS.confidence, Literal(Decimal(str(c.confidence)), datatype=XSD.decimal)))
    if c.review_note:
        g.add((node, WS.reviewNote, Literal(c.review_note, lang="en")))
    return node


def add_report(g: Graph, c: Claim, article: Article, mint: Minter) -> URIRef:
    """This article's report of the claim: where, in which words, through whom."""
    report = next(r for r in c.reports if r.article_id == article.id)  # parse_claim made it
    claim_node, article_node = mint.claim(c.id), mint.article(article.id)
    node = mint.report(c.id, article.id)
    g.add((claim_node, WS.report, node))
    g.add((claim_node, SCHEMA.appearance, article_node))
    g.add((node, RDF.type, WS.Report))
    g.add((node, OA.hasSource, article_node))
    ev, text = report.evidence, article.text
    position, quote = URIRef(f"{node}/position"), URIRef(f"{node}/quote")
    g.add((node, OA.hasSelector, position))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(ev.start, datatype=XSD.integer)))
    g.add((position, OA.end, Literal(ev.end, datatype=XSD.integer)))
    g.add((node, OA.hasSelector, quote))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(ev.exact)))
    g.add((quote, OA.prefix, Literal(text[max(0, ev.start - QUOTE_CONTEXT):ev.start])))
    g.add((quote, OA.suffix, Literal(text[ev.end:ev.end + QUOTE_CONTEXT])))
    bases = report.via_basis or (None,) * len(report.via)
    for position_no, (agent, basis) in enumerate(zip(report.via, bases), start=1):
        step = URIRef(f"{node}/via/{position_no}")
        g.add((node, WS.via, step))
        g.add((step, RDF.type, WS.ViaStep))
        g.add((step, WS.agent, mint.entity(agent)))
        g.add((step, WS.position, Literal(position_no, datatype=XSD.integer)))
        if basis:
            add_inference(g, step, WS.agent, "agent", basis)
    # Links the article draws in its own voice (its outlet's judgement, in this report's words),
    # and the curators' possiblySame notes, with their reason.
    for n, found in enumerate(report.links, start=1):
        link = URIRef(f"{node}/link/{n}")
        g.add((node, WS.link, link))
        g.add((link, RDF.type, WS.ClaimLink))
        g.add((link, WS.relation, WS[found.relation]))
        g.add((link, WS.source, mint.claim(found.source)))
        g.add((link, WS.target, mint.claim(found.target)))
        if found.reason:
            g.add((link, WS.reason, Literal(found.reason, lang="en")))
    if report.attributed_to:
        g.add((node, WS.attributedTo, mint.entity(report.attributed_to)))
    for words in report.hedges:
        g.add((node, WS.hedge, Literal(words)))
    # The article's curation note is shared by its reports; a claim curated otherwise has its own.
    if report.curation == article.curation:
        g.add((node, PROV.wasGeneratedBy, URIRef(f"{article_node}/curation")))
    else:
        g.add((node, PROV.wasGeneratedBy, add_curation(g, URIRef(f"{node}/curation"), report.curation)))
    return node


def fill_article(g, article: Article, mint: Minter):
    """Add to `g` (anything with add) the article, how its claims were listed (a claim curated
    otherwise carries its own note), and its reports of the claims it carries."""
    add_article(g, article, mint)
    add_curation(g, URIRef(f"{mint.article(article.id)}/curation"), article.curation)
    for claim in article.claims:
        add_report(g, claim, article, mint)
    return g


def article_graph(article: Article, mint: Minter) -> Graph:
    """The named graph of one article: the article and its reports of the claims it carries."""
    return fill_article(bind_prefixes(Graph()), article, mint)


def claim_graph(claim: Claim, mint: Minter, measures: dict[str, URIRef]) -> Graph:
    """The named graph of one claim: what was claimed, whichever articles report it."""
    g = bind_prefixes(Graph())
    add_claim_core(g, claim, mint, measures)
    return g


def topic_measures(ontology: Graph) -> dict[str, URIRef]:
    """topic id -> the measure property its quantitative claims state (from ontology/topics.ttl)."""
    return {str(t)[len(str(TOPIC)):]: m for t, m in ontology.subject_objects(WS.measure)}


def corpus_dataset(corpus: Corpus, mint: Minter, ontology: Graph | None = None) -> Dataset:
    """The whole corpus as a dataset of named graphs: ontology, entities, one per article."""
    ontology = ontology if ontology is not None else ontology_graph()
    measures = topic_measures(ontology)
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True)
    parts = [(mint.ontology_graph, ontology), (mint.entities_graph,
                                               entities_graph(corpus.entities, mint))]
    parts += [(mint.claim_graph(c.id), claim_graph(c, mint, measures))
              for c in corpus.claims.values()]
    parts += [(mint.article_graph(a.id), article_graph(a, mint)) for a in corpus.articles.values()]
    for name, g in parts:
        target = ds.graph(name)
        for triple in g:
            target.add(triple)
    return ds
