"""Does adding one article cost the same in a small store as in a large one?

Generates two synthetic corpora (bench/corpus_gen: distinct ids, entities, claims and text at
every size, unlike copies of the seed articles), builds each with `whosaid build` (or reuses the
store the scale benchmark cached in var/bench/), then times graph.ingest's add and remove of one
article (a corpus article under a fresh id) in each, and prints the medians and their ratio, taken
in one run (absolute times drift on shared machines; the ratio is what holds).

    .venv/bin/python -m bench.ingest_scaling [--small 100] [--large 1000] [--repeat 7]

The full picture at four sizes is `make bench` (bench/run.py), which measures the same thing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.run import HOME, Run, corpus_dir, parse_args, picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", default=str(HOME))
    args = parser.parse_args()
    run = Run(parse_args(["--seed", str(args.seed), "--root", args.root, "--add-repeat", str(args.repeat)]))
    medians = {}
    for label, n in (("small", args.small), ("large", args.large)):
        corpus = corpus_dir(run.cache, n, args.seed)
        work = run.cache / "work" / run.label / f"n{n}-s{args.seed}"
        work.mkdir(parents=True, exist_ok=True)
        store = work / "store"
        if not (store / "CURRENT").exists():
            built = run.build(corpus, store, n)
            print(f"{label:5}: built {n} articles in {built['seconds']:.1f} s")
        r = run.add_remove(corpus, store, n, picks(corpus)["added_article"], work)
        medians[label] = r["add_p50_ms"]
        print(f"{label:5} store: {n:>6} articles; add one article: median {r['add_p50_ms']:.0f} ms, "
              f"remove: {r['remove_p50_ms']:.0f} ms, over {args.repeat}")
    print(f"ratio large/small: {medians['large'] / medians['small']:.2f} "
          f"(1.00 = the cost of an add does not grow with the store)")


if __name__ == "__main__":
    main()
