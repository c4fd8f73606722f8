"""results.json -> results.md (rows: measurements; columns: sizes, largest/smallest, target) and
plot.png (GraphQL p50 against size, log-log, one line per question); and --compare A B."""

from __future__ import annotations

import json
from pathlib import Path


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def _status(size: dict, step: str) -> str | None:
    s = _get(size, "steps", step, "status")
    return None if s in (None, "ok") else s


def rows(results: dict) -> list[tuple[str, str, callable, str]]:
    """(key, label, extract(size) -> number | str | None, target)."""
    sizes = list(results["sizes"].values())
    names = []
    for s in sizes:
        for name, q in (s.get("questions") or {}).items():
            if name not in [n for n, _ in names]:
                names.append((name, q["label"]))

    def step(name, *path):
        def f(size):
            st = _status(size, name)
            return st if st else _get(size, "steps", name, *path)
        return f

    def ratio(num, den):
        def f(size):
            a, b = num(size), den(size)
            return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None
        return f

    out = [
        ("claims", "claims (distinct, built)", lambda s: _get(s, "steps", "build", "claims")
         or _get(s, "steps", "store_without_validation", "claims"), ""),
        ("quads", "quads in the store", lambda s: _get(s, "steps", "bulkload", "quads")
         or _get(s, "steps", "build", "triples"), ""),
        ("build_s", "build: first, s", step("build", "seconds"), "10^5 under 900 s"),
        ("build_cps", "build: claims per second", step("build", "claims_per_s"), ""),
        ("build_ms_article", "build: ms per article", step("build", "ms_per_article"),
         "10^5 at most 1.5x 10^2"),
        ("build_peak_mb", "build: peak memory, MB", step("build", "peak_mb"), ""),
        ("build_checking_s", "build stage: checking (parallel), s", step("build", "stages", "checking"), ""),
        ("build_loading_s", "build stage: loading (pyoxigraph bulk_load), s", step("build", "stages", "loading"), ""),
        ("build_index_s", "build stage: claim index, s", step("build", "stages", "claim index"), ""),
        ("rebuild_s", "rebuild after one changed article, s", step("rebuild_one_changed", "seconds"),
         "under 10 s"),
        ("bulkload_s", "pyoxigraph bulk_load of the same quads, s", step("bulkload", "seconds"), ""),
        ("build_vs_bulk", "build / bulk load", ratio(step("build", "seconds"), step("bulkload", "seconds")), ""),
        ("add_ms", "add one article: p50 ms", step("add_remove", "add_p50_ms"), "10^5 at most 1.5x 10^2"),
        # Each size's corpus is drawn anew, so the added article differs: per claim compares.
        ("add_claims", "add one article: its claims", step("add_remove", "claims"), ""),
        ("add_ms_claim", "add one article: p50 ms per claim",
         ratio(step("add_remove", "add_p50_ms"), step("add_remove", "claims")), "10^5 at most 1.5x 10^2"),
        ("remove_ms", "remove one article: p50 ms", step("add_remove", "remove_p50_ms"), ""),
        ("validate_s", "whole-store validate, s", step("validate", "seconds"), ""),
        ("serve_start_s", "server start, s", lambda s: _get(s, "steps", "serve", "start_s"), ""),
    ]
    for name, label in names:
        out.append((f"gql_{name}_p50", f"GraphQL p50 ms: {label}", step("graphql", name, "p50"),
                    "10^5 at most 1.5x 10^2; under 50 ms"))
        out.append((f"gql_{name}_p95", f"GraphQL p95 ms: {label}", step("graphql", name, "p95"), ""))
        out.append((f"gql_{name}_p99", f"GraphQL p99 ms: {label}", step("graphql", name, "p99"), ""))
        out.append((f"gql_{name}_err", f"GraphQL errors: {label}", step("graphql", name, "errors"), "0"))
        out.append((f"direct_{name}_p50", f"direct p50 ms: {label}", step("direct", "questions", name, "p50"), ""))
        out.append((f"api_{name}", f"GraphQL / direct p50: {label}",
                    ratio(step("graphql", name, "p50"), step("direct", "questions", name, "p50")), "at most 3"))
    for name in ("home", "topic", "topic_by_claimant", "entity", "article", "search"):
        out.append((f"page_{name}_p50", f"page p50 ms: {name.replace('_', ' ')}", step("pages", name, "p50"),
                    "10^5 at most 1.5x 10^2"))
    out += [
        ("sparql_p50", "/sparql selective SELECT p50 ms", step("sparql_select", "p50"), ""),
        ("dump_tps", "/dump.nt triples per second", step("dump_nt", "triples_per_s"), ""),
    ]
    for c in (1, 8, 32):
        out.append((f"load_c{c}_rps", f"claimant query, {c} clients: requests/s", step(f"load_c{c}", "ok_rps"),
                    "8 clients at least 1.6x 1 client" if c == 8 else ""))
        out.append((f"load_c{c}_p95", f"claimant query, {c} clients: p95 ms (all answers, 503s too)", _load(c, "p95_ms"),
                    "32 clients: at most 10x the 1-client p50" if c == 32 else ""))
        out.append((f"load_c{c}_err", f"claimant query, {c} clients: errors (not 503)",
                    lambda s, c=c: _errors(s, c), "0 at 32 clients" if c == 32 else ""))
        out.append((f"load_c{c}_503", f"claimant query, {c} clients: 503s", step(f"load_c{c}", "busy_503"), ""))
    out.append(("load_8_over_1", "throughput 8 clients / 1 client",
                ratio(step("load_c8", "ok_rps"), step("load_c1", "ok_rps")), "at least 1.6"))
    out.append(("rss_mb", "server's main process resident, MB", step("server_memory", "rss_mb"), ""))
    out.append(("rss_total_mb", "server resident, all its processes, MB", step("server_memory", "total_mb"),
                "under 2048 at 10^5"))
    out.append(("processes", "server processes", step("server_memory", "processes"), ""))
    return out


