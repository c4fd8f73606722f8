"""The ontology, the shapes and the code agree: every term the build emits is declared, labelled,
defined, and checked by a shape."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from graph.rdf import ontology_graph
from graph.validate import shapes_graph

ONTOLOGY = "https://w3id.org/whosaid/ontology"


def emitted_terms(ds):
    """Classes and properties used by the data graphs (everything but the ontology graph)."""
    classes, properties = set(), set()
    for g in ds.graphs():
        if str(g.identifier) == ONTOLOGY or not len(g):
            continue
        for s, p, o in g:
            properties.add(p)
            if p == RDF.type:
                classes.add(o)
    return classes, properties


def shape_paths(shapes):
    paths = set(shapes.objects(None, SH.path))
    paths |= {shapes.value(p, SH.inversePath) for p in list(paths) if shapes.value(p, SH.inversePath)}
    return {p for p in paths if isinstance(p, URIRef)}


def test_every_emitted_class_and_property_is_declared_with_label_and_definition(compiled):
    _, ds = compiled
    ontology = ontology_graph()
    classes, properties = emitted_terms(ds)
    for term in classes | properties - {RDF.type}:
        declared = set(ontology.objects(term, RDF.type))
        assert declared & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                           OWL.AnnotationProperty, RDF.Property}, f"{term} is not declared"
        assert ontology.value(term, RDFS.label), f"{term} has no label"
        assert ontology.value(term, SKOS.definition), f"{term} has no definition"


def test_every_emitted_property_is_checked_by_a_shape(compiled):
    _, ds = compiled
    _, properties = emitted_terms(ds)
    # rdf:type is checked through sh:targetClass/sh:class, not as a path.
    unchecked = properties - shape_paths(shapes_graph()) - {RDF.type}
    assert not unchecked, f"no shape has a path for {sorted(unchecked)}"


def test_every_ws_term_in_the_ontology_has_label_and_definition():
    ontology = ontology_graph()
    ws = "https://w3id.org/whosaid/ontology#"
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(ws)}
    assert len(terms) > 40
    for term in terms:
        assert ontology.value(term, RDFS.label), f"{term} has no label"
        assert ontology.value(term, SKOS.definition), f"{term} has no definition"


def test_every_ws_term_the_shapes_use_is_in_the_ontology():
    ontology = ontology_graph()
    ws = "https://w3id.org/whosaid/ontology#"
    used = {o for o in shapes_graph().objects() if isinstance(o, URIRef) and str(o).startswith(ws)}
    missing = {t for t in used if (t, RDF.type, None) not in ontology}
    assert not missing, f"shapes use undeclared terms {sorted(missing)}"


def test_every_topic_has_label_definition_and_is_in_the_scheme():
    ontology = ontology_graph()
    ws_topic = URIRef("https://w3id.org/whosaid/ontology#Topic")
    scheme = URIRef("https://w3id.org/whosaid/topic/scheme")
    topics = set(ontology.subjects(RDF.type, ws_topic))
    assert {str(t).rsplit("/", 1)[1] for t in topics} >= {
        "casualties", "killed", "wounded", "captured", "deployed-strength", "loss-rate",
        "combat-presence", "reinforcements", "territory"}
    for t in topics:
        assert (t, SKOS.inScheme, scheme) in ontology
        assert ontology.value(t, SKOS.prefLabel) and ontology.value(t, SKOS.definition)
