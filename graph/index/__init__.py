"""The claim index: a derived SQLite file that answers claim searches without scanning the graph.

Why: Oxigraph sorts every match before ORDER BY ... LIMIT, counts by enumerating, and has no text
index (oxigraph issue 48), so a claim search cost what the graph holds. The index keeps, per
claim, its sort key (the start of its statedOn span, '9999-12-31' when unknown) and id, and B-trees
of (filter value, key, id) for every filter (claimant; about; topic, with each claim filed under
its topic and every broader one; article; reporter, i.e. the outlet of each reporting article and
every via agent). A search walks the most selective of them in the API's order, checks the other
filters per row through the (claim, value) index, and stops after `first + 1` rows: its cost is
that of its page. Single-filter and unfiltered totals are counts kept by triggers; a combination
is counted by walking its most selective filter (the cost of its matches, never of the graph).
Text search keeps its meaning (case-insensitive substring of the statement, the quote or an
evidence) through FTS5's trigram tokenizer over the lowercased texts, one row per text, with an
exact substring check on the candidates; a needle under 3 characters (which trigrams cannot look
up) is checked row by row while walking in order, so a page stays cheap but its count is a scan.

Where: `<store folder>/whosaid-index.sqlite`, inside the store's folder, so that it lives and
dies with the store it was derived from (a build swaps the whole folder in; RocksDB leaves files
it does not name alone). Read-only snapshots (RocksDB checkpoints) do not copy it: readers of a
snapshot read the live index file through a pinned read transaction (below).

Consistency. The RDF store stays the source of truth; the index is updated by the one write path
(graph/ingest.py), right after the store's transaction commits and under the same write lock, in
one SQLite transaction that also records the id of the change it applied (the history graph's
newest ws:Change). The file is in WAL mode, so a reader's read transaction sees one committed
state for as long as it is open: each Reader pins one (IndexView: BEGIN and a first read) when it
is made. The server makes a Reader when it publishes a snapshot, after the write's store and
index commits and before the next write can start (writes run one at a time on one thread), so
the pinned index state is exactly the one of its store snapshot, and a request that keeps its
Reader sees both from one moment. Crash safety: a kill -9 between the store's commit and the
index's leaves an index whose recorded change is not the store's newest; whoever opens the index
for a store (the server at start, `whosaid add`, `whosaid reindex`) compares the two and, when they
differ or the file is missing or half-built, rebuilds the index from the store in one transaction
and logs it. `whosaid reindex` rebuilds on demand. External stores (a SPARQL endpoint) have no
index: their searches keep the SPARQL path (graph/read.py).

Moving instead of copying. A rebuild (graph/build.py _carry_index) moves the old store's index
into the new store folder rather than copying gigabytes, but only when no process has it open: a
reader pinned to a snapshot would lose it if the file moved or changed under it. So every opener
(ClaimIndex, IndexView) holds a shared flock on the file from before its connection opens until
it closes, and move_index moves only under an exclusive one, taken without waiting (else the
build copies). An opener re-checks after locking that the path still names the file it locked, as
a move may come between its open and its lock. A lock's descriptor is closed only once no opener
in this process has that file open: closing any descriptor of a file drops every POSIX lock the
process holds on it, SQLite's included (a WAL connection's shared lock on the file, which tells
another process's closing connection it is not the last one and must not delete the WAL).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from ..iris import Minter
from ..queries import named

log = logging.getLogger("whosaid.index")

INDEX_FILE = "whosaid-index.sqlite"
SCHEMA = (Path(__file__).resolve().parent / "schema.sql").read_text(encoding="utf-8")
VERSION = "7"  # bump when schema.sql or what is indexed changes: older files are rebuilt
UNKNOWN = "9999-12-31"
TEXTS_PER_CLAIM = 4096  # text rowids: claim n * 4096 + i
SHORT = 3               # trigram lookups need 3 characters
BATCH = 500             # claims per store query when updating
SMALL_TERM = 2000       # below this many claims, a filter drives the walk even with text
COMMON_GRAMS = 20000    # a needle whose rarest trigram is in more texts than this is common...
WALK_ROWS = 5000        # ...so its page walks claims in order, checking at most this many


def index_path(store_path: str | Path) -> Path:
    return Path(store_path) / INDEX_FILE


def has_index(store) -> bool:
    """Whether `store` is an embedded store on disk (the ones that get an index)."""
    return getattr(store, "path", None) is not None and hasattr(store, "snapshot")


def span(stated: str | None) -> tuple[str, str | None, str | None]:
    """(sort key, span start, span end) of a statedOn value, as claim_search.rq computes them."""
    if stated is None:
        return UNKNOWN, None, None
    if len(stated) == 4:
        return f"{stated}-01-01", f"{stated}-01-01", f"{stated}-12-31"
    if len(stated) == 7:
        return f"{stated}-01", f"{stated}-01", f"{stated}-31"
    return stated, stated, stated


def latest_change(store) -> str:
    rows = store.select(named("latest_change"))
    return rows[0]["change"].value if rows else ""


_FDS = threading.RLock()  # reentrant: an IndexView's __del__ may release while a release runs
_users: dict[tuple[int, int], int] = {}        # (device, inode) -> lock descriptors open on it
_idle: dict[tuple[int, int], list[int]] = {}   # ... released, waiting for the last to close


def _file(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _flock(path: Path, flags: int, how: int) -> int | None:
    """A descriptor of the file at `path` holding flock `how`, on the file the path names once
    locked; None if `how` has LOCK_NB and another descriptor holds a conflicting lock."""
    for _ in range(10):
        fd = os.open(path, flags, 0o644)
        key = _file(fd)
        with _FDS:
            _users[key] = _users.get(key, 0) + 1
        try:
            fcntl.flock(fd, how)
            st = os.stat(path)
            if (st.st_dev, st.st_ino) == key:
                return fd
        except BlockingIOError:
            _release(fd)
            return None
        except FileNotFoundError:  # moved away meanwhile: open what the path names now
            pass
        except BaseException:
            _release(fd)
            raise
        _release(fd)
    raise OSError(f"{path} kept being replaced while it was opened")


def _release(fd: int) -> None:
    key = _file(fd)
    fcntl.flock(fd, fcntl.LOCK_UN)
    with _FDS:
        _idle.setdefault(key, []).append(fd)
        _users[key] -= 1
        if _users[key] == 0:
            del _users[key]
            for idle in _idle.pop(key):
                os.close(idle)


def move_index(source: Path, target: Path) -> bool:
    """Move the index file `source` to `target` (on the same filesystem), its WAL folded in, if
    no process has it open; False, with the files as they were, if one has or anything fails."""
    try:
        fd = _flock(source, os.O_RDONLY, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    if fd is None:
        return False
    try:
        conn = sqlite3.connect(str(source), isolation_level=None)
        try:
            busy, frames, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()  # the last connection: it deletes the (empty) -wal and -shm
        if busy or frames != done:
            return False
        for suffix in ("-wal", "-shm", "-journal"):
            left = Path(f"{source}{suffix}")
            if left.exists() and left.stat().st_size:  # someone outside the protocol has it
                return False
        os.rename(source, target)
        return True
    except (OSError, sqlite3.Error) as exc:
        log.info("could not move the claim index %s (%s)", source, exc)
        return False
    finally:
        _release(fd)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=120)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a commit survives a killed process
    return conn


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def _other_version(conn: sqlite3.Connection) -> bool:
    """Whether the file holds an index of another VERSION, whose tables the schema's IF NOT
    EXISTS would keep as they are (an older article table has no published column)."""
    try:
        row = conn.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
    except sqlite3.OperationalError:   # a new file: no meta table yet
        return False
    return row is not None and row[0] != VERSION


def _drop_everything(conn: sqlite3.Connection) -> None:
    """Empty the file, so that the schema is created anew and the index rebuilt from the store
    (it is derived: nothing is lost). Virtual tables first: their shadow tables go with them."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for kind in ("virtual", "plain"):
            rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%'").fetchall()
            for name, sql in rows:
                if (sql or "").upper().startswith("CREATE VIRTUAL") == (kind == "virtual"):
                    conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


