"""The scale benchmark (bench/run.py) runs end to end at a tiny size and writes its table, plot
and JSON; --compare reads them back. No thresholds: timings are not asserted."""

from __future__ import annotations

import json

from bench.report import compare
from bench.run import main


def test_bench_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "results"
    main(["--sizes", "5", "--requests", "2", "--warmup", "1", "--query-budget", "10",
          "--load-seconds", "1", "--clients", "1,4", "--no-wrk", "--dump-budget", "2",
          "--add-repeat", "1", "--skip-rebuild", "--validate-budget", "20",
          "--cache", str(tmp_path / "cache"), "--out", str(out), "--no-latest"])
    results = json.loads((out / "results.json").read_text())
    meta = results["meta"]
    assert meta["machine"]["nproc"] and meta["versions"]["pyoxigraph"] and meta["commit"]
    steps = results["sizes"]["5"]["steps"]
    for name in ("generate", "picks", "build", "bulkload", "add_remove", "direct", "serve",
                 "graphql", "sparql_select", "dump_nt", "load_c1", "load_c4", "server_memory"):
        assert steps[name]["status"] == "ok", (name, steps[name])
    assert steps["build"]["claims"] > 0 and steps["build"]["peak_mb"] > 0
    graphql = steps["graphql"]
    assert len([q for q in graphql if isinstance(graphql[q], dict) and "p50" in graphql[q]]) == 11
    for name, q in graphql.items():
        if isinstance(q, dict) and "p50" in q:
            assert q["p50"] > 0 and not q.get("errors"), (name, q)
    for name, q in steps["direct"]["questions"].items():
        assert q["p50"] is not None and not q.get("error"), (name, q)
    assert steps["load_c4"]["requests"] > 0 and steps["load_c4"]["tool"] == "asyncio-httpx"
    table = (out / "results.md").read_text()
    assert "| measurement | 5 | largest/smallest | target |" in table
    assert "GraphQL p50 ms: claims(claimant, first: 20), nested" in table
    assert "1.00x" in compare(out / "results.json", out / "results.json")
