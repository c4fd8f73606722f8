"""The graph on OpenLink Virtuoso (7.2), where the SPARQL 1.1 standard is not enough.

What Virtuoso does differently, measured on Debian's virtuoso-opensource 7.2.5 (tests/
test_virtuoso.py runs the suite's checks against one):

- Updates go to /sparql-auth as an account granted SPARQL_UPDATE (HTTP digest auth); the
  anonymous /sparql refuses them (SR186, "No permission to execute procedure
  DB.DBA.SPARQL_INSERT_DICT_CONTENT"). The update endpoint defaults to the query URL with /sparql
  replaced by /sparql-auth when WHOSAID_STORE_USER is set.
- One INSERT DATA fails past ~1,420 triples ("SP031: The length of generated SQL text has
  exceeded 10000 lines of code") unless the operation starts with DEFINE sql:big-data-const 1,
  which packs its constants instead of writing them into SQL: 100 times faster too (the seed graph,
  3,942 triples in 86 graphs: 0.2 s instead of 4-8 s). Its parser still fails past ~4,990 triples
  in one GRAPH block (SP030 "memory exhausted"), hence blocks of MAX_BLOCK_TRIPLES. One request
  must stay under 10,000,000 bytes (SR578; a form-encoded one under 10 MiB after encoding, SR0??),
  so updates are sent as application/sparql-update bodies, in requests of MAX_REQUEST_BYTES.
- DROP ALL, CLEAR ALL, DROP NAMED and CLEAR NAMED answer 200 and delete nothing, and DROP GRAPH
  fails for a graph never CREATEd; whosaid deletes its graphs with DELETE ... WHERE over the
  graphs under its base IRI, which leaves Virtuoso's own graphs (virtrdf#, the DAV and /sparql
  graphs) alone.
- Booleans come back as "1"/"0" typed xsd:boolean (stored values), blank nodes as nodeID://...
  labels; _term turns them back into RDF terms pyoxigraph accepts. (A computed boolean, such as
  a projected EXISTS, comes back as an xsd:integer 1/0: the read model projects none.)
- Answers are cut at ResultSetMaxRows (10,000 by default; the X-SPARQL-MaxRows header says so),
  and ORDER BY with LIMIT + OFFSET past MaxSortedTopRows (10,000) fails (SR353): RemoteStore's
  whole-store reads page by graph name and by subject instead of by OFFSET.
- Its default graph, when a query names none, is the union of all graphs, Virtuoso's own among
  them: whosaid's queries name whosaid's classes and IRIs, so those triples never match.
- Some query shapes get wrong answers (graph/queries/claim_search.rq lists those of the claim
  search, rewritten into shapes it answers right). One depends on the plan its optimizer picks
  from statistics it samples as it runs: on a freshly loaded store, claims.rq with 73 or more
  claims bound in its VALUES block lost OPTIONAL values (a statedOn, a periodEnd, a minValue) of
  a few claims, the same query with up to 72 never did (15 random batches of each size), and
  after a restart of virtuoso-t the large batch was right too. So batch reads go in parts of at
  most MAX_BATCH_VALUES bound values (select).

Durability and atomicity, found by kill -9 of virtuoso-t and restarting it (see replace_all):
a request's operations commit together when it ends (readers see the old graph until then), and
a committed request is in the transaction log, which Virtuoso replays on restart ("Roll forward").
A request that fails at run time in its middle keeps what its earlier operations did (a DROP
GRAPH of an unknown graph after an INSERT DATA: the insert stays), so every operation whosaid
sends is one that cannot fail that way. After a build, a checkpoint (bif:exec, which Virtuoso
allows any SPARQL account) writes the database file, so that a restart does not depend on
replaying a large log.

Full text (WHOSAID_STORE_TEXT_INDEX, README "Full text on Virtuoso"): Virtuoso indexes the
literals of the predicates its rules name (DB.DBA.RDF_OBJ_FT_RULE_ADD, run once by its dba), and
`?text bif:contains '"north korean" AND "killed"'` finds them through that index. Two things it
does its own way, measured here:
- New literals reach the index in batches (a minute apart, or whenever
  DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ runs; switching batch mode off with VT_BATCH_UPDATE did not
  change that), so after each update whosaid runs that procedure itself: the writer account
  needs EXECUTE on it. A search in the moment between the commit and that call misses the new
  article's words.
- bif:contains takes its expression as a literal written in the query, never a variable (SR468
  "contains() can not be called as plain built-in function", whether the variable comes from
  VALUES or BIND): see words_expression, the one value whosaid writes into a query's text.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable, Iterator

import httpx
import pyoxigraph as ox

from .queries import NamedQuery
from .remote_store import RESULTS_JSON, RemoteStore, _term, graph_blocks
from .store import StoreError, insert_data

log = logging.getLogger(__name__)

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false", "true": "true", "false": "false"}
_LABEL = re.compile(r"[^A-Za-z0-9_\-.]")
WORD = re.compile(r"[^\W_]+")
# Seconds for one run of the text indexer (every text of a build of 10,000 articles at once).
INDEXING_TIMEOUT = 1800.0


class VirtuosoStore(RemoteStore):
    engine = "virtuoso"

    def __init__(self, *args, text_index: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.word_search = text_index

    # Triples in one GRAPH block of an INSERT DATA (Virtuoso's parser fails past ~4,990).
    MAX_BLOCK_TRIPLES = 2_000
    # Bytes in one update request (Virtuoso refuses a text past 10,000,000 bytes).
    MAX_REQUEST_BYTES = 8_000_000

    @staticmethod
    def default_update_endpoint(query_endpoint: str, user: str | None) -> str:
        if user and query_endpoint.rstrip("/").endswith("/sparql"):
            return query_endpoint.rstrip("/") + "-auth"
        return query_endpoint

    def _make_auth(self, user: str, password: str | None) -> httpx.Auth:
        return httpx.DigestAuth(user, password or "")

    # -- reading ---------------------------------------------------------------------------

    # Bound values in the VALUES block of one batch read (see the module's notes).
    MAX_BATCH_VALUES = 50
    # The batch reads of the read model and the write path, by the slot that takes the batch:
    # each row of theirs is about one value of that slot (grouped by it, if grouped, and put in
    # order by the caller), so the rows of a batch read in parts are the rows of the whole batch.
    BATCH_SLOTS = {
        "claims": "claim", "claim_links": "claim", "reports": "claim",
        "claims_referred_to": "claim", "existing_claims": "claim", "curations": "report",
        "report_links": "report", "inferences": "node", "articles": "article",
        "article_texts": "article", "entities": "entity", "index_claims": "claim",
        "index_links": "claim", "index_figures": "claim", "index_articles": "article",
    }

    def select(self, query: NamedQuery | str, **bindings) -> list[dict[str, object]]:
        slot = self.BATCH_SLOTS.get(query.name) if isinstance(query, NamedQuery) else None
        batch = bindings.get(slot) if slot else None
        if not isinstance(batch, (list, tuple)) or len(batch) <= self.MAX_BATCH_VALUES:
            return super().select(query, **bindings)
        rows: list[dict[str, object]] = []
        for start in range(0, len(batch), self.MAX_BATCH_VALUES):
            part = batch[start:start + self.MAX_BATCH_VALUES]
            rows.extend(super().select(query, **{**bindings, slot: part}))
        return rows

    # -- terms -----------------------------------------------------------------------------

    def _term(self, binding: dict):
        kind, value = binding["type"], binding["value"]
        if kind == "bnode":
            # nodeID://b10001: Virtuoso's label, which is not a blank node label in RDF.
            label = value[len("nodeID://"):] if value.startswith("nodeID://") else value
            return ox.BlankNode(_LABEL.sub("_", label) or "b")
        if binding.get("datatype") == XSD_BOOLEAN and value in _BOOLEANS:
            return ox.Literal(_BOOLEANS[value], datatype=ox.NamedNode(XSD_BOOLEAN))
        return _term(binding)

    # -- writing ---------------------------------------------------------------------------

    def update(self, text: str) -> None:
        """One update request, sent as its body (not a form field: the limit is on the text).
        Virtuoso commits it when it ends, to its transaction log. Then the text index is
        brought up to date, when whosaid uses it."""
        self._send_update(text)
        if self.word_search:
            self.index_new_words()

    def _send_update(self, text: str) -> None:
        try:
            response = self._http.post(
                self.update_endpoint, content=text.encode("utf-8"), auth=self._auth,
                headers={"content-type": "application/sparql-update; charset=utf-8"})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL update endpoint {self.update_endpoint}: {exc}") from None
        if response.status_code not in (200, 204):
            hint = ""
            if response.status_code == 401:
                hint = " (set WHOSAID_STORE_USER and WHOSAID_STORE_PASSWORD to an account granted SPARQL_UPDATE)"
            elif "SR186" in response.text:
                hint = (" (the account may not write: grant it SPARQL_UPDATE, and send updates to "
                        "/sparql-auth with WHOSAID_STORE_USER and WHOSAID_STORE_PASSWORD)")
            raise StoreError(f"{self.update_endpoint} refused the update ({response.status_code})"
                             f"{hint}: {response.text[:300]}")

    def _exec(self, statement: str, timeout: float | None = None) -> httpx.Response:
        """Run one of Virtuoso's SQL statements as the writer, through bif:exec in a SPARQL
        query (the only way in over HTTP). `statement` is one of this module's constants, never
        text from a request. httpx.HTTPError when the server cannot be reached."""
        options = {"timeout": timeout} if timeout is not None else {}
        return self._http.post(self.update_endpoint, auth=self._auth, headers={"accept": RESULTS_JSON},
                               data={"query": f"SELECT (bif:exec('{statement}') AS ?done) WHERE {{}}"},
                               **options)

    def index_new_words(self) -> None:
        """Bring the text index up to the last commit (see the module's notes), as the writer;
        StoreError naming the missing grant when the account may not. Its own timeout: after a
        build it indexes every text at once."""
        try:
            response = self._exec("DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ ()", INDEXING_TIMEOUT)
        except httpx.HTTPError as exc:
            raise StoreError(f"the update is in, but the text index of {self.update_endpoint} "
                             f"could not be brought up to date: {exc}") from None
        if response.status_code != 200:
            raise StoreError(
                f"the update is in, but {self.update_endpoint} would not bring its text index up "
                f"to date ({response.status_code}; grant the writer EXECUTE ON "
                f"DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ, README \"Full text on Virtuoso\"): "
                f"{response.text[:300]}")

    @staticmethod
    def words_expression(pieces: list[list[str]]) -> ox.Literal:
        """The bif:contains expression that finds every piece of `pieces` (graph/read.py
        parse_words: each a word, or a phrase's words in order) in one text: each piece quoted
        (a word with a letter outside ASCII must be), joined by AND. It is written into the query
        as a SPARQL literal (bif:contains takes no variable); its words are runs of letters and
        digits, checked here again, so that nothing else from a request reaches the query."""
        for piece in pieces:
            for word in piece:
                if not WORD.fullmatch(word):
                    raise ValueError(f"not a word of letters and digits: {word[:40]!r}")
        return ox.Literal(" AND ".join('"' + " ".join(piece) + '"' for piece in pieces))

    def insert_data(self, graphs: dict[str, str]) -> str:
        """INSERT DATA under DEFINE sql:big-data-const 1, in blocks Virtuoso's parser takes (the
        write path's: graph/ingest.py). The request stays one transaction; it must stay under
        10,000,000 bytes, which an article (WHOSAID_MAX_SUBMISSION_BYTES) does by far."""
        return insert_data(graphs, self.MAX_BLOCK_TRIPLES, "DEFINE sql:big-data-const 1 ")

    def checkpoint(self) -> bool:
        """Ask Virtuoso to write a checkpoint (its database file, then a fresh transaction log).
        False, with a warning, when it would not."""
        try:
            response = self._exec("checkpoint")
        except httpx.HTTPError as exc:
            log.warning("checkpoint of %s failed: %s", self.update_endpoint, exc)
            return False
        if response.status_code != 200:
            log.warning("%s refused a checkpoint (%s): %s", self.update_endpoint,
                        response.status_code, response.text[:200])
            return False
        return True

    def _requests(self, nquads: Iterable[bytes], sent: list[int]) -> Iterator[str]:
        """The update requests that replace whosaid's graphs with the named graphs of these
        N-Quads, made as they are sent (one request's text in memory at a time): the first
        deletes whosaid's graphs, then every request inserts GRAPH blocks of at most
        MAX_BLOCK_TRIPLES triples, up to MAX_REQUEST_BYTES a request. `sent` gets the number of
        triples of each request."""
        head = "DEFINE sql:big-data-const 1 INSERT DATA {\n"
        current = ["DEFINE sql:big-data-const 0 " + self._drop_ours() + " ;\n" + head]
        size, triples_in = len(current[0].encode("utf-8")), 0
        for name, triples in graph_blocks(nquads):
            lines = triples.splitlines(keepends=True)
            for start in range(0, len(lines), self.MAX_BLOCK_TRIPLES):
                part = lines[start:start + self.MAX_BLOCK_TRIPLES]
                block = f"GRAPH {name} {{\n{''.join(part)}}}\n"
                n = len(block.encode("utf-8"))
                if n + len(head) + 2 > self.MAX_REQUEST_BYTES:
                    raise StoreError(f"a block of {name} is larger than one update request may be "
                                     f"({n:,} bytes)")
                if size + n + 2 > self.MAX_REQUEST_BYTES:
                    sent.append(triples_in)
                    yield "".join(current) + "}"
                    current, size, triples_in = [head], len(head), 0
                current.append(block)
                size += n
                triples_in += len(part)
        sent.append(triples_in)
        yield "".join(current) + "}"

    def replace_all(self, nquads: Iterable[bytes]) -> int:
        """Replace whosaid's graphs (the named graphs under the base IRI) with the named graphs
        of these N-Quads, leaving Virtuoso's own graphs and any other application's alone; then
        bring the text index up to date (once, at the end) and checkpoint.

        Up to MAX_REQUEST_BYTES of N-Triples (about 40,000 triples: the seed corpus is 0.76 MB)
        this is one request, which Virtuoso runs as one transaction: readers see the old graphs
        until it commits, and a crash (kill -9 of virtuoso-t, tests/test_virtuoso.py) before the
        commit leaves the old graphs after the restart, a crash after it the new ones, whole.

        A larger dataset takes several requests, each its own transaction: the first deletes the
        old graphs and inserts the first blocks, the others insert the rest. A failure or crash
        between two of them leaves whosaid's graphs partly loaded: the old ones gone, the new
        ones up to the last request that committed (a graph split across requests, partly). The
        build then fails (it says so, and `whosaid stats` shows fewer quads than a build
        reports); the next build repairs it, since its first request deletes whatever is under
        the base IRI before inserting anything. Readers meanwhile see the partial graph.

        Blank nodes: a label names one node within one request only, so a blank node shared by
        graphs that land in different requests would become two; whosaid's graphs have none.

        Returns the number of quads whosaid's graphs hold now (counted once, to check the load)."""
        sent: list[int] = []
        for text in self._requests(nquads, sent):
            try:
                self._send_update(text)
            except StoreError as exc:
                if len(sent) == 1:
                    raise
                raise StoreError(f"the build stopped after {len(sent) - 1} update requests, "
                                 f"leaving whosaid's graphs partly loaded (build again to repair "
                                 f"them): {exc}") from None
        if self.word_search:
            self.index_new_words()
        self.checkpoint()
        found, expected = len(self), sum(sent)
        if found != expected:
            raise StoreError(f"{self.query_endpoint} holds {found} quads in whosaid's graphs after "
                             f"the build, not the {expected} it sent")
        return found
