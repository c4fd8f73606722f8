"""results.json -> results.md (rows: measurements; columns: sizes, largest/smallest, target) and
plot.png (GraphQL p50 against size, log-log, one line per question); and --compare A B.

A run with --engines embedded,virtuoso keeps the other engines' steps apart, in
results["sizes"][n]["engines"][ENGINE]["steps"]: each measurement then has one row per engine
(labelled "[embedded]", "[virtuoso]"; the other engines' row keys are "ENGINE:key"), and
results.md adds a table of each engine over the embedded store."""

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


EMBEDDED = "embedded"


def engines(results: dict) -> list[str]:
    """The engines other than the embedded store that the run measured, in their order."""
    found: list[str] = []
    for size in results["sizes"].values():
        for engine in size.get("engines") or {}:
            if engine not in found:
                found.append(engine)
    return found


def view(size: dict, engine: str) -> dict:
    """A size as one engine saw it: the embedded store's steps are the size's own; another
    engine's are under size["engines"][engine], beside the same questions."""
    if engine == EMBEDDED:
        return size
    e = _get(size, "engines", engine) or {}
    return {"steps": e.get("steps", {}), "questions": size.get("questions")}


def rows(results: dict) -> list[tuple[str, str, callable, str]]:
    """(key, label, extract(size) -> number | str | None, target): each measurement of the
    embedded store (key as before), followed, when the run measured other engines, by the same
    on each of them (key "ENGINE:key"), every label then ending in its engine."""
    base = measurements(results)
    others = engines(results)
    if not others:
        return base
    out = []
    for key, label, f, target in base:
        out.append((key, f"{label} [{EMBEDDED}]", f, target))
        for e in others:
            out.append((f"{e}:{key}", f"{label} [{e}]", lambda s, f=f, e=e: f(view(s, e)), target))
    return out


def measurements(results: dict) -> list[tuple[str, str, callable, str]]:
    """(key, label, extract(size) -> number | str | None, target), on one engine's view."""
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
         or _get(s, "steps", "build", "triples") or _get(s, "steps", "store_without_validation", "quads"), ""),
        ("build_s", "build: first, s", step("build", "seconds"), "10^5 under 900 s"),
        ("build_cps", "build: claims per second", step("build", "claims_per_s"), ""),
        ("build_ms_article", "build: ms per article", step("build", "ms_per_article"),
         "10^5 at most 1.5x 10^2"),
        ("build_peak_mb", "build: peak memory, MB", step("build", "peak_mb"), ""),
        ("build_checking_s", "build stage: checking (parallel), s", step("build", "stages", "checking"), ""),
        ("build_loading_s", "build stage: loading (pyoxigraph bulk_load; SPARQL updates on an external store), s", step("build", "stages", "loading"), ""),
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
    # An external store's own server (virtuoso-t): what the embedded store has in process.
    out += [
        ("store_start_s", "store server start (text index set up), s", step("store_start", "seconds"), ""),
        ("store_rss_mb", "store server resident after the build, MB", step("store_memory", "rss_mb"), ""),
        ("store_rss_after_mb", "store server resident after serving, MB", step("store_memory_after", "rss_mb"), ""),
        ("store_hwm_mb", "store server peak resident, MB", step("store_memory_after", "hwm_mb"), ""),
        ("store_disk_mb", "store server's database files after the build, MB", step("store_memory", "disk_mb"), ""),
        ("rss_with_store_mb", "server and store resident together, MB (embedded: the server's)",
         _with_store, ""),
    ]
    return out


def _with_store(size: dict):
    """whosaid serve's processes and, for an external store, its server (virtuoso-t) after serving:
    the memory the graph costs on each engine."""
    total = _get(size, "steps", "server_memory", "total_mb")
    if not isinstance(total, (int, float)):
        return None
    if _get(size, "steps", "store_start") is None:  # the embedded store: in the server's processes
        return total
    store = _get(size, "steps", "store_memory_after", "rss_mb")
    return total + store if isinstance(store, (int, float)) else None


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


def engine_ratios(results: dict) -> str:
    """For each engine besides the embedded store: its figure over the embedded store's, per
    size, for every measurement both have as a number."""
    sizes = sorted(results["sizes"], key=int)
    out = ""
    for e in engines(results):
        head = ["measurement", *[f"{int(n):,}" for n in sizes]]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for key, label, f, _ in measurements(results):
            cells = []
            for n in sizes:
                a, b = f(view(results["sizes"][n], EMBEDDED)), f(view(results["sizes"][n], e))
                ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)) and a
                cells.append(fmt(b / a) if ok else "-")
            if any(c != "-" for c in cells):
                lines.append("| " + " | ".join([label, *cells]) + " |")
        if len(lines) == 2:  # the embedded store was not measured
            continue
        out += (f"\n## {e} / {EMBEDDED}\n\nEach figure on {e} over the same on the embedded store, "
                "measured in the same run (times: above 1 is slower on " + e + "; rates: above 1 is "
                "faster).\n\n" + "\n".join(lines) + "\n")
    return out


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
            f"{s.get('serve_workers', 1)} server process(es) (WHOSAID_SERVE_WORKERS)\n"
            + _engines_line(results) + "\n"
            "Times are wall-clock on a shared machine: compare ratios within one run. \"skipped (over "
            "budget)\" means the step passed its time budget and was stopped.\n\n")


