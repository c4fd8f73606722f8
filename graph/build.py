"""From corpus to store: read and check the corpus, turn it into RDF, validate it, then swap it in.

Nothing is written unless everything passes, and the new store replaces the old one whole.

The build grows with the corpus and no faster:
- each article is read, checked, converted and validated with SHACL on its own (its graphs, the
  entities it refers to, the ontology), as `whosaid add` does, in parallel across `jobs` processes.
  The shapes are evaluated by the quick check of graph/quick_check.py, which passes an article only
  when pyshacl would find no violation in it; any other article goes to pyshacl, whose report is
  the one given (pyshacl alone cost ten times what the rest of the build does);
- what an article became is kept in a cache beside the store (graph/build_cache.py), keyed by a
  hash of its YAML and text and of everything its checks depend on (entities.yaml, ontology,
  shapes, build code): an unchanged article is not checked again;
- the rules that span articles (one claim id, one statement; a quote inside the evidence of some
  report; confirms/revises name a claim that exists) run as SQL queries over the cache's summary
  of every claim, after the per-article checks;
- entities and topics are validated once per version of entities.yaml, ontology and shapes;
- a first build bulk-loads every article's N-Quads into a fresh store; a rebuild copies the store
  (a RocksDB checkpoint: hard links) and replaces only the changed articles' graphs; either way
  the new store is swapped in only when everything passed. A build that changes nothing does not
  touch the store;
- the claim index (graph/index/) of a rebuilt store is the old store's, carried into the copy and
  updated for the changed articles only; a first build, or a rebuild that cannot carry it, builds
  it whole from the store.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import multiprocessing
import os
import sqlite3
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.namespace import RDF
from rdflib.plugins.serializers.nt import _nt_row

from .build_cache import BuildCache, ClaimRow, Entry
from .config import Settings
from .corpus import (UNPRINTED_RULE, Corpus, EntityIndex, Problems, _load_yaml, join_claims,
                     load_corpus, parse_article, parse_entities, parse_yaml,
                     read_article_text)
from .index import (ClaimIndex, IndexView, claims_in, ensure_at, index_path, latest_change,
                    merge_claims)
from .iris import WS, Minter
from .queries import named
from .rdf import (ONTOLOGY_DIR, ONTOLOGY_FILES, add_claim_core, fill_article,
                  bind_prefixes, corpus_dataset, entities_graph, ontology_graph, topic_measures)
from .remote_store import is_remote
from .store import Store, fresh_store_at, open_store_for
from .quick_check import QuickBase, QuickCheck, Unsupported
from .validate import SHAPES_FILE, Violation, shapes_graph, validate_graph

log = logging.getLogger("whosaid.build")

STAMP = "whosaid-build.json"      # in the store folder: which build (and cache state) it holds
QUOTE_RULE = "the claim's quote is not inside the evidence of any of its reports"
# Shape rules over all of a claim's reports: one article's graph holds only its own report, so
# the build checks these across articles (corpus.join_claims), not per article.
CROSS_ARTICLE_RULES = (QUOTE_RULE,)
_CODE = ("build.py", "build_cache.py", "corpus.py", "curation.py", "rdf.py", "iris.py", "names.py",
         "validate.py", "quick_check.py")


class ValidationFailed(ValueError):
    def __init__(self, violations: list[Violation]):
        self.violations = violations
        super().__init__(f"{len(violations)} SHACL violation(s):\n" +
                         "\n".join(str(v) for v in violations))


@dataclass
class ArticleCount:
    id: str
    claims: int
    triples: int


@dataclass
class BuildResult:
    store: str
    triples: int
    entities: int
    claims: int
    articles: list[ArticleCount] = field(default_factory=list)
    seconds: float = 0.0
    checked: int = 0          # articles read, checked and validated by this build
    cached: int = 0           # articles taken from the cache unchanged
    mode: str = "full"        # full (store loaded whole), incremental, unchanged
    changed: list[str] = field(default_factory=list)  # articles whose graphs were (re)written
    removed: list[str] = field(default_factory=list)  # articles no longer in the store
    pyshacl: int = 0          # checked articles that pyshacl validated (the quick check did not pass)
    index: str = ""           # the claim index: rebuilt (whole), updated (changed articles), kept
    stages: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage, in order


def topic_ids(ontology: Graph) -> set[str]:
    from .iris import TOPIC
    return {str(t)[len(str(TOPIC)):] for t in ontology.subjects(RDF.type, WS.Topic)}


def union_graph(ds: Dataset) -> Graph:
    """All named graphs of a dataset merged into one graph (what SHACL validates)."""
    g = bind_prefixes(Graph())
    for quad in ds.quads((None, None, None, None)):
        g.add(quad[:3])
    return g


def compile_corpus(settings: Settings) -> tuple[Corpus, Dataset]:
    """The whole corpus in memory, validated as one graph: for small corpora and tests (the build
    itself works article by article). Raise CorpusError or ValidationFailed."""
    ontology = ontology_graph(ONTOLOGY_DIR)
    corpus = load_corpus(settings.corpus, topic_ids(ontology), settings.max_submission_bytes)
    ds = corpus_dataset(corpus, Minter(settings.base_iri), ontology)
    violations = validate_graph(union_graph(ds))
    if violations:
        raise ValidationFailed(violations)
    return corpus, ds


# ---------------------------------------------------------------------------------------------
# One article, on its own (run in worker processes)
# ---------------------------------------------------------------------------------------------

@dataclass
class _Context:
    mint: Minter
    topics: set[str]
    measures: dict
    ontology: Graph
    index: EntityIndex
    entity_triples: dict      # entity node -> its triples (context for sh:class checks)
    env: str
    max_bytes: int | None
    quick: QuickCheck | None = None   # None: every article goes to pyshacl
    quick_base: QuickBase | None = None
    index_claims: bool = False        # read what the claim index keeps of each article (claims_in)
    entity_rows: dict = field(default_factory=dict)  # entity node -> its N-Triples (filled lazily)


@dataclass
class _Outcome:
    stem: str
    digest: str
    problems: list = field(default_factory=list)      # corpus Problems
    violations: list = field(default_factory=list)    # SHACL Violations
    entry: Entry | None = None
    pyshacl: bool = False     # validated by pyshacl (the quick check could not pass it)
    index_claims: dict | None = None  # what the claim index keeps of its claims, when asked


_CTX: _Context | None = None  # set before the pool forks; each worker reads its copy


def content_digest(yaml_bytes: bytes, text_bytes: bytes | None) -> str:
    h = hashlib.sha256()
    h.update(len(yaml_bytes).to_bytes(8, "big") + yaml_bytes)
    h.update(b"\1" + text_bytes if text_bytes is not None else b"\0")
    return h.hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _nquads(g: Iterable, name: str) -> bytes:
    """A graph's triples as N-Quads in the named graph `name` (rdflib's escaping)."""
    suffix = f" <{name}> .\n"
    return "".join(row[:-3] + suffix for row in map(_nt_row, g)).encode("utf-8")


class _Triples(dict):
    """The triples of one named graph, in the order they were added and each once: what rdf.py's
    add_* functions fill (they only call add), without an rdflib Graph's store and namespace
    manager, which cost more than everything else an article's conversion does."""

    def add(self, triple) -> None:
        self[triple] = None


