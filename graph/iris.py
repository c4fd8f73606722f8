"""Vocabularies and the IRIs whosaid mints.

The vocabulary (ontology and topics) lives at a fixed namespace, as standard vocabularies do; the
data (entities, articles, claims and the named graphs holding them) lives under the configurable
base IRI, so that a deployment can make its IRIs resolve on its own host.
"""

from __future__ import annotations

import re
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
           "ONTOLOGY_IRI", "PREFIXES", "Minter", "BadId", "ID_KINDS", "SLUG"]

# What a corpus id may be (graph/corpus.py checks every id it reads against the same pattern),
# and the kinds of object an API id can name: "entity/nis", "claim/...", "article/...".
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
ID_KINDS = ("entity", "claim", "article")


class BadId(ValueError):
    """An id that cannot name anything; the message names the id and says what an id is."""

    def __init__(self, ref: object, kind: str | None):
        shown = repr(ref) if len(str(ref)) <= 60 else repr(str(ref)[:57]) + "..."
        what = f"{'an' if kind == 'article' or kind == 'entity' else 'a'} {kind} id" if kind else "an id"
        example = f"{kind}/<slug>" if kind else "entity/<slug>, claim/<slug> or article/<slug>"
        super().__init__(f"{shown} is not {what}: write {example}, where the slug is lowercase "
                         "letters, digits, '-' or '_' (or give the full IRI)")


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

    def split_id(self, ref: str, kind: str | None = None) -> tuple[str, str]:
        """(kind, slug) of an API id: the object's IRI, "kind/slug", or, when `kind` is given,
        the bare slug. Raises BadId when `ref` cannot be an id (of that kind)."""
        text = ref.strip() if isinstance(ref, str) else ""
        if text.startswith(self.base):
            text = text[len(self.base):]
        found_kind, sep, slug = text.partition("/")
        if not sep and kind is not None:
            found_kind, slug = kind, text
        if found_kind not in ID_KINDS or (kind is not None and found_kind != kind) \
                or not SLUG.match(slug):
            raise BadId(ref, kind)
        return found_kind, slug

    def iri_of_id(self, kind: str, ref: str) -> str:
        """The IRI of the `kind` ("entity", "claim" or "article") object an API id names: its
        IRI, "kind/slug" or the bare slug. The one place an id becomes an IRI: raises BadId,
        whose message names the id, when it cannot be one."""
        _, slug = self.split_id(ref, kind)
        return f"{self.base}{kind}/{slug}"

    def iri_of_node_id(self, ref: str) -> tuple[str, str]:
        """(kind, IRI) of an id of any kind ("entity/nis", "claim/...", or an IRI); BadId if none."""
        kind, slug = self.split_id(ref)
        return kind, f"{self.base}{kind}/{slug}"
