"""How the main process's memory grows with writes: a real `whosaid serve` with writes on, the
same small article added and removed N times through GraphQL, VmRSS (and threads) read from
/proc after a warm-up and at the end.

    .venv/bin/python -m bench.write_memory [--writes 200] [--warmup 20]

Prints one line per checkpoint and the growth per write after the warm-up.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from graph.build import build
from graph.config import Settings
from tests.conftest import GraphQLClient, proc_status, running_server
from tests.test_ingest import ADD, AUTH, TOKEN, graphql_input, new_article

REMOVE = 'mutation { removeArticle(id: "article/new-article") { change { kind } } }'


def churn(client: GraphQLClient, payload: dict, writes: int) -> None:
    """`writes` writes: add, remove, add, remove, ..."""
    for i in range(writes):
        if i % 2 == 0:
            body = client.post(ADD, payload, **AUTH).json()
            assert body["data"]["addArticle"]["change"]["kind"] == "added", body
        else:
            body = client.post(REMOVE, **AUTH).json()
            assert body["data"]["removeArticle"]["change"]["kind"] == "removed", body


def measure(writes: int, warmup: int, store: Path, work: Path) -> tuple[dict, dict]:
    payload = {"input": graphql_input(new_article(work))}
    with running_server(store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)
        churn(client, payload, warmup)
        before = proc_status(base.pid)
        churn(client, payload, writes)
        after = proc_status(base.pid)
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="whosaid-bench-") as tmp:
        work = Path(tmp)
        build(Settings(store=str(work / "store")))
        before, after = measure(args.writes, args.warmup, work / "store", work)
        grown = after["VmRSS"] - before["VmRSS"]
        print(f"after {args.warmup} warm-up writes: RSS {before['VmRSS'] / 1024:.1f} MB, "
              f"{before['Threads']} threads")
        print(f"after {args.writes} more writes:   RSS {after['VmRSS'] / 1024:.1f} MB, "
              f"{after['Threads']} threads")
        print(f"growth: {grown / 1024:.1f} MB, {grown / args.writes:.0f} kB per write")


if __name__ == "__main__":
    main()
