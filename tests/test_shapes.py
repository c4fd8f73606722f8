"""Each SHACL shape rejects its own minimal bad graph, and says where and why.

Every case starts from a valid graph (the ontology, the entities and one real article) and breaks
exactly one thing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from graph.build import union_graph
from graph.iris import OA, SCHEMA, TOPIC, WS
from graph.validate import validate_graph

ARTICLE = "003_34f8a63c56b95bbf"


@pytest.fixture(scope="module")
def valid(compiled) -> Graph:
    corpus, ds = compiled
    keep = {URIRef("https://w3id.org/whosaid/ontology")}
    wanted = {"graph/entities", f"graph/article/{ARTICLE}"} | \
        {f"graph/claim/{c.id}" for c in corpus.articles[ARTICLE].claims}
    for g in ds.graphs():
        if any(str(g.identifier).endswith(w) for w in wanted):
            keep.add(g.identifier)
    g = Graph()
    for s, p, o, c in ds.quads((None, None, None, None)):
        if c in keep:
            g.add((s, p, o))
    # Claims of this article that confirm claims reported only elsewhere would dangle here.
    for s, o in list(g.subject_objects(WS.confirms)):
        if (o, RDF.type, WS.Claim) not in g:
            g.remove((s, WS.confirms, o))
    # So would links to such claims (a possiblySame to a claim of another article).
    for report, link in list(g.subject_objects(WS.link)):
        ends = (g.value(link, WS.source), g.value(link, WS.target))
        if any((end, RDF.type, WS.Claim) not in g for end in ends):
            g.remove((report, WS.link, link))
            g.remove((link, None, None))
    assert validate_graph(g) == []
    return g


def one(g: Graph, p, o=None):
    return next(g.subjects(p, o)) if o is not None else next(g.subjects(p, None))


def a_claim(g):
    return one(g, RDF.type, WS.Claim)


def a_report(g):
    return one(g, RDF.type, WS.Report)


def selector(g, report, kind):
    return next(s for s in g.objects(report, OA.hasSelector) if (s, RDF.type, kind) in g)


def a_quantity(g):
    return one(g, RDF.type, WS.Quantity)


def a_person(g):
    return one(g, RDF.type, WS.Person)


def move_evidence_past_body(g):
    """Point a report's offsets at the page furniture after the body (still inside the text)."""
    report = a_report(g)
    article = g.value(report, OA.hasSource)
    body_end = g.value(g.value(article, WS.body), OA.end).toPython()
    position = selector(g, report, OA.TextPositionSelector)
    g.set((position, OA.start, Literal(body_end + 1)))
    g.set((position, OA.end, Literal(len(str(g.value(article, SCHEMA.text))))))
    return report


def _drop(g, s, p):
    g.remove((s, p, None))
    return s


