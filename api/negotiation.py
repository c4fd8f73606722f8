"""Content negotiation shared by the SPARQL endpoint, the Linked Data pages and the dumps."""

from __future__ import annotations

from fastapi.responses import Response
from rdflib import Graph

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def accepted_types(accept: str) -> list[str]:
    """Media types of an Accept header, best first (q=0 dropped; ties keep the client's order)."""
    ranked = []
    for order, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, order, media.lower()))
    return [m for _, _, m in sorted(ranked)]


def rdf_response(graph: Graph, accept: list[str]) -> Response:
    """Serialise an rdflib graph in the first RDF type the client accepts (Turtle for */*)."""
    for media in accept:
        if media in ("*/*", "text/*"):
            media = "text/turtle"
        elif media == "application/*":
            media = "application/n-triples"
        if media in RDF_TYPES:
            body = graph.serialize(format=RDF_TYPES[media], encoding="utf-8")
            return Response(body, media_type=media, headers={"Vary": "Accept"})
    return Response("this resource is served as " + ", ".join(RDF_TYPES) + "\n", status_code=406,
                    media_type="text/plain", headers={"Vary": "Accept"})
