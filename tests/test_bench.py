"""The scale benchmark (bench/run.py) runs end to end at a tiny size and writes its table, plot
and JSON; --compare reads them back; --engines virtuoso runs it on a throwaway Virtuoso
(testbeds/virtuoso.py). No thresholds: timings are not asserted."""

from __future__ import annotations

import json

import pytest

from bench.report import compare, rows
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
    assert len([q for q in graphql if isinstance(graphql[q], dict) and "p50" in graphql[q]]) == 13
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


def test_engines_option_parses():
    from bench.run import parse_args
    assert parse_args([]).engines == ["embedded"]  # make bench is unchanged
    args = parse_args(["--engines", "embedded, virtuoso,virtuoso", "--virtuoso-buffers", "20000,15000"])
    assert args.engines == ["embedded", "virtuoso"]
    assert args.virtuoso_buffers == [20000, 15000] and args.virtuoso_max_rows == 10_000
    with pytest.raises(SystemExit):
        parse_args(["--engines", "embedded,blazegraph"])


def test_bench_runs_on_virtuoso(tmp_path):
    """--engines virtuoso at a tiny size (about 30 s): a throwaway Virtuoso per size, every step
    that applies to an external store, its rows labelled with the engine."""
    out = tmp_path / "results"
    main(["--sizes", "5", "--engines", "virtuoso", "--requests", "2", "--warmup", "1",
          "--query-budget", "10", "--load-seconds", "1", "--clients", "1", "--no-wrk",
          "--dump-budget", "2", "--add-repeat", "1", "--validate-budget", "20",
          "--virtuoso-buffers", "20000,15000",
          "--cache", str(tmp_path / "cache"), "--out", str(out), "--no-latest"])
    results = json.loads((out / "results.json").read_text())
    assert results["meta"]["settings"]["engines"] == ["virtuoso"]
    size = results["sizes"]["5"]
    assert {"generate", "picks"} <= set(size["steps"]) and "build" not in size["steps"]
    steps = size["engines"]["virtuoso"]["steps"]
    for name in ("store_start", "build", "store_memory", "add_remove", "validate", "direct", "serve",
                 "graphql", "pages", "sparql_select", "dump_nt", "load_c1", "server_memory"):
        assert steps[name]["status"] == "ok", (name, steps[name])
    assert all(e["engine"] == "virtuoso" for e in steps.values())
    for name in ("rebuild_one_changed", "bulkload"):
        assert steps[name]["status"].startswith("n/a on virtuoso"), steps[name]
    assert steps["build"]["claims"] > 0 and steps["store_memory"]["rss_mb"] > 0
    for name, q in steps["graphql"].items():
        if isinstance(q, dict) and "p50" in q:
            assert q["p50"] > 0 and not q.get("errors"), (name, q)
    table = (out / "results.md").read_text()
    assert "| build: first, s [virtuoso] |" in table
    assert "| GraphQL p50 ms: claims(claimant, first: 20), nested [virtuoso] |" in table
    assert "| rebuild after one changed article, s [virtuoso] | n/a on virtuoso" in table
    assert "virtuoso:build_s" in {key for key, *_ in rows(results)}
    assert (out / "virtuoso-5.log").exists()
