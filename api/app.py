"""The whosaid HTTP service: one FastAPI app over one store.

    /graphql    the who-said-what GraphQL API (GraphiQL in a browser)
    /sparql     the SPARQL 1.1 Protocol, read-only (a query form in a browser)
    /dump.*     the whole dataset, streamed (ttl, nt, rdf, trig, nq, jsonld)
    /docs       the HTTP API documentation (Swagger UI; ReDoc at /redoc), from api/static/
    /           where to start
    /healthz    liveness, with the store's size

Every route goes through api/protection.py: arrival time, body limits, security headers.
"""

from __future__ import annotations

import logging
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from graph.config import Settings
from graph.index import ClaimIndex, IndexView, has_index
from graph.ingest import Ingest, WriteTimedOut, WriteWindow
from graph.query_runner import QueryRunner, RemoteQueryRunner
from graph.read import Reader
from graph.remote_store import is_remote
from graph.store import Store, open_store_for

from . import assets, dumps, linked_data, review_desk, sparql
from .graphql_http import METHODS as GRAPHQL_METHODS, graphql_endpoint
from .protection import Protection

log = logging.getLogger("whosaid")


class Writes:
    """The server's single writer. It applies a change to the live store through graph.ingest,
    then publishes a new snapshot for every reader: GraphQL, the pages and the dumps read a
    read-only snapshot taken after the last write, and each request keeps the one it started
    with, so no reader ever sees the store between two queries of someone else's write.

    Writes run one at a time on their own thread (`executor`), so that no amount of reading can
    delay a write past its time limit, and no write takes a thread readers need.

    The claim index (graph/index/) is updated by the write itself, after the store's commit;
    each published Reader pins one read snapshot of it, taken right after the store's snapshot
    and before the next write can begin (the one write thread publishes), so the two match."""

    KEEP = 4  # snapshots kept: a request still reading an older one finishes on it

    def __init__(self, live, settings: Settings, state, runner, snapshots: Path):
        self.ingest = Ingest(live, settings.base_iri, settings.max_submission_bytes)
        self.ingest.index  # open the claim index now, rebuilt if out of step (not on a write)
        self.live, self.settings, self.state, self.runner = live, settings, state, runner
        self.snapshots = snapshots
        self.generation = 0
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whosaid-write")
        shutil.rmtree(snapshots, ignore_errors=True)

    def publish(self, references_changed: bool = True) -> None:
        """Snapshot the live store and point every reader at the snapshot. Unless the write
        changed entities or topics, the new reader carries over the old one's."""
        self.generation += 1
        path = self.live.snapshot(self.snapshots / str(self.generation))
        store = Store.open(path, read_only=True)
        index = self.ingest.index
        previous = getattr(self.state, "reader", None)
        self.state.store = store
        self.state.reader = Reader(store, self.settings.base_iri,
                                   IndexView(index.path) if index is not None else None,
                                   references=None if references_changed else previous)
        self.runner.restart(str(path))
        shutil.rmtree(self.snapshots / str(self.generation - self.KEEP), ignore_errors=True)

    def apply(self, action, writer: str, window: WriteWindow):
        try:
            change = action(self.ingest, writer, window)
        except WriteTimedOut as exc:
            print(f"whosaid: abandoned {exc.what}: its time ran out while it was {exc.stage}; "
                  "nothing was written", file=sys.stderr, flush=True)
            raise
        if change.kind != "unchanged":
            self.publish(change.references_changed)
        return change

    @staticmethod
    def log_write(writer: str):
        """The line a write leaves on stderr as its transaction begins: the operator's record of
        what was committed when, and the moment a crash test waits for."""
        def log(what: str) -> None:
            print(f"whosaid: writing {what} (by {writer})", file=sys.stderr, flush=True)
        return log


class RemoteWrites(Writes):
    """Writes to an external store: it is its own snapshot; only the entity index is refreshed."""

    def __init__(self, live, settings: Settings, state):
        self.ingest = Ingest(live, settings.base_iri, settings.max_submission_bytes)
        self.settings, self.state = settings, state
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whosaid-write")

    def publish(self, references_changed: bool = True) -> None:
        if references_changed:
            self.state.reader.refresh()


def _read_only_index(store, settings: Settings) -> IndexView | None:
    """The claim index of a store served read-only (rebuilt first if out of step); None for an
    external store, or when the index cannot be written (searches then use SPARQL)."""
    if not has_index(store):
        return None
    try:
        index = ClaimIndex.for_store(store, settings.base_iri)
        index.close()
        return IndexView(index.path)
    except Exception:  # the index is an accelerator: never a reason not to serve
        log.exception("claim index unavailable for %s: claim searches will scan the store", store.path)
        return None


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    tokens = settings.write_token_table()
    remote = is_remote(settings.store)
    # With write tokens the server owns the store: it opens it for writing and readers use
    # snapshots of it (see Writes). Without, the store is opened read-only and read directly.
    store = store or open_store_for(settings, read_only=not tokens)
    runner = RemoteQueryRunner(settings, store) if remote else QueryRunner(settings)
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.close()

    app = FastAPI(title="whosaid", version="0.1.0", lifespan=lifespan,
                  description="A who-said-what knowledge graph of news reporting.",
                  docs_url=None, redoc_url=None)  # assets.install serves them without a CDN
    app.state.settings = settings
    app.state.store = store
    app.state.query_runner = runner
    app.state.writes = None
    if tokens and not remote:
        app.state.writes = Writes(store, settings, app.state, runner, Path(f"{settings.store}.snapshots"))
        app.state.writes.publish()
    else:
        app.state.reader = Reader(store, settings.base_iri, _read_only_index(store, settings))
        if tokens:
            app.state.writes = RemoteWrites(store, settings, app.state)
    app.state.write_tokens = tokens

    app.add_api_route("/graphql", graphql_endpoint, methods=GRAPHQL_METHODS,
                      include_in_schema=False)
    app.include_router(linked_data.router)
    app.include_router(review_desk.router)
    app.include_router(sparql.router)
    app.include_router(dumps.router)
    assets.install(app)
    app.add_middleware(Protection, settings=settings)

    @app.get("/healthz")
    def healthz(request: Request) -> dict:
        """Liveness: the store answers, and how many quads it holds (a kept count with the
        claim index, so that a probe costs nothing whatever the store holds)."""
        return {"status": "ok", "quads": request.app.state.reader.quads()}
    app.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)

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
