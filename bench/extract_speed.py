"""How fast the extractor reads articles: articles per second on one core, over the seed texts
(about 2,600 characters each), after one warm-up article (spaCy's pipeline, the ontology).

    .venv/bin/python -m bench.extract_speed [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from graph.extract.pipeline import _seed_corpus, extract_article

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "articles"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    corpus = _seed_corpus()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    extract_article(texts[0], article_id="warm-up", corpus=corpus)
    started = time.perf_counter()
    for r in range(args.rounds):
        for i, text in enumerate(texts):
            extract_article(text, article_id=f"a{r}-{i}", published="2025-02-01", corpus=corpus)
    seconds = time.perf_counter() - started
    n = args.rounds * len(texts)
    chars = sum(map(len, texts)) / len(texts)
    print(f"{n} articles of {chars:,.0f} characters on average in {seconds:.2f} s: "
          f"{n / seconds:.1f} articles/s, {1000 * seconds / n:.0f} ms per article (one core)")


if __name__ == "__main__":
    main()