CASES = {
    "claim without claimant": (lambda g: _drop(g, a_claim(g), WS.claimant), "ws:claimant"),
    "claimant is a place": (
        lambda g: (lambda c: (g.set((c, WS.claimant, one(g, RDF.type, WS.Place))), c)[1])(a_claim(g)),
        "ws:claimant"),
    "claimant not described": (
        lambda g: (lambda c: (g.set((c, WS.claimant, URIRef("https://w3id.org/whosaid/entity/ghost"))), c)[1])(a_claim(g)),
        "ws:claimant"),
    "two statements": (
        lambda g: (lambda c: (g.add((c, WS.statement, Literal("Another.", lang="en"))), c)[1])(a_claim(g)),
        "ws:statement"),
    "topic outside the scheme": (
        lambda g: (lambda c: (g.set((c, WS.topic, URIRef("https://w3id.org/whosaid/topic/weather"))), c)[1])(a_claim(g)),
        "ws:topic"),
    "claim without report": (
        lambda g: (lambda c: [g.remove((c, WS.report, None)), c][1])(a_claim(g)), "ws:report"),
    "statedOn not a date": (
        lambda g: (lambda c: (g.set((c, WS.statedOn, Literal("last Tuesday"))), c)[1])(a_claim(g)),
        "ws:statedOn"),
    "quote not in evidence": (
        lambda g: (lambda c: (g.set((c, WS.quote, Literal("never said"))), c)[1])(a_claim(g)),
        "quote is not inside"),
    "min above max": (
        lambda g: (lambda q: (g.set((q, SCHEMA.minValue, Literal(10))), g.set((q, SCHEMA.maxValue, Literal(1))), q)[2])(a_quantity(g)),
        "schema:minValue"),
    "quantity without bounds": (
        lambda g: (lambda q: (g.remove((q, SCHEMA.minValue, None)), g.remove((q, SCHEMA.maxValue, None)), q)[2])(a_quantity(g)),
        "minimum, a maximum or both"),
    "derived without basis": (
        lambda g: (lambda q: (g.set((q, WS.derived, Literal(True))), g.remove((q, WS.basis, None)), q)[2])(a_quantity(g)),
        "derived quantity needs the basis"),
    "evidence not verbatim": (
        lambda g: (lambda r: (g.set((selector(g, r, OA.TextQuoteSelector), OA.exact, Literal("forged words"))), r)[1])(a_report(g)),
        "evidence is not verbatim"),
    "evidence outside body": (lambda g: move_evidence_past_body(g), "outside the article body"),
    "span past the end of the text": (
        lambda g: (lambda s: (g.set((s, OA.end, Literal(10 ** 6))), s)[1])(
            selector(g, a_report(g), OA.TextPositionSelector)),
        "runs past the end"),
    "span start after end": (
        lambda g: (lambda s: (g.set((s, OA.start, Literal(10 ** 6))), s)[1])(
            selector(g, a_report(g), OA.TextPositionSelector)),
        "oa:start"),
    "body span past the end of the text": (
        lambda g: (lambda s: (g.set((s, OA.end, Literal(10 ** 6))), s)[1])(
            g.value(one(g, RDF.type, WS.Article), WS.body)),
        "runs past the end"),
    "appears where no report is": (
        lambda g: (lambda c: (g.add((c, SCHEMA.appearance, URIRef(f"{g.value(c, SCHEMA.appearance)}-elsewhere"))), c)[1])(
            a_claim(g)),
        "appearances and its reports' articles differ"),
    "reported where it does not appear": (
        lambda g: _drop(g, a_claim(g), SCHEMA.appearance), "appearances and its reports' articles differ"),
    "via positions with a gap": (
        lambda g: (lambda r: (g.set((next(g.objects(r, WS.via)), WS.position, Literal(99))), r)[1])(one(g, WS.via, None)),
        "via positions"),
    "report without article": (lambda g: _drop(g, a_report(g), OA.hasSource), "oa:hasSource"),
    "report with two position selectors": (
        lambda g: (lambda r: (g.add((r, OA.hasSelector, URIRef(f"{r}/position2"))),
                              g.add((URIRef(f"{r}/position2"), RDF.type, OA.TextPositionSelector)),
                              g.add((URIRef(f"{r}/position2"), OA.start, Literal(1))),
                              g.add((URIRef(f"{r}/position2"), OA.end, Literal(2))), r)[4])(a_report(g)),
        "oa:hasSelector"),
    "via step without agent": (lambda g: _drop(g, one(g, RDF.type, WS.ViaStep), WS.agent), "ws:agent"),
    "article without text": (lambda g: _drop(g, one(g, RDF.type, WS.Article), SCHEMA.text), "schema:text"),
    "article outlet not an outlet": (
        lambda g: (lambda a: (g.set((a, WS.outlet, a_person(g))), a)[1])(one(g, RDF.type, WS.Article)),
        "ws:outlet"),
    "entity without label": (lambda g: _drop(g, a_person(g), SKOS.prefLabel), "skos:prefLabel"),
    "sameAs not Wikidata": (
        lambda g: (lambda e: (g.add((e, SCHEMA.sameAs, URIRef("https://example.org/zelensky"))), e)[1])(a_person(g)),
        "schema:sameAs"),
    "inference without basis": (lambda g: _drop(g, one(g, RDF.type, WS.Inference), WS.basis), "ws:basis"),
    "inferred via step without basis": (
        lambda g: _drop(g, next(n for n in g.subjects(RDF.type, WS.Inference)
                                if (n, WS.onProperty, WS.agent) in g), WS.basis), "ws:basis"),
    "inferred period without basis": (
        lambda g: _drop(g, next(n for n in g.subjects(RDF.type, WS.Inference)
                                if (n, WS.onProperty, WS.periodStart) in g), WS.basis), "ws:basis"),
    "via step inference not an inference": (
        lambda g: (lambda s: (g.add((s, WS.inferred, a_person(g))), s)[1])(
            next(s for s in g.subjects(RDF.type, WS.ViaStep) if (s, WS.inferred, None) in g)),
        "ws:inferred"),
    "claim link with an unknown relation": (
        lambda g: (lambda link: (g.set((link, WS.relation, WS.endorses)), link)[1])(one(g, RDF.type, WS.ClaimLink)),
        "ws:relation"),
    "external alias not a language string": (
        lambda g: (lambda e: (g.add((e, WS.externalAltLabel, Literal(42))), e)[1])(a_person(g)),
        "ws:externalAltLabel"),
    "two external descriptions": (
        lambda g: (lambda e: (g.add((e, WS.externalDescription, Literal("One.", lang="en"))),
                              g.add((e, WS.externalDescription, Literal("Two.", lang="en"))), e)[2])(a_person(g)),
        "ws:externalDescription"),
    "possiblySame without its reason": (
        lambda g: (lambda link: (g.set((link, WS.relation, WS.possiblySame)), link)[1])(one(g, RDF.type, WS.ClaimLink)),
        "needs its reason"),
    "claim link without target": (lambda g: _drop(g, one(g, RDF.type, WS.ClaimLink), WS.target), "ws:target"),
    "claim link to an undescribed claim": (
        lambda g: (lambda link: (g.set((link, WS.source, URIRef("https://w3id.org/whosaid/claim/ghost"))), link)[1])(
            one(g, RDF.type, WS.ClaimLink)), "ws:source"),
    "topic outside scheme": (lambda g: _drop(g, TOPIC.killed, SKOS.inScheme), "skos:inScheme"),
    "reified claim with wrong predicate": (
        lambda g: (lambda c: (g.set((c, RDF.predicate, WS.lossRate)), c)[1])(one(g, RDF.type, RDF.Statement)),
        "reified claim"),
    # Issue 11: occasions, modality and hedges, caveats, insertions, qualifiers, chains, curation.
    "claim without modality": (lambda g: _drop(g, a_claim(g), WS.modality), "ws:modality"),
    "modality outside the list": (
        lambda g: (lambda c: (g.set((c, WS.modality, WS.Certain)), c)[1])(a_claim(g)), "ws:modality"),
    "hedge not in the report's evidence": (
        lambda g: (lambda r: (g.set((r, WS.hedge, Literal("perhaps"))), r)[1])(one(g, WS.hedge)),
        "not in the report's evidence"),
    "asserted claim with a hedge": (
        lambda g: (lambda c: (g.set((c, WS.modality, WS.Asserted)), c)[1])(
            next(g.subjects(WS.report, one(g, WS.hedge)))), "stated outright"),
    "editorial insertion outside the quote": (
        lambda g: (lambda c: (g.set((c, WS.editorialInsertion, Literal("[elsewhere]"))), c)[1])(
            one(g, WS.editorialInsertion)), "editorial insertion"),
    "occasion not an occasion": (
        lambda g: (lambda c: (g.set((c, WS.occasion, a_person(g))), c)[1])(one(g, WS.occasion)),
        "ws:occasion"),
    "occasion kind outside the list": (
        lambda g: (lambda o: (g.set((o, WS.occasionKind, WS.Rumour)), o)[1])(one(g, WS.occasionKind)),
        "ws:occasionKind"),
    "report without curation": (lambda g: _drop(g, a_report(g), PROV.wasGeneratedBy), "wasGeneratedBy"),
    "extraction without extractor": (
        lambda g: (lambda c: (g.set((c, WS.method, WS.Extraction)), c)[1])(one(g, RDF.type, WS.Curation)),
        "an extraction names"),
    "reviewed without reviewer": (
        lambda g: _drop(g, one(g, WS.reviewStatus, WS.Reviewed), WS.reviewedBy), "reviewer"),
    "confidence above one": (
        lambda g: (lambda c: (g.set((c, WS.method, WS.Extraction)), g.set((c, WS.extractor, Literal("x"))),
                              g.set((c, SCHEMA.softwareVersion, Literal("1"))),
                              g.set((c, WS.confidence, Literal(Decimal("1.5")))), c)[4])(
            one(g, RDF.type, WS.Curation)), "ws:confidence"),
    "attributed to an agent outside the chain": (
        lambda g: (lambda r: (g.set((r, WS.attributedTo, a_person(g))), r)[1])(a_report(g)),
        "not one of its via agents"),
    "caveat of an undescribed claim": (
        lambda g: (lambda c: (g.add((c, WS.caveats, URIRef("https://w3id.org/whosaid/claim/ghost"))), c)[1])(
            a_claim(g)), "ws:caveats"),
    "qualifier not a string": (
        lambda g: (lambda q: (g.set((q, WS.qualifier, Literal(42))), q)[1])(a_quantity(g)), "ws:qualifier"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_shape_rejects_its_minimal_bad_graph(valid, case):
    g = Graph()
    for t in valid:
        g.add(t)
    breaks, expected = CASES[case]
    focus = breaks(g)
    violations = validate_graph(g)
    assert violations, f"{case}: the broken graph passed validation"
    hits = [v for v in violations if v.focus == str(focus)
            and (expected in (v.path or "") or expected in v.message)]
    assert hits, f"{case}: expected a violation on {focus} about {expected}, got " + \
        "; ".join(str(v) for v in violations)


def test_via_positions_must_not_repeat(valid):
    g = Graph()
    for t in valid:
        g.add(t)
    report = one(g, WS.via, None)
    step = next(g.objects(report, WS.via))
    twin = URIRef(f"{step}-twin")
    g.add((report, WS.via, twin))
    g.add((twin, RDF.type, WS.ViaStep))
    g.add((twin, WS.agent, g.value(step, WS.agent)))
    g.add((twin, WS.position, g.value(step, WS.position)))
    assert any(v.focus == str(report) and "via positions" in v.message for v in validate_graph(g))


def test_shapes_cover_every_class_the_data_uses(compiled):
    """Every class used in the data is a target of a shape, directly or through a superclass."""
    from graph.validate import shapes_graph
    from rdflib.namespace import SH
    corpus, ds = compiled
    data = union_graph(ds)
    shapes = shapes_graph()
    targets = set(shapes.objects(None, SH.targetClass))
    object_targets = set(shapes.objects(None, SH.targetObjectsOf))
    instances = [(s, o) for c in ds.graphs() if not str(c.identifier).endswith("/ontology")
                 for s, o in c.subject_objects(RDF.type)]
    for node, cls in instances:
        supers = set(data.transitive_objects(cls, RDFS.subClassOf))
        by_property = {p for p in object_targets if (None, p, node) in data}
        assert supers & targets or by_property, f"no shape targets {node} (a {cls})"