def article_triples(article, mint: Minter) -> _Triples:
    """What rdf.article_graph holds (tests/test_build.py holds the two to the same triples)."""
    return fill_article(_Triples(), article, mint)


def claim_triples(claim, mint: Minter, measures: dict) -> _Triples:
    """What rdf.claim_graph holds."""
    g = _Triples()
    add_claim_core(g, claim, mint, measures)
    return g


def _core_digest(core: tuple) -> str:
    return hashlib.sha256(repr(core).encode("utf-8")).hexdigest()[:32]


def check_article(meta_path: str) -> _Outcome:
    """Read, check, convert and validate one article with the build context `_CTX`."""
    ctx = _CTX
    meta = Path(meta_path)
    out = Problems()
    yaml_bytes = _read(meta)
    text_bytes = _read(meta.with_suffix(".txt"))
    outcome = _Outcome(meta.stem, content_digest(yaml_bytes or b"", text_bytes))
    text = read_article_text(meta.with_suffix(".txt"), out) if text_bytes is None else None
    if text_bytes is not None:
        try:
            text = text_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.add(str(meta.with_suffix(".txt")), f"the article text is not UTF-8 (byte {exc.start})")
    raw = _load_yaml(meta, out, ctx.max_bytes) if yaml_bytes is None else \
        parse_yaml(yaml_bytes, str(meta), out, ctx.max_bytes)
    if text is None or raw is None:
        outcome.problems = out.problems
        return outcome
    article = parse_article(raw, text, str(meta), ctx.index, ctx.topics, out)
    if article is None:
        outcome.problems = out.problems
        return outcome
    if article.id != meta.stem:
        out.add(str(meta), f"id '{article.id}' must equal the file name '{meta.stem}'")
    article.source = meta
    # Cross-article rules (quotes, targets, shared ids) run later over every article's summary.
    known = {c.id for c in article.claims} | {t for c in article.claims for t in c.referenced_claims()}
    claims = join_claims([article], out, known_claims=known)
    if out.problems:
        outcome.problems = out.problems
        return outcome

    mint = ctx.mint
    graphs = {str(mint.article_graph(article.id)): article_triples(article, mint)}
    for claim in claims.values():
        graphs[str(mint.claim_graph(claim.id))] = claim_triples(claim, mint, ctx.measures)
    rows = {name: [_nt_row(t) for t in g] for name, g in graphs.items()}
    triples, focus, context = _validation_data(article, graphs, ctx)
    if ctx.quick is None or not ctx.quick.passes(
            ctx.quick_base, triples, focus, _validation_rows(rows, context, ctx)):
        outcome.pyshacl = True
        outcome.violations = _validate(triples, focus, ctx)
        if outcome.violations:
            return outcome

    summary = []
    for claim in article.claims:
        report = claim.reports[0]
        summary.append(ClaimRow(
            claim.id, _core_digest(claim.core()), claim.quote[:60] if claim.quote else None,
            bool(claim.quote) and claim.quote in report.evidence.exact,
            claim.referenced_claims(),
            ", ".join(report.unprinted) or None))
    nquads = ["".join(row[:-3] + f" <{name}> .\n" for row in rows[name]).encode("utf-8")
              for name in graphs]
    parts = [(name, zlib.compress(data, 1)) for name, data in zip(graphs, nquads)]
    if ctx.index_claims:
        outcome.index_claims = claims_in(nquads)
    outcome.entry = Entry(meta.stem, outcome.digest, ctx.env, len(article.claims),
                          len(graphs[str(mint.article_graph(article.id))]), summary, parts)
    return outcome


