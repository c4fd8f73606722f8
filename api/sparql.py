"""/sparql: the SPARQL 1.1 Protocol, read-only.

Queries by GET (?query=), by POST as a form (query=) or as application/sparql-query; the
default-graph-uri and named-graph-uri parameters choose the dataset (without them, the default
graph is the union of all graphs). Results by content negotiation, or by a `format` parameter.
Any update, by any route, is refused: the store the queries run on is opened read-only as well.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from graph.query_runner import BOOLEAN_TYPES, GRAPH_TYPES, SOLUTION_TYPES, QueryTimeout, Request as QueryRequest

from .negotiation import accepted_types, rdf_response

router = APIRouter()
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# The `format` parameter, as SPARQL clients (SPARQLWrapper, YASGUI, curl users) send it. Where a
# name fits both result kinds (json, xml), the query form picks: solutions or a graph.
FORMAT_PARAM = {
    "json": ["application/sparql-results+json", "application/ld+json"],
    "xml": ["application/sparql-results+xml", "application/rdf+xml"],
    "csv": ["text/csv"], "tsv": ["text/tab-separated-values"],
    "ttl": ["text/turtle"], "turtle": ["text/turtle"], "n3": ["text/turtle"],
    "nt": ["application/n-triples"], "ntriples": ["application/n-triples"],
    "jsonld": ["application/ld+json"], "json-ld": ["application/ld+json"],
    "rdfxml": ["application/rdf+xml"], "rdf+xml": ["application/rdf+xml"],
    "trig": ["application/trig"],
}
UPDATE_REFUSED = "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, " \
                 "CREATE, ADD, MOVE, COPY) are refused"


def _plain(status: int, message: str, **headers) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)


def _is_update(text: str) -> bool:
    """Whether text parses as a SPARQL update (asked only of texts that are not queries)."""
    from rdflib.plugins.sparql.parser import parseUpdate
    try:
        parseUpdate(text)
    except Exception:  # any parse failure means "not an update"
        return False
    return True


async def _read(request: Request) -> tuple[str | None, dict[str, list[str]]] | Response:
    """(query text, protocol parameters) from any of the three routes, or an error response."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "GET":
        if "update" in params:
            return _plain(403, UPDATE_REFUSED)
        return (params.get("query", [None])[0], params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/sparql-update":
        return _plain(403, UPDATE_REFUSED)
    if content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return _plain(400, "the form is not UTF-8")
        if "update" in form:
            return _plain(403, UPDATE_REFUSED)
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        return (form.get("query", [None])[0], params)
    if content_type == "application/sparql-query":
        try:
            return (body.decode("utf-8"), params)
        except UnicodeDecodeError:
            return _plain(400, "the query is not UTF-8")
    return _plain(415, "POST a query as application/sparql-query or as an "
                       "application/x-www-form-urlencoded form with query=")


@router.api_route("/sparql", methods=["GET", "POST"], include_in_schema=False)
async def sparql(request: Request) -> Response:
    read = await _read(request)
    if isinstance(read, Response):
        return read
    query, params = read
    if query is None:
        return _without_query(request)
    if "format" in params:
        wanted = FORMAT_PARAM.get(params["format"][0])
        if wanted is None:
            return _plain(400, f"unknown format {params['format'][0]!r}; use one of {', '.join(FORMAT_PARAM)}")
        accept = wanted
    else:
        accept = accepted_types(request.headers.get("accept", "")) or ["*/*"]
    offered = set(SOLUTION_TYPES) | set(GRAPH_TYPES) | set(BOOLEAN_TYPES)
    if not any(m in offered or m.endswith("/*") for m in accept):
        return _plain(406, "results are served as " + ", ".join(sorted(offered)))
    runner = request.app.state.query_runner
    job = QueryRequest(query=query, accept=accept, default_graphs=params.get("default-graph-uri", []),
                       named_graphs=params.get("named-graph-uri", []))
    try:
        answer = await asyncio.to_thread(runner.run, job)
    except QueryTimeout as exc:
        return _plain(503, str(exc))
    if answer.status == 400 and _is_update(query):
        return _plain(403, UPDATE_REFUSED)
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Whosaid-Truncated"] = f"results cut at {runner.max_rows} rows; add LIMIT/OFFSET"
    if answer.status != 200:
        return _plain(answer.status, answer.body.decode("utf-8", "replace"), **headers)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def _without_query(request: Request) -> Response:
    """No query: a form for a person, the Service Description for an RDF client."""
    accept = accepted_types(request.headers.get("accept", ""))
    if accept and accept[0] == "text/html":
        return HTMLResponse(QUERY_PAGE)
    if request.method == "GET" and any(m in GRAPH_TYPES or m == "application/ld+json" for m in accept):
        return rdf_response(service_description(request), accept)
    return _plain(400, "no query: send ?query=... (see the SPARQL 1.1 Protocol)")


def service_description(request: Request) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    endpoint = URIRef(str(request.url_for("sparql")))
    service = BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for media in (*SOLUTION_TYPES, *GRAPH_TYPES):
        g.add((service, SD.resultFormat, Literal(media)))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for name in request.app.state.store.named_graphs():
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, SD.name, URIRef(name)))
    return g


QUERY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>whosaid SPARQL</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
textarea{width:100%;height:14rem;font:13px ui-monospace,monospace}</style></head>
<body><h1>SPARQL</h1>
<p>Read-only SPARQL 1.1 endpoint of the whosaid graph. The default graph is the union of all
graphs: one per article, one per claim, one for entities, one for the ontology.</p>
<form method="get" action="sparql">
<textarea name="query">PREFIX ws: &lt;https://w3id.org/whosaid/ontology#&gt;
PREFIX skos: &lt;http://www.w3.org/2004/02/skos/core#&gt;
PREFIX schema: &lt;https://schema.org/&gt;

# Who made which claims about North Korean casualties, with what figures?
SELECT ?who ?statement ?min ?max WHERE {
  ?claim ws:topic &lt;https://w3id.org/whosaid/topic/casualties&gt; ;
         ws:claimant/skos:prefLabel ?who ; ws:statement ?statement .
  OPTIONAL { ?claim ws:value/schema:minValue ?min }
  OPTIONAL { ?claim ws:value/schema:maxValue ?max }
}
ORDER BY ?who</textarea>
<p><label>Results as <select name="format"><option value="json">JSON</option>
<option value="xml">XML</option><option value="csv" selected>CSV</option>
<option value="tsv">TSV</option><option value="ttl">Turtle (CONSTRUCT)</option></select></label>
<button type="submit">Run</button></p></form></body></html>
"""
