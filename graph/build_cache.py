"""The build's cache: what each article became the last time it was checked, beside the store.

One SQLite file in `<store>.build-cache/`. For each article version (file stem, content hash,
and the hash of everything else its checks depend on: entities.yaml, ontology, shapes, build
code) it keeps the article's named graphs as compressed N-Quads, and a summary of its claims
(each claim's id, a digest of its core fields, whether its quote is inside this article's
evidence, the claims it confirms or revises) on which the cross-article rules run as SQL
queries. `built` lists the versions the current store holds, and a stamp file in the store
folder ties the two together: a store and a cache that do not carry the same build id are not
trusted to match, and the next build loads the store whole from the cache.

An entry is sealed with a hash of its content; an entry whose seal does not match (edited by
hand, half written) is dropped and its article checked again. The cache is only ever a cache:
deleting it costs a full build, never a wrong store.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entry (
    id INTEGER PRIMARY KEY, stem TEXT NOT NULL, digest TEXT NOT NULL, env TEXT NOT NULL,
    claims INTEGER NOT NULL, triples INTEGER NOT NULL, seal TEXT NOT NULL,
    UNIQUE (stem, digest, env));
CREATE TABLE IF NOT EXISTS part (entry INTEGER NOT NULL, graph TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (entry, graph));
CREATE TABLE IF NOT EXISTS report (entry INTEGER NOT NULL, claim TEXT NOT NULL, core TEXT NOT NULL,
    quote TEXT, quote_ok INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS report_claim ON report (claim, core);
CREATE INDEX IF NOT EXISTS report_entry ON report (entry);
CREATE TABLE IF NOT EXISTS target (entry INTEGER NOT NULL, claim TEXT NOT NULL, target TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS target_target ON target (target);
CREATE INDEX IF NOT EXISTS target_entry ON target (entry);
CREATE TABLE IF NOT EXISTS unprinted (entry INTEGER NOT NULL, claim TEXT NOT NULL, what TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unprinted_claim ON unprinted (claim);
CREATE INDEX IF NOT EXISTS unprinted_entry ON unprinted (entry);
CREATE TABLE IF NOT EXISTS seen (stem TEXT PRIMARY KEY, signature TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS built (stem TEXT PRIMARY KEY, entry INTEGER NOT NULL);
"""


@dataclass
class ClaimRow:
    claim: str
    core: str               # digest of the claim's core fields (Claim.core())
    quote: str | None       # the quote's first 60 characters, for messages
    quote_ok: bool          # the quote is inside this article's evidence
    targets: tuple[str, ...] = ()  # claims it refers to: confirms, revises, link ends (Claim.referenced_claims)
    unprinted: str | None = None   # dates given as printed whose year this article does not print


