"""Where the graph lives: an embedded Oxigraph store on disk (graph/remote_store.py: an external one).

Why pyoxigraph directly rather than rdflib's memory store or oxrdflib (shared/notes/stores.md):
the who-said-what queries stay around a millisecond on Oxigraph from 10^3 to 10^6 claims, while
rdflib's memory store is 5-50x slower and cannot hold 10^6 claims, and oxrdflib adds a fixed
3-4 ms per query converting results. rdflib stays the graph API where it is best: building graphs
from the corpus, SHACL through pyshacl, and the serialisations Oxigraph lacks.

The store keeps one named graph per claim, one per article, one for entities, one for the ontology
and one for the history of changes, so that an article can be replaced on its own. Queries see the union of all graphs as their default graph.

Reads stop when their request's time is up. A request sets a Deadline (a context variable, which
the read pool copies into its worker thread) and Store.select checks it before each query and
every few rows while it reads the answer: pyoxigraph yields solutions lazily, so a timed-out or
abandoned request stops at its next row or its next query instead of running on. What cannot
be interrupted is one evaluation before its first row: a sort (ORDER BY) or an aggregate
(COUNT) computes everything it needs before yielding anything, and runs to its end.
"""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Iterator

import pyoxigraph as ox
from rdflib import Dataset, Graph

from .queries import NamedQuery


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says which and why."""


class Interrupted(RuntimeError):
    """A read stopped because its request timed out or was abandoned by its client."""


class Deadline:
    """When the reads of one request must stop: at a time, or as soon as it is cancelled."""

    ROWS_PER_CHECK = 64

    def __init__(self, at: float, seconds: float):
        self.at, self.seconds = at, seconds  # at: time.monotonic() when time is up
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def check(self) -> None:
        if self.cancelled:
            raise Interrupted("the request was stopped (timed out or abandoned by its client)")
        if time.monotonic() >= self.at:
            raise Interrupted(f"the request was stopped after {self.seconds:g} s")


_deadline: ContextVar[Deadline | None] = ContextVar("whosaid_read_deadline", default=None)


@contextmanager
def reads_until(deadline: Deadline | None) -> Iterator[None]:
    """Reads made in this context (and in threads given a copy of it) stop at `deadline`."""
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def check_deadline() -> None:
    """Raise Interrupted if the current request's reads must stop."""
    deadline = _deadline.get()
    if deadline is not None:
        deadline.check()


