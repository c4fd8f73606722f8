"""Synthetic corpora in the corpus format (corpus/README.md), deterministic from a seed.

    .venv/bin/python -m bench.corpus_gen OUT_DIR --articles 1000 [--seed 1]

writes OUT_DIR/entities.yaml and OUT_DIR/articles/<id>.txt + <id>.yaml, which load by the same
path as the real corpus: `WHOSAID_CORPUS=OUT_DIR whosaid build` or `whosaid add OUT_DIR`.

- Entities: about N/10 + 300 (at most 10^4) of every type the format allows, made-up names with
  1-3 aliases each, every id, label and alias unique after normalisation; partOf and locatedIn
  links where the shapes allow them (partOf an agent, locatedIn any entity).
- Claimants, outlets, intermediaries, subjects and places are drawn from Zipf-like distributions
  (a handful of claimants in most articles, thousands of rare ones); words of the filler text too.
- Each article: headline, byline and caption before the body, a "Read also:" teaser and footer
  after it; 5-25 claims (mean 15), each with its sentence as evidence at its real offsets, topic,
  about, via chain (0-2), quote (inside quotation marks in the sentence), value matching the printed
  figure (amount, approximate, min/max, exclusive_min, derived with basis), stated date at day,
  month or year precision (some inferred with basis and bounds), period, and now and then
  `revises` (an earlier article's claim by the same claimant and topic), `confirms`, and a claim
  of an earlier article reported again (same id and core fields, its own evidence and via).

Same seed and N, same bytes: every draw comes from one random.Random(seed), in a fixed order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .articles import Generator
from .emit import dump_list

__all__ = ["generate", "Generated", "Generator"]


@dataclass
class Generated:
    articles: int
    entities: int
    claims: int          # claim entries in the YAML files (a shared claim counts once per article)
    unique_claims: int   # distinct claim ids: what the build reports
    bytes: int
    seconds: float


# Bump when what the generator writes changes: the benchmark regenerates cached corpora of
# another version (2: a period the sentence does not print is left out or marked inferred).
VERSION = "2"


def generate(out_dir: Path | str, articles: int, seed: int = 1) -> Generated:
    started = time.perf_counter()
    out = Path(out_dir)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    gen = Generator(articles, seed)
    entities = dump_list([e.doc() for e in gen.world.entities],
                         header=f"# Synthetic entities (bench/corpus_gen, seed {seed}, "
                                f"{articles} articles).\n")
    data = entities.encode("utf-8")
    (out / "entities.yaml").write_bytes(data)
    size = len(data)
    for i in range(articles):
        aid, text, meta = gen.article(i)
        t, m = text.encode("utf-8"), meta.encode("utf-8")
        (out / "articles" / f"{aid}.txt").write_bytes(t)
        (out / "articles" / f"{aid}.yaml").write_bytes(m)
        size += len(t) + len(m)
    return Generated(articles, len(gen.world.entities), gen.claims_written, gen.unique_claims,
                     size, time.perf_counter() - started)
