"""Running the SPARQL queries clients send: checked first, then evaluated under limits that hold.

Every text is checked by graph/sparql_guard.py before any store sees it (a query, not an update;
no SERVICE outside the operator's allow-list; nesting within bounds), for the embedded store and
for an external one alike.

pyoxigraph's Python API has no query timeout (oxigraph issue 1926), and a thread cannot be killed,
so on the embedded store each query runs in a worker process holding its own read-only view of
the store. When the time limit passes (counted from the request's arrival) or the client goes
away, the worker is killed, which does stop the evaluation, and a fresh one takes its place. Each
worker's address space is capped (RLIMIT_AS), and a worker that still holds much memory after a
query is replaced, since the allocator keeps what a big query took.

The pool never borrows the event loop's default thread pool: at most `sparql_workers` queries
run and `sparql_queue` wait; past that a query is refused at once (Busy). The blocking pipe work
for a worker runs on threads of the runner's own, one per worker.

Results are capped at a number of rows (solutions for SELECT, triples for CONSTRUCT/DESCRIBE),
as Virtuoso's ResultSetMaxRows does: the first rows are returned and the answer says it was cut;
and at a number of bytes, past which the answer is refused with 413.
"""

from __future__ import annotations

import asyncio
import collections
import io
import logging
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from .sparql_guard import check, query_form

log = logging.getLogger("whosaid")

# Result media types, by query form. Each maps to a serialiser name understood by the worker.
SOLUTION_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
BOOLEAN_TYPES = {k: v for k, v in SOLUTION_TYPES.items() if v in ("json", "xml")}
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "application/trig": "TRIG",
    "application/n-quads": "N_QUADS",
}

POLL = 0.2         # seconds between checks that the client is still there
RECYCLE_SHARE = 4  # a worker left holding over 1/4 of its memory cap after a query is replaced
READY = "ready"    # what a worker says once its store is open
OPEN = "open"      # (OPEN, path): read the store at path from now on


@dataclass
class Request:
    query: str
    accept: list[str]                       # media types the client takes, best first
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    form: str | None = None                 # SELECT, CONSTRUCT, DESCRIBE, ASK: set once checked


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    truncated: bool = False


def _refused(status: int, message: str) -> Answer:
    return Answer(status, "text/plain", message.encode("utf-8"))


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


class Busy(Exception):
    """Every worker is busy and the wait queue is full."""


class ClientGone(Exception):
    """The client disconnected; its work was stopped."""


Gone = Callable[[], Awaitable[bool]]


# ---------------------------------------------------------------------------------------------
# The worker process
# ---------------------------------------------------------------------------------------------

def _pick(accept: list[str], offered: dict[str, str]) -> str | None:
    for media in accept:
        if media in offered:
            return media
        if media in ("*/*", "application/*") or (media == "text/*" and any(m.startswith("text/") for m in offered)):
            return next(m for m in offered if media == "*/*" or m.startswith(media[:-1]))
    return None


