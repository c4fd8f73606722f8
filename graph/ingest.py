"""Adding, replacing and removing articles: the one write path every front uses (CLI, GraphQL).

A submission is an article in the corpus format (corpus/README.md): its YAML with the text beside
it (or inline as `text:`), and optionally `entities:` it defines. Before anything is written it is
checked as the build checks the corpus (verbatim evidence, references, dates, ranges), and
validated with SHACL on the article's own graphs plus the nodes they reference, never on the
whole store, so that adding an article costs the same in a store of any size.

The write is one SPARQL update, which Oxigraph applies in one transaction: the article goes in
whole or not at all, readers see the store before or after it, and once the update has returned
the change is in RocksDB's write-ahead log and survives a killed process. Each change is recorded
in the history graph in the same transaction. Re-adding identical content changes nothing.

The claim index (graph/index/), a derived file that answers claim searches, is updated here too:
right after the store's transaction commits, under the same lock, in one SQLite transaction that
records the change it applied. A kill -9 between the two commits leaves the index one change
behind; it is rebuilt from the store the next time it is opened (see graph/index/).

A write may be given a WriteWindow: its checks stop with WriteTimedOut (nothing written) once the
deadline passes or the caller gives up, checked between stages and right before the transaction;
a transaction once begun is finished, so a write is either refused or committed, never both.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from .build import ValidationFailed, topic_ids
from .corpus import (Article, Claim, CorpusError, Entity, EntityIndex, Problem, Problems, is_slug,
                     join_claims, parse_article, parse_entities, parse_yaml,
                     refuse_name_collisions, shown)
from .index import ClaimIndex, has_index
from .iris import WS, Minter
from .queries import named
from .query_runner import to_rdflib
from .read import Reader
from .review import Decision, awaits_review, curation_of, decided, document_json
from .rdf import (add_entity, article_graph, bind_prefixes, claim_graph, ontology_graph,
                  topic_measures)
from .validate import validate_graph

DEFAULT_MAX_BYTES = 5_000_000
_write_lock = threading.Lock()  # two writers in one process are serialised; RocksDB's lock
                                # keeps a second process out altogether


class WriteTimedOut(Exception):
    """The write was still being checked when its time ran out; nothing was written."""

    def __init__(self, message: str, what: str, stage: str):
        super().__init__(message)
        self.what, self.stage = what, stage


class WriteWindow:
    """The time a write has to pass its checks, and the one moment it commits to writing.

    Checks stop at the deadline, or as soon as whoever waits for the answer gives up (abandon);
    the write transaction itself is never cut short. `begin_write` and `abandon` decide under
    one lock, so exactly one of them wins: a write that was answered as timed out can never
    commit afterwards, and one that began writing is always finished and answered."""

    def __init__(self, deadline: float | None = None, limit: float | None = None,
                 on_write: Callable[[str], None] | None = None):
        self.deadline = deadline      # time.monotonic() value; None: no limit (the CLI)
        self.limit = limit            # the limit in seconds, for messages
        self.on_write = on_write      # told "what" right before the transaction
        self.what = "a write"         # what is being written, for the log (set by Ingest)
        self._lock = threading.Lock()
        self._abandoned = False
        self._writing = False

    def check(self, stage: str) -> None:
        if self._abandoned or (self.deadline is not None and time.monotonic() > self.deadline):
            limit = f"the {self.limit:g} s" if self.limit else "its"
            raise WriteTimedOut(f"refused, nothing was written: the write was still {stage} when "
                                f"{limit} limit (WHOSAID_WRITE_TIMEOUT) ran out; send less at once "
                                "(fewer claims per article) or raise the limit", self.what, stage)

    def begin_write(self, what: str) -> None:
        with self._lock:
            self.check("waiting to write")
            self._writing = True
        if self.on_write is not None:
            self.on_write(what)

    def abandon(self) -> bool:
        """Stop the write if it has not begun writing; False when it has (it will finish)."""
        with self._lock:
            if self._writing:
                return False
            self._abandoned = True
            return True


@dataclass
class Submission:
    source: str            # where it came from, for messages: a path or "addArticle input"
    raw: dict[str, Any]    # the article document (YAML or GraphQL input, same shape)
    text: str


@dataclass
class Change:
    kind: str              # added, replaced, removed, unchanged, entities
    article: str | None
    by: str
    at: str
    claims: int = 0
    iri: str | None = None
    entities: int = 0
    # Whether the write added to the entities graph or the ontology: readers then reload what
    # they keep in memory of them (graph/read.py); otherwise they carry it over.
    references_changed: bool = False
    review: Any = None     # the graph.review.Decision this write carries out, if it is one
    verdict: str | None = None   # what that decision came to: accepted, edited or rejected


@dataclass
class _Prepared:
    article: Article
    graphs: dict[str, Graph]                 # graph IRI -> its new content
    drop: list[str]                          # graphs to drop first
    entity_triples: Graph = field(default_factory=Graph)


# ---------------------------------------------------------------------------------------------
# Reading submissions
# ---------------------------------------------------------------------------------------------

def _limit_check(size: int, where: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise CorpusError([Problem(where, f"is {size:,} bytes, over the {max_bytes:,}-byte limit "
                                          "(WHOSAID_MAX_SUBMISSION_BYTES)")])


def read_submission(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Submission:
    """An article YAML, with its text in the .txt beside it or inline as `text:`."""
    out = Problems()
    text_path = path.with_suffix(".txt")
    try:
        size = path.stat().st_size + (text_path.stat().st_size if text_path.exists() else 0)
        _limit_check(size, str(path), max_bytes)  # before reading anything
        raw = parse_yaml(path.read_bytes(), str(path), out)
    except OSError as exc:
        raise CorpusError([Problem(str(path), f"cannot read: {exc.strerror}")]) from None
    out.raise_if_any()
    if not isinstance(raw, dict):
        raise CorpusError([Problem(str(path), "must be a mapping with id, body and claims")])
    text = raw.pop("text", None)
    if text is None:
        if not text_path.exists():
            raise CorpusError([Problem(str(path), f"no text: put it in {text_path.name} or inline as text:")])
        try:
            text = text_path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorpusError([Problem(str(text_path), f"the article text is not UTF-8 (byte {exc.start})")]) from None
        except OSError as exc:
            raise CorpusError([Problem(str(text_path), f"cannot read: {exc.strerror}")]) from None
    if not isinstance(text, str) or not text:
        raise CorpusError([Problem(str(path), "text must be the article's text")])
    out.raise_if_any()
    return Submission(str(path), raw, text)


def submission_files(path: Path) -> list[Path]:
    """A file, or every article YAML in a folder (entities.yaml first)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.yaml") if p.name != "entities.yaml")
        entities = sorted(path.rglob("entities.yaml"))
        return entities + files
    return [path]