def _validation_data(article, graphs: dict, ctx: _Context) -> tuple[list, set, list]:
    """What SHACL validates an article on, besides the ontology: the article's graphs, the
    entities they refer to, and the claims it confirms or revises in other articles, known to be
    claims (the cross-article rules check they exist). Returns (triples, focus nodes: the
    subjects of the article's graphs, the context triples among `triples`)."""
    triples, focus, referred = [], set(), {}
    for g in graphs.values():
        for t in g:
            triples.append(t)
            focus.add(t[0])
            referred[t[2]] = None
    context = [t for o in referred for t in ctx.entity_triples.get(o, ())]
    for claim in article.claims:
        for target in claim.referenced_claims():
            context.append((ctx.mint.claim(target), RDF.type, WS.Claim))
    triples += context
    return triples, focus, context


def _validation_rows(rows: dict, context: list, ctx: _Context) -> list[str]:
    """The N-Triples line of each of _validation_data's triples, in its order: the graphs' lines
    written for the cache, then the context's (kept, as they recur)."""
    cached = ctx.entity_rows
    out = [r for graph_rows in rows.values() for r in graph_rows]
    for t in context:
        row = cached.get(t)
        if row is None:
            row = cached[t] = _nt_row(t)
        out.append(row)
    return out


def _validate(triples: list, focus: set, ctx: _Context) -> list[Violation]:
    """pyshacl on the ontology and `triples` (see _validation_data), for the focus nodes; a quote
    that is not in this article's evidence is left to the cross-article rule (it may be in
    another report's)."""
    data = Graph()
    for t in ctx.ontology:
        data.add(t)
    for t in triples:
        data.add(t)
    violations = validate_graph(data, focus_nodes=sorted(focus))
    return [v for v in violations if v.message not in CROSS_ARTICLE_RULES]


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

def _environment(settings: Settings, entities_bytes: bytes | None) -> str:
    """A hash of everything an article's checks depend on, besides the article itself."""
    import pyoxigraph
    import pyshacl
    import rdflib
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for f in (*(here / n for n in _CODE), *(ONTOLOGY_DIR / n for n in ONTOLOGY_FILES), SHAPES_FILE):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(entities_bytes or b"\0none")
    h.update(json.dumps([settings.base_iri, settings.max_submission_bytes, pyshacl.__version__,
                         rdflib.__version__, pyoxigraph.__version__]).encode())
    return h.hexdigest()


