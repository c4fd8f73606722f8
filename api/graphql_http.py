"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

Written here rather than taken from strawberry's FastAPI router because that router does not
implement the application/graphql-response+json media type and the status codes that go with it
(400 for a request that cannot be executed, 200 for one that ran), nor a time limit. Execution
itself is strawberry's: this module only speaks HTTP.

- GET  /graphql?query=...&variables=...&operationName=...   queries only (a mutation is 405)
- POST /graphql  Content-Type: application/json  {"query", "variables", "operationName"}
- Accept: application/graphql-response+json -> that media type, with 4xx for request errors;
  application/json (or none, or */*) -> application/json, 200 whenever the request was well-formed.
- GET with Accept: text/html and no query -> GraphiQL.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from graphql import OperationType, parse
from graphql.error import GraphQLError, GraphQLSyntaxError
from strawberry.http.ides import get_graphql_ide_html

from .loaders import Context
from .negotiation import accepted_types
from .schema import MAX_TOKENS, schema

log = logging.getLogger("whosaid.graphql")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


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


def _error(status: int, message: str, media: str = JSON, headers: dict | None = None) -> Response:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status, media_type=media,
                        headers=headers)


def _wants_ide(request: Request) -> bool:
    return (request.method == "GET" and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", ""))


async def _read_params(request: Request, media: str) -> dict[str, Any] | Response:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        if "variables" in params:
            try:
                params["variables"] = json.loads(params["variables"])
            except json.JSONDecodeError:
                return _error(400, "variables is not valid JSON", media)
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        return _error(415, f"POST bodies must be {JSON}, not {content_type or 'untyped'}", media)
    limit = request.app.state.settings.max_submission_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:  # refused before reading or parsing it
        return _error(413, f"the request body is over {limit:,} bytes (WHOSAID_MAX_SUBMISSION_BYTES)", media)
    body = await request.body()
    if len(body) > limit:
        return _error(413, f"the request body is over {limit:,} bytes (WHOSAID_MAX_SUBMISSION_BYTES)", media)
    try:
        params = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "the request body is not valid JSON", media)
    if not isinstance(params, dict):
        return _error(400, "the request body must be a JSON object with a query", media)
    return params


async def graphql_endpoint(request: Request) -> Response:
    if _wants_ide(request):
        return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
    media = _accepted(request)
    if media is None:
        return _error(406, f"this endpoint answers {GRAPHQL_RESPONSE} or {JSON}")
    params = await _read_params(request, media)
    if isinstance(params, Response):
        return params
    query, variables = params.get("query"), params.get("variables")
    operation_name = params.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return _error(400, "a query (a non-empty string) is required", media)
    if variables is not None and not isinstance(variables, dict):
        return _error(400, "variables must be a JSON object", media)
    if operation_name is not None and not isinstance(operation_name, str):
        return _error(400, "operationName must be a string", media)

    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError as exc:
        return _respond({"errors": [exc.formatted]}, media, request_error=True)
    if request.method == "GET" and _is_mutation(document, operation_name):
        return _error(405, "mutations are sent with POST", media, headers={"Allow": "POST"})

    context = Context(request.app.state.reader, writer=_token_name(request),
                      writes=request.app.state.writes)
    try:
        result = await asyncio.wait_for(
            schema.execute(query, variable_values=variables, operation_name=operation_name,
                           context_value=context),
            timeout=request.app.state.settings.query_timeout)
    except asyncio.TimeoutError:
        return _respond({"data": None, "errors": [{
            "message": f"the query was stopped after {request.app.state.settings.query_timeout:g} s; ask for less "
                       "(smaller pages, fewer nested fields)",
            "extensions": {"code": "TIMEOUT"}}]}, media)
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


def _token_name(request: Request) -> str | None:
    """The name of the write token the request carries, if it is a valid one."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return request.app.state.write_tokens.name_of(secret.strip())


def _is_mutation(document, operation_name: str | None) -> bool:
    from graphql.language import OperationDefinitionNode
    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode) and d.operation != OperationType.QUERY:
            if operation_name is None or (d.name and d.name.value == operation_name):
                return True
    return False


def _respond(payload: dict, media: str, request_error: bool = False) -> Response:
    status = 400 if (request_error and media == GRAPHQL_RESPONSE) else 200
    return JSONResponse(payload, status_code=status, media_type=media)