def to_rdflib(term):
    """A pyoxigraph term as the rdflib term it denotes."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _tsv(names: list[str], rows: list[list]) -> bytes:
    """SPARQL 1.1 TSV results. Written here because rdflib has no TSV result serialiser and
    pyoxigraph's serialises only a whole result, which the row cap cannot allow. Terms are in
    their N-Triples form (pyoxigraph's str), with tabs escaped as the format requires."""
    lines = ["\t".join(f"?{n}" for n in names)]
    for row in rows:
        lines.append("\t".join("" if t is None else str(t).replace("\t", "\\t") for t in row))
    return ("\n".join(lines) + "\n").encode("utf-8")




def _too_big(max_bytes: int) -> Answer:
    return _refused(413, f"the answer would be over {max_bytes:,} bytes "
                         "(WHOSAID_MAX_RESPONSE_BYTES); add LIMIT, or select fewer or shorter values")


def _size(term) -> int:
    return 0 if term is None else len(term.value)


SELECT_TYPES = "SELECT results are served as " + ", ".join(SOLUTION_TYPES)
GRAPH_FORM_TYPES = "CONSTRUCT and DESCRIBE results are served as " + ", ".join(GRAPH_TYPES)
ASK_TYPES = "an ASK result is served as application/sparql-results+json or +xml"


def _boolean_answer(value: bool, accept: list[str]) -> Answer:
    from rdflib.query import Result
    media = _pick(accept, BOOLEAN_TYPES)
    if media is None:
        return _refused(406, ASK_TYPES)
    r = Result("ASK")
    r.askAnswer = value
    return Answer(200, media, r.serialize(format=BOOLEAN_TYPES[media]))


def _solutions_body(names: list[str], rows: list[list], media: str) -> bytes:
    """Solutions (rows of pyoxigraph terms, None where unbound) in one of SOLUTION_TYPES."""
    if SOLUTION_TYPES[media] == "tsv":
        return _tsv(names, rows)
    from rdflib import Variable
    from rdflib.query import Result
    r = Result("SELECT")
    r.vars = [Variable(n) for n in names]
    r.bindings = [{Variable(n): to_rdflib(t) for n, t in zip(names, row) if t is not None}
                  for row in rows]
    out = io.BytesIO()
    r.serialize(out, format=SOLUTION_TYPES[media], encoding="utf-8")
    return out.getvalue()


def _graph_body(triples: list, media: str) -> bytes:
    """Triples in one of GRAPH_TYPES."""
    import pyoxigraph as ox
    return ox.serialize(triples, format=getattr(ox.RdfFormat, GRAPH_TYPES[media]))


def _answer(store, req: Request, max_rows: int, max_bytes: int) -> Answer:
    import pyoxigraph as ox
    options: dict = {}
    if req.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if req.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
    try:
        results = store.query(req.query, **options)
    except SyntaxError as exc:
        return _refused(400, f"malformed query: {exc}")
    if isinstance(results, ox.QueryBoolean):
        return _boolean_answer(bool(results), req.accept)
    if isinstance(results, ox.QuerySolutions):
        media = _pick(req.accept, SOLUTION_TYPES)
        if media is None:
            return _refused(406, SELECT_TYPES)
        names = [v.value for v in results.variables]
        rows, truncated, size = [], False, 0
        for solution in results:  # evaluation is lazy: stopping here stops the query
            if len(rows) == max_rows:
                truncated = True
                break
            row = [solution[v] for v in names]
            size += sum(_size(t) for t in row)
            if size > max_bytes:  # the values alone are too big: refuse before serialising
                return _too_big(max_bytes)
            rows.append(row)
        body = _solutions_body(names, rows, media)
        return _too_big(max_bytes) if len(body) > max_bytes else Answer(200, media, body, truncated)
    media = _pick(req.accept, GRAPH_TYPES)
    if media is None:
        return _refused(406, GRAPH_FORM_TYPES)
    triples, truncated, size = [], False, 0
    for triple in results:
        if len(triples) == max_rows:
            truncated = True
            break
        size += _size(triple.subject) + _size(triple.predicate) + _size(triple.object)
        if size > max_bytes:
            return _too_big(max_bytes)
        triples.append(triple)
    body = _graph_body(triples, media)
    return _too_big(max_bytes) if len(body) > max_bytes else Answer(200, media, body, truncated)


def _serve(store_path: str, conn, memory_mb: int) -> None:
    """A worker: open the store, say READY, then answer (Request, max_rows, max_bytes) messages
    on `conn` until it closes.

    Its address space is capped (RLIMIT_AS) before the store is opened, so that a cap too small
    to open it shows at once (the parent reports a worker that died before READY). glibc gives
    each thread that allocates its own 64 MB arena reservation, so with RocksDB's threads the
    address space of an idle worker varied from 370 to 630 MB from run to run (27 MB resident),
    which left a query anywhere from 400 to 650 MB under a 1 GB cap; with a single arena (the
    worker evaluates one query at a time, so there is no contention to spare) it is a steady
    108 MB, and opening the store needs a cap of about 200 MB. A query that needs more than the
    cap fails: a Python allocation raises MemoryError, a Rust one aborts the process, which the
    parent reports as such."""
    import ctypes
    import resource
    try:
        ctypes.CDLL(None).mallopt(-8, 1)  # M_ARENA_MAX = 1 (glibc; elsewhere nothing to do)
    except (OSError, AttributeError):
        pass
    cap = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import pyoxigraph as ox
    store = ox.Store.read_only(store_path)
    conn.send(READY)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == OPEN:
            # A newer snapshot: reopening costs milliseconds, where a fresh worker process
            # costs a second of CPU (a writer publishing every second kept workers respawning).
            store = None
            store = ox.Store.read_only(message[1])
            conn.send(READY)
            continue
        req, max_rows, max_bytes = message
        try:
            answer = _answer(store, req, max_rows, max_bytes)
        except MemoryError:
            answer = _refused(400, f"the query needs more memory than a worker may use "
                                   f"({memory_mb} MB, WHOSAID_SPARQL_WORKER_MEMORY_MB); make it "
                                   "more selective")
        except BaseException as exc:  # one bad query must not take the worker down
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            # (pyo3 raises a Rust panic as PanicException, a BaseException.)
            answer = _refused(400, f"the query could not be evaluated: {exc}")
        conn.send(answer)


# ---------------------------------------------------------------------------------------------
# In the server process: admission, checking, the pool
# ---------------------------------------------------------------------------------------------

class _Gate:
    """At most `size` holders at once and at most `queue` waiting (first come, first served).
    Lives on the event loop; only coroutines on it enter and leave."""

    def __init__(self, size: int, queue: int):
        self.size, self.queue = size, queue
        self._free = size
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    async def enter(self, deadline: float, gone: Gone, limit: float) -> None:
        if self._free and not self._waiters:
            self._free -= 1
            return
        if len(self._waiters) >= self.queue:
            raise Busy(f"all {self.size} SPARQL workers are busy and {self.queue} queries are "
                       "waiting (WHOSAID_SPARQL_WORKERS, WHOSAID_SPARQL_QUEUE); try again shortly")
        handed = asyncio.get_running_loop().create_future()
        self._waiters.append(handed)
        try:
            while not handed.done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QueryTimeout(f"the query waited {limit:g} s (WHOSAID_SPARQL_TIMEOUT, "
                                       "counted from its arrival) without a free worker; try again "
                                       "shortly")
                await asyncio.wait([handed], timeout=min(left, POLL))
                if not handed.done() and await gone():
                    raise ClientGone()
        except BaseException:
            if handed.done() and not handed.cancelled():
                self.leave()  # handed a place just as we gave up: pass it on
            else:
                handed.cancel()
                if handed in self._waiters:
                    self._waiters.remove(handed)
            raise

    def leave(self) -> None:
        while self._waiters:
            handed = self._waiters.popleft()
            if not handed.done():
                handed.set_result(None)
                return
        self._free += 1


async def _until(work: asyncio.Future, deadline: float, gone: Gone, stopped: str):
    """The result of `work`, or QueryTimeout(stopped) at the deadline, or ClientGone."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise QueryTimeout(stopped)
        done, _ = await asyncio.wait([work], timeout=min(left, POLL))
        if done:
            return work.result()
        if await gone():
            raise ClientGone()


async def _never_gone() -> bool:
    return False


def _inspect(text: str, allow):
    """(why `text` is refused or None, its query form)."""
    refusal = check(text, allow)
    return refusal, (query_form(text) if refusal is None else None)


class _Runner:
    """What both runners share: admission through the gate, the check of every text, limits."""

    def __init__(self, settings, threads: int):
        self.timeout, self.max_rows = settings.sparql_timeout, settings.sparql_max_rows
        self.max_bytes = settings.max_response_bytes
        self.federation_allow = tuple(settings.federation_allow)
        self._gate_args = (settings.sparql_workers, settings.sparql_queue)
        self._gate: _Gate | None = None
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="whosaid-sparql")

    @property
    def stopped(self) -> str:
        return (f"the query was stopped after {self.timeout:g} s (WHOSAID_SPARQL_TIMEOUT, counted "
                "from its arrival); add LIMIT or make it more selective")

    @asynccontextmanager
    async def _admitted(self, arrived: float | None, gone: Gone):
        """A place among the running (waiting for one if the queue allows); yields the deadline."""
        deadline = (arrived or time.monotonic()) + self.timeout
        if self._gate is None:
            self._gate = _Gate(*self._gate_args)
        await self._gate.enter(deadline, gone, self.timeout)
        try:
            yield deadline
        finally:
            self._gate.leave()

    async def run(self, req: Request, arrived: float | None = None, gone: Gone = _never_gone) -> Answer:
        """Answer one query. Raises Busy when it cannot even wait, QueryTimeout when the time
        limit (from `arrived`) passes, ClientGone when `gone()` says the client left; in every
        case the work done for it is stopped."""
        async with self._admitted(arrived, gone) as deadline:
            checking = asyncio.get_running_loop().run_in_executor(
                self._threads, _inspect, req.query, self.federation_allow)
            refusal, req.form = await _until(checking, deadline, gone, self.stopped)
            if refusal is not None:
                return _refused(refusal.status, refusal.message)
            return await self._evaluate(req, deadline, gone)

    async def call(self, fn: Callable, arrived: float | None = None, gone: Gone = _never_gone):
        """fn() on the runner's threads, admitted and timed like a query: for the little store
        work /sparql does itself (the graph names in its service description), which on an
        external store is a request that may hang."""
        async with self._admitted(arrived, gone) as deadline:
            return await _until(asyncio.get_running_loop().run_in_executor(self._threads, fn),
                                deadline, gone, self.stopped)

    async def _evaluate(self, req: Request, deadline: float, gone: Gone) -> Answer:
        raise NotImplementedError


class _Worker:
    def __init__(self, ctx, store_path: str, memory_mb: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(store_path, child, memory_mb),
                                   daemon=True, name="whosaid-sparql")
        self.process.start()
        child.close()
        self.store_path = store_path   # what it has open, or is opening
        self.ready = False

    def exchange(self, message, store_path: str) -> Answer | None:
        """Send a query and wait for its answer (on a runner thread), first moving the worker to
        `store_path` if a newer snapshot has been published. None when the worker died or was
        killed; then this thread reaps it, since it is the one using its pipe."""
        try:
            if store_path != self.store_path:
                self.store_path = store_path
                self.conn.send((OPEN, store_path))
            self.conn.send(message)
            while True:
                reply = self.conn.recv()
                if reply == READY:
                    self.ready = True
                    continue
                return reply
        except (EOFError, OSError):
            self.reap()
            return None

    def resident_bytes(self) -> int:
        try:
            with open(f"/proc/{self.process.pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    def kill(self) -> None:
        """Stop it now (a signal; does not wait)."""
        try:
            self.process.kill()
        except (OSError, ValueError):
            pass

    def reap(self) -> None:
        self.process.join(timeout=5)
        self.conn.close()


class QueryRunner(_Runner):
    """A small pool of worker processes over one on-disk store."""

    def __init__(self, settings, workers: int | None = None):
        workers = workers or settings.sparql_workers
        # One thread per worker for its pipe, one for checking texts, one for reaping.
        super().__init__(settings, threads=workers + 2)
        self._gate_args = (workers, settings.sparql_queue)
        self.store_path = settings.store
        self.memory_mb = settings.sparql_worker_memory_mb
        # spawn, not fork: the server process has threads, and forking those is unsafe.
        self._ctx = mp.get_context("spawn")
        self._size = workers
        self._idle: list[_Worker] = []
        self._started = False
        # The pool is used on the event loop, and restart() comes from the writer's thread.
        self._lock = threading.Lock()

    def _spawn(self) -> _Worker:
        return _Worker(self._ctx, self.store_path, self.memory_mb)

    def _take(self) -> _Worker:
        with self._lock:
            if not self._started:
                self._idle = [self._spawn() for _ in range(self._size)]
                self._started = True
            # The gate lets in no more queries than there are workers, so one is idle.
            return self._idle.pop()

    def _replace(self, worker: _Worker, reap: bool) -> None:
        worker.kill()
        if reap:
            self._threads.submit(worker.reap)
        with self._lock:
            self._idle.append(self._spawn())

    def _give_back(self, worker: _Worker) -> None:
        heavy = worker.resident_bytes() > (self.memory_mb << 20) // RECYCLE_SHARE
        if not heavy:
            with self._lock:
                self._idle.append(worker)
            return
        self._replace(worker, reap=True)

    async def _evaluate(self, req: Request, deadline: float, gone: Gone) -> Answer:
        worker = self._take()
        loop = asyncio.get_running_loop()
        replied = loop.run_in_executor(self._threads, worker.exchange,
                                       (req, self.max_rows, self.max_bytes), self.store_path)
        try:
            answer = await _until(replied, deadline, gone, self.stopped)
        except BaseException:
            # Past the limit, or nobody is waiting: killing the worker stops the evaluation (its
            # exchange thread then sees the pipe close and reaps it).
            self._replace(worker, reap=False)
            raise
        if answer is not None:
            self._give_back(worker)
            return answer
        self._replace(worker, reap=False)
        if not worker.ready:
            log.error("a SPARQL worker could not open %s (exit code %s)", self.store_path,
                      worker.process.exitcode)
            return _refused(503, f"a SPARQL worker could not open the store; if "
                                 f"WHOSAID_SPARQL_WORKER_MEMORY_MB ({self.memory_mb}) is under "
                                 "about 256, raise it")
        return _refused(400, f"the query could not be evaluated: it stopped its worker, most "
                             f"likely by needing more memory than a worker may use ({self.memory_mb}"
                             " MB, WHOSAID_SPARQL_WORKER_MEMORY_MB); make it more selective")

    def restart(self, store_path: str | None = None) -> None:
        """Read `store_path` (a fresh snapshot) from now on: each worker reopens it before its
        next query (a query already running finishes on the snapshot it started with). Safe to
        call from any thread."""
        if store_path is not None:
            self.store_path = store_path

    def close(self) -> None:
        with self._lock:
            old, self._idle = self._idle, []
        for worker in old:
            worker.kill()
            worker.reap()
        self._threads.shutdown(wait=False, cancel_futures=True)


class RemoteQueryRunner(_Runner):
    """Client queries forwarded to an external store's endpoint, under the same checks and time
    limit, with as many in flight as the embedded store has workers.

    The store is asked for what every SPARQL 1.1 store serves, SPARQL JSON results (SELECT, ASK)
    or N-Triples (CONSTRUCT, DESCRIBE), and the answer is written out here in the format the
    client asked for, by the serialisers the embedded store's answers go through: the same bytes
    for the same solutions, whatever the store's own formats are. (Virtuoso's differ: CSV with
    LF line ends and quoted headers, a TSV without SPARQL's term syntax, booleans as 1/0, no
    TriG; the store adapter's terms turn its booleans and blank nodes back into RDF's.) Rows and
    triples are capped at the row limit as on the embedded store; a store that cut the answer
    itself at a lower cap (X-SPARQL-MaxRows) is reported as truncated too.

    The external store evaluates the queries under its own limits too (Fuseki --timeout, Virtuoso
    MaxQueryExecutionTime, GraphDB's query timeout); whosaid stops waiting at its own and caps the
    body it reads."""

    def __init__(self, settings, store=None):
        super().__init__(settings, threads=2)
        self.endpoint = settings.store
        self._http = None
        from .remote_store import _term
        # The adapter's reading of its engine's terms (graph/virtuoso.py), else the standard's.
        self._term = getattr(store, "_term", None) or _term

    async def _evaluate(self, req: Request, deadline: float, gone: Gone) -> Answer:
        import httpx
        if self._http is None:
            self._http = httpx.AsyncClient()
        fetching = asyncio.ensure_future(self._fetch(req, deadline))
        try:
            return await _until(fetching, deadline, gone,
                                f"the external store did not answer within {self.timeout:g} s "
                                "(WHOSAID_SPARQL_TIMEOUT, counted from the query's arrival)")
        finally:
            fetching.cancel()  # closes the connection to the store if still open

    async def _fetch(self, req: Request, deadline: float) -> Answer:
        import httpx
        form = req.form or "SELECT"
        offered, refusal = {"ASK": (BOOLEAN_TYPES, ASK_TYPES), "SELECT": (SOLUTION_TYPES, SELECT_TYPES)} \
            .get(form, (GRAPH_TYPES, GRAPH_FORM_TYPES))
        if _pick(req.accept, offered) is None:   # refused before the store is asked
            return _refused(406, refusal)
        wanted = "application/n-triples" if offered is GRAPH_TYPES else "application/sparql-results+json"
        params = [("default-graph-uri", g) for g in req.default_graphs] + \
                 [("named-graph-uri", g) for g in req.named_graphs]
        left = max(deadline - time.monotonic(), 0.001)
        try:
            async with self._http.stream("POST", self.endpoint, data={"query": req.query},
                                         params=params, timeout=left,
                                         headers={"accept": wanted}) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        return _too_big(self.max_bytes)
        except httpx.TimeoutException:
            raise QueryTimeout(f"the external store did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            return _refused(502, f"the external store cannot be reached: {exc}")
        if response.status_code != 200:
            media = response.headers.get("content-type", "text/plain").split(";")[0]
            return Answer(400 if response.status_code == 400 else 502, media, bytes(body))
        cap = response.headers.get("x-sparql-maxrows", "")
        store_cap = int(cap) if cap.isdigit() else None
        # Parsing and writing out take time in proportion to the answer: not on the event loop.
        return await asyncio.get_running_loop().run_in_executor(
            self._threads, self._rewrite, form, req.accept, bytes(body), store_cap)

    def _rewrite(self, form: str, accept: list[str], body: bytes, store_cap: int | None) -> Answer:
        """The store's answer (SPARQL JSON results, or N-Triples) in the client's format."""
        import json
        import pyoxigraph as ox
        from .remote_store import RemoteStore
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                items = [ox.Triple(q.subject, q.predicate, q.object)
                         for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
                offered = GRAPH_TYPES
            else:
                parsed = json.loads(body)
                if form == "ASK":
                    return _boolean_answer(RemoteStore._boolean(parsed["boolean"]), accept)
                names = list(parsed["head"]["vars"])
                items = [[self._term(b[n]) if n in b else None for n in names]
                         for b in parsed["results"]["bindings"]]
                offered = SOLUTION_TYPES
        except (ValueError, KeyError, TypeError, SyntaxError) as exc:
            return _refused(502, f"the external store's answer could not be read: {exc}")
        truncated = len(items) > self.max_rows or (store_cap is not None and store_cap <= len(items))
        items = items[:self.max_rows]
        media = _pick(accept, offered)
        body = _graph_body(items, media) if offered is GRAPH_TYPES else _solutions_body(names, items, media)
        return _too_big(self.max_bytes) if len(body) > self.max_bytes else Answer(200, media, body, truncated)

    def restart(self, store_path: str | None = None) -> None:
        """Nothing to restart: the external store always answers from its current state."""

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
