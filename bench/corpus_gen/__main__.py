"""python -m bench.corpus_gen OUT_DIR --articles N [--seed 1]"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import __doc__ as DOC, generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus_gen",
                                     description=DOC.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write entities.yaml and articles/ into")
    parser.add_argument("--articles", "-n", type=int, required=True, help="how many articles")
    parser.add_argument("--seed", type=int, default=1, help="same seed and N, same files (default 1)")
    args = parser.parse_args()
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if (args.out_dir / "articles").exists() and any((args.out_dir / "articles").iterdir()):
        parser.error(f"{args.out_dir}/articles is not empty: write into a new folder")
    r = generate(args.out_dir, args.articles, args.seed)
    print(f"{r.articles:,} articles, {r.entities:,} entities, {r.unique_claims:,} claims "
          f"({r.claims:,} reports) in {args.out_dir}: {r.bytes / 1e6:.1f} MB in {r.seconds:.1f} s")


if __name__ == "__main__":
    main()
