"""The whosaid HTTP service: one FastAPI app over one store.

    /graphql    the who-said-what GraphQL API (GraphiQL in a browser)
    /sparql     the SPARQL 1.1 Protocol, read-only (a query form in a browser)
    /dump.*     the whole dataset, streamed (ttl, nt, rdf, trig, nq, jsonld)
    /           where to start
    /healthz    liveness, with the store's size
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse

from graph.config import Settings
from graph.ingest import Ingest
from graph.query_runner import QueryRunner, RemoteQueryRunner
from graph.read import Reader
from graph.remote_store import is_remote
from graph.store import Store, open_store

from . import dumps, linked_data, sparql
from .graphql_http import graphql_endpoint

log = logging.getLogger("whosaid")


class Writes:
    """The server's single writer. It applies a change to the live store through graph.ingest,
    then publishes a new snapshot for every reader: GraphQL, the pages and the dumps read a
    read-only snapshot taken after the last write, and each request keeps the one it started
    with, so no reader ever sees the store between two queries of someone else's write."""

    KEEP = 4  # snapshots kept: a request still reading an older one finishes on it

    def __init__(self, live, settings: Settings, state, runner, snapshots: Path):
        self.ingest = Ingest(live, settings.base_iri, settings.max_submission_bytes)
        self.live, self.settings, self.state, self.runner = live, settings, state, runner
        self.snapshots = snapshots
        self.generation = 0
        shutil.rmtree(snapshots, ignore_errors=True)

    def publish(self) -> None:
        """Snapshot the live store and point every reader at the snapshot."""
        self.generation += 1
        path = self.live.snapshot(self.snapshots / str(self.generation))
        store = Store.open(path, read_only=True)
        self.state.store = store
        self.state.reader = Reader(store, self.settings.base_iri)
        self.runner.restart(str(path))
        shutil.rmtree(self.snapshots / str(self.generation - self.KEEP), ignore_errors=True)

    def apply(self, action, writer: str):
        change = action(self.ingest, writer)
        if change.kind != "unchanged":
            self.publish()
        return change


class RemoteWrites(Writes):
    """Writes to an external store: it is its own snapshot; only the entity index is refreshed."""

    def __init__(self, live, settings: Settings, state):
        self.ingest = Ingest(live, settings.base_iri, settings.max_submission_bytes)
        self.state = state

    def publish(self) -> None:
        self.state.reader.refresh()


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    tokens = settings.write_token_table()
    remote = is_remote(settings.store)
    # With write tokens the server owns the store: it opens it for writing and readers use
    # snapshots of it (see Writes). Without, the store is opened read-only and read directly.
    store = store or open_store(settings.store, read_only=not tokens,
                                update_endpoint=settings.update_endpoint)
    runner = RemoteQueryRunner(settings) if remote else QueryRunner(settings)
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.close()

    app = FastAPI(title="whosaid", version="0.1.0", lifespan=lifespan,
                  description="A who-said-what knowledge graph of news reporting.")
    app.state.settings = settings
    app.state.store = store
    app.state.query_runner = runner
    app.state.writes = None
    if tokens and not remote:
        app.state.writes = Writes(store, settings, app.state, runner, Path(f"{settings.store}.snapshots"))
        app.state.writes.publish()
    else:
        app.state.reader = Reader(store, settings.base_iri)
        if tokens:
            app.state.writes = RemoteWrites(store, settings, app.state)
    app.state.write_tokens = tokens

    app.add_api_route("/graphql", graphql_endpoint, methods=["GET", "POST"],
                      include_in_schema=False)
    app.include_router(linked_data.router)
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
