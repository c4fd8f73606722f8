"""From corpus to store: read and check the corpus, turn it into RDF, validate it, then swap it in.

Nothing is written unless everything passes, and the new store replaces the old one whole.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from .config import Settings
from .corpus import Corpus, load_corpus
from .iris import Minter
from .rdf import ONTOLOGY_DIR, bind_prefixes, corpus_dataset, ontology_graph
from .remote_store import RemoteStore, is_remote
from .store import fresh_store_at
from .validate import Violation, validate_graph


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


def topic_ids(ontology: Graph) -> set[str]:
    from .iris import TOPIC, WS
    from rdflib.namespace import RDF
    return {str(t)[len(str(TOPIC)):] for t in ontology.subjects(RDF.type, WS.Topic)}


def union_graph(ds: Dataset) -> Graph:
    """All named graphs of a dataset merged into one graph (what SHACL validates)."""
    g = bind_prefixes(Graph())
    for quad in ds.quads((None, None, None, None)):
        g.add(quad[:3])
    return g


def compile_corpus(settings: Settings) -> tuple[Corpus, Dataset]:
    """Read, check and convert the corpus; raise CorpusError or ValidationFailed."""
    ontology = ontology_graph(ONTOLOGY_DIR)
    corpus = load_corpus(settings.corpus, topic_ids(ontology), settings.max_submission_bytes)
    ds = corpus_dataset(corpus, Minter(settings.base_iri), ontology)
    violations = validate_graph(union_graph(ds))
    if violations:
        raise ValidationFailed(violations)
    return corpus, ds


def build(settings: Settings, store_path: str | Path | None = None) -> BuildResult:
    started = time.perf_counter()
    corpus, ds = compile_corpus(settings)
    mint = Minter(settings.base_iri)
    path = str(store_path or settings.store)
    if is_remote(path):
        store = RemoteStore(path, settings.update_endpoint)
        store.replace_all(ds)
        total = len(store)
    else:
        with fresh_store_at(path) as store:
            store.load_dataset(ds)
            total = len(store)
    articles = [
        ArticleCount(a.id, len(a.claims), len(ds.graph(mint.article_graph(a.id))))
        for a in corpus.articles.values()
    ]
    return BuildResult(store=str(path), triples=total, entities=len(corpus.entities),
                       claims=len(corpus.claims), articles=articles,
                       seconds=time.perf_counter() - started)


