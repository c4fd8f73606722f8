"""The whosaid HTTP service: one FastAPI app over one store.

    /graphql    the who-said-what GraphQL API (GraphiQL in a browser)
    /sparql     the SPARQL 1.1 Protocol, read-only (a query form in a browser)
    /dump.*     the whole dataset, streamed (ttl, nt, rdf, trig, nq, jsonld)
    /           where to start
    /healthz    liveness, with the store's size
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse

from graph.config import Settings
from graph.read import Reader
from graph.store import Store, open_store

from graph.query_runner import QueryRunner, RemoteQueryRunner
from graph.remote_store import is_remote

from . import dumps, sparql
from .graphql_http import graphql_endpoint

log = logging.getLogger("whosaid")


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    store = store or open_store(settings.store)
    limits = dict(timeout=float(os.environ.get("WHOSAID_SPARQL_TIMEOUT", "5")),
                  max_rows=int(os.environ.get("WHOSAID_SPARQL_MAX_ROWS", "10000")))
    runner = RemoteQueryRunner(settings.store, **limits) if is_remote(settings.store) \
        else QueryRunner(settings.store, **limits)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.close()

    app = FastAPI(title="whosaid", version="0.1.0", lifespan=lifespan,
                  description="A who-said-what knowledge graph of news reporting.")
    app.state.settings = settings
    app.state.store = store
    app.state.reader = Reader(store, settings.base_iri)
    app.state.query_runner = runner

    app.add_api_route("/graphql", graphql_endpoint, methods=["GET", "POST"],
                      include_in_schema=False)
    app.include_router(sparql.router)
    app.include_router(dumps.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return ("<!doctype html><html lang=en><meta charset=utf-8><title>whosaid</title>"
                "<h1>whosaid</h1><p>A who-said-what knowledge graph of news reporting.</p>"
                "<ul><li><a href=/graphql>GraphQL API (GraphiQL)</a></li>"
                "<li><a href=/sparql>SPARQL endpoint</a></li>"
                "<li><a href=/docs>HTTP API documentation</a></li></ul>")

    @app.get("/healthz")
    def healthz() -> dict:
        """Liveness: the store answers, and how many quads it holds."""
        return {"status": "ok", "quads": len(store)}

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "bad request", "details": exc.errors()}, status_code=400)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # Never a stack trace to a client; the log keeps it.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error: the server could not answer this request"},
                            status_code=500)

    return app