def _signature(meta: Path) -> str:
    parts = []
    for f in (meta, meta.with_suffix(".txt")):
        try:
            st = f.stat()
            parts.append(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def cache_location(store_path: str | Path) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".build-cache")


def _read_stamp(path: Path) -> dict:
    try:
        return json.loads((path / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _run(todo: list[Path], jobs: int, progress: Callable[[int], None] | None) -> Iterator[_Outcome]:
    if jobs <= 1 or len(todo) < 8:
        for meta in todo:
            yield check_article(str(meta))
            if progress:
                progress(1)
        return
    from concurrent.futures import ProcessPoolExecutor
    ctx = multiprocessing.get_context("fork")  # the workers inherit _CTX as built here
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        chunk = max(1, min(16, len(todo) // (jobs * 8)))
        for outcome in pool.map(check_article, [str(m) for m in todo], chunksize=chunk):
            yield outcome
            if progress:
                progress(1)


def build(settings: Settings, store_path: str | Path | None = None, jobs: int | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build the store from the corpus. `progress(stage, done, total)` is told as articles are
    checked. Raise CorpusError or ValidationFailed (nothing written), or StoreError/OSError."""
    global _CTX
    started = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    path = str(store_path or settings.store)
    remote = is_remote(path)
    corpus_dir = Path(settings.corpus)
    mint = Minter(settings.base_iri)
    ontology = ontology_graph(ONTOLOGY_DIR)
    topics = topic_ids(ontology)

    out = Problems()
    entities_path = corpus_dir / "entities.yaml"
    raw_entities = _load_yaml(entities_path, out, settings.max_submission_bytes)
    entities = parse_entities(raw_entities, str(entities_path), out) \
        if raw_entities is not None or not out.problems else {}
    metas = sorted((corpus_dir / "articles").glob("*.yaml"))
    if raw_entities is None:
        # Without entities every reference would fail: report the files' own problems.
        for meta in metas:
            text = _read(meta.with_suffix(".txt"))
            if text is None:
                out.add(str(meta.with_suffix(".txt")), "cannot read the article text")
            _load_yaml(meta, out, settings.max_submission_bytes)
        out.raise_if_any()
    out.raise_if_any()
    env = _environment(settings, _read(entities_path))
    ents = entities_graph(entities, mint)
    entity_triples: dict = {}
    for t in ents:
        entity_triples.setdefault(t[0], []).append(t)
    _CTX = _Context(mint, topics, topic_measures(ontology), ontology, EntityIndex(entities),
                    entity_triples, env, settings.max_submission_bytes)
    try:
        _CTX.quick = QuickCheck(shapes_graph(), ignored_messages=CROSS_ARTICLE_RULES)
        _CTX.quick_base = QuickBase(ontology)
    except Unsupported as exc:
        log.warning("every article goes to pyshacl, about ten times slower: the quick check "
                    "(graph/quick_check.py) does not cover %s", exc)

    cache = BuildCache(None if remote else cache_location(path))
    try:
        return _build(settings, path, remote, cache, metas, env, ontology, ents, entities,
                      jobs, progress, started)
    finally:
        cache.close()
        _CTX = None


def _build(settings, path, remote, cache: BuildCache, metas, env, ontology, ents, entities,
           jobs, progress, started) -> BuildResult:
    mint = Minter(settings.base_iri)
    stages: dict[str, float] = {}
    clock = [time.perf_counter()]

    def stage_done(name: str) -> None:
        # Where a build's time goes, told to the user and the benchmark (a build at 10^5 takes
        # long enough that "which stage" is the first question).
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - clock[0]
        clock[0] = now

    # Which article versions does the corpus hold now? (stat first; hash only what moved)
    seen = cache.seen()
    digests: dict[str, str] = {}
    remembered = []
    for meta in metas:
        sig = _signature(meta)
        known = seen.get(meta.stem)
        if known and known[0] == sig:
            digests[meta.stem] = known[1]
        else:
            digests[meta.stem] = content_digest(_read(meta) or b"", _read(meta.with_suffix(".txt")))
            remembered.append((meta.stem, sig, digests[meta.stem]))
    ids = cache.entry_ids(env)
    current = {stem: ids[(stem, d)] for stem, d in digests.items() if (stem, d) in ids}

    # Can the store be changed in place, or must it be loaded whole?
    stamp = {} if remote else _read_stamp(Path(path))
    built = cache.built()
    incremental = (not remote and bool(stamp) and stamp.get("build") == cache.get("build")
                   and stamp.get("env") == env and cache.get("env") == env
                   and _untouched_since_build(Path(path)))
    if not incremental:
        # Every entry will be read back: drop those whose seal does not hold.
        broken = [stem for stem, i in current.items() if cache.load(i) is None]
        cache.drop(current.pop(stem) for stem in broken)

    todo = [m for m in metas if m.stem not in current]
    stage_done("reading")
    # A store loaded whole from articles that are all checked now gets its claim index from the
    # workers, which read it off each article's own graphs: reading every claim back from the
    # store afterwards is one core's work (about 6 s per 1,000 articles).
    _CTX.index_claims = not incremental and not remote and not current
    index_parts: list[dict] = []
    stage = "checking"
    if progress:
        progress(stage, 0, len(todo))
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(stage, done, len(todo))

    problems = Problems()
    violations: list[Violation] = []
    slow = 0
    cache.db.execute("BEGIN")
    try:
        for outcome in _run(todo, jobs, advance):
            for p in outcome.problems:
                problems.add(p.where, p.message)
            violations.extend(outcome.violations)
            slow += outcome.pyshacl
            if outcome.index_claims is not None:
                index_parts.append(outcome.index_claims)
            if outcome.entry is not None:
                current[outcome.stem] = cache.add(outcome.entry)
                digests[outcome.stem] = outcome.digest
        cache.remember(remembered)
        cache.db.execute("COMMIT")
    except BaseException:
        cache.db.execute("ROLLBACK")
        raise
    problems.raise_if_any()
    if cache.get(f"globals:{env}") is None:
        violations.extend(validate_graph(ontology + ents))
    if violations:
        raise ValidationFailed(sorted(set(violations), key=lambda v: (v.focus, v.path or "",
                                                                       v.message, v.value or "")))
    cache.set(f"globals:{env}", "ok")
    stage_done("checking")

    # Cross-article rules, over the claims of every article (a rebuild: only what it touched).
    entry_ids = [current[m.stem] for m in metas]
    old = {stem: i for stem, i in built.items() if current.get(stem) != i} if incremental else {}
    new = [current[m.stem] for m in metas if built.get(m.stem) != current[m.stem]] \
        if incremental else None
    _cross_article_rules(settings, cache, metas, current, entry_ids, new, old)
    stage_done("cross-article rules")

    build_id = uuid.uuid4().hex
    if incremental and not old and not new:
        result_triples, mode = int(stamp.get("triples", 0)), "unchanged"
    elif incremental:
        result_triples, mode = _apply_changes(Path(path), cache, stamp, build_id, env, current,
                                              new, old), "incremental"
    else:
        result_triples, mode = _load_whole(settings, path, remote, cache, metas, current,
                                           ontology, ents, mint, build_id, env), "full"
    if mode != "unchanged":
        cache.db.execute("BEGIN")
        cache.set_built(current)
        cache.set("build", build_id)
        cache.set("env", env)
        cache.prune(current.values())
        cache.db.execute("COMMIT")
    stage_done("loading")

    index = ""
    if mode == "full" and _CTX.index_claims and len(index_parts) == len(metas):
        _index_from_workers(path, settings.base_iri, index_parts)
        index = "rebuilt"
    elif not remote:
        # The claim index (graph/index/): carried over and updated by _apply_changes, kept for an
        # unchanged store, built whole for a new one (or when carrying it over failed).
        index = "rebuilt" if ensure_at(path, settings.base_iri) else \
            ("updated" if mode == "incremental" else "kept")
    stage_done("claim index")
    counts = cache.counts(entry_ids)
    articles = [ArticleCount(counts[i][0], counts[i][1], counts[i][2]) for i in entry_ids]
    return BuildResult(store=str(path), triples=result_triples, entities=len(entities),
                       claims=cache.claim_count(entry_ids), articles=articles,
                       seconds=time.perf_counter() - started, checked=len(todo),
                       cached=len(metas) - len(todo), mode=mode,
                       changed=[m.stem for m in metas if mode == "full"
                                or (mode == "incremental" and built.get(m.stem) != current[m.stem])],
                       removed=sorted(set(built) - set(current)) if mode == "incremental" else [],
                       pyshacl=slow, index=index, stages=stages)


def _index_from_workers(path, base_iri: str, parts: list[dict]) -> None:
    """The claim index of a store just loaded whole, from what the workers read of each article."""
    store = Store.open(path, read_only=True)
    index = ClaimIndex(index_path(path), base_iri)
    try:
        index.rebuild(store, claims=merge_claims(parts))
    finally:
        index.close()


def _untouched_since_build(path: Path) -> bool:
    """Whether nothing but the build wrote to the store (add/remove record a history)."""
    if not (path / "CURRENT").exists():
        return False
    try:
        store = Store.open(path, read_only=True)
    except Exception:
        return False
    history = f"{_CTX.mint.base}graph/history"
    return not store.ask(f"ASK {{ GRAPH <{history}> {{ ?s ?p ?o }} }}")


def _cross_article_rules(settings, cache: BuildCache, metas, current, entry_ids, new, old) -> None:
    out = Problems()
    claims = None
    gone: set[str] | None = None
    if new is not None:
        claims = cache.claims_of(new) | cache.claims_of(old.values())
        gone = cache.claims_of(old.values())
    by_stem = {m.stem: m for m in metas}
    for claim, stems in cache.conflicting_claims(entry_ids, claims):
        _explain_conflict(settings, claim, [by_stem[s] for s in stems], out)
    for claim, quote, stems in cache.quotes_outside_evidence(entry_ids, claims):
        out.add(f"claim '{claim}'", f"quote {quote!r} is not inside its evidence in "
                                    f"{', '.join(stems)}")
    for claim, what, stems in cache.unprinted_dates(entry_ids, claims):
        out.add(f"claim '{claim}'", UNPRINTED_RULE.format(what=what, articles=", ".join(stems)))
    for claim, target in cache.missing_targets(entry_ids, new, gone):
        out.add(f"claim '{claim}'", f"refers to claim '{target}', which does not exist")
    out.raise_if_any()


def _explain_conflict(settings, claim_id: str, metas: list[Path], out: Problems) -> None:
    """Read again the articles that share a claim id with different core fields, to say which
    fields differ (as join_claims says it when it reads the whole corpus)."""
    ctx = _CTX
    articles = []
    for meta in metas:
        scratch = Problems()
        raw = _load_yaml(meta, scratch, settings.max_submission_bytes)
        text = (_read(meta.with_suffix(".txt")) or b"").decode("utf-8", "replace")
        article = parse_article(raw, text, str(meta), ctx.index, ctx.topics, scratch) if raw else None
        if article is not None:
            article.claims = [c for c in article.claims if c.id == claim_id]
            articles.append(article)
    before = len(out.problems)
    join_claims(articles, out, known_claims={claim_id} | {
        t for a in articles for c in a.claims for t in (*c.confirms, *([c.revises] if c.revises else ()))})
    if len(out.problems) == before:  # cannot happen unless a file changed meanwhile
        out.add(f"claim '{claim_id}'", f"differs between articles {', '.join(m.stem for m in metas)}: "
                                       "one claim id must mean one statement")


# ---------------------------------------------------------------------------------------------
# Writing the store
# ---------------------------------------------------------------------------------------------

class _Chunks(io.RawIOBase):
    """A readable stream over an iterator of byte chunks (for Store.bulk_load)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def _all_quads(cache: BuildCache, metas, current, ontology: Graph, ents: Graph,
               mint: Minter) -> Iterator[bytes]:
    yield _nquads(ontology, str(mint.ontology_graph))
    yield _nquads(ents, str(mint.entities_graph))
    emitted: set[str] = set()
    for meta in metas:
        for graph, data in sorted(cache.parts(current[meta.stem])):
            if graph not in emitted:  # a claim several articles report is loaded once
                emitted.add(graph)
                yield zlib.decompress(data)


def _write_stamp(directory: Path, build_id: str, env: str, triples: int) -> None:
    (directory / STAMP).write_text(json.dumps({"build": build_id, "env": env, "triples": triples}),
                                   encoding="utf-8")


def _load_whole(settings, path, remote, cache, metas, current, ontology, ents, mint, build_id, env) -> int:
    chunks = _all_quads(cache, metas, current, ontology, ents, mint)
    if remote:
        store = open_store_for(settings, read_only=False, location=path)
        try:
            return store.replace_all(chunks)  # it counts what the store holds, once
        finally:
            store.close()
    with fresh_store_at(path) as store:
        from pyoxigraph import RdfFormat
        from .store import StoreError
        try:
            store._inner.bulk_load(io.BufferedReader(_Chunks(chunks), 1 << 20),
                                   format=RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write to the store: {exc}") from None
        store.flush()
        total = len(store)
        _write_stamp(Path(store.path), build_id, env, total)
    return total


def _count(store: Store, graph: str) -> int:
    return int(store.select(named("graph_size"), graph=ox.NamedNode(graph))[0]["n"].value)


def _apply_changes(path: Path, cache: BuildCache, stamp: dict, build_id: str, env: str,
                   current: dict[str, int], new: list[int], old: dict[str, int]) -> int:
    """Replace the graphs of changed, added and removed articles in a copy of the store."""
    mint = _CTX.mint
    new_set = set(new)
    unchanged = [i for i in current.values() if i not in new_set]
    drop = {str(mint.article_graph(stem)) for stem in old}
    old_claims = cache.claims_of(old.values())
    kept = cache.still_carried(old_claims, unchanged)
    drop |= {str(mint.claim_graph(c)) for c in old_claims - kept}
    parts = [(g, zlib.decompress(d)) for i in new for g, d in cache.parts(i)]
    touched = drop | {g for g, _ in parts}
    # What the claim index must look at again: every claim whose graph goes or is rewritten, and
    # every article replaced, added or removed (ClaimIndex.update also re-reads the claims it
    # links to those articles, such as a claim that stays because another article reports it).
    claims = {str(mint.claim(c)) for c in old_claims | cache.claims_of(new)}
    articles = {str(mint.article(stem)) for stem in old} | \
        {str(mint.article(stem)) for stem, i in current.items() if i in new_set}
    from pyoxigraph import RdfFormat
    from .store import StoreError
    with fresh_store_at(path, copy_current=True) as store:
        before = {g: _count(store, g) for g in sorted(touched)}
        try:
            if drop:
                store._inner.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(drop)))
            if parts:
                store._inner.load(b"".join(d for _, d in parts), format=RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"cannot write to the store: {exc}") from None
        after = {g: _count(store, g) for g in sorted(touched)}
        delta = sum(after.values()) - sum(before.values())
        total = int(stamp["triples"]) + delta
        _write_stamp(Path(store.path), build_id, env, total)
        _carry_index(path, store, claims, articles, delta,
                     (cache.claim_count(current.values()), len(current)))
    return total


def _carry_index(old_path: Path, store: Store, claims: set[str], articles: set[str], delta: int,
                 expected: tuple[int, int]) -> bool:
    """Carry the claim index of the store at `old_path` into `store` (its checkpoint copy, which
    starts without one) and re-index there only the claims and articles this build changed, as
    graph/ingest.py does after a write. On any doubt (no index, one out of step with the old
    store, an error, totals that are not `expected` (claims, articles)) leave no index file, so
    that ensure_at rebuilds it whole from the store.

    The index is moved when no process has it open (copying gigabytes was most of a rebuild), and
    copied when one has (a reader pinned to its snapshot: see graph/index/). After a move the old
    store folder has no index: the build swaps the new folder in right after, and if it fails
    before that, the next open of the old store rebuilds the index whole from the store."""
    from .index import move_index
    source, target = index_path(old_path), index_path(store.path)
    if not source.exists():
        return False
    done = False
    try:
        if move_index(source, target):
            log.info("claim index moved into the new store")
        else:
            log.info("claim index copied: another process has it open")
            src = sqlite3.connect(str(source))
            try:
                dst = sqlite3.connect(str(target))
                try:
                    src.backup(dst)  # consistent whatever a reader of the old one does meanwhile
                finally:
                    dst.close()
            finally:
                src.close()
        index = ClaimIndex(target, _CTX.mint.base)
        try:
            # The carried index starts as the old store's: both carry the old store's last
            # change, which the build does not move (it records no history).
            if index.in_step(store):
                index.update(store, sorted(claims), sorted(articles), latest_change(store),
                             quads_delta=delta)
                done = True
        finally:
            index.close()
        if done:
            view = IndexView(target)
            try:
                done = (view.total("claims"), view.total("articles")) == expected
            finally:
                view.close()
            if not done:
                log.warning("the claim index carried over does not match the store: rebuilding it")
    except Exception as exc:  # the index is derived: a failure here costs a rebuild, not the build
        log.warning("could not update the claim index (%s): rebuilding it", exc)
        done = False
    if not done:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    return done
