"""/sparql: the SPARQL 1.1 Protocol, read-only.

Queries by GET or HEAD (?query=), by POST as a form (query=) or as application/sparql-query; the
default-graph-uri and named-graph-uri parameters choose the dataset (without them, the default
graph is the union of all graphs). Results by content negotiation, or by a `format` parameter.
Any update, by any route, is refused before it reaches a store (graph/sparql_guard.py), and the
embedded store the queries run on is opened read-only as well. Nothing here parses or evaluates
SPARQL on the event loop: graph/query_runner.py checks and runs each text on its own threads and
worker processes, under limits counted from the request's arrival.
"""

from __future__ import annotations

import math
import time
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from graph.query_runner import (BOOLEAN_TYPES, GRAPH_TYPES, SOLUTION_TYPES, Busy, ClientGone,
                                QueryTimeout, Request as QueryRequest)
from graph.sparql_guard import READ_ONLY

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


def _plain(status: int, message: str, **headers) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)


def _too_large(limit: int) -> Response:
    return _plain(413, f"the query is over {limit:,} bytes (WHOSAID_MAX_QUERY_BYTES)")


async def _body(request: Request, limit: int) -> bytes | Response:
    """The request body, refused with 413 as soon as it is known to pass `limit`: from
    Content-Length before reading, else while a chunked body arrives."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        return _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return _too_large(limit)
    return bytes(body)


async def _read(request: Request, limit: int) -> tuple[list[str], dict[str, list[str]]] | Response:
    """(query texts, protocol parameters) from any of the routes, or an error response."""
    if len(request.url.query) > 3 * limit:  # even percent-encoded, the query would be too long
        return _too_large(limit)
    params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in params:
        return _plain(403, READ_ONLY)
    queries = params.get("query", [])
    if request.method in ("GET", "HEAD"):
        return queries, params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/sparql-update":
        return _plain(403, READ_ONLY)
    if content_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
        return _plain(415, "POST a query as application/sparql-query or as an "
                           "application/x-www-form-urlencoded form with query=")
    body = await _body(request, limit)
    if isinstance(body, Response):
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _plain(400, "the request body is not UTF-8")
    if content_type == "application/sparql-query":
        return queries + [text], params
    form = parse_qs(text, keep_blank_values=True)
    if "update" in form:
        return _plain(403, READ_ONLY)
    for key, values in form.items():
        params.setdefault(key, []).extend(values)
    return params.get("query", []), params


@router.api_route("/sparql", methods=["GET", "HEAD", "POST"], include_in_schema=False)
async def sparql(request: Request) -> Response:
    arrived = getattr(request.state, "arrived", None) or time.monotonic()
    settings = request.app.state.settings
    read = await _read(request, settings.max_query_bytes)
    if isinstance(read, Response):
        return read
    queries, params = read
    if not queries:
        try:
            return await _without_query(request, arrived)
        except (Busy, QueryTimeout) as exc:
            return _plain(503, str(exc), **{"Retry-After": str(math.ceil(settings.sparql_timeout))})
        except ClientGone:
            return _plain(503, "the client went away")
    if len(queries) > 1:
        return _plain(400, f"{len(queries)} queries in one request: send exactly one (a query "
                           "parameter, or a body, not both)")
    query = queries[0]
    if len(query.encode("utf-8", "surrogatepass")) > settings.max_query_bytes:
        return _too_large(settings.max_query_bytes)
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
        answer = await runner.run(job, arrived, request.is_disconnected)
    except Busy as exc:
        return _plain(503, str(exc), **{"Retry-After": str(math.ceil(settings.sparql_timeout))})
    except QueryTimeout as exc:
        return _plain(503, str(exc))
    except ClientGone:
        return _plain(503, "the client went away; its query was stopped")
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Whosaid-Truncated"] = f"results cut at {runner.max_rows} rows; add LIMIT/OFFSET"
    if answer.status != 200:
        return _plain(answer.status, answer.body.decode("utf-8", "replace"), **headers)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


async def _without_query(request: Request, arrived: float) -> Response:
    """No query: a form for a person, the Service Description for an RDF client."""
    accept = accepted_types(request.headers.get("accept", ""))
    if accept and accept[0] == "text/html":
        return HTMLResponse(QUERY_PAGE)
    if request.method in ("GET", "HEAD") and any(m in GRAPH_TYPES or m == "application/ld+json" for m in accept):
        runner = request.app.state.query_runner
        description = await runner.call(lambda: service_description(request), arrived,
                                        request.is_disconnected)
        return rdf_response(description, accept)
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
