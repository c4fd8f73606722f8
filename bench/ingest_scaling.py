"""Does adding one article cost the same in a small store as in a large one?

Builds the seed graph, then two stores: one holding SMALL articles, one holding LARGE, made of
copies of the seed articles and claims under new ids (entities and ontology shared). Then it
times `Ingest.add` of new one-claim articles into each, and prints the medians and their ratio,
taken in one run (absolute times drift on shared machines; the ratio is what holds).

    .venv/bin/python -m bench.ingest_scaling [--small 100] [--large 5000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import yaml

from graph.build import build
from graph.config import Settings
from graph.ingest import Ingest, Submission
from graph.store import Store

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def seed_quads(base_dir: Path) -> tuple[list[str], list[str]]:
    """(shared lines: ontology and entities; per-copy lines: article and claim graphs)."""
    settings = Settings.from_env()
    path = base_dir / "seed"
    build(Settings(settings.base_iri, str(path), settings.corpus))
    lines = Store.open(path, read_only=True).dump(ox.RdfFormat.N_QUADS).decode("utf-8").splitlines()
    per_copy = [l for l in lines if "/graph/article/" in l or "/graph/claim/" in l]
    shared = [l for l in lines if l not in set(per_copy)]
    return shared, per_copy


def store_with(articles: int, shared: list[str], per_copy: list[str], path: Path) -> Store:
    copies = max(1, articles // 5)
    store = Store.open(path)
    store._inner.bulk_load(("\n".join(shared) + "\n").encode(), format=ox.RdfFormat.N_QUADS)
    batch = []
    for k in range(copies):
        for line in per_copy:
            batch.append(re.sub(r"/(article|claim)/", rf"/\1/c{k}-", line))
        if len(batch) > 200_000:
            store._inner.bulk_load(("\n".join(batch) + "\n").encode(), format=ox.RdfFormat.N_QUADS)
            batch = []
    if batch:
        store._inner.bulk_load(("\n".join(batch) + "\n").encode(), format=ox.RdfFormat.N_QUADS)
    store.flush()
    return store


def submission(n: int) -> Submission:
    text = (CORPUS / "articles" / "002_394fee5181a7713e.txt").read_text(encoding="utf-8")
    sentence = "The military intelligence chief, Kyrylo Budanov, said he expects Pyongyang to dispatch additional reinforcements to Russia, namely artillery units."
    start = text.index(sentence)
    raw = {"id": f"bench-{n}", "outlet": "Kyiv Independent", "body": {"start": 429, "end": 2229},
           "claims": [{"id": f"bench-{n}-claim", "claimant": "Budanov", "statement": "Budanov expects artillery.",
                       "topic": "reinforcements", "about": ["North Korea", "Russia"],
                       "evidence": {"start": start, "end": start + len(sentence), "exact": sentence}}]}
    return Submission("bench", yaml.safe_load(yaml.safe_dump(raw)), text)


def time_adds(store: Store, base_iri: str, repeat: int, offset: int) -> list[float]:
    ingest = Ingest(store, base_iri)
    ingest.add(submission(offset - 1), "bench")  # warm-up
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        ingest.add(submission(offset + i), "bench")
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    base_iri = Settings.from_env().base_iri
    with tempfile.TemporaryDirectory(prefix="whosaid-bench-") as d:
        work = Path(d)
        shared, per_copy = seed_quads(work)
        results = {}
        for label, n in (("small", args.small), ("large", args.large)):
            started = time.perf_counter()
            store = store_with(n, shared, per_copy, work / label)
            load = time.perf_counter() - started
            times = time_adds(store, base_iri, args.repeat, 10_000)
            results[label] = statistics.median(times)
            print(f"{label:5} store: {n:>6} articles, {len(store):>9,} quads (loaded in {load:.1f} s); "
                  f"add one article: median {results[label] * 1000:.0f} ms over {args.repeat}")
            store.close()
            shutil.rmtree(work / label, ignore_errors=True)
        print(f"ratio large/small: {results['large'] / results['small']:.2f} "
              f"(1.00 = the cost of an add does not grow with the store)")


if __name__ == "__main__":
    main()