def _engines_line(results: dict) -> str:
    others = engines(results)
    if not others:
        return ""
    v = next((e["store_server"] for s in results["sizes"].values()
              for e in (s.get("engines") or {}).values() if e.get("store_server")), None)
    ini = (f" (virtuoso-t {v.get('version')}; ini: "
           + ", ".join(f"{k} {val:,}" for k, val in v["ini"].items()) + ")") if v else ""
    ran = _get(results, "meta", "settings", "engines") or [EMBEDDED, *others]
    return (f"- engines: {', '.join(ran)}{ini}; an external store is started for each size and stopped "
            "after it; rows say which engine\n")


def notes(results: dict) -> str:
    out = []
    for n in sorted(results["sizes"], key=int):
        for engine in [EMBEDDED, *engines(results)]:
            out += _notes(n, view(results["sizes"][n], engine),
                          "" if engine == EMBEDDED else f" on {engine}")
            if engine != EMBEDDED:
                out += _same_answers(n, results["sizes"][n], engine)
    return ("\n## Notes\n\n" + "\n".join(out) + "\n") if out else ""


def _notes(n: str, size: dict, on: str) -> list[str]:
    """The notes of one size on one engine (`on`: "" or " on ENGINE")."""
    out, at = [], f"- {int(n):,} articles{on}"
    for name, e in size["steps"].items():
        if e.get("status") not in ("ok", None) or e.get("error"):
            out.append(f"{at}, {name}: {e.get('status')} {e.get('error', '')}".rstrip())
        if isinstance(e.get("note"), str):
            out.append(f"{at}, {name}: {e['note']}")
        if e.get("cached_from"):
            out.append(f"{at}, {name}: figures of an earlier run ({e['cached_from']}), "
                       "its store reused (--reuse)")
    for q, e in (_get(size, "steps", "graphql") or {}).items():
        if isinstance(e, dict) and (e.get("first_error") or e.get("note")):
            errs = f"; {e['errors']} error(s), the first: {e.get('first_error')}" if e.get("errors") else ""
            out.append(f"{at}, GraphQL {q}: {e.get('note', '')}{errs}")
    for q, e in (_get(size, "steps", "direct", "questions") or {}).items():
        if e.get("error") or e.get("note"):
            out.append(f"{at}, direct {q}: {e.get('note', '')} {e.get('error', '')}".rstrip())
    if _get(size, "steps", "store_without_validation", "status") == "ok":
        how = _get(size, "steps", "store_without_validation", "how")
        out.append(f"{at}: the build was over budget, so the store was loaded by the "
                   "build's own code with its SHACL pass switched off (bench/probe.py rawload)"
                   + (f": {how}." if how else "."))
    return out


def _same_answers(n: str, size: dict, engine: str) -> list[str]:
    """Where an engine answered a question otherwise than the embedded store: GraphQL (the digest
    of the answer's data, bench/run.py answer_digest) and direct calls (the total)."""
    out = []
    for q in size.get("questions") or {}:
        a = _get(size, "steps", "graphql", q, "answer")
        b = _get(view(size, engine), "steps", "graphql", q, "answer")
        if a and b and a["sha1"] != b["sha1"]:
            out.append(f"- {int(n):,} articles on {engine}, GraphQL {q}: not the embedded store's answer "
                       f"(totalCount {a.get('totalCount')} -> {b.get('totalCount')}, "
                       f"{a.get('bytes')} -> {b.get('bytes')} bytes)")
        a = _get(size, "steps", "direct", "questions", q, "answer")
        b = _get(view(size, engine), "steps", "direct", "questions", q, "answer")
        if a is not None and b is not None and a != b:
            out.append(f"- {int(n):,} articles on {engine}, direct {q}: answered {b}, the embedded store {a}")
    return out


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
    others = engines(results)
    for engine, style in zip([EMBEDDED, *others], ("-", "--", ":", "-.")):
        for i, (name, label) in enumerate(labels.items()):
            xs, ys = [], []
            for n in sizes:
                size = view(results["sizes"][n], engine)
                p50 = _get(size, "steps", "graphql", name, "p50")
                errs = _get(size, "steps", "graphql", name, "errors")
                if isinstance(p50, (int, float)) and not errs:
                    xs.append(int(n)); ys.append(p50)
            if xs:
                ax.plot(xs, ys, marker="o", linestyle=style, color=f"C{i % 10}",
                        label=f"{label} [{engine}]" if others else label)
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
    md = header(results) + table(results) + "\n" + engine_ratios(results) + notes(results)
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
