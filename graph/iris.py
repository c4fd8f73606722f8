"""Vocabularies and the IRIs whosaid mints.

The vocabulary (ontology and topics) lives at a fixed namespace, as standard vocabularies do; the
data (entities, articles, claims and the named graphs holding them) lives under the configurable
base IRI, so that a deployment can make its IRIs resolve on its own host.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

WS = Namespace("https://w3id.org/whosaid/ontology#")
ONTOLOGY_IRI = URIRef("https://w3id.org/whosaid/ontology")
TOPIC = Namespace("https://w3id.org/whosaid/topic/")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")

PREFIXES = {
    "ws": WS, "topic": TOPIC, "schema": SCHEMA, "oa": OA, "prov": PROV, "skos": SKOS,
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "dcterms": DCTERMS,
}

__all__ = ["WS", "TOPIC", "SCHEMA", "OA", "PROV", "SKOS", "RDF", "RDFS", "OWL", "XSD", "DCTERMS",
           "ONTOLOGY_IRI", "PREFIXES", "Minter"]


@dataclass(frozen=True)
class Minter:
    """Mints the data IRIs under one base. Every IRI is a pure function of corpus ids, so builds
    are deterministic and an IRI never changes while its id does not."""

    base: str

    def entity(self, entity_id: str) -> URIRef:
        return URIRef(f"{self.base}entity/{entity_id}")

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}article/{article_id}")

    def claim(self, claim_id: str) -> URIRef:
        return URIRef(f"{self.base}claim/{claim_id}")

    def report(self, claim_id: str, article_id: str) -> URIRef:
        return URIRef(f"{self.base}claim/{claim_id}/report/{article_id}")

    def article_graph(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/article/{article_id}")

    def claim_graph(self, claim_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/claim/{claim_id}")

    @property
    def entities_graph(self) -> URIRef:
        return URIRef(f"{self.base}graph/entities")

    @property
    def ontology_graph(self) -> URIRef:
        return ONTOLOGY_IRI

    def local_id(self, iri: str) -> str | None:
        """The API id of a data IRI: its path under the base ("claim/nis-no-combat"), or None."""
        return iri[len(self.base):] if iri.startswith(self.base) else None

    def from_local_id(self, local_id: str) -> URIRef:
        return URIRef(self.base + local_id)
