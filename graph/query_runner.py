"""Running SPARQL queries that clients send, under a time limit that really stops them.

pyoxigraph's Python API has no query timeout (oxigraph issue 1926), and a thread cannot be killed,
so a runaway query in a thread would burn a core until it finished. Each client query therefore
runs in a worker process holding its own read-only view of the store; when the time limit passes,
the worker is killed (which does stop the evaluation) and a fresh one takes its place.

Results are capped at a number of rows (solutions for SELECT, triples for CONSTRUCT/DESCRIBE),
as Virtuoso's ResultSetMaxRows does: the first rows are returned and the answer says it was cut.
"""

from __future__ import annotations

import io
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass, field

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


@dataclass
class Request:
    query: str
    accept: list[str]                       # media types the client takes, best first
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    truncated: bool = False


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""


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


def _answer(store, req: Request, max_rows: int) -> Answer:
    import pyoxigraph as ox
    from rdflib.query import Result
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
        return Answer(400, "text/plain", f"malformed query: {exc}".encode())
    if isinstance(results, ox.QueryBoolean):
        media = _pick(req.accept, BOOLEAN_TYPES)
        if media is None:
            return Answer(406, "text/plain", b"an ASK result is served as application/sparql-results+json or +xml")
        r = Result("ASK")
        r.askAnswer = bool(results)
        return Answer(200, media, r.serialize(format=BOOLEAN_TYPES[media]))
    if isinstance(results, ox.QuerySolutions):
        media = _pick(req.accept, SOLUTION_TYPES)
        if media is None:
            return Answer(406, "text/plain", ("SELECT results are served as " + ", ".join(SOLUTION_TYPES)).encode())
        names = [v.value for v in results.variables]
        rows, truncated = [], False
        for solution in results:  # evaluation is lazy: stopping here stops the query
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([solution[v] for v in names])
        if SOLUTION_TYPES[media] == "tsv":
            return Answer(200, media, _tsv(names, rows), truncated)
        from rdflib import Variable
        r = Result("SELECT")
        r.vars = [Variable(n) for n in names]
        r.bindings = [{Variable(n): to_rdflib(t) for n, t in zip(names, row) if t is not None}
                      for row in rows]
        out = io.BytesIO()
        r.serialize(out, format=SOLUTION_TYPES[media], encoding="utf-8")
        return Answer(200, media, out.getvalue(), truncated)
    media = _pick(req.accept, GRAPH_TYPES)
    if media is None:
        return Answer(406, "text/plain", ("CONSTRUCT and DESCRIBE results are served as " + ", ".join(GRAPH_TYPES)).encode())
    triples, truncated = [], False
    for triple in results:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    body = ox.serialize(triples, format=getattr(ox.RdfFormat, GRAPH_TYPES[media]))
    return Answer(200, media, body, truncated)


def _worker(store_path: str, conn) -> None:
    """Serve requests on `conn` until it closes: (Request, max_rows) in, Answer out."""
    import pyoxigraph as ox
    store = ox.Store.read_only(store_path)
    while True:
        try:
            req, max_rows = conn.recv()
        except EOFError:
            return
        try:
            answer = _answer(store, req, max_rows)
        except Exception as exc:  # one bad query must not take the worker down
            answer = Answer(400, "text/plain", f"the query could not be evaluated: {exc}".encode())
        conn.send(answer)


# ---------------------------------------------------------------------------------------------
# The pool, in the server process
# ---------------------------------------------------------------------------------------------

class _Worker:
    def __init__(self, ctx, store_path: str):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(store_path, child), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryRunner:
    """A small pool of worker processes over one on-disk store."""

    def __init__(self, settings, workers: int | None = None):
        self.store_path = settings.store
        self.timeout, self.max_rows = settings.sparql_timeout, settings.sparql_max_rows
        workers = workers or settings.sparql_workers
        # spawn, not fork: the server process has threads, and forking those is unsafe.
        self._ctx = mp.get_context("spawn")
        self._size = workers
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._started = False
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                for _ in range(self._size):
                    self._idle.put(_Worker(self._ctx, self.store_path))
                self._started = True

    def run(self, req: Request) -> Answer:
        """Answer one query; raises QueryTimeout when it runs past the limit."""
        self._start()
        worker = self._idle.get()
        timed_out = False
        try:
            worker.conn.send((req, self.max_rows))
            if worker.conn.poll(self.timeout):
                answer = worker.conn.recv()
                self._idle.put(worker)
                return answer
            timed_out = True
        except (EOFError, OSError):
            pass
        # Past the limit, or the worker died: kill it (which stops the evaluation), replace it.
        worker.kill()
        self._idle.put(_Worker(self._ctx, self.store_path))
        if timed_out:
            raise QueryTimeout(f"the query was stopped after {self.timeout:g} s "
                               "(WHOSAID_SPARQL_TIMEOUT); add LIMIT or make it more selective")
        return Answer(400, "text/plain", b"the query could not be evaluated: its worker stopped")

    def restart(self, store_path: str | None = None) -> None:
        """Replace every worker, so that they read `store_path` (a fresh snapshot) from now on."""
        with self._lock:
            if store_path is not None:
                self.store_path = store_path
            if not self._started:
                return
            for _ in range(self._size):
                self._idle.get().kill()
            for _ in range(self._size):
                self._idle.put(_Worker(self._ctx, self.store_path))

    def close(self) -> None:
        while self._started and not self._idle.empty():
            self._idle.get_nowait().kill()


class RemoteQueryRunner:
    """Client queries forwarded to an external store's endpoint, under the same time limit.

    The external store evaluates them under its own limits too (Fuseki --timeout, Virtuoso
    MaxQueryExecutionTime, GraphDB's query timeout); whosaid stops waiting at its own and does
    not cap rows here (set the store's result-row limit)."""

    def __init__(self, settings):
        import httpx
        self.endpoint, self.timeout = settings.store, settings.sparql_timeout
        self.max_rows = settings.sparql_max_rows
        self._http = httpx.Client(timeout=self.timeout)

    def run(self, req: Request) -> Answer:
        import httpx
        form = {"query": req.query}
        params = [("default-graph-uri", g) for g in req.default_graphs] + \
                 [("named-graph-uri", g) for g in req.named_graphs]
        try:
            response = self._http.post(self.endpoint, data=form, params=params,
                                       headers={"accept": ", ".join(req.accept)})
        except httpx.TimeoutException:
            raise QueryTimeout(f"the external store did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            return Answer(502, "text/plain", f"the external store cannot be reached: {exc}".encode())
        media = response.headers.get("content-type", "text/plain").split(";")[0]
        status = response.status_code if response.status_code in (200, 400, 406) else 502
        return Answer(status, media, response.content)

    def restart(self, store_path: str | None = None) -> None:
        """Nothing to restart: the external store always answers from its current state."""

    def close(self) -> None:
        self._http.close()