# ---------------------------------------------------------------------------------------------
# The write path
# ---------------------------------------------------------------------------------------------

_AUTO = object()


class Ingest:
    def __init__(self, store, base_iri: str, max_bytes: int = DEFAULT_MAX_BYTES, index=_AUTO):
        """`index`: the store's ClaimIndex to keep in step; by default the embedded store's own
        (opened, and rebuilt if out of step, at the first write), None for no index."""
        self.store = store
        self._index = index
        self._references = None  # (entities, their name index): see _stored_entities
        self.mint = Minter(base_iri)
        self.max_bytes = max_bytes
        self.ontology = ontology_graph()
        self.topics = topic_ids(self.ontology)
        self.measures = topic_measures(self.ontology)
        self.history_graph = URIRef(f"{base_iri}graph/history")
        self._quick: tuple | None = None  # (QuickCheck, QuickBase), compiled at the first write

    def _quick_check(self) -> tuple:
        """The build's quick check (graph/quick_check.py), which passes what pyshacl surely
        passes at a tenth of its cost (pyshacl was two thirds of an add), or (None, None) when
        the shapes use what it does not mirror."""
        if self._quick is None:
            from .quick_check import QuickBase, QuickCheck, Unsupported
            from .validate import shapes_graph
            try:
                self._quick = (QuickCheck(shapes_graph()), QuickBase(self.ontology))
            except Unsupported:
                self._quick = (None, None)
        return self._quick

    @property
    def index(self) -> ClaimIndex | None:
        if self._index is _AUTO:
            self._index = (ClaimIndex.for_store(self.store, self.mint.base)
                           if has_index(self.store) else None)
        return self._index

    crash_between_commits = None  # tests: called after the store commit, before the index's

    def _sizes(self, drop: list[str], inserts: dict) -> int | None:
        """How many quads the graphs a write touches hold, but the history graph: counted before
        and after the write, the difference is what the write changed, at the cost of those
        graphs (the history graph only grows, by the change's own new triples). None without
        an index (only the index keeps the total)."""
        if self.index is None:
            return None
        history = str(self.history_graph)
        return sum(int(self.store.select(named("graph_size"), graph=ox.NamedNode(name))[0]["n"].value)
                   for name in sorted({*drop, *inserts}) if name != history)

    def _reindex(self, drop: list[str], inserts: dict, change: Change,
                 articles: list[str] = (), sizes_before: int | None = None) -> None:
        """Bring the claim index in step with what `_apply` just committed."""
        index = self.index
        if index is None:
            return
        quads = self._sizes(drop, inserts) - sizes_before + len(inserts.get(str(self.history_graph), ()))
        if self.crash_between_commits is not None:
            self.crash_between_commits()
        claim_graphs = f"{self.mint.base}graph/claim/"
        claims = {f"{self.mint.base}claim/{name[len(claim_graphs):]}"
                  for name in (*drop, *inserts) if name.startswith(claim_graphs)}
        change_iri = str(self._change_node(change))
        if claims or articles:
            index.update(self.store, claims, articles, change_iri, quads_delta=quads)
        else:
            index.record_change(self.store, change_iri, quads_delta=quads)

    # -- what the store holds --------------------------------------------------------------

    def _stored_entities(self) -> tuple[dict[str, Entity], EntityIndex]:
        """The entities the store holds, as the corpus reader knows them (to resolve references),
        and their name index. Kept between writes and read again only after a write that added
        entities (this is the store's one writer): reading them costs what the entities graph
        holds, which a write of one article should not."""
        if self._references is None:
            stored = {r.local_id.rsplit("/", 1)[1]: Entity(id=r.local_id.rsplit("/", 1)[1], type=r.type,
                                                            label=r.label, aliases=r.aliases)
                      for r in Reader(self.store, self.mint.base).entities.values()}
            self._references = (stored, EntityIndex(stored))
        return self._references

    def _stored_about(self, nodes) -> set:
        """The entities graph's triples about `nodes`: at the cost of those entities."""
        nodes = sorted({str(n) for n in nodes})
        if not nodes:
            return set()
        query = named("entity_triples").bind(entity=[ox.NamedNode(n) for n in nodes],
                                             graph=ox.NamedNode(str(self.mint.entities_graph)))
        # As N-Triples would give them (rdflib's own triples): a plain literal, not xsd:string.
        return {tuple(Literal(x.value) if isinstance(x, Literal) and x.datatype == XSD.string else x
                      for x in _rdflib_triple(t)) for t in self.store.raw_query(query)}

    def _redefined(self, entities: dict[str, Entity], triples: Graph) -> list[str]:
        """Ids among `entities` that the store already describes differently (an entity, once
        described, is only ever referred to; a second description would merge two)."""
        if not entities:
            return []
        current = self._stored_about(self.mint.entity(eid) for eid in entities)
        clashes = []
        for eid in entities:
            node = self.mint.entity(eid)
            stored = {t for t in current if t[0] == node}
            if stored and stored != set(triples.triples((node, None, None))):
                clashes.append(eid)
        return clashes

    def _graph(self, name: str) -> Graph:
        return self.store.graph(name)

    def _existing_claims(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        rows = self.store.select(named("existing_claims"),
                                 claim=[ox.NamedNode(str(self.mint.claim(i))) for i in ids])
        return {r["id"].value for r in rows}

    # -- checking --------------------------------------------------------------------------

    def _new_entities(self, sub: Submission, stored: dict[str, Entity], out: Problems) -> dict[str, Entity]:
        raw = sub.raw.get("entities")
        if raw is None:
            return {}
        return parse_entities(raw, f"{sub.source}: entities", out, known_ids=set(stored))

    def prepare(self, sub: Submission, window: WriteWindow | None = None) -> _Prepared:
        window = window or WriteWindow()
        out = Problems()
        stored, stored_index = self._stored_entities()
        new = self._new_entities(sub, stored, out)
        refuse_name_collisions(new, stored, f"{sub.source}: entities", out, stored_index)
        index = stored_index.extended(new)
        raw = {k: v for k, v in sub.raw.items() if k != "entities"}
        article = parse_article(raw, sub.text, sub.source, index, self.topics, out)
        out.raise_if_any()
        window.check("reading the article")
        targets = {t for c in article.claims for t in c.referenced_claims()}
        known = self._existing_claims(targets | {c.id for c in article.claims})
        claims = join_claims([article], out, known_claims=known)
        out.raise_if_any()

        graphs = {str(self.mint.article_graph(article.id)): article_graph(article, self.mint)}
        if any(awaits_review(curation_of(raw, c)) for c in raw.get("claims") or [] if isinstance(c, dict)):
            # Kept while a claim awaits review: a decision re-submits the article (graph/review.py).
            graphs[str(self.mint.article_graph(article.id))].add(
                (self.mint.article(article.id), WS.sourceDocument,
                 Literal(document_json(sub.raw), datatype=RDF.JSON)))
        for i, claim in enumerate(claims.values()):
            if i % 100 == 0:
                window.check("converting claims")
            name = str(self.mint.claim_graph(claim.id))
            graphs[name] = claim_graph(claim, self.mint, self.measures)
        self._refuse_changed_claims(article, graphs, out)
        entity_triples = bind_prefixes(Graph())
        for e in new.values():
            add_entity(entity_triples, e, self.mint)
        for eid in self._redefined(new, entity_triples):
            out.add(f"{sub.source}: entity '{eid}'",
                    "already exists with a different definition; refer to it by id instead")
        out.raise_if_any()
        drop = [str(self.mint.article_graph(article.id))] + self._orphaned_by(article.id, set(claims))
        prepared = _Prepared(article, graphs, drop, entity_triples)
        window.check("being checked")
        self._validate(prepared, claims)
        window.check("being validated (SHACL)")
        return prepared

    def _refuse_changed_claims(self, article: Article, graphs: dict[str, Graph], out: Problems) -> None:
        """A claim id already in the store must keep its meaning: same claimant, figure, date..."""
        ids = self._existing_claims(c.id for c in article.claims)
        for cid in sorted(ids):
            name = str(self.mint.claim_graph(cid))
            if set(self._graph(name)) != set(graphs[name]):
                others = [r["id"].value for r in self.store.select(
                    named("claim_articles"), claim=ox.NamedNode(str(self.mint.claim(cid))))
                    if r["id"].value != article.id]
                if others:
                    out.add(f"{article.id}: claim '{cid}'",
                            f"already exists, reported by {', '.join(others)}, with different content: "
                            "one claim id must mean one statement; use a new id")

    def _orphaned_by(self, article_id: str, keeping: set[str]) -> list[str]:
        """Claim graphs that only this article (as stored) reports and that it no longer does.
        Refused (CorpusError) if a claim that stays refers to one of them: it would dangle."""
        rows = self.store.select(named("claims_only_in"),
                                 article=ox.NamedNode(str(self.mint.article(article_id))))
        dropped = [r["id"].value for r in rows if r["id"].value not in keeping]
        if dropped:
            referrers = self.store.select(named("claims_referred_to"),
                                          claim=[ox.NamedNode(str(self.mint.claim(i))) for i in dropped])
            out = Problems()
            for r in referrers:
                by = r["byId"].value
                if by not in dropped and by not in keeping:
                    gone = self.mint.local_id(r["claim"].value) or r["claim"].value
                    out.add(f"article '{article_id}'",
                            f"would remove {gone}, which claim '{by}' of another article refers to "
                            "(confirms, revises or a link): change or remove that article first")
            out.raise_if_any()
        return [str(self.mint.claim_graph(i)) for i in dropped]

    def _validate(self, p: _Prepared, claims: dict[str, Claim]) -> None:
        """SHACL on the new graphs and what they reference: cost independent of the store's size."""
        triples = [t for g in (p.entity_triples, *p.graphs.values()) for t in g]
        new_nodes = {t[0] for t in triples}
        referenced = {n for t in triples for n in (t[0], t[2])
                      if isinstance(n, URIRef) and str(n).startswith(self.mint.base)}
        query = named("neighbourhood").bind(
            node=[ox.NamedNode(str(i)) for i in sorted(referenced)],
            skip=ox.NamedNode(str(self.mint.article_graph(p.article.id))))
        triples += [_rdflib_triple(t) for t in self.store.raw_query(query, use_default_graph_as_union=True)]
        quick, base = self._quick_check()
        if quick is not None and quick.passes(base, triples, new_nodes):
            return
        data = Graph()
        for t in self.ontology:
            data.add(t)
        for t in triples:
            data.add(t)
        violations = validate_graph(data, focus_nodes=sorted(new_nodes))
        if violations:
            raise ValidationFailed(violations)

    # -- writing ---------------------------------------------------------------------------

    def add(self, sub: Submission, by: str, window: WriteWindow | None = None) -> Change:
        window = window or WriteWindow()
        window.what = sub.raw.get("id") if is_slug(sub.raw.get("id")) else sub.source
        with _write_lock:
            window.check("waiting for the previous write")
            return self._add(sub, by, window)

    def review(self, decision: Decision, window: WriteWindow | None = None) -> Change:
        """Carry out a review decision on a proposed claim (graph/review.py): the article's kept
        submission, changed by the decision, written through the same checks as any add."""
        window = window or WriteWindow()
        if not (is_slug(decision.article) and is_slug(decision.claim)):
            raise CorpusError([Problem(decision.where, "article and claim ids are slugs (lowercase "
                                                       "letters, digits, '-' or '_')")])
        window.what = f"review of {decision.claim}"
        with _write_lock:
            window.check("waiting for the previous write")
            article = ox.NamedNode(str(self.mint.article(decision.article)))
            rows = self.store.select(named("source_document"), article=article)
            if not rows:
                raise CorpusError([Problem(decision.where, "has no claim awaiting review: the article is "
                                           "not in the store, or none of its claims is a proposed one")])
            document = json.loads(rows[0]["document"].value)
            changed, verdict = decided(document, decision, datetime.now(timezone.utc).date())
            sub = Submission(f"review of {decision.where}", changed, rows[0]["text"].value)
            return self._add(sub, decision.by, window, decision, verdict)

    def _add(self, sub: Submission, by: str, window: WriteWindow, review: Decision | None = None,
             verdict: str | None = None) -> Change:
        """The body of add and review, under the write lock."""
        p = self.prepare(sub, window)
        article_graph_name = str(self.mint.article_graph(p.article.id))
        existed = self.store.ask(named("graph_exists"), graph=ox.NamedNode(article_graph_name))
        known = self._stored_about(p.entity_triples.subjects())
        new_entity_triples = any(t not in known for t in p.entity_triples)
        unchanged = existed and not p.drop[1:] and not new_entity_triples and all(
            set(self._graph(name)) == set(g) for name, g in p.graphs.items())
        change = Change("unchanged" if unchanged else "replaced" if existed else "added",
                        p.article.id, by, _now(), len(p.article.claims),
                        str(self.mint.article(p.article.id)), review=review, verdict=verdict)
        if unchanged:
            return change
        inserts = dict(p.graphs)
        if len(p.entity_triples):
            inserts[str(self.mint.entities_graph)] = p.entity_triples
        self._ensure_ontology(inserts)
        change.references_changed = new_entity_triples or str(self.mint.ontology_graph) in inserts
        inserts[str(self.history_graph)] = self._history(change)
        self.index  # opened (and repaired if out of step) before the write, never between commits
        # The article's claim graphs are replaced, not added to: a claim whose content changed
        # (a review's edit, a corrected listing) would otherwise keep its old triples beside the new.
        drop = list(dict.fromkeys([*p.drop, *p.graphs]))
        window.begin_write(p.article.id)
        before = self._sizes(drop, inserts)
        self._apply(drop, inserts)
        if change.references_changed:
            self._references = None
        self._reindex(drop, inserts, change, [change.iri], before)
        return change

    def add_entities(self, path: Path, by: str, window: WriteWindow | None = None) -> Change:
        """Merge an entities file (corpus/entities.yaml) into the entities graph."""
        window = window or WriteWindow()
        window.what = f"entities from {path}"
        with _write_lock:
            out = Problems()
            try:
                _limit_check(path.stat().st_size, str(path), self.max_bytes)
                raw = parse_yaml(path.read_bytes(), str(path), out)
            except OSError as exc:
                raise CorpusError([Problem(str(path), f"cannot read: {exc.strerror}")]) from None
            out.raise_if_any()
            entities = parse_entities(raw, str(path), out)
            out.raise_if_any()
            stored, stored_index = self._stored_entities()
            refuse_name_collisions(entities, stored, str(path), out, stored_index)
            out.raise_if_any()
            g = bind_prefixes(Graph())
            for e in entities.values():
                add_entity(g, e, self.mint)
            for eid in self._redefined(entities, g):
                out.add(f"{path}: entity '{eid}'", "already exists with a different definition")
            out.raise_if_any()
            current = self._graph(str(self.mint.entities_graph))
            data = self.ontology + current + g
            window.check("being checked")
            violations = validate_graph(data)
            if violations:
                raise ValidationFailed(violations)
            new = [t for t in g if t not in current]
            change = Change("entities" if new else "unchanged", None, by, _now(),
                            entities=len({t[0] for t in new}))
            if new:
                inserts = {str(self.mint.entities_graph): _graph_of(new),
                           str(self.history_graph): self._history(change)}
                change.references_changed = True
                self._ensure_ontology(inserts)
                self.index
                window.begin_write(window.what)
                before = self._sizes([], inserts)
                self._apply([], inserts)
                self._references = None
                self._reindex([], inserts, change, sizes_before=before)
            return change

    def remove(self, article_id: str, by: str, window: WriteWindow | None = None) -> Change:
        window = window or WriteWindow()
        if not is_slug(article_id):  # before it goes anywhere near an IRI or a query
            raise CorpusError([Problem("id", f"{shown(article_id)} is not an article id: ids are "
                                             "slugs (lowercase letters, digits, '-' or '_')")])
        window.what = f"removal of {article_id}"
        with _write_lock:
            window.check("waiting for the previous write")
            name = str(self.mint.article_graph(article_id))
            if not self.store.ask(named("graph_exists"), graph=ox.NamedNode(name)):
                raise CorpusError([Problem(f"article '{article_id}'", "is not in the store")])
            drop = [name] + self._orphaned_by(article_id, set())
            change = Change("removed", article_id, by, _now(), iri=str(self.mint.article(article_id)))
            self.index
            window.begin_write(window.what)
            inserts = {str(self.history_graph): self._history(change)}
            before = self._sizes(drop, inserts)
            self._apply(drop, inserts)
            self._reindex(drop, inserts, change, [change.iri], before)
            return change

    def _ensure_ontology(self, inserts: dict[str, Graph]) -> None:
        name = str(self.mint.ontology_graph)
        if not self.store.ask(named("graph_exists"), graph=ox.NamedNode(name)):
            inserts[name] = self.ontology

    def _change_node(self, change: Change) -> URIRef:
        return URIRef(f"{self.mint.base}change/{change.at.replace(':', '').replace('-', '')}-"
                      f"{change.article or 'entities'}")

    def _history(self, change: Change) -> Graph:
        g = Graph()
        node = self._change_node(change)
        g.add((node, RDF.type, WS.Change))
        g.add((node, WS.changeKind, Literal(change.kind)))
        if change.iri:
            g.add((node, WS.changedArticle, URIRef(change.iri)))
        g.add((node, PROV.endedAtTime, Literal(change.at, datatype=XSD.dateTime)))
        g.add((node, WS.byToken, Literal(change.by)))
        if change.review is not None:
            g.add((node, WS.reviewDecision, WS[change.verdict.capitalize()]))
            g.add((node, WS.reviewedClaim, self.mint.claim(change.review.claim)))
            if change.review.note:
                g.add((node, WS.reviewNote, Literal(change.review.note, lang="en")))
        return g

    def _apply(self, drop: list[str], inserts: dict[str, Graph]) -> None:
        """One update request: drops, then inserts, in one transaction.

        The data is N-Triples serialised by rdflib (which escapes every literal) inside GRAPH
        blocks named by IRIs we minted; nothing from a request is pasted in."""
        parts = [f"DROP SILENT GRAPH {URIRef(name).n3()}" for name in drop]
        parts.append(self.store.insert_data({
            URIRef(name).n3(): g.serialize(format="nt", encoding="utf-8").decode("utf-8")
            for name, g in inserts.items()}))  # the store's dialect: see VirtuosoStore
        self.store.update(" ;\n".join(parts))


def _graph_of(triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def _rdflib_triple(t):
    return (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