@dataclass
class _ClaimData:
    id: str
    stated: str | None
    claimant: str
    topic: str
    texts: set
    about: set
    articles: set
    reporters: set
    figure: tuple | None = None   # (subject, unit casefolded or '', low, high) if it states one
    modality: str | None = None   # the ws: concept IRI
    occasion: str | None = None   # the occasion entity IRI
    curation: set = field(default_factory=set)   # ("method" | "review", concept IRI) of its reports


class ClaimIndex:
    """The index file of one store, opened for writing (rebuild, update)."""

    def __init__(self, path: Path, base_iri: str):
        self.path, self.base = Path(path), base_iri
        self.mint = Minter(base_iri)
        self._fd = _flock(self.path, os.O_RDWR | os.O_CREAT, fcntl.LOCK_SH)
        try:
            self.conn = _connect(self.path)
            if _other_version(self.conn):
                _drop_everything(self.conn)
            self.conn.executescript(SCHEMA)
        except BaseException:
            self.close()
            raise
        self._lock = threading.Lock()
        self._unsettled: set[int] = set()   # figure groups whose bounds a write changed

    @classmethod
    def for_store(cls, store, base_iri: str) -> "ClaimIndex":
        """The store's index, rebuilt first if it is missing or out of step with the store."""
        index = cls(index_path(store.path), base_iri)
        index.ensure(store)
        return index

    def close(self) -> None:
        if getattr(self, "conn", None) is not None:
            self.conn.close()
        fd, self._fd = self._fd, None
        if fd is not None:
            _release(fd)

    # -- state -----------------------------------------------------------------------------

    def _meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, **values: str) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def last_change(self) -> str | None:
        return self._meta("last_change")

    def ready(self) -> bool:
        return (self._meta("state") == "ready" and self._meta("version") == VERSION
                and self._meta("base") == self.base)

    def in_step(self, store) -> bool:
        return self.ready() and self.last_change() == latest_change(store)

    def ensure(self, store, quiet: bool = False) -> bool:
        """Rebuild from the store if out of step (a missing, half-built or stale index, as a
        kill -9 between the store's commit and the index's leaves it); True if it rebuilt."""
        if self.in_step(store):
            return False
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")  # another process rebuilding: wait for it
            try:
                again = self.ready() and self.last_change() == latest_change(store)
            finally:
                self.conn.execute("ROLLBACK")
            if again:
                return False
        was = self._meta("last_change") if self.ready() else "(no complete index)"
        (log.info if quiet else log.warning)("claim index at %s is out of step with the store (index at change %s, store "
                    "at %s): rebuilding it from the store", self.path, was or "(none)",
                    latest_change(store) or "(none)")
        self.rebuild(store)
        return True

    # -- rebuilding ------------------------------------------------------------------------

    def rebuild(self, store, claims: dict[str, "_ClaimData"] | None = None) -> dict:
        """Rebuild everything from the store, in one transaction (readers keep the old state).
        `claims`: what to keep of every claim, when the caller already has it (a first build
        reads it from each article's graphs in its workers: claims_in), rather than reading
        every claim back from the store."""
        started = time.perf_counter()
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                change = latest_change(store)
                for table in ("link", "claim", "term", "article", "meta", "gram", "figure",
                              "figure_group", "change"):
                    self.conn.execute(f"DELETE FROM {table}")
                self.conn.execute("DELETE FROM text")
                self.conn.execute("DELETE FROM words")
                self.conn.execute("UPDATE totals SET n = 0")
                closure = self._topic_closure(store)
                data = self._read_claims(store, None) if claims is None else claims
                self._insert(data, closure, {})
                self._settle_groups()
                self._count_quads(store, None)
                self._copy_history(store, None)
                arts = [article_row(self.mint, r) for r in store.select(named("index_articles"))]
                self.conn.executemany("INSERT OR REPLACE INTO article VALUES (?, ?, ?)", arts)
                self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.grams USING fts5vocab(main, 'text', 'row')")
                self.conn.execute("INSERT INTO gram SELECT term, doc FROM temp.grams")
                self._set_meta(state="ready", version=VERSION, base=self.base, last_change=change)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        seconds = time.perf_counter() - started
        log.info("claim index rebuilt: %d claims, %d articles in %.2f s", len(data), len(arts), seconds)
        return {"claims": len(data), "articles": len(arts), "seconds": seconds}

    # -- updating after a write ------------------------------------------------------------

    def update(self, store, claims: Iterable[str], articles: Iterable[str], change: str,
               crash_hook=None, quads_delta: int | None = None) -> None:
        """Re-index `claims` and `articles` (IRIs) as the store now holds them, and record that
        `change` is applied. `quads_delta`: how many quads the change added (negative: removed),
        for the store's size kept here; None counts the store again (a scan). Claims the index links to one of `articles` are re-indexed too (a
        replaced or removed article's former claims), so a claim several articles report stays
        right when one of them goes."""
        articles = list(articles)
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                touched = set(claims)
                for a in articles:
                    touched.update(r[0] for r in self.conn.execute(
                        "SELECT c.iri FROM term JOIN link l ON l.t = term.t JOIN claim c ON c.n = l.n "
                        "WHERE term.kind = 'article' AND term.iri = ?", (a,)))
                touched = sorted(touched)
                for iri in touched:
                    self._delete_claim(iri)
                closure = self._topic_closure(store)
                terms: dict = {}
                for i in range(0, len(touched), BATCH):
                    self._insert(self._read_claims(store, touched[i:i + BATCH]), closure, terms)
                present = {}
                if articles:
                    present = {r["article"].value: r for r in store.select(
                        named("index_articles"), article=[ox.NamedNode(a) for a in articles])}
                for a in articles:
                    self.conn.execute("DELETE FROM article WHERE iri = ?", (a,))
                    if a in present:
                        self.conn.execute("INSERT INTO article VALUES (?, ?, ?)", article_row(self.mint, present[a]))
                self.conn.execute("DELETE FROM term WHERE claims = 0")
                self._settle_groups()
                self._count_quads(store, quads_delta)
                self._copy_history(store, change)
                self._set_meta(last_change=change)
                if crash_hook is not None:
                    crash_hook()
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def record_change(self, store, change: str, quads_delta: int | None = None) -> None:
        """A write that changed no claim or article (entities): the change id and the size move."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            self._count_quads(store, quads_delta)
            self._copy_history(store, change)
            self._set_meta(last_change=change)
            self.conn.execute("COMMIT")

    def _copy_history(self, store, change: str | None) -> None:
        """Copy one change (or, with None, every change) of the history graph. A built store
        records no history: its changes are '' and there is nothing to copy."""
        if change == "":
            return
        rows = store.select(named("history"), change=None if change is None else ox.NamedNode(change))
        self.conn.executemany("INSERT OR REPLACE INTO change VALUES (?, ?, ?, ?, ?)", [
            (r["change"].value, r["at"].value, r["kind"].value,
             r["changed"].value if r.get("changed") is not None else None, r["by"].value) for r in rows])

    def _count_quads(self, store, delta: int | None) -> None:
        """The store's size (its quads), kept so that /healthz and the VoID description do not
        count the store: moved by `delta`, or counted anew (a scan) when there is none."""
        if delta is None:
            self.conn.execute("UPDATE totals SET n = ? WHERE name = 'quads'", (len(store),))
        else:
            self.conn.execute("UPDATE totals SET n = n + ? WHERE name = 'quads'", (delta,))

    def _delete_claim(self, iri: str) -> None:
        row = self.conn.execute("SELECT n FROM claim WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            return
        n = row[0]
        self._unsettled.update(g for (g,) in self.conn.execute("SELECT g FROM figure WHERE n = ?", (n,)))
        self.conn.execute("DELETE FROM figure WHERE n = ?", (n,))
        self.conn.execute("DELETE FROM link WHERE n = ?", (n,))
        self.conn.execute("DELETE FROM words WHERE rowid BETWEEN ? AND ?",
                          (n * TEXTS_PER_CLAIM, n * TEXTS_PER_CLAIM + TEXTS_PER_CLAIM - 1))
        self.conn.execute("DELETE FROM text WHERE rowid BETWEEN ? AND ?",
                          (n * TEXTS_PER_CLAIM, n * TEXTS_PER_CLAIM + TEXTS_PER_CLAIM - 1))
        self.conn.execute("DELETE FROM claim WHERE n = ?", (n,))

    # -- reading the store -----------------------------------------------------------------

    @staticmethod
    def _topic_closure(store) -> dict[str, list[str]]:
        broader = {}
        for row in store.select(named("topics")):
            b = row.get("broader")
            broader.setdefault(row["topic"].value, b.value if b is not None else None)
            if b is not None:
                broader[row["topic"].value] = b.value
        closure = {}
        for t in broader:
            chain, seen = [], set()
            cur = t
            while cur is not None and cur not in seen:
                seen.add(cur)
                chain.append(cur)
                cur = broader.get(cur)
            closure[t] = chain
        return closure

    @staticmethod
    def _read_claims(store, iris: list[str] | None) -> dict[str, _ClaimData]:
        bound = None if iris is None else [ox.NamedNode(i) for i in iris]
        out: dict[str, _ClaimData] = {}
        for row in store.select(named("index_claims"), claim=bound):
            iri = row["claim"].value
            quote = row.get("quote")
            stated = row.get("stated")
            texts = {row["statement"].value.lower()}
            if quote is not None:
                texts.add(quote.value.lower())
            modality, occasion = row.get("modality"), row.get("occasion")
            out[iri] = _ClaimData(row["id"].value, None if stated is None else stated.value,
                                  row["claimant"].value, row["topic"].value, texts, set(), set(), set(),
                                  modality=None if modality is None else modality.value,
                                  occasion=None if occasion is None else occasion.value)
        for row in store.select(named("index_links"), claim=bound):
            c = out.get(row["claim"].value)
            if c is None:
                continue
            method, status = row.get("method"), row.get("status")
            if method is not None:
                c.curation |= {("method", method.value), ("review", status.value)}
            for name in ("about", "article", "outlet", "agent", "exact"):
                term = row.get(name)
                if term is None:
                    continue
                if name == "about":
                    c.about.add(term.value)
                elif name == "article":
                    c.articles.add(term.value)
                elif name == "exact":
                    c.texts.add(term.value.lower())
                else:
                    c.reporters.add(term.value)
        for row in store.select(named("index_figures"), claim=bound):
            c = out.get(row["claim"].value)
            if c is None or c.figure is not None:
                continue
            unit = row.get("unit")
            c.figure = (row["subject"].value, "" if unit is None else unit.value.casefold(),
                        _number(row.get("min")), _number(row.get("max")))
        return out

    def _term(self, terms: dict, kind: str, iri: str) -> int:
        t = terms.get((kind, iri))
        if t is None:
            self.conn.execute("INSERT OR IGNORE INTO term (kind, iri) VALUES (?, ?)", (kind, iri))
            t = self.conn.execute("SELECT t FROM term WHERE kind = ? AND iri = ?", (kind, iri)).fetchone()[0]
            terms[(kind, iri)] = t
        return t

    def _insert(self, data: dict[str, _ClaimData], closure: dict[str, list[str]], terms: dict) -> None:
        conn = self.conn
        links, texts = [], []
        for iri, c in data.items():
            key, start, end = span(c.stated)
            n = conn.execute("INSERT INTO claim (iri, id, key, span_start, span_end) VALUES (?, ?, ?, ?, ?)",
                             (iri, c.id, key, start, end)).lastrowid
            values = [("claimant", c.claimant)]
            values += [("topic", t) for t in closure.get(c.topic, [c.topic])]
            values += [("about", a) for a in c.about]
            values += [("article", a) for a in c.articles]
            values += [("reporter", r) for r in c.reporters]
            values += [(kind, v) for kind, v in (("modality", c.modality), ("occasion", c.occasion)) if v]
            values += list(c.curation)
            for kind, value in set(values):
                links.append((self._term(terms, kind, value), key, c.id, n, end))
            if c.figure is not None:
                subject, unit, low, high = c.figure
                g = self._group(c.topic, subject, unit)
                conn.execute("INSERT INTO figure VALUES (?, ?, ?, ?, ?)", (n, g, c.id, low, high))
                self._unsettled.add(g)
            ordered = sorted(c.texts)
            if len(ordered) > TEXTS_PER_CLAIM:  # a claim in over 4,000 distinct evidences
                ordered = ordered[:TEXTS_PER_CLAIM - 1] + ["\n".join(ordered[TEXTS_PER_CLAIM - 1:])]
            texts += [(n * TEXTS_PER_CLAIM + i, body) for i, body in enumerate(ordered)]
            if len(links) > 20000:
                conn.executemany("INSERT INTO link VALUES (?, ?, ?, ?, ?)", links)
                links = []
            if len(texts) > 20000:
                conn.executemany("INSERT INTO text (rowid, body) VALUES (?, ?)", texts)
                conn.executemany("INSERT INTO words (rowid, body) VALUES (?, ?)", texts)
                texts = []
        conn.executemany("INSERT INTO link VALUES (?, ?, ?, ?, ?)", links)
        conn.executemany("INSERT INTO text (rowid, body) VALUES (?, ?)", texts)
        conn.executemany("INSERT INTO words (rowid, body) VALUES (?, ?)", texts)


    def _group(self, topic: str, subject: str, unit: str) -> int:
        self.conn.execute("INSERT OR IGNORE INTO figure_group (topic, subject, unit) VALUES (?, ?, ?)",
                          (topic, subject, unit))
        return self.conn.execute("SELECT g FROM figure_group WHERE topic = ? AND subject = ? AND unit = ?",
                                 (topic, subject, unit)).fetchone()[0]

    def _settle_groups(self) -> None:
        """Recompute the bounds of the groups this write touched. Each min/max is one seek at an
        end of (g, low) or (g, high), so a group of a million claims costs what one of two does."""
        for g in sorted(self._unsettled):
            self.conn.execute("""
                UPDATE figure_group SET
                  low = min(coalesce(lo_lo, lo_hi), coalesce(lo_hi, lo_lo)),
                  high = max(coalesce(hi_lo, hi_hi), coalesce(hi_hi, hi_lo)),
                  disagrees = coalesce(members >= 2 AND hi_lo > lo_hi, 0)
                FROM (SELECT (SELECT min(low) FROM figure WHERE g = :g) AS lo_lo,
                             (SELECT max(low) FROM figure WHERE g = :g) AS hi_lo,
                             (SELECT min(high) FROM figure WHERE g = :g) AS lo_hi,
                             (SELECT max(high) FROM figure WHERE g = :g) AS hi_hi)
                WHERE g = :g""", {"g": g})
        self.conn.execute("DELETE FROM figure_group WHERE members = 0")
        self._unsettled.clear()


def claims_in(nquads: Iterable[bytes]) -> dict[str, _ClaimData]:
    """What the index keeps of the claims in some N-Quads (one article's graphs): the index's own
    named queries over an in-memory store of just those quads, so that the answer is the one a
    rebuild from the store gives for them. A claim that several articles report appears in each
    of theirs with that article's reports: merge_claims unites them."""
    from ..store import Store
    inner = ox.Store()
    for chunk in nquads:
        inner.load(chunk, format=ox.RdfFormat.N_QUADS)
    return ClaimIndex._read_claims(Store(inner), None)


def merge_claims(parts: Iterable[dict[str, _ClaimData]]) -> dict[str, _ClaimData]:
    """One entry per claim from per-article ones: the claim's own fields are the same in each
    (the build's cross-article rules refuse one id with two contents); links and texts unite."""
    out: dict[str, _ClaimData] = {}
    for part in parts:
        for iri, c in part.items():
            have = out.get(iri)
            if have is None:
                out[iri] = c
                continue
            for name in ("texts", "about", "articles", "reporters", "curation"):
                getattr(have, name).update(getattr(c, name))
            if have.figure is None:
                have.figure = c.figure
    return out


def _number(term) -> float | None:
    try:
        return None if term is None else float(term.value)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

@dataclass
class Found:
    rows: list[tuple[str, str, str]]   # (claim IRI, key, id), at most first + 1
    total: int | None                  # None when not asked for


def _year_before(day: str) -> str | None:
    if len(day) >= 4 and day[:4].isdigit() and int(day[:4]) > 0:
        return f"{int(day[:4]) - 1:04d}{day[4:]}"
    return None


def _matching(table: str, exact: bool = False) -> str:
    """The claims (as d) with a text of `table` (text or words) that an FTS5 query matches; with
    `exact`, a text must also hold the needle (has(), for a query of some of its trigrams)."""
    check = f" AND has({table}.body, ?)" if exact else ""
    return (f"(SELECT DISTINCT {table}.rowid >> 12 AS n FROM {table} WHERE {table} MATCH ?{check}) "
            "AS m CROSS JOIN claim AS d ON d.n = m.n")


class IndexView:
    """One pinned read snapshot of the index (see the module docstring): every query a Reader
    makes through it sees the same committed state, whatever is written meanwhile."""

    def __init__(self, path: Path):
        self.path, self.conn, self._fd = Path(path), None, None
        try:
            self._fd = _flock(self.path, os.O_RDONLY, fcntl.LOCK_SH)
        except FileNotFoundError:  # the error sqlite3 gives for a file with no index in it
            raise sqlite3.OperationalError(f"no index at {self.path}") from None
        try:
            self.conn = sqlite3.connect(str(self.path), isolation_level=None,
                                        check_same_thread=False, timeout=120)
            # Live counts of each word's texts, for choosing between a walk and the words index.
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.word_vocab USING fts5vocab(main, 'words', 'row')")
            self.conn.execute("PRAGMA query_only=1")
            # The exact check of text search, in Python (instr() would stop at a NUL).
            self.conn.create_function("has", 2, lambda body, needle: needle in body, deterministic=True)
            self._lock = threading.Lock()
            self.conn.execute("BEGIN")
            self.change = self._one("SELECT value FROM meta WHERE name = 'last_change'")  # pins it
        except BaseException:
            self.close()
            raise
        self.query_count = 0

    def close(self) -> None:
        try:
            if self.conn is not None:
                self.conn.close()
        except sqlite3.Error:
            pass
        fd, self._fd = self._fd, None
        if fd is not None:
            _release(fd)

    def __del__(self):
        if hasattr(self, "_fd"):
            self.close()

    def _one(self, sql: str, params=()):
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def _all(self, sql: str, params=()) -> list:
        with self._lock:
            self.query_count += 1
            return self.conn.execute(sql, params).fetchall()

    def total(self, name: str) -> int:
        with self._lock:
            return self._one("SELECT n FROM totals WHERE name = ?", (name,)) or 0

    def _terms(self, wanted: list[tuple[str, str]]) -> list[tuple[int, int]] | None:
        out = []
        with self._lock:
            for kind, iri in wanted:
                row = self.conn.execute("SELECT t, claims FROM term WHERE kind = ? AND iri = ?",
                                        (kind, iri)).fetchone()
                if row is None:
                    return None
                out.append(row)
        return out

    def _grams(self, text: str) -> list[tuple[int, str]]:
        """The trigrams of `text` with how many texts held each at the last rebuild, rarest first."""
        grams = sorted({text[i:i + 3] for i in range(len(text) - 2)})
        with self._lock:
            known = dict(self.conn.execute(
                f"SELECT term, docs FROM gram WHERE term IN ({','.join('?' * len(grams))})", grams))
        return sorted((known.get(g, 0), g) for g in grams)

    @staticmethod
    def _rare_grams(grams: list[tuple[int, str]]) -> str:
        """An FTS5 query for the two rarest trigrams: every text holding the needle holds them,
        and has() then checks the few candidates (a phrase of every trigram reads the posting
        lists of common ones like 'the' too)."""
        return " AND ".join('"' + g.replace('"', '""') + '"' for _, g in grams[:2])

    @staticmethod
    def _phrase(text: str) -> str:
        """An FTS5 phrase of the needle: with the trigram tokenizer, a text matches it exactly
        when it holds the needle (its trigrams at consecutive places), all in C."""
        return '"' + text.replace('"', '""') + '"'

    def count(self, cap: int | None = None, **criteria) -> int:
        """How many claims the criteria of search() select (at most cap + 1: see search)."""
        return self.search(**criteria, limit=0, count_cap=cap).total

    def _word_docs(self, words: list[list[str]]) -> int:
        """How many texts hold the rarest word of `words` (an upper bound of their matches)."""
        tokens = sorted({t for piece in words for t in piece})
        with self._lock:
            found = dict(self.conn.execute(
                f"SELECT term, doc FROM temp.word_vocab WHERE term IN ({','.join('?' * len(tokens))})", tokens))
        return min(found.get(t, 0) for t in tokens)

    @staticmethod
    def _words_query(words: list[list[str]]) -> str:
        """The FTS5 query for `words` (pieces of word tokens, graph/read.py parse_words): each
        piece a quoted phrase, all of them in one text. Tokens are letters and digits only, so
        nothing of the request reaches FTS5's query syntax."""
        return " AND ".join('"' + " ".join(piece) + '"' for piece in words)

    def search(self, *, claimant=None, about=None, topic=None, reporter=None, article=None,
               modality=None, occasion=None, method=None, review=None, text=None, words=None,
               stated_from=None, stated_to=None, after=None, limit=21, count: bool = True,
               count_cap: int | None = None) -> Found:
        wanted = [(k, v) for k, v in (("claimant", claimant), ("about", about), ("topic", topic),
                                      ("reporter", reporter), ("article", article),
                                      ("modality", modality), ("occasion", occasion),
                                      ("method", method), ("review", review)) if v]
        terms = self._terms(wanted)
        if terms is None:  # a value no claim has
            return Found([], 0)
        terms.sort(key=lambda tc: tc[1])
        # FTS5's query syntax cannot hold a NUL: such a needle is checked row by row.
        long_text = text is not None and len(text) >= SHORT and "\x00" not in text
        small_term = bool(terms) and terms[0][1] < SMALL_TERM
        words_query = self._words_query(words) if words else None
        common_words = words_query is not None and self._word_docs(words) > COMMON_GRAMS
        # Words, when asked for, are looked up in their own index (unless a small filter value
        # or their commonness makes a walk cheaper); the text is then checked per claim.
        words_fts = words_query is not None and not small_term and not common_words
        use_fts = long_text and not small_term and words_query is None
        drive = None if use_fts or words_fts or not terms else terms[0][0]
        checks = [t for t, _ in terms if t != drive]

        d = "d"  # the alias whose key, id, n, span_end the conditions read
        conds, params = [], []
        for t in checks:
            conds.append(f"EXISTS (SELECT 1 FROM link x WHERE x.n = {d}.n AND x.t = ?)")
            params.append(t)
        if stated_from:
            lo = _year_before(stated_from)
            if lo:  # a span is at most a year: the key range the window can reach
                conds.append(f"{d}.key >= ?"); params.append(lo)
            conds.append(f"{d}.span_end >= ?"); params.append(stated_from)
        if stated_to:
            conds.append(f"{d}.key <= ?"); params.append(stated_to)
        if text is not None and not use_fts:
            conds.append(f"EXISTS (SELECT 1 FROM text WHERE text.rowid BETWEEN {d}.n * {TEXTS_PER_CLAIM} "
                         f"AND {d}.n * {TEXTS_PER_CLAIM} + {TEXTS_PER_CLAIM - 1} AND has(text.body, ?))")
            params.append(text)
        if words_query is not None and not words_fts:
            conds.append(f"EXISTS (SELECT 1 FROM words WHERE words MATCH ? AND words.rowid BETWEEN "
                         f"{d}.n * {TEXTS_PER_CLAIM} AND {d}.n * {TEXTS_PER_CLAIM} + {TEXTS_PER_CLAIM - 1})")
            params.append(words_query)

        grams = self._grams(text) if use_fts else []
        common = bool(grams) and grams[0][0] > COMMON_GRAMS
        if use_fts and not common:
            source = _matching("text", exact=True)
            source_params = [self._rare_grams(grams), text]
        elif use_fts:  # every trigram is common: the phrase, all in C, beats has() on candidates
            source = _matching("text")
            source_params = [self._phrase(text)]
        elif words_fts:
            source = _matching("words")
            source_params = [words_query]
        elif drive is not None:
            source, source_params = "link AS d", []
            conds.insert(0, "d.t = ?"); params.insert(0, drive)
        else:
            source, source_params = "claim AS d INDEXED BY claim_order", []

        where = " AND ".join(conds) or "1"
        page_where, page_params = where, list(params)
        if after is not None:
            page_where += " AND (d.key, d.id) > (?, ?)"
            page_params += list(after)
        iri_of = ("d.iri" if use_fts or words_fts or drive is None
                  else "(SELECT c.iri FROM claim c WHERE c.n = d.n)")
        rows = None
        if use_fts and common:
            rows = self._walk_common(where, params, after, limit, self._has_text, [text])
        elif common_words and drive is None:
            rows = self._walk_common(where, params, after, limit)
            if rows is None:  # rarer than its words: look it up in the words index after all
                source = _matching("words")
                source_params, iri_of = [words_query], "d.iri"
        if rows is None:
            rows = self._all(f"SELECT {iri_of}, d.key, d.id FROM {source} WHERE {page_where} "
                             f"ORDER BY d.key, d.id LIMIT ?", (*source_params, *page_params, int(limit)))

        if not count:
            total = None
        elif not conds[1 if drive is not None else 0:] and not use_fts and not words_fts:
            # One filter, or none: a maintained count.
            total = terms[0][1] if drive is not None else self.total("claims")
        elif count_cap is not None and words_query is not None and not words_fts and conds == [conds[-1]]:
            # Words alone, common ones (their page walks claims in order): count the claims their
            # texts belong to straight from the words index, stopping past the cap, rather than
            # one FTS5 lookup per claim walked (1.2 s for a word in 186,000 claims at 10^5).
            total = self._all(_capped("SELECT DISTINCT words.rowid >> 12 FROM words WHERE words MATCH ?",
                                      count_cap), (words_query,))[0][0]
        elif use_fts:
            # The phrase needs no has() check per text: the count is FTS5's work alone (its cost
            # is still that of the matches: 40 ms for 65,000 of 147,000 claims).
            total = self._all(_capped(f"SELECT 1 FROM {_matching('text')} WHERE {where}", count_cap),
                              (self._phrase(text), *params))[0][0]
        else:
            # The cost of the matches of the most selective filter; with count_cap, of at most
            # that many (a page that only says "more than N" need not count them all).
            total = self._all(_capped(f"SELECT 1 FROM {source} WHERE {where}", count_cap),
                              (*source_params, *params))[0][0]
        return Found([tuple(r) for r in rows], total)

    _has_text = (f"EXISTS (SELECT 1 FROM text WHERE text.rowid BETWEEN d.n * {TEXTS_PER_CLAIM} "
                 f"AND d.n * {TEXTS_PER_CLAIM} + {TEXTS_PER_CLAIM - 1} AND has(text.body, ?))")

    def _walk_common(self, where: str, params: list, after, limit: int, check: str = "1",
                     check_params: list = ()) -> list | None:
        """A page of a common needle: claims in the API's order, each checked for the needle,
        among the next WALK_ROWS claims; None when those do not fill the page (the needle is
        rarer than its trigrams), and the text index must find its matches instead. Looking a
        common needle up in the text index sorts every match: 200 ms for 'brigade' at 10^4."""
        start, start_params = ("(d.key, d.id) > (?, ?)", list(after)) if after is not None else ("1", [])
        edge = self._all(f"SELECT key, id FROM claim AS d INDEXED BY claim_order WHERE {start} "
                         f"ORDER BY key, id LIMIT 1 OFFSET {WALK_ROWS - 1}", start_params)
        bound, bound_params = ("(d.key, d.id) <= (?, ?)", list(edge[0])) if edge else ("1", [])
        rows = self._all(f"SELECT d.iri, d.key, d.id FROM claim AS d INDEXED BY claim_order "
                         f"WHERE {start} AND {bound} AND {where} AND {check} "
                         "ORDER BY d.key, d.id LIMIT ?",
                         (*start_params, *bound_params, *params, *check_params, int(limit)))
        return rows if len(rows) >= limit or not edge else None

    def disagreements(self, topics: list[str] | None, subject: str | None,
                      after: tuple[str, str, str] | None, limit: int) -> list[tuple]:
        """Disagreeing groups in (topic, subject, unit) order, at most `limit`: (g, topic,
        subject, unit, members, low, high) rows. A walk of one of figure_group's indexes."""
        conds, params = ["disagrees = 1"], []
        if topics is not None:
            conds.append(f"topic IN ({','.join('?' * len(topics))})")
            params += topics
        if subject is not None:
            conds.append("subject = ?")
            params.append(subject)
        if after is not None:
            conds.append("(topic, subject, unit) > (?, ?, ?)")
            params += list(after)
        by = "disagreeing_by_subject" if subject is not None else "disagreeing_by_topic"
        return self._all(f"SELECT g, topic, subject, unit, members, low, high FROM figure_group "
                         f"INDEXED BY {by} WHERE {' AND '.join(conds)} "
                         f"ORDER BY topic, subject, unit LIMIT ?", (*params, int(limit)))

    def group_members(self, g: int, limit: int) -> list[str]:
        """The first `limit` claims (IRIs) of a figure group, in id order."""
        return [r[0] for r in self._all(
            "SELECT c.iri FROM figure f INDEXED BY figure_member JOIN claim c ON c.n = f.n "
            "WHERE f.g = ? ORDER BY f.id LIMIT ?", (g, int(limit)))]

    def changes(self, article: str | None, limit: int) -> list[tuple]:
        """(kind, article IRI or None, at, by) of the newest `limit` changes, of one article or all."""
        if article is None:
            return self._all("SELECT kind, article, at, by FROM change INDEXED BY change_order "
                             "ORDER BY at DESC, iri DESC LIMIT ?", (int(limit),))
        return self._all("SELECT kind, article, at, by FROM change INDEXED BY change_of_article "
                         "WHERE article = ? ORDER BY at DESC, iri DESC LIMIT ?", (article, int(limit)))

    def latest_articles(self, limit: int) -> list[str]:
        """The IRIs of the articles published last (a walk down article_by_published)."""
        return [r[0] for r in self._all("SELECT iri FROM article WHERE published IS NOT NULL "
                                        "ORDER BY published DESC, local_id DESC LIMIT ?", (int(limit),))]

    def stated_range(self) -> tuple[str | None, str | None]:
        """The IRIs of the claims stated first and last: the two ends of claim_order (a claim
        of unknown date has the key 9999-12-31)."""
        first = self._all("SELECT iri FROM claim WHERE key < '9999' ORDER BY key, id LIMIT 1", ())
        last = self._all("SELECT iri FROM claim WHERE key < '9999' ORDER BY key DESC, id DESC LIMIT 1", ())
        return (first[0][0] if first else None), (last[0][0] if last else None)

    def article_page(self, after: str | None, limit: int) -> tuple[list[tuple[str, str]], int]:
        rows = self._all("SELECT iri, local_id FROM article WHERE local_id > ? ORDER BY local_id LIMIT ?",
                         (after if after is not None else "", int(limit)))
        return [tuple(r) for r in rows], self.total("articles")


def _capped(matches: str, cap: int | None) -> str:
    """count(*) of the rows `matches` selects, stopping at cap + 1 when a cap is given."""
    return f"SELECT count(*) FROM ({matches}{'' if cap is None else f' LIMIT {int(cap) + 1}'})"


def article_row(mint, row: dict) -> tuple[str, str, str | None]:
    """An article table row from a row of index_articles.rq."""
    iri = row["article"].value
    published = row.get("published")
    return mint.local_id(iri) or iri, iri, published.value if published is not None else None


def ensure_at(store_path: str | Path, base_iri: str) -> bool:
    """Bring the index of the store at `store_path` in step with it (after `whosaid build`: a
    new store folder has none, an unchanged one keeps its own); True if it was rebuilt."""
    from ..store import Store
    store = Store.open(store_path, read_only=True)
    index = ClaimIndex(index_path(store_path), base_iri)
    try:
        return index.ensure(store, quiet=True)
    finally:
        index.close()