def _load(c, key):
    def f(size):
        e = _get(size, "steps", f"load_c{c}")
        if not e or e.get("status") != "ok":
            return _status(size, f"load_c{c}")
        if not e.get("requests"):
            return "no answer within the run"
        return e.get(key)
    return f


def _errors(size, c):
    e = _get(size, "steps", f"load_c{c}")
    if not e or e.get("status") != "ok":
        return _status(size, f"load_c{c}")
    return sum(e.get(k, 0) for k in ("other_status", "graphql_errors", "socket_errors", "timeouts"))


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(results: dict) -> str:
    sizes = sorted(results["sizes"], key=int)
    head = ["measurement", *[f"{int(n):,}" for n in sizes], "largest/smallest", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, f, target in rows(results):
        values = [f(results["sizes"][n]) for n in sizes]
        if all(v is None for v in values):
            continue
        nums = [(n, v) for n, v in zip(sizes, values) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        r = nums[-1][1] / nums[0][1] if len(nums) >= 2 and nums[0][1] else None
        lines.append("| " + " | ".join([label, *map(fmt, values), fmt(r) if r is not None else "-", target]) + " |")
    return "\n".join(lines)


def header(results: dict) -> str:
    m = results["meta"]
    mc, s = m["machine"], m["settings"]
    v = ", ".join(f"{k} {val}" for k, val in m["versions"].items() if val)
    return (f"# whosaid benchmark\n\n"
            f"- commit `{m.get('commit')}`{' (with uncommitted changes)' if m.get('dirty') else ''}, "
            f"root `{m['root']}`\n"
            f"- machine: {mc['nproc']} CPUs ({mc['cpu']}), {mc['memory_gb']} GB; load average at start "
            f"{', '.join(f'{x:.1f}' for x in mc['loadavg_at_start'])}\n"
            f"- Python {m['python']}; {v}\n"
            f"- load generator: {m['load_generator']}\n"
            f"- started {m['started']}, finished {m.get('finished')}; seed {s['seed']}; GraphQL time limit "
            f"{s['query_timeout']}; {s['requests']} timed requests per question after {s['warmup']} "
            f"warm-up, at most {s['query_budget_s']:.0f} s per question; load runs of {s['load_seconds']:.0f} s; "
            f"{s.get('serve_workers', 1)} server process(es) (WHOSAID_SERVE_WORKERS)\n\n"
            "Times are wall-clock on a shared machine: compare ratios within one run. \"skipped (over "
            "budget)\" means the step passed its time budget and was stopped.\n\n")


def notes(results: dict) -> str:
    out = []
    for n in sorted(results["sizes"], key=int):
        size = results["sizes"][n]
        for name, e in size["steps"].items():
            if e.get("status") not in ("ok", None) or e.get("error"):
                out.append(f"- {int(n):,} articles, {name}: {e.get('status')} {e.get('error', '')}".rstrip())
            if isinstance(e.get("note"), str):
                out.append(f"- {int(n):,} articles, {name}: {e['note']}")
            if e.get("cached_from"):
                out.append(f"- {int(n):,} articles, {name}: figures of an earlier run ({e['cached_from']}), "
                           "its store reused (--reuse)")
        for q, e in (_get(size, "steps", "graphql") or {}).items():
            if isinstance(e, dict) and (e.get("first_error") or e.get("note")):
                errs = f"; {e['errors']} error(s), the first: {e.get('first_error')}" if e.get("errors") else ""
                out.append(f"- {int(n):,} articles, GraphQL {q}: {e.get('note', '')}{errs}")
        for q, e in (_get(size, "steps", "direct", "questions") or {}).items():
            if e.get("error") or e.get("note"):
                out.append(f"- {int(n):,} articles, direct {q}: {e.get('note', '')} {e.get('error', '')}".rstrip())
        if _get(size, "steps", "store_without_validation", "status") == "ok":
            out.append(f"- {int(n):,} articles: the build was over budget, so the store was loaded by the "
                       "build's own code with its SHACL pass switched off (bench/probe.py rawload).")
    return ("\n## Notes\n\n" + "\n".join(out) + "\n") if out else ""


def plot(results: dict, path: Path) -> bool:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = sorted(results["sizes"], key=int)
    fig, ax = plt.subplots(figsize=(9, 6))
    labels = {}
    for n in sizes:
        for name, q in (results["sizes"][n].get("questions") or {}).items():
            labels.setdefault(name, q["label"])
    for name, label in labels.items():
        xs, ys = [], []
        for n in sizes:
            p50 = _get(results["sizes"][n], "steps", "graphql", name, "p50")
            errs = _get(results["sizes"][n], "steps", "graphql", name, "errors")
            if isinstance(p50, (int, float)) and not errs:
                xs.append(int(n)); ys.append(p50)
        if xs:
            ax.plot(xs, ys, marker="o", label=label)
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("articles"); ax.set_ylabel("GraphQL p50 over HTTP, ms")
    m = results["meta"]
    ax.set_title(f"whosaid {str(m.get('commit'))[:8]}: p50 against corpus size", fontsize=10)
    ax.axhline(50, color="grey", linestyle="--", linewidth=0.8)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(results: dict, out: Path) -> None:
    has_plot = plot(results, out / "plot.png")
    md = header(results) + table(results) + "\n" + notes(results)
    if has_plot:
        md += "\n![GraphQL p50 against size](plot.png)\n"
    else:
        md += "\n(no plot: matplotlib is not installed; `pip install -e '.[bench]'`)\n"
    (out / "results.md").write_text(md, encoding="utf-8")


def compare(a: Path, b: Path) -> str:
    """Each measurement of B over the same of A, per size both hold."""
    ra, rb = (json.loads(Path(p if str(p).endswith(".json") else Path(p) / "results.json").read_text())
              for p in (a, b))
    sizes = sorted(set(ra["sizes"]) & set(rb["sizes"]), key=int)
    head = ["measurement", *[f"{int(n):,}: A -> B (B/A)" for n in sizes]]
    lines = [f"A = {ra['meta'].get('commit', '')[:10]} ({ra['meta']['root']}), "
             f"B = {rb['meta'].get('commit', '')[:10]} ({rb['meta']['root']})", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows_b = {k: f for k, _, f, _ in rows(rb)}
    for key, label, fa, _ in rows(ra):
        fb = rows_b.get(key)
        if fb is None:
            continue
        cells = []
        for n in sizes:
            va, vb = fa(ra["sizes"][n]), fb(rb["sizes"][n])
            if va is None and vb is None:
                cells.append("-")
                continue
            r = vb / va if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (va, vb)) and va else None
            cells.append(f"{fmt(va)} -> {fmt(vb)}" + (f" ({r:.2f}x)" if r is not None else ""))
        if all(c == "-" for c in cells):
            continue
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return "\n".join(lines)
