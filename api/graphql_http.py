"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

Written here rather than taken from strawberry's FastAPI router because that router does not
implement the application/graphql-response+json media type and the status codes that go with it
(400 for a request that cannot be executed, 200 for one that ran), nor the limits below.
Execution itself is strawberry's: this module speaks HTTP and keeps each request to its share.

- GET/HEAD /graphql?query=...&variables=...&operationName=...&extensions=...   queries only
  (a mutation is 405); HEAD answers as GET would, without the body.
- POST /graphql  Content-Type: application/json  {"query", "variables", "operationName", "extensions"}
- Accept: application/graphql-response+json -> that media type, with 4xx for request errors;
  application/json (or none, or */*) -> application/json, 200 whenever the request was well-formed.
- GET with Accept: text/html and no query -> GraphiQL.

In the order a request meets them:
1. An Authorization header is checked before anything is read: a token that is not valid is 401
   (on a server with write tokens; a read-only server has none to check it against).
2. The body: WHOSAID_MAX_QUERY_BYTES without a valid write token, WHOSAID_MAX_SUBMISSION_BYTES
   with one; 413 over it, from Content-Length before reading and while reading. JSON nested deeper
   than MAX_JSON_DEPTH, or holding a lone UTF-16 surrogate, is 400 before it is used.
3. The query text is parsed once (2,000 tokens at most); the schema reuses that document and
   measures its depth, aliases and cost before validating it (api/schema.py).
4. A read takes a place on the read pool (api/read_pool.py) or gets 503 with Retry-After at once.
   It must finish within WHOSAID_QUERY_TIMEOUT of its arrival: past that, or when its client goes
   away, its execution is cancelled and its store reads stop at their next row (graph/store.py).
5. A mutation is never cut short by the read time limit nor by a disconnect: the write path
   (graph/ingest.py via api/loaders.py) either commits and answers, or refuses before writing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from itertools import accumulate
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError, GraphQLSyntaxError

from graph.store import Deadline, Interrupted, reads_until

from .assets import graphiql_page
from .loaders import Context
from .negotiation import accepted_types
from .read_pool import read_pool
from .schema import MAX_TOKENS, schema

log = logging.getLogger("whosaid.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
METHODS = ["GET", "HEAD", "POST"]  # what api/app.py routes to graphql_endpoint
MAX_JSON_DEPTH = 64   # an addArticle input nests about 6 deep
DISCONNECT_POLL = 0.1  # seconds between checks that the client is still there
RETRY_AFTER = "1"


def _accepted(request: Request) -> str | None:
    """The response media type the client accepts, or None when it accepts neither."""
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    for media in accepted_types(accept):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return None


def _error(status: int, message: str, media: str = JSON, headers: dict | None = None,
           code: str | None = None) -> Response:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JSONResponse({"errors": [error]}, status_code=status, media_type=media, headers=headers)


def _wants_ide(request: Request) -> bool:
    return (request.method in ("GET", "HEAD") and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", ""))


# ---------------------------------------------------------------------------------------------
# Who is asking: checked before the body is read
# ---------------------------------------------------------------------------------------------

class _Unauthorized(Exception):
    pass


def _token_name(request: Request) -> str | None:
    """The name of the write token the request carries; None without an Authorization header.
    A header that does not carry a valid bearer token raises _Unauthorized. A read-only server
    (no tokens) has nothing to check a header against: it reads as if there were none, and a
    mutation is told that writes are off."""
    header = request.headers.get("authorization")
    if header is None or not request.app.state.write_tokens:
        return None
    scheme, _, secret = header.partition(" ")
    name = None
    if scheme.lower() == "bearer" and secret.strip():
        name = request.app.state.write_tokens.name_of(secret.strip())
    if name is None:
        raise _Unauthorized()
    return name


def _unauthorized(media: str) -> Response:
    return _error(401, "the Authorization header does not carry a valid write token: send "
                       "Authorization: Bearer <secret> with a token the server was started with, "
                       "or no Authorization header to read", media,
                  headers={"WWW-Authenticate": 'Bearer realm="whosaid", error="invalid_token"'},
                  code="UNAUTHENTICATED")


# ---------------------------------------------------------------------------------------------
# Reading the request
# ---------------------------------------------------------------------------------------------

class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_NESTING = [0] * 256
_NESTING[ord("[")] = _NESTING[ord("{")] = 1
_NESTING[ord("]")] = _NESTING[ord("}")] = -1


def json_nesting(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, without parsing it (and so without
    the recursion a 100,000-deep body would cause): strings are cut out, then brackets counted."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(_NESTING[b] for b in brackets), default=0)


def _lone_surrogate(value: Any, where: str) -> str | None:
    """Where a JSON value holds a string with a lone UTF-16 surrogate ("\\ud800"), which no
    RDF store or UTF-8 text can hold; None if nowhere."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"{where} holds a lone UTF-16 surrogate ({value[exc.start]!r} at character {exc.start})"
        return None
    if isinstance(value, dict):
        for key, v in value.items():
            found = _lone_surrogate(key, f"a key in {where}") or _lone_surrogate(v, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _lone_surrogate(v, f"{where}[{i}]")
            if found:
                return found
    return None


def _decode_json(text: bytes | str, what: str) -> Any:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    depth = json_nesting(raw)
    if depth > MAX_JSON_DEPTH:
        raise _Refused(400, f"{what} nests {depth:,} levels of arrays and objects, over the "
                            f"limit of {MAX_JSON_DEPTH}")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise _Refused(400, f"{what} is not valid JSON") from None


async def _read_body(request: Request, limit: int, setting: str) -> bytes:
    over = _Refused(413, f"the request body is over {limit:,} bytes ({setting}"
                    + ("; a valid write token allows WHOSAID_MAX_SUBMISSION_BYTES)"
                       if setting == "WHOSAID_MAX_QUERY_BYTES" else ")"))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:  # refused before reading any of it
        raise over
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise over
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_params(request: Request, writer: str | None) -> dict[str, Any]:
    settings = request.app.state.settings
    if request.method in ("GET", "HEAD"):
        if len(request.url.query) > settings.max_query_bytes:
            raise _Refused(414, f"the query string is over {settings.max_query_bytes:,} bytes "
                                "(WHOSAID_MAX_QUERY_BYTES)")
        params: dict[str, Any] = dict(request.query_params)
        for name in ("variables", "extensions"):
            if name in params:
                params[name] = _decode_json(params[name], name)
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise _Refused(415, f"POST bodies must be {JSON}, not {content_type or 'untyped'}")
    if writer is None:
        limit, setting = settings.max_query_bytes, "WHOSAID_MAX_QUERY_BYTES"
    else:
        limit, setting = settings.max_submission_bytes, "WHOSAID_MAX_SUBMISSION_BYTES"
    params = _decode_json(await _read_body(request, limit, setting), "the request body")
    if not isinstance(params, dict):
        raise _Refused(400, "the request body must be a JSON object with a query")
    return params


def _check_params(params: dict[str, Any], max_query_bytes: int) -> tuple[str, dict | None, str | None, dict | None]:
    query, variables = params.get("query"), params.get("variables")
    operation_name, extensions = params.get("operationName"), params.get("extensions")
    if not isinstance(query, str) or not query.strip():
        raise _Refused(400, "a query (a non-empty string) is required")
    if len(query.encode("utf-8", "surrogatepass")) > max_query_bytes:
        raise _Refused(413, f"the query text is over {max_query_bytes:,} bytes (WHOSAID_MAX_QUERY_BYTES)")
    if variables is not None and not isinstance(variables, dict):
        raise _Refused(400, "variables must be a JSON object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _Refused(400, "operationName must be a string")
    if extensions is not None and not isinstance(extensions, dict):
        raise _Refused(400, "extensions must be a JSON object")
    for name, value in (("query", query), ("variables", variables),
                        ("operationName", operation_name), ("extensions", extensions)):
        surrogate = _lone_surrogate(value, name)
        if surrogate:
            raise _Refused(400, f"{surrogate}: text must be valid Unicode")
    return query, variables, operation_name, extensions


# ---------------------------------------------------------------------------------------------
# The endpoint
# ---------------------------------------------------------------------------------------------

async def graphql_endpoint(request: Request) -> Response:
    if _wants_ide(request):
        return graphiql_page()  # served from the package: no CDN
    media = _accepted(request)
    if media is None:
        return _error(406, f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}")
    try:
        writer = _token_name(request)
    except _Unauthorized:
        return _unauthorized(media)
    settings = request.app.state.settings
    try:
        params = await _read_params(request, writer)
        query, variables, operation_name, extensions = _check_params(params, settings.max_query_bytes)
    except _Refused as refused:
        return _error(refused.status, refused.message, media, headers=refused.headers)

    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError as exc:
        return _respond({"errors": [exc.formatted]}, media, request_error=True)
    try:
        kind = _operation_type(document, operation_name)
    except _Refused as refused:
        return _respond({"errors": [{"message": refused.message}]}, media, request_error=True)
    mutation = kind == OperationType.MUTATION
    if mutation and request.method != "POST":
        return _error(405, "mutations are sent with POST", media, headers={"Allow": "POST"})

    pool = read_pool(request.app)
    context = Context(request.app.state.reader, writer=writer, writes=request.app.state.writes,
                      pool=pool, document=document, max_query_cost=settings.max_query_cost,
                      arrived=getattr(request.state, "arrived", None))
    execution = schema.execute(query, variable_values=variables, operation_name=operation_name,
                               context_value=context, operation_extensions=extensions)
    if mutation:
        # Never cancelled: a write commits and answers, or is refused before writing.
        return _answer(await execution, media)

    if not pool.try_admit():
        execution.close()
        return _error(503, f"the server is answering as many reads as it can "
                           f"({pool.workers} running, {pool.queue} waiting); retry shortly",
                      media, headers={"Retry-After": RETRY_AFTER}, code="BUSY")
    try:
        return await _run_read(request, execution, media)
    finally:
        pool.leave()


async def _run_read(request: Request, execution, media: str) -> Response:
    """Run a read within its time, counted from arrival; stop it when the time is up or its
    client has gone."""
    seconds = request.app.state.settings.query_timeout
    arrived = getattr(request.state, "arrived", None) or time.monotonic()
    deadline = Deadline(arrived + seconds, seconds)
    with reads_until(deadline):  # the task, and the read threads it uses, get a copy of it
        task = asyncio.ensure_future(execution)
    try:
        while not task.done():
            remaining = deadline.at - time.monotonic()
            if remaining <= 0:
                return _timeout(seconds, media)
            await asyncio.wait({task}, timeout=min(DISCONNECT_POLL, remaining))
            if not task.done() and await request.is_disconnected():
                log.info("client went away; its GraphQL read was stopped")
                return Response(status_code=499)  # nobody reads it: nginx's "client closed request"
        result = task.result()
    finally:
        if not task.done():
            deadline.cancel()
            task.cancel()
    if any(isinstance(getattr(e, "original_error", None), Interrupted) for e in result.errors or ()):
        return _timeout(seconds, media)
    return _answer(result, media)


def _timeout(seconds: float, media: str) -> Response:
    return _respond({"data": None, "errors": [{
        "message": f"the query was stopped after {seconds:g} s, counted from its arrival "
                   "(WHOSAID_QUERY_TIMEOUT); ask for less (smaller pages, fewer nested fields)",
        "extensions": {"code": "TIMEOUT"}}]}, media)


def _answer(result, media: str) -> Response:
    payload: dict[str, Any] = {}
    errors = [e.formatted for e in result.errors or []]
    # A request error (syntax, validation, limits) has no path and nothing executed: the
    # response then has no data entry at all, which is what marks it as a request error.
    request_error = result.data is None and bool(errors) and all(
        not isinstance(e, GraphQLError) or e.path is None for e in result.errors)
    if not request_error:
        payload["data"] = result.data
    if errors:
        payload["errors"] = errors
    return _respond(payload, media, request_error=request_error)


def _operation_type(document, operation_name: str | None) -> OperationType:
    """The type of the operation the request runs; _Refused when it names none that can run."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
        if not operations:
            raise _Refused(400, f"the document has no operation named {operation_name!r}")
    if not operations:
        raise _Refused(400, "the document has no operation to run (only fragments)")
    if len(operations) > 1:
        raise _Refused(400, f"the document has {len(operations)} operations: name the one to "
                            "run with operationName")
    if operations[0].operation == OperationType.SUBSCRIPTION:
        raise _Refused(400, "this server has no subscriptions: send a query or a mutation")
    return operations[0].operation


def _respond(payload: dict, media: str, request_error: bool = False) -> Response:
    status = 400 if (request_error and media == GRAPHQL_RESPONSE) else 200
    return JSONResponse(payload, status_code=status, media_type=media)