class Store:
    # `words` is served by the claim index beside the store (graph/index/), not by the store.
    word_search = False

    def __init__(self, inner: ox.Store, path: Path | None = None):
        self._inner = inner
        self.path = path
        self.query_count = 0  # every SPARQL query sent; the batching tests read it

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> "Store":
        path = Path(path)
        if read_only and not (path / "CURRENT").exists():
            raise StoreError(f"no graph has been built at {path}: run 'whosaid build' first")
        try:
            inner = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"the store at {path} is open for writing in another process (a "
                                 "running `whosaid serve` with writes on?): write through its API "
                                 "(addArticle, removeArticle) or stop it first") from None
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        return cls(inner, path)

    # -- reading ---------------------------------------------------------------------------

    def select(self, query: NamedQuery | str, **bindings) -> list[dict[str, object]]:
        """Run a SELECT; bindings fill the query's VALUES slots (see queries.py). Rows map
        variable names to pyoxigraph terms, unbound variables left out."""
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        deadline = _deadline.get()
        if deadline is not None:
            deadline.check()
        self.query_count += 1
        solutions = self._inner.query(text, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            if deadline is not None and len(rows) % Deadline.ROWS_PER_CHECK == 0:
                deadline.check()
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term
            rows.append(row)
        return rows

    def select_all(self, query: NamedQuery | str, **bindings) -> list[dict[str, object]]:
        """select: an embedded store has no cap on rows (RemoteStore pages here)."""
        return self.select(query, **bindings)

    def ask(self, query: NamedQuery | str, **bindings) -> bool:
        text = query.bind(**bindings) if isinstance(query, NamedQuery) else query
        check_deadline()
        self.query_count += 1
        return bool(self._inner.query(text, use_default_graph_as_union=True))

    def raw_query(self, text: str, **options):
        """A query as a SPARQL client sent it (the /sparql endpoint), results unconverted."""
        self.query_count += 1
        return self._inner.query(text, **options)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._inner.named_graphs())

    def __len__(self) -> int:
        return len(self._inner)

    def graph(self, name: str) -> Graph:
        """One named graph as an rdflib Graph (for validation and export)."""
        g = Graph()
        data = self._inner.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        g.parse(data=data.decode("utf-8"), format="nt")
        return g

    def dataset(self) -> Dataset:
        ds = Dataset()
        ds.parse(data=self.dump(ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
        return ds

    def dump(self, rdf_format: ox.RdfFormat, output: IO[bytes] | None = None,
             prefixes: dict[str, str] | None = None) -> bytes | None:
        """Serialise every named graph; Oxigraph streams into `output` without building the
        serialisation in memory."""
        return self._inner.dump(output, format=rdf_format, prefixes=prefixes)

    # -- writing ---------------------------------------------------------------------------

    def load_dataset(self, ds: Dataset) -> None:
        """Add every quad of an rdflib dataset in one transaction."""
        data = ds.serialize(format="nquads", encoding="utf-8")
        try:
            self._inner.load(data, format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write to the store: {exc}") from None

    def snapshot(self, directory: Path) -> Path:
        """A consistent read-only copy of the store as it is now (a RocksDB checkpoint: hard
        links, milliseconds). Query worker processes read snapshots, never the live store,
        which pyoxigraph does not allow another process to read while it is written."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(directory, ignore_errors=True)
        self._inner.backup(str(directory))
        return directory

    def insert_data(self, graphs: dict[str, str]) -> str:
        """The INSERT DATA operation that adds these graphs' N-Triples (see insert_data)."""
        return insert_data(graphs)

    def update(self, text: str) -> None:
        """Run a SPARQL update in one transaction, then flush it to disk."""
        try:
            self._inner.update(text)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write to the store: {exc}") from None
        self.flush()

    def flush(self) -> None:
        if self.path is not None:
            self._inner.flush()

    def close(self) -> None:
        # pyoxigraph closes the database when the object is dropped.
        self.flush()
        self._inner = None  # type: ignore[assignment]


def insert_data(graphs: dict[str, str], max_block: int | None = None, define: str = "") -> str:
    """One INSERT DATA operation: for each graph (its IRI as SPARQL, to its N-Triples, one triple
    a line) a GRAPH block, or blocks of at most `max_block` triples; `define` goes before it."""
    blocks = []
    for name, triples in graphs.items():
        lines = triples.splitlines(keepends=True)
        step = max_block or max(len(lines), 1)
        for start in range(0, max(len(lines), 1), step):
            blocks.append(f"GRAPH {name} {{\n{''.join(lines[start:start + step])}}}")
    return define + "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


def open_store(location: str | Path, read_only: bool = True, update_endpoint: str | None = None,
               *, base_iri: str | None = None, engine: str = "auto", user: str | None = None,
               password: str | None = None, text_index: bool = False):
    """The store a setting names: a folder (embedded Oxigraph) or an http(s) SPARQL endpoint,
    through the adapter for its engine (graph/remote_store.py, graph/virtuoso.py)."""
    from .config import DEFAULT_BASE_IRI
    from .remote_store import is_remote, remote_store
    if is_remote(str(location)):
        return remote_store(str(location), update_endpoint, base_iri=base_iri or DEFAULT_BASE_IRI,
                            engine=engine, user=user, password=password, text_index=text_index)
    if text_index:
        raise StoreError("WHOSAID_STORE_TEXT_INDEX is for an external store's text index; the "
                         "embedded store's words are in its claim index already")
    return Store.open(location, read_only=read_only)


def open_store_for(settings, read_only: bool = True, location: str | Path | None = None):
    """open_store with everything the settings say about the store (`location` overrides
    settings.store)."""
    return open_store(location or settings.store, read_only, settings.update_endpoint,
                      base_iri=settings.base_iri, engine=settings.store_engine,
                      user=settings.store_user, password=settings.store_password,
                      text_index=settings.store_text_index)


@contextmanager
def fresh_store_at(path: str | Path, copy_current: bool = False) -> Iterator[Store]:
    """Write a new store beside `path`, then swap it in: a failed build leaves the old store
    as it was, and a reader never opens a half-written one. With copy_current, the new store
    starts as a copy of the current one (a RocksDB checkpoint: hard links, milliseconds), for a
    build that changes a few graphs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    if copy_current:
        Store.open(path, read_only=True)._inner.backup(str(staging))
    store = Store.open(staging)
    try:
        yield store
        store.flush()
        store.close()
    except BaseException:
        store.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = path.with_name(path.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if path.exists():
        path.rename(retired)
    staging.rename(path)
    shutil.rmtree(retired, ignore_errors=True)