@dataclass
class Entry:
    stem: str
    digest: str
    env: str
    claims: int
    triples: int
    rows: list[ClaimRow]
    parts: list[tuple[str, bytes]] = field(default_factory=list)  # (graph IRI, zlib N-Quads)
    id: int | None = None

    def seal(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps([self.stem, self.digest, self.env, self.claims, self.triples,
                             [[r.claim, r.core, r.quote, bool(r.quote_ok), list(r.targets), r.unprinted]
                              for r in self.rows]]).encode("utf-8"))
        for graph, data in sorted(self.parts):
            h.update(graph.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
        return h.hexdigest()


class BuildCache:
    def __init__(self, location: Path | None):
        """`location`: the cache folder; None keeps the cache in memory (a remote store)."""
        self.location = location
        if location is None:
            self.db = sqlite3.connect(":memory:", isolation_level=None)
            self.db.executescript(SCHEMA)
        else:
            location.mkdir(parents=True, exist_ok=True)
            try:
                self.db = self._open(location / "cache.sqlite")
            except sqlite3.DatabaseError:  # not a database any more: start again
                (location / "cache.sqlite").unlink(missing_ok=True)
                self.db = self._open(location / "cache.sqlite")

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        db.execute("PRAGMA quick_check(1)").fetchone()
        return db

    def close(self) -> None:
        self.db.close()

    # -- meta ------------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- file signatures (stat) -> content digest -------------------------------------------

    def seen(self) -> dict[str, tuple[str, str]]:
        return {stem: (sig, digest) for stem, sig, digest in
                self.db.execute("SELECT stem, signature, digest FROM seen")}

    def remember(self, items: Iterable[tuple[str, str, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?)", list(items))

    # -- entries ---------------------------------------------------------------------------

    def entry_ids(self, env: str) -> dict[tuple[str, str], int]:
        return {(stem, digest): i for i, stem, digest in
                self.db.execute("SELECT id, stem, digest FROM entry WHERE env = ?", (env,))}

    def add(self, entry: Entry) -> int:
        db = self.db
        db.execute("DELETE FROM entry WHERE stem = ? AND digest = ? AND env = ?",
                   (entry.stem, entry.digest, entry.env))
        cur = db.execute("INSERT INTO entry (stem, digest, env, claims, triples, seal) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (entry.stem, entry.digest, entry.env,
                                                       entry.claims, entry.triples, entry.seal()))
        entry.id = cur.lastrowid
        db.executemany("INSERT INTO part VALUES (?, ?, ?)",
                       [(entry.id, g, d) for g, d in entry.parts])
        db.executemany("INSERT INTO report VALUES (?, ?, ?, ?, ?)",
                       [(entry.id, r.claim, r.core, r.quote, int(r.quote_ok)) for r in entry.rows])
        db.executemany("INSERT INTO target VALUES (?, ?, ?)",
                       [(entry.id, r.claim, t) for r in entry.rows for t in r.targets])
        db.executemany("INSERT INTO unprinted VALUES (?, ?, ?)",
                       [(entry.id, r.claim, r.unprinted) for r in entry.rows if r.unprinted])
        return entry.id

    def load(self, entry_id: int, with_parts: bool = True) -> Entry | None:
        row = self.db.execute("SELECT stem, digest, env, claims, triples, seal FROM entry "
                              "WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            return None
        targets: dict[str, list[str]] = {}
        for claim, target in self.db.execute(
                "SELECT claim, target FROM target WHERE entry = ? ORDER BY rowid", (entry_id,)):
            targets.setdefault(claim, []).append(target)
        unprinted = dict(self.db.execute("SELECT claim, what FROM unprinted WHERE entry = ?",
                                         (entry_id,)))
        rows = [ClaimRow(c, core, q, bool(ok), tuple(targets.get(c, ())), unprinted.get(c))
                for c, core, q, ok in self.db.execute(
                    "SELECT claim, core, quote, quote_ok FROM report WHERE entry = ? "
                    "ORDER BY rowid", (entry_id,))]
        parts = list(self.db.execute("SELECT graph, data FROM part WHERE entry = ?",
                                     (entry_id,))) if with_parts else []
        entry = Entry(row[0], row[1], row[2], row[3], row[4], rows, parts, entry_id)
        if with_parts and entry.seal() != row[5]:
            return None
        return entry

    def drop(self, entry_ids: Iterable[int]) -> None:
        ids = [(i,) for i in entry_ids]
        for table, column in (("part", "entry"), ("report", "entry"), ("target", "entry"),
                              ("unprinted", "entry"), ("entry", "id")):
            self.db.executemany(f"DELETE FROM {table} WHERE {column} = ?", ids)

    def parts(self, entry_id: int) -> list[tuple[str, bytes]]:
        return list(self.db.execute("SELECT graph, data FROM part WHERE entry = ?", (entry_id,)))

    def counts(self, entry_ids: Iterable[int]) -> dict[int, tuple[str, int, int]]:
        self._current(entry_ids)
        return {i: (stem, claims, triples) for i, stem, claims, triples in self.db.execute(
            "SELECT e.id, e.stem, e.claims, e.triples FROM entry e JOIN temp.current c "
            "ON e.id = c.entry")}

    # -- what the store holds --------------------------------------------------------------

    def built(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT stem, entry FROM built"))

    def set_built(self, current: dict[str, int]) -> None:
        self.db.execute("DELETE FROM built")
        self.db.executemany("INSERT INTO built VALUES (?, ?)", sorted(current.items()))

    def prune(self, keep: Iterable[int]) -> None:
        """Forget every entry but `keep` (the versions the store now holds)."""
        self._current(keep)
        stale = [i for (i,) in self.db.execute(
            "SELECT id FROM entry WHERE id NOT IN (SELECT entry FROM temp.current)")]
        self.drop(stale)

    # -- cross-article rules, as queries over the claims' summaries --------------------------

    def _current(self, entry_ids: Iterable[int]) -> None:
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS current (entry INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.current")
        self.db.executemany("INSERT INTO temp.current VALUES (?)", [(i,) for i in entry_ids])

    def _affected(self, claims: Iterable[str] | None) -> str:
        """A SQL condition on a claim column: every claim, or only those in `claims`."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS affected (claim TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.affected")
        if claims is None:
            return "1"
        self.db.executemany("INSERT OR IGNORE INTO temp.affected VALUES (?)",
                            [(c,) for c in claims])
        return "claim IN (SELECT claim FROM temp.affected)"

    def claim_count(self, entry_ids: Iterable[int]) -> int:
        self._current(entry_ids)
        return self.db.execute("SELECT COUNT(DISTINCT claim) FROM report "
                               "WHERE entry IN (SELECT entry FROM temp.current)").fetchone()[0]

    def conflicting_claims(self, entry_ids: Iterable[int],
                           claims: Iterable[str] | None = None) -> Iterator[tuple[str, list[str]]]:
        """Claims whose core fields differ between articles: (claim, stems in file order)."""
        self._current(entry_ids)
        where = self._affected(claims)
        rows = self.db.execute(
            f"SELECT claim FROM report WHERE {where} AND entry IN (SELECT entry FROM temp.current) "
            "GROUP BY claim HAVING COUNT(DISTINCT core) > 1 ORDER BY claim").fetchall()
        for (claim,) in rows:
            stems = sorted(s for (s,) in self.db.execute(
                "SELECT e.stem FROM report r JOIN entry e ON e.id = r.entry "
                "WHERE r.claim = ? AND r.entry IN (SELECT entry FROM temp.current)", (claim,)))
            yield claim, stems

    def quotes_outside_evidence(self, entry_ids: Iterable[int], claims: Iterable[str] | None = None
                                ) -> Iterator[tuple[str, str, list[str]]]:
        """Claims with a quote found in none of their reports' evidence: (claim, quote, stems)."""
        self._current(entry_ids)
        where = self._affected(claims)
        rows = self.db.execute(
            f"SELECT claim, MAX(quote) FROM report WHERE {where} "
            "AND entry IN (SELECT entry FROM temp.current) "
            "GROUP BY claim HAVING MAX(quote IS NOT NULL) = 1 AND MAX(quote_ok) = 0 "
            "ORDER BY claim").fetchall()
        for claim, quote in rows:
            stems = sorted(s for (s,) in self.db.execute(
                "SELECT e.stem FROM report r JOIN entry e ON e.id = r.entry "
                "WHERE r.claim = ? AND r.entry IN (SELECT entry FROM temp.current)", (claim,)))
            yield claim, quote, stems

    def unprinted_dates(self, entry_ids: Iterable[int], claims: Iterable[str] | None = None
                        ) -> Iterator[tuple[str, str, list[str]]]:
        """Claims with a date given as printed whose year none of their reports' articles
        prints: (claim, which dates, stems)."""
        self._current(entry_ids)
        where = self._affected(claims)
        rows = self.db.execute(
            f"SELECT claim, MIN(what), COUNT(DISTINCT entry) FROM unprinted WHERE {where} "
            "AND entry IN (SELECT entry FROM temp.current) GROUP BY claim ORDER BY claim"
        ).fetchall()
        for claim, what, without in rows:
            stems = sorted(s for (s,) in self.db.execute(
                "SELECT DISTINCT e.stem FROM report r JOIN entry e ON e.id = r.entry "
                "WHERE r.claim = ? AND r.entry IN (SELECT entry FROM temp.current)", (claim,)))
            if without == len(stems):  # every report's article leaves the year out
                yield claim, what, stems

    def missing_targets(self, entry_ids: Iterable[int], new_entries: Iterable[int] | None = None,
                        gone: Iterable[str] | None = None) -> Iterator[tuple[str, str]]:
        """(claim, target) where the target is no claim of the corpus; with new_entries and
        gone, only targets stated by new entries or naming a claim that an old one carried."""
        self._current(entry_ids)
        condition = "1"
        if new_entries is not None:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS fresh (entry INTEGER PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.fresh")
            self.db.executemany("INSERT INTO temp.fresh VALUES (?)", [(i,) for i in new_entries])
            self._affected(gone or ())
            condition = ("(t.entry IN (SELECT entry FROM temp.fresh) "
                         "OR t.target IN (SELECT claim FROM temp.affected))")
        yield from self.db.execute(
            f"SELECT DISTINCT t.claim, t.target FROM target t WHERE {condition} "
            "AND t.entry IN (SELECT entry FROM temp.current) AND NOT EXISTS ("
            "  SELECT 1 FROM report r WHERE r.claim = t.target "
            "  AND r.entry IN (SELECT entry FROM temp.current)) ORDER BY t.claim, t.target")

    def claims_of(self, entry_ids: Iterable[int]) -> set[str]:
        out: set[str] = set()
        for i in entry_ids:
            out.update(c for (c,) in self.db.execute("SELECT claim FROM report WHERE entry = ?", (i,)))
        return out

    def still_carried(self, claims: Iterable[str], entry_ids: Iterable[int]) -> set[str]:
        """Those of `claims` that one of `entry_ids` carries."""
        self._current(entry_ids)
        out = set()
        for c in claims:
            if self.db.execute("SELECT 1 FROM report WHERE claim = ? AND entry IN "
                               "(SELECT entry FROM temp.current) LIMIT 1", (c,)).fetchone():
                out.add(c)
        return out
