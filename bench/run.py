"""The scale benchmark (issue 10): every measurement at every corpus size, in one run.

    python -m bench.run                              # 10^2, 10^3, 10^4, 10^5 articles (make bench)
    python -m bench.run --quick                      # 10^2 and 10^3, short runs (make bench-quick)
    python -m bench.run --sizes 100,1000 --requests 10
    python -m bench.run --root /tmp/base-10f1091 --sizes 100,1000 --query-timeout 60
    python -m bench.run --compare A/results.json B/results.json     # ratios B/A, row by row
    python -m bench.run --sizes 100,10000 --engines embedded,virtuoso  # also on a throwaway Virtuoso

For each size it generates a corpus (bench/corpus_gen, seed --seed; cached in var/bench/corpus/),
then measures, each step under its own time budget and catching its own failure:

- `whosaid build` (child process: seconds, claims per second, peak memory by wait4), the rebuild
  after one changed article (and back), pyoxigraph's own bulk load of the same quads;
- adding and removing one article (in process, graph.ingest, median of --add-repeat);
- whole-store `whosaid validate`;
- every question of the issue by direct calls on graph.read.Reader (bench/probe.py);
- `whosaid serve`: the same questions by GraphQL over HTTP (p50/p95/p99 over --requests after a
  warm-up), a selective /sparql SELECT, /dump.nt throughput, the claimant question under 1, 8 and
  32 concurrent clients (wrk when installed, else an asyncio load generator), server memory.

`--engines embedded,virtuoso` also runs each size on a throwaway Virtuoso (testbeds/virtuoso.py:
loopback ports, its own folder, the text index set up, stopped after the size): `whosaid build
--store URL` as the writer account, add/remove one article, validate, the direct questions and
`whosaid serve --store URL` (WHOSAID_STORE_TEXT_INDEX=true) with every serve step above, plus
virtuoso-t's own memory and disk. The rebuild after one changed article and pyoxigraph's bulk load
are "n/a on virtuoso". A build over its budget is followed, as on the embedded store, by a store
without validation: the build's quads (probe.py rawload into a scratch folder, exported as
N-Quads) loaded by Virtuoso's own bulk loader, its text index then brought up to date. Those steps go to results["sizes"][n]["engines"]["virtuoso"]["steps"]; the
table labels their rows "[virtuoso]" and results.md adds a virtuoso/embedded table.

`--root` names the checkout to measure (default: this one). Its `graph` package is used by every
child (PYTHONPATH=ROOT, cwd ROOT), so a baseline worktree is measured with this harness.
Results: bench/results/<UTC timestamp>/results.json, results.md, plot.png, copied to
bench/results/latest/. A step over its budget is recorded as "skipped (over budget)" with the
budget, never waited for.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
HOME = HERE.parent                       # this checkout: where results and caches go
PROBE = HERE / "probe.py"
WRK_SCRIPT = HERE / "wrk_post.lua"
FULL_SIZES = (100, 1000, 10_000, 100_000)
QUICK_SIZES = (100, 1000)
CHANGED_MARK = " (bench edit)"
ENGINES = ("embedded", "virtuoso")
# The steps of the embedded store that have no meaning on an external one, and why.
VIRTUOSO_NA = {
    "rebuild_one_changed": "an external store keeps no build cache: every build replaces the whole "
                           "store (see build)",
    "bulkload": "pyoxigraph's bulk load of the embedded store's own files",
}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def pct(samples: list[float], p: float) -> float | None:
    """Percentile by linear interpolation (p in 0..100)."""
    if not samples:
        return None
    s = sorted(samples)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary(samples: list[float]) -> dict:
    return {"n": len(samples), "p50": pct(samples, 50), "p95": pct(samples, 95),
            "p99": pct(samples, 99), "min": min(samples) if samples else None,
            "max": max(samples) if samples else None}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(root: Path, **extra: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root), COLUMNS="200")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_child(cmd: list[str], *, root: Path, timeout: float, env: dict | None = None) -> dict:
    """Run a child in its own process group; wait for it with wait4 (its peak RSS, max over it
    and its reaped descendants); kill the group at `timeout`. Never raises for the child's fault."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=root, env=env or child_env(root), stdout=out, stderr=err,
                             start_new_session=True)
        timed_out, status, usage = False, 0, None
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                timed_out = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    return {"rc": p.returncode, "seconds": seconds, "timed_out": timed_out,
            "peak_mb": usage.ru_maxrss / 1024 if usage else None,
            "cpu_s": (usage.ru_utime + usage.ru_stime) if usage else None,
            "stdout": stdout, "stderr": stderr}


def probe(op: str, *args: str, root: Path, timeout: float, env: dict | None = None) -> dict:
    r = run_child([sys.executable, str(PROBE), op, *args], root=root, timeout=timeout, env=env)
    if r["timed_out"]:
        raise Budget(timeout)
    if r["rc"] != 0:
        raise RuntimeError(f"probe {op} exited {r['rc']}: {r['stderr'][-600:]}")
    result = json.loads(r["stdout"].strip().splitlines()[-1])
    result["_child"] = {k: r[k] for k in ("seconds", "peak_mb", "cpu_s")}
    return result


class Budget(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"over its {seconds:.0f} s budget")
        self.seconds = seconds


def proc_rss_mb(pid: int) -> dict:
    """Resident memory of a server: its own (VmRSS, VmHWM) and that of its whole process tree
    (uvicorn workers when WHOSAID_SERVE_WORKERS > 1, and each one's SPARQL workers)."""
    def status(p) -> dict:
        out = {}
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
        return out

    def children(p) -> list[str]:
        kids = []
        for task in Path(f"/proc/{p}/task").iterdir():
            kids += (task / "children").read_text().split()
        return kids

    try:
        found = status(pid)
        tree, todo = 0, children(pid)
        count = 1
        while todo:
            p = todo.pop()
            try:
                tree += status(p).get("VmRSS", 0)
                todo += children(p)
                count += 1
            except OSError:  # it ended meanwhile
                pass
    except OSError:
        return {}
    return {"rss_mb": found.get("VmRSS", 0) / 1024, "hwm_mb": found.get("VmHWM", 0) / 1024,
            "total_mb": (found.get("VmRSS", 0) + tree) / 1024, "processes": count,
            "threads": found.get("Threads"), "children_rss_mb": tree / 1024}


# ---------------------------------------------------------------------------------------------
# The corpus and the questions asked of it
# ---------------------------------------------------------------------------------------------

def corpus_dir(cache: Path, n: int, seed: int) -> Path:
    """Generate (once) the corpus of n articles; later runs reuse it while the generator's
    version and the topics it draws from (ontology/topics.ttl) are the same."""
    import hashlib
    path = cache / "corpus" / f"n{n}-s{seed}"
    from bench.corpus_gen import VERSION, generate
    from bench.corpus_gen.articles import TOPICS_TTL
    topics = hashlib.sha1(TOPICS_TTL.read_bytes()).hexdigest()
    marker = path / ".generated.json"
    if marker.exists() and json.loads(marker.read_text()).get("version") == VERSION \
            and json.loads(marker.read_text()).get("topics_sha1") == topics:
        return path
    shutil.rmtree(path, ignore_errors=True)
    g = generate(path, n, seed)
    marker.write_text(json.dumps({"articles": g.articles, "entities": g.entities, "claims": g.claims,
                                  "unique_claims": g.unique_claims, "bytes": g.bytes,
                                  "seconds": g.seconds, "version": VERSION, "topics_sha1": topics}))
    return path


WORD = re.compile(r"[a-z]+")


def picks(corpus: Path) -> dict:
    """Deterministic arguments for the questions, read from the corpus (cached beside it): the
    most frequent claimant (and an alias of it), a mid-frequency outlet, the middle article,
    a rare and a common word of the statements, a one-month window around the median date."""
    cached = corpus / ".picks.json"
    if cached.exists():
        return json.loads(cached.read_text())
    import yaml
    claimants, outlets, words, months = Counter(), Counter(), Counter(), []
    articles = sorted(p.stem for p in (corpus / "articles").glob("*.yaml"))
    for name in articles:
        text = (corpus / "articles" / f"{name}.yaml").read_text(encoding="utf-8")
        for m in re.finditer(r'^outlet: "([^"]+)"', text, re.M):
            outlets[m.group(1)] += 1
        for m in re.finditer(r'^    claimant: "([^"]+)"', text, re.M):
            claimants[m.group(1)] += 1
        for m in re.finditer(r'^    stated: "(\d{4}-\d{2})', text, re.M):
            months.append(m.group(1))
        for m in re.finditer(r'^    statement: "(.*)"$', text, re.M):
            words.update(set(WORD.findall(m.group(1).lower())))
    claimant = sorted(claimants.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    ranked_outlets = sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))
    outlet = ranked_outlets[len(ranked_outlets) // 2][0]
    long_words = [(w, c) for w, c in words.items() if len(w) >= 7]
    rare = sorted(long_words, key=lambda wc: (wc[1] < 2, wc[1], wc[0]))[0][0]
    common = sorted(((w, c) for w, c in words.items() if len(w) >= 6),
                    key=lambda wc: (-wc[1], wc[0]))[0][0]
    months.sort()
    month = months[len(months) // 2] if months else "2024-01"
    entities = yaml.load((corpus / "entities.yaml").read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    entity = next(e for e in entities if e["id"] == claimant)
    alias = sorted(entity.get("aliases") or [entity["label"]])[0]
    found = {"claimant": claimant, "claimant_claims": claimants[claimant], "claimant_alias": alias,
             "outlet": outlet, "outlet_articles": outlets[outlet], "article": articles[len(articles) // 2],
             "rare_word": rare, "rare_word_statements": words[rare], "common_word": common,
             "common_word_statements": words[common], "topic": "casualties",
             "stated_from": month, "stated_to": month,
             "changed_article": articles[len(articles) // 4], "added_article": articles[len(articles) // 3]}
    cached.write_text(json.dumps(found, indent=1))
    return found


NESTED = ("nodes { id statement claimant { label } via { label } topic { label } "
          "reports { article { title outlet { label } } } }")
# Every field of Claim, with one field of each nested object (cost 4,800 of the 5,000 allowed
# by WHOSAID_MAX_QUERY_COST with first: 100).
EVERY = ("nodes { id iri statement quote statedOn period claimant { label } via { label } "
         "about { label } topic { label } value { min max } reports { start end article { id } } }")


def PAGES(p: dict) -> dict[str, str]:
    """The HTML pages measured, by name: what an analyst opens, on the picks of the corpus."""
    return {"home": "/", "topic": f"/topic/{p['topic']}",
            "topic_by_claimant": f"/topic/{p['topic']}?claimant={p['claimant']}&sort=figure",
            "entity": f"/entity/{p['claimant']}", "article": f"/article/{p['article']}",
            "search": f"/search?q={p['rare_word']}"}


def questions(p: dict) -> list[dict]:
    """The issue's questions: name, label, GraphQL (query + variables) and the direct recipe."""
    def claims(name, label, args: dict, selection=NESTED, first=20, **extra):
        decl = ", ".join(f"${k}: {t}" for k, (t, _) in args.items())
        call = ", ".join([f"{k}: ${k}" for k in args] + [f"first: {first}"])
        query = f"query{'(' + decl + ')' if decl else ''} {{ claims({call}) {{ totalCount {selection} }} }}"
        filt = {snake(k): v for k, (_, v) in args.items()}
        return {"name": name, "label": label, "query": query,
                "variables": {k: v for k, (_, v) in args.items()},
                "kind": "claims", "filter": filt, "first": first, "nested": selection != "", **extra}
    return [
        {"name": "entity_alias", "label": "entity(ref: alias) { claimsMade { totalCount } }",
         "query": "query($ref: String!) { entity(ref: $ref) { label claimsMade { totalCount } } }",
         "variables": {"ref": p["claimant_alias"]}, "kind": "entity_count", "ref": p["claimant_alias"]},
        claims("claimant", "claims(claimant, first: 20), nested", {"claimant": ("String", p["claimant"])}),
        claims("topic_window", "claims(topic, statedFrom/statedTo), nested",
               {"topic": ("String", p["topic"]), "statedFrom": ("Date", p["stated_from"]),
                "statedTo": ("Date", p["stated_to"])}),
        {"name": "total", "label": "claims { totalCount }", "query": "{ claims { totalCount } }",
         "variables": {}, "kind": "claims", "filter": {}, "first": 20, "nested": False},
        claims("first100", "claims(first: 100), every field", {}, selection=EVERY, first=100, links=True),
        claims("reported_by", "claims(reportedBy: outlet), nested", {"reportedBy": ("String", p["outlet"])}),
        claims("text_rare", "claims(text: rare word), nested", {"text": ("String", p["rare_word"])}),
        claims("text_common", "claims(text: common word), nested", {"text": ("String", p["common_word"])}),
        # whole words: the claim index on the embedded store, the text index on Virtuoso
        claims("words_rare", "claims(words: rare word), nested", {"words": ("String", p["rare_word"])}),
        claims("words_common", "claims(words: common word), nested", {"words": ("String", p["common_word"])}),
        claims("article", "claims(article:), nested", {"article": ("ID", p["article"])}),
        {"name": "disagreements", "label": "disagreements(topic:)",
         # 5 groups of at most 4 claims: the same 20 claims as the other questions' pages
         "query": "query($t: String) { disagreements(topic: $t, first: 5) { about { label } low high "
                  "claimCount claims(first: 4) { claimant { label } value { min max } statedOn } } }",
         "variables": {"t": p["topic"]}, "kind": "disagreements", "topic": p["topic"]},
        {"name": "articles", "label": "articles(first: 20)",
         "query": "{ articles(first: 20) { totalCount nodes { id title published outlet { label } } } }",
         "variables": {}, "kind": "articles", "first": 20},
    ]


def snake(name: str) -> str:
    return {"reportedBy": "reported_by", "statedFrom": "stated_from", "statedTo": "stated_to"}.get(name, name)


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------

class Run:
    def __init__(self, args):
        self.args = args
        self.root = Path(args.root).resolve()
        self.cache = Path(args.cache).resolve()
        self.label = "main" if self.root == HOME else self.root.name
        self.results: dict = {"meta": meta(self.root, args), "sizes": {}}

    # -- bookkeeping -----------------------------------------------------------------------

    def step(self, size: dict, name: str, fn, *a, **kw):
        """Run one step; record its result, its budget overrun or its failure; never raise."""
        started = time.perf_counter()
        print(f"  {name} ...", end="", flush=True)
        try:
            value = fn(*a, **kw)
            entry = {"status": "ok", **(value or {})}
        except Budget as exc:
            entry = {"status": "skipped (over budget)", "budget_s": exc.seconds}
        except Exception as exc:  # one failure must not lose the run
            entry = {"status": "failed", "error": f"{type(exc).__name__}: {str(exc)[:500]}",
                     "trace": traceback.format_exc()[-1500:]}
        entry["step_s"] = round(time.perf_counter() - started, 3)
        if "engine" in size:  # a step on an engine other than the embedded store says which
            entry["engine"] = size["engine"]
        size["steps"][name] = entry
        print(f" {entry['status']} ({entry['step_s']:.1f} s)", flush=True)
        self.save()
        return entry

    def save(self) -> None:
        self.results["meta"]["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (self.out / "results.json").write_text(json.dumps(self.results, indent=1))

    def budget(self, name: str, n: int) -> float:
        a = self.args
        base = {"build": a.build_budget, "validate": a.validate_budget,
                "bulkload": a.bulkload_budget or a.build_budget, "add": a.build_budget}[name]
        # 0.03 s per article: the first build measured 0.025 s per article at 10^5 (2,491 s).
        return base if base > 0 else {"build": max(300.0, 0.03 * n), "validate": 120.0,
                                      "bulkload": max(120.0, 0.006 * n), "add": max(120.0, 0.002 * n)}[name]

    # -- the steps -------------------------------------------------------------------------

    def build(self, corpus: Path, store: Path | str, n: int, budget: float | None = None,
              env: dict | None = None) -> dict:
        cmd = [sys.executable, "-m", "graph", "build", "--store", str(store)]
        budget = budget or self.budget("build", n)
        r = run_child(cmd, root=self.root, timeout=budget,
                      env=child_env(self.root, WHOSAID_CORPUS=corpus, **(env or {})))
        if r["timed_out"]:
            raise Budget(budget)
        if r["rc"] != 0:
            raise RuntimeError(f"whosaid build exited {r['rc']}: {(r['stdout'] + r['stderr'])[-800:]}")
        m = re.search(r"(\d+) triples, (\d+) entities, (\d+) claims", r["stdout"])
        claims = int(m.group(3)) if m else None
        checked = re.search(r"(\d+) article\(s\) checked, (\d+) unchanged", r["stdout"])
        by_stage = re.search(r"by stage: (.*)", r["stdout"])
        stages = {k: float(v) for k, v in re.findall(r"([a-z -]+?) ([\d.]+) s(?:, |$)",
                                                       by_stage.group(1).strip())} if by_stage else {}
        return {"articles_checked": int(checked.group(1)) if checked else None,
                "articles_unchanged": int(checked.group(2)) if checked else None,
                "stages": stages, "seconds": r["seconds"], "cpu_s": r["cpu_s"], "peak_mb": r["peak_mb"],
                "triples": int(m.group(1)) if m else None, "claims": claims,
                "claims_per_s": claims / r["seconds"] if claims else None,
                "ms_per_article": 1000 * r["seconds"] / n, "output_tail": r["stdout"][-300:]}

    def rebuild_changed(self, corpus: Path, store: Path, n: int, article: str) -> dict:
        """Change one article's title (no cross-article rule reads it), rebuild; restore it,
        rebuild again."""
        path = corpus / "articles" / f"{article}.yaml"
        original = path.read_bytes()
        text = original.decode("utf-8")
        changed = re.sub(r'^(title: ".*)"$', lambda m: m.group(1) + CHANGED_MARK + '"', text, count=1, flags=re.M)
        assert changed != text, "no title to change"
        budget = self.args.rebuild_budget
        try:
            path.write_text(changed, encoding="utf-8")
            first = self.build(corpus, store, n, budget)
        finally:  # a rebuild stopped at its budget never swapped its store in: the old one stands
            path.write_bytes(original)
        back = self.build(corpus, store, n, budget)
        return {"seconds": first["seconds"], "back_seconds": back["seconds"], "stages": first["stages"],
                "articles_checked": first["articles_checked"], "claims": first["claims"],
                "peak_mb": max(first["peak_mb"] or 0, back["peak_mb"] or 0)}

    def bulkload(self, store: Path, n: int, work: Path) -> dict:
        nq = work / "export.nq"
        t = self.budget("bulkload", n)
        target = work / "bulk"
        shutil.rmtree(target, ignore_errors=True)
        try:  # the export is gone after, finished or not (it is the size of the store)
            r = run_child([sys.executable, "-m", "graph", "export", "--format", "nq", "-o", str(nq),
                           "--store", str(store)], root=self.root, timeout=t)
            if r["timed_out"]:
                raise Budget(t)
            if r["rc"] != 0:
                raise RuntimeError(f"whosaid export exited {r['rc']}: {r['stderr'][-500:]}")
            loaded = probe("bulkload", str(nq), str(target), root=self.root, timeout=t)
        finally:
            nq.unlink(missing_ok=True)
            shutil.rmtree(target, ignore_errors=True)
        return {"seconds": loaded["seconds"], "quads": loaded["quads"], "export_s": r["seconds"],
                "quads_per_s": loaded["quads"] / loaded["seconds"]}

    def add_remove(self, corpus: Path, store: Path | str, n: int, article: str, work: Path,
                   env: dict | None = None) -> dict:
        src = corpus / "articles" / f"{article}.yaml"
        target = work / "add"
        target.mkdir(parents=True, exist_ok=True)
        new_id = f"bench-add-{article}"
        text = src.read_text(encoding="utf-8")
        text = re.sub(r'^id: "[^"]+"', f'id: "{new_id}"', text, count=1, flags=re.M)
        (target / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        shutil.copy(src.with_suffix(".txt"), target / f"{new_id}.txt")
        r = probe("addremove", str(store), str(target / f"{new_id}.yaml"), str(self.args.add_repeat),
                  root=self.root, timeout=self.budget("add", n),
                  env=child_env(self.root, **env) if env else None)
        r.pop("_child", None)
        return r

    def validate(self, store: Path | str, n: int) -> dict:
        t = self.budget("validate", n)
        r = run_child([sys.executable, "-m", "graph", "validate", "--store", str(store)],
                      root=self.root, timeout=t)
        if r["timed_out"]:
            raise Budget(t)
        return {"seconds": r["seconds"], "peak_mb": r["peak_mb"], "rc": r["rc"],
                "conforms": r["rc"] == 0, "output_tail": (r["stdout"] + r["stderr"])[-300:]}

    def direct(self, store: Path | str, qs: list[dict], work: Path, env: dict | None = None) -> dict:
        spec = work / "direct.json"
        spec.write_text(json.dumps({"repeat": self.args.requests, "warmup": 1, "questions": qs}))
        budget = self.args.query_budget
        partial = work / "direct.partial.json"
        partial.unlink(missing_ok=True)
        limit = budget * (len(qs) + 2) + 120
        try:
            r = probe("direct", str(store), str(spec), str(budget), str(partial), root=self.root, timeout=limit,
                      env=child_env(self.root, **env) if env else None)
        except Budget:  # keep the questions answered before the limit
            if not partial.exists():
                raise
            r = json.loads(partial.read_text())
            r["_child"] = {"peak_mb": None}
            for q in qs:
                r["questions"].setdefault(q["name"], {
                    "samples_ms": [], "error": f"not reached: the direct step passed its {limit:.0f} s budget"})
        out = {"reader_init_s": r["reader_init_s"], "index": r.get("index"), "peak_mb": r["_child"]["peak_mb"],
               "questions": {}}
        for name, e in r["questions"].items():
            out["questions"][name] = {**summary(e["samples_ms"]),
                                      **{k: e[k] for k in ("answer", "error", "note") if k in e}}
        return out

    # -- the server ------------------------------------------------------------------------

    def serve(self, store: Path | str, log: Path, extra_env: dict | None = None):
        port = free_port()
        env = child_env(self.root, **(extra_env or {}))
        if self.args.query_timeout:
            env["WHOSAID_QUERY_TIMEOUT"] = str(self.args.query_timeout)
        env["WHOSAID_SERVE_WORKERS"] = str(self.args.serve_workers)
        out = open(log, "w", encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "graph", "serve", "--port", str(port),
                                    "--store", str(store)], cwd=self.root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"whosaid serve exited: {log.read_text()[-800:]}")
            # One probe at a time, waited for: /healthz counts the store's quads, which on an
            # external store is a query of its own (14 s on Virtuoso at 10^4); probes abandoned
            # after 1 s each left that query running and piled them up on the store.
            left = max(1.0, self.args.start_budget - (time.perf_counter() - started))
            try:
                if httpx.get(f"{base}/healthz", timeout=left).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > self.args.start_budget:
                stop(process)
                raise Budget(self.args.start_budget)
            time.sleep(0.1)
        return process, base, time.perf_counter() - started

    def http_questions(self, base: str, qs: list[dict]) -> dict:
        out = {}
        timeout = (self.args.query_timeout or 5.0) + 30
        with httpx.Client(timeout=timeout) as client:
            for q in qs:
                body = {"query": q["query"], "variables": q["variables"]}
                out[q["name"]] = self.sample(
                    lambda: client.post(f"{base}/graphql", json=body,
                                        headers={"accept": "application/graphql-response+json"}),
                    graphql=True)
                print(f" {q['name']}={fmt_ms(out[q['name']].get('p50'))}", end="", flush=True)
        return out

    def sample(self, call, graphql: bool = False) -> dict:
        """Warm-up, then up to --requests timed calls within --query-budget seconds."""
        samples, statuses, errors = [], Counter(), []
        deadline = time.perf_counter() + self.args.query_budget
        warm, answer = [], None
        for i in range(self.args.warmup + self.args.requests):
            t0 = time.perf_counter()
            try:
                response = call()
                statuses[response.status_code] += 1
                if graphql:
                    body = response.json()
                    if body.get("errors"):
                        errors.append(str(body["errors"][0].get("message"))[:200])
                    elif answer is None:
                        answer = body.get("data")
            except Exception as exc:
                statuses[type(exc).__name__] += 1
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            dt = (time.perf_counter() - t0) * 1000
            (warm if i < self.args.warmup else samples).append(dt)
            if time.perf_counter() > deadline:
                break
        result = summary(samples or warm)
        if not samples:
            result["note"] = "only the warm-up fitted in the budget"
        elif len(samples) < self.args.requests:
            result["note"] = f"{len(samples)} of {self.args.requests} requests within the budget"
        result["statuses"] = dict(statuses)
        if answer is not None:  # what was answered, to compare engines (bench/report.py notes)
            result["answer"] = answer_digest(answer)
        if errors:
            result["errors"] = len(errors)
            result["first_error"] = errors[0]
        return result

    def pages(self, base: str, p: dict) -> dict:
        """The pages for people (issue 13), as a browser asks for them: each must cost what its
        page shows, not what the graph holds (a topic of many claims draws a summary)."""
        out = {}
        with httpx.Client(timeout=(self.args.query_timeout or 5.0) + 30) as client:
            for name, path in PAGES(p).items():
                out[name] = self.sample(lambda: client.get(f"{base}{path}", headers={"accept": "text/html"}))
                out[name]["path"] = path
                print(f" {name}={fmt_ms(out[name].get('p50'))}", end="", flush=True)
        return out

    def sparql(self, base: str, p: dict, store_claim: str | None) -> dict:
        query = ("SELECT ?claim ?statement WHERE { ?claim <https://w3id.org/whosaid/ontology#claimant> "
                 f"<https://w3id.org/whosaid/entity/{p['claimant']}> ; "
                 "<https://w3id.org/whosaid/ontology#statement> ?statement } LIMIT 20")
        with httpx.Client(timeout=60) as client:
            r = self.sample(lambda: client.post(f"{base}/sparql", data={"query": query},
                                                headers={"accept": "application/sparql-results+json"}))
        r["query"] = query
        return r

    def dump(self, base: str) -> dict:
        lines, size = 0, 0
        started = time.perf_counter()
        complete = True
        with httpx.Client(timeout=60) as client, client.stream("GET", f"{base}/dump.nt") as r:
            for chunk in r.iter_bytes():
                lines += chunk.count(b"\n")
                size += len(chunk)
                if time.perf_counter() - started > self.args.dump_budget:
                    complete = False
                    break
        seconds = time.perf_counter() - started
        return {"triples": lines, "bytes": size, "seconds": seconds, "complete": complete,
                "triples_per_s": lines / seconds}

    def load(self, base: str, q: dict, clients: int) -> dict:
        body = json.dumps({"query": q["query"], "variables": q["variables"]})
        if shutil.which("wrk") and not self.args.no_wrk:
            timeout = int((self.args.query_timeout or 5.0) + 10)
            cmd = ["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{max(1, round(self.args.load_seconds))}s",
                   "--timeout", f"{timeout}s", "-s", str(WRK_SCRIPT), f"{base}/graphql"]
            r = subprocess.run(cmd, env=dict(os.environ, BENCH_BODY=body), capture_output=True,
                               text=True, timeout=self.args.load_seconds + timeout + 30)
            m = re.search(r"BENCH_JSON (\{.*\})", r.stdout)
            if not m:
                raise RuntimeError(f"wrk: {r.stdout[-300:]} {r.stderr[-300:]}")
            result = json.loads(m.group(1))
            result["tool"] = "wrk"
        else:
            result = asyncio.run(async_load(f"{base}/graphql", body, clients, self.args.load_seconds,
                                            (self.args.query_timeout or 5.0) + 10))
            result["tool"] = "asyncio-httpx"
        result["clients"] = clients
        if not result["requests"]:  # wrk reports 0 for the percentiles of no answers
            for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
                result[k] = None
            result["note"] = "no answer arrived within the run"
        result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else None
        result["ok_rps"] = result["ok"] / result["seconds"] if result["seconds"] else None
        return result

    # -- one size ----------------------------------------------------------------------------

    def size(self, n: int) -> None:
        print(f"== {n} articles ({self.label})", flush=True)
        size = self.results["sizes"].setdefault(str(n), {"steps": {}})
        work = self.cache / "work" / self.label / f"n{n}-s{self.args.seed}"
        work.mkdir(parents=True, exist_ok=True)
        gen = self.step(size, "generate", lambda: json.loads(
            (corpus_dir(self.cache, n, self.args.seed) / ".generated.json").read_text()))
        if gen["status"] != "ok":
            return
        corpus = corpus_dir(self.cache, n, self.args.seed)
        p = self.step(size, "picks", picks, corpus)
        if p["status"] != "ok":
            return
        qs = questions(p)
        size["questions"] = {q["name"]: {"label": q["label"], "query": q["query"],
                                         "variables": q["variables"]} for q in qs}
        for engine in self.args.engines:
            if engine == "embedded":
                self.embedded(n, size, corpus, p, qs, work)
            else:
                print(f"-- {n} articles on {engine}", flush=True)
                esize = size.setdefault("engines", {}).setdefault(engine, {"engine": engine, "steps": {}})
                self.virtuoso(n, esize, corpus, p, qs, work)

    def embedded(self, n: int, size: dict, corpus: Path, p: dict, qs: list[dict], work: Path) -> None:
        """Every step on the embedded store (a folder the build writes, pyoxigraph in process)."""
        store = work / "store"
        cached_build, cached_raw = work / "build.json", work / "store_without_validation.json"
        if self.args.reuse and cached_build.exists() and (store / "CURRENT").exists():
            # the store and the build's figures of an earlier run of the same code, size and seed
            for name, path in (("build", cached_build), ("store_without_validation", cached_raw)):
                if path.exists():
                    entry = json.loads(path.read_text())
                    entry["cached_from"] = entry.get("at")
                    size["steps"][name] = entry
            print(f"  build: reused the store and figures of {size['steps']['build'].get('at')}")
        else:
            # a first build: no store, and none of what a build keeps beside it (its cache)
            for old in work.glob("store*"):
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
            b = self.step(size, "build", self.build, corpus, store, n)
            at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            cached_build.write_text(json.dumps({**b, "at": at}))
            cached_raw.unlink(missing_ok=True)
            if b["status"] != "ok":
                # the questions still need a store: load what the build makes, without its SHACL
                for old in work.glob("store*"):
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
                r = self.step(size, "store_without_validation", probe, "rawload", str(corpus), str(store),
                              root=self.root, timeout=self.args.rawload_budget or 3 * self.budget("build", n),
                              env=child_env(self.root, WHOSAID_CORPUS=corpus))
                cached_raw.write_text(json.dumps({**r, "at": at}))
        if not (store / "CURRENT").exists() and not any(store.glob("*")):
            print("  no store: skipping the rest of this size")
            return
        if size["steps"]["build"]["status"] == "ok" and not self.args.skip_rebuild:
            self.step(size, "rebuild_one_changed", self.rebuild_changed, corpus, store, n, p["changed_article"])
        else:
            size["steps"]["rebuild_one_changed"] = {"status": "skipped (the first build did not finish)"}
        if n <= self.args.bulkload_up_to:
            self.step(size, "bulkload", self.bulkload, store, n, work)
        else:  # exporting 4.5e7 quads alone passed a 600 s budget; the build's stage is the same load
            size["steps"]["bulkload"] = {"status": f"not run above {self.args.bulkload_up_to:,} articles: "
                                                   "see the build's loading stage"}
        self.step(size, "add_remove", self.add_remove, corpus, store, n, p["added_article"], work)
        if n <= self.args.validate_up_to:
            self.step(size, "validate", self.validate, store, n)
        else:  # one pyshacl pass over the whole store: 13 s at 10^2, past a 120 s budget at 10^3
            size["steps"]["validate"] = {"status": f"not run above {self.args.validate_up_to:,} articles: "
                                                   "whole-store pyshacl grows past its budget"}
        self.step(size, "direct", self.direct, store, qs, work)
        self.served(n, size, store, p, qs, self.out / f"serve-{n}.log")

    def served(self, n: int, size: dict, store, p: dict, qs: list[dict], log: Path,
               env: dict | None = None, after=None) -> None:
        """`whosaid serve --store STORE`: the questions by GraphQL, the pages, /sparql, the dump,
        the load runs and the server's memory; then `after()` (more steps) before it stops."""
        try:
            process, base, started = self.serve(store, log, env)
        except Exception as exc:
            size["steps"]["serve"] = {"status": "failed" if not isinstance(exc, Budget) else
                                      "skipped (over budget)", "error": str(exc)[:500]}
            self.save()
            return
        try:
            size["steps"]["serve"] = {"status": "ok", "start_s": started, **proc_rss_mb(process.pid)}
            if "engine" in size:
                size["steps"]["serve"]["engine"] = size["engine"]
            self.step(size, "graphql", self.http_questions, base, qs)
            self.step(size, "pages", self.pages, base, p)
            self.step(size, "sparql_select", self.sparql, base, p, None)
            self.step(size, "dump_nt", self.dump, base)
            claimant_q = next(q for q in qs if q["name"] == "claimant")
            for c in self.args.clients:
                self.step(size, f"load_c{c}", self.load, base, claimant_q, c)
            self.step(size, "server_memory", proc_rss_mb, process.pid)
            if after is not None:
                after()
        finally:
            stop(process)

    def virtuoso(self, n: int, size: dict, corpus: Path, p: dict, qs: list[dict], work: Path) -> None:
        """The steps that apply to an external store, on a throwaway Virtuoso (testbeds/virtuoso.py)
        started for this size with the text index set up, and stopped after it: `whosaid build
        --store URL` as the writer account, add and remove one article, validate, the questions
        by direct calls and through `whosaid serve --store URL` (WHOSAID_STORE_TEXT_INDEX=true)."""
        from testbeds.virtuoso import VirtuosoServer
        steps = size["steps"]
        for name, why in VIRTUOSO_NA.items():
            steps[name] = {"status": f"n/a on virtuoso: {why}", "engine": "virtuoso"}
        folder = work / "virtuoso"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        server = None
        try:
            server = VirtuosoServer(folder, self.args.virtuoso_max_rows, tuple(self.args.virtuoso_buffers))
            sql = self.root / "tools" / "virtuoso-text-index.sql"
            size["store_server"] = {"ini": {"ResultSetMaxRows": self.args.virtuoso_max_rows,
                                        "NumberOfBuffers": self.args.virtuoso_buffers[0],
                                        "MaxDirtyBuffers": self.args.virtuoso_buffers[1]},
                                "version": virtuoso_version()}
            start = self.step(size, "store_start", self.start_virtuoso, server,
                              sql if sql.exists() else None)
            if start["status"] != "ok":
                return
            writer = {**server.env(), "WHOSAID_STORE_ENGINE": "virtuoso"}
            url = server.endpoint
            b = self.step(size, "build", self.build, corpus, url, n, env=writer)
            if b["status"] == "ok" and not b["stages"].get("claim index"):
                b["stages"].pop("claim index", None)  # none is built for an external store
                b["claim_index"] = "n/a on virtuoso: claim searches are SPARQL queries"
                self.save()
            if b["status"] != "ok":
                # the questions still need a store: the quads the build makes, loaded by
                # Virtuoso's own bulk loader (whosaid's update path is what went over budget)
                self.step(size, "store_without_validation", self.virtuoso_bulk_load, server, corpus,
                          n, work)
                if steps["store_without_validation"]["status"] != "ok":
                    print("  no store: skipping the rest of this size on virtuoso")
                    return
            self.step(size, "store_memory", self.virtuoso_memory, server)
            self.step(size, "add_remove", self.add_remove, corpus, url, n, p["added_article"], work,
                      env=writer)
            if n <= self.args.validate_up_to:
                self.step(size, "validate", self.validate, url, n)
            else:
                steps["validate"] = {"status": f"not run above {self.args.validate_up_to:,} articles: "
                                               "whole-store pyshacl grows past its budget"}
            reader = {"WHOSAID_STORE_TEXT_INDEX": "true", "WHOSAID_STORE_ENGINE": "virtuoso"}
            self.step(size, "direct", self.direct, url, qs, work, env=reader)
            self.served(n, size, url, p, qs, self.out / f"serve-{n}-virtuoso.log", env=reader,
                        after=lambda: self.step(size, "store_memory_after", self.virtuoso_memory, server))
        finally:
            if server is not None:
                server.stop()
                for name, kept in (("virtuoso.log", "log"), ("virtuoso-t.out", "out"), ("virtuoso.ini", "ini")):
                    if (folder / name).exists():
                        shutil.copy(folder / name, self.out / f"virtuoso-{n}.{kept}")
            shutil.rmtree(folder, ignore_errors=True)
            self.save()

    def start_virtuoso(self, server, text_index_sql: Path | None) -> dict:
        started = time.perf_counter()
        server.start()
        up = time.perf_counter() - started
        if text_index_sql is None:
            server.setup_accounts()
        else:
            server.setup_accounts(text_index_sql)
        return {"seconds": up, "setup_s": time.perf_counter() - started - up, "endpoint": server.endpoint,
                "pid": server.process.pid, **server.memory_mb()}

    def virtuoso_bulk_load(self, server, corpus: Path, n: int, work: Path) -> dict:
        """When `whosaid build --store URL` is over its budget: the same quads, made by the build's
        own code into a scratch embedded store without its SHACL pass (probe.py rawload), exported
        as N-Quads and loaded by Virtuoso's bulk loader (ld_dir, rdf_loader_run, as dba), then its
        text index brought up to date and a checkpoint written. Within the rawload budget."""
        budget = self.args.rawload_budget or 3 * self.budget("build", n)
        started = time.perf_counter()

        def left() -> float:
            remaining = budget - (time.perf_counter() - started)
            if remaining <= 0:
                raise Budget(budget)
            return remaining

        source, nq = work / "virtuoso-source", server.folder / "load.nq"
        for scratch in work.glob("virtuoso-source*"):
            shutil.rmtree(scratch, ignore_errors=True) if scratch.is_dir() else scratch.unlink()
        try:
            raw = probe("rawload", str(corpus), str(source), root=self.root, timeout=left(),
                        env=child_env(self.root, WHOSAID_CORPUS=corpus))
            made = time.perf_counter() - started
            r = run_child([sys.executable, "-m", "graph", "export", "--format", "nq", "-o", str(nq),
                           "--store", str(source)], root=self.root, timeout=left())
            if r["timed_out"]:
                raise Budget(budget)
            if r["rc"] != 0:
                raise RuntimeError(f"whosaid export exited {r['rc']}: {r['stderr'][-500:]}")
        finally:  # the scratch store and what a build keeps beside it (its cache)
            for scratch in work.glob("virtuoso-source*"):
                shutil.rmtree(scratch, ignore_errors=True) if scratch.is_dir() else scratch.unlink()
        with open(nq, "rb") as fh:
            quads = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        exported = time.perf_counter() - started
        t0 = time.perf_counter()
        server.isql(f"ld_dir ('{server.folder}', 'load.nq', 'https://w3id.org/whosaid/bench-unused');\n"
                    "rdf_loader_run ();\ncheckpoint;\n", timeout=left())
        loaded = time.perf_counter() - t0
        failed = server.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;\n")
        if "0 Rows." not in failed:
            raise RuntimeError(f"Virtuoso's bulk loader reported errors:\n{failed[-1500:]}")
        t0 = time.perf_counter()
        server.isql("DB.DBA.VT_INC_INDEX_DB_DBA_RDF_OBJ ();\ncheckpoint;\n", timeout=left())
        indexed = time.perf_counter() - t0
        nq.unlink(missing_ok=True)
        count = httpx.post(server.endpoint, timeout=600, headers={"accept": "application/sparql-results+json"},
                           data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                          "FILTER (STRSTARTS(STR(?g), 'https://w3id.org/whosaid/')) }"})
        count.raise_for_status()
        found = int(count.json()["results"]["bindings"][0]["n"]["value"])
        if found != quads:
            raise RuntimeError(f"Virtuoso holds {found:,} quads in whosaid's graphs after the bulk "
                               f"load of {quads:,}")
        return {"how": "build's quads without SHACL (probe.py rawload) -> whosaid export nq -> "
                       "Virtuoso ld_dir/rdf_loader_run -> VT_INC_INDEX_DB_DBA_RDF_OBJ",
                "seconds": time.perf_counter() - started, "rawload_s": made, "export_s": exported - made,
                "bulk_load_s": loaded, "text_index_s": indexed, "quads": quads, "claims": raw.get("claims"),
                "triples": raw.get("triples")}

    def virtuoso_memory(self, server) -> dict:
        return {**server.memory_mb(), "disk_mb": server.disk_mb()}

    def main(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        suffix = "" if self.label == "main" else f"-{self.label}"
        self.out = Path(self.args.out or HERE / "results" / f"{stamp}{suffix}")
        self.out.mkdir(parents=True, exist_ok=True)
        print(f"results in {self.out}", flush=True)
        for n in self.args.sizes:
            self.size(n)
        self.save()
        from bench.report import write_report
        write_report(self.results, self.out)
        if not self.args.no_latest:
            latest = HERE / "results" / "latest"
            latest.mkdir(parents=True, exist_ok=True)
            for name in ("results.json", "results.md", "plot.png"):
                if (self.out / name).exists():
                    shutil.copy(self.out / name, latest / name)
        return self.out


def answer_digest(data) -> dict:
    """A GraphQL answer in short: the sha1 of its data (keys sorted) and its first totalCount."""
    import hashlib

    def total(d):
        if isinstance(d, dict):
            if isinstance(d.get("totalCount"), int):
                return d["totalCount"]
            d = list(d.values())
        if isinstance(d, list):
            for v in d:
                if (t := total(v)) is not None:
                    return t
        return None
    text = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return {"sha1": hashlib.sha1(text).hexdigest()[:16], "bytes": len(text), "totalCount": total(data)}


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fmt_ms(v) -> str:
    return "-" if v is None else f"{v:.0f}ms"


async def async_load(url: str, body: str, clients: int, seconds: float, timeout: float) -> dict:
    """A closed-loop load generator (used when wrk is not installed): `clients` connections, each
    sending the next request as soon as its answer is read, for `seconds`."""
    latencies, counts = [], Counter()
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json"}
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(http: httpx.AsyncClient):
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            try:
                r = await http.post(url, content=body, headers=headers)
                kind = ("busy_503" if r.status_code == 503 else "other_status" if r.status_code != 200
                        else "graphql_errors" if b'"errors"' in r.content else "ok")
            except httpx.TimeoutException:
                kind = "timeouts"
            except httpx.TransportError:
                kind = "socket_errors"
            counts[kind] += 1
            latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed,
            **{k: counts.get(k, 0) for k in ("ok", "busy_503", "other_status", "graphql_errors",
                                              "socket_errors", "timeouts")},
            "p50_ms": pct(latencies, 50), "p95_ms": pct(latencies, 95), "p99_ms": pct(latencies, 99),
            "max_ms": max(latencies) if latencies else None}


def virtuoso_version() -> str | None:
    """virtuoso-t's version line (e.g. "Version 07.20.3233"), or None."""
    try:
        r = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"Version \S+", r.stdout + r.stderr)
    return m.group(0) if m else None


def meta(root: Path, args) -> dict:
    from importlib.metadata import version
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()
               if l.startswith("MemTotal"))

    def git(*a):
        r = subprocess.run(["git", "-C", str(root), *a], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    versions = {}
    for pkg in ("pyoxigraph", "rdflib", "pyshacl", "strawberry-graphql", "fastapi", "uvicorn", "httpx"):
        try:
            versions[pkg] = version(pkg)
        except Exception:
            versions[pkg] = None
    wrk = shutil.which("wrk")
    return {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"nproc": os.cpu_count(), "memory_gb": round(mem / 1024 / 1024, 1), "cpu": cpu,
                        "loadavg_at_start": os.getloadavg()},
            "python": platform.python_version(), "versions": versions,
            "root": str(root), "commit": git("rev-parse", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "load_generator": "wrk " + (subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout
                                        .split("[")[0].strip() if wrk else "") if wrk and not args.no_wrk
            else "asyncio-httpx (bench/run.py async_load)",
            "settings": {"query_timeout": args.query_timeout or "server default (5 s)",
                         "requests": args.requests, "warmup": args.warmup,
                         "query_budget_s": args.query_budget, "load_seconds": args.load_seconds,
                         "seed": args.seed, "sizes": args.sizes, "clients": args.clients,
                         "quick": args.quick, "serve_workers": args.serve_workers,
                         "engines": args.engines,
                         **({"virtuoso_max_rows": args.virtuoso_max_rows,
                             "virtuoso_buffers": args.virtuoso_buffers} if "virtuoso" in args.engines else {})}}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    parser.add_argument("--quick", action="store_true", help="10^2 and 10^3 articles, short runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", default=str(HOME), help="the checkout to measure")
    parser.add_argument("--cache", default=str(HOME / "var" / "bench"))
    parser.add_argument("--out", default=None, help="results folder (default bench/results/<stamp>)")
    parser.add_argument("--no-latest", action="store_true", help="do not copy to bench/results/latest")
    parser.add_argument("--requests", type=int, default=None, help="timed requests per question")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--query-budget", type=float, default=None, help="seconds per question")
    parser.add_argument("--query-timeout", type=float, default=None, help="WHOSAID_QUERY_TIMEOUT")
    parser.add_argument("--serve-workers", type=int, default=os.cpu_count() or 1,
                        help="WHOSAID_SERVE_WORKERS: server processes (default: one per core)")
    parser.add_argument("--build-budget", type=float, default=0, help="seconds (0: by size)")
    parser.add_argument("--bulkload-budget", type=float, default=0,
                        help="seconds for pyoxigraph's bulk load (0: the build budget, else by size)")
    parser.add_argument("--bulkload-up-to", type=int, default=10_000,
                        help="largest size at which the store is exported and bulk-loaded apart "
                             "(above it, the build's own loading stage, the same bulk_load of the "
                             "same quads, stands for it)")
    parser.add_argument("--validate-up-to", type=int, default=100,
                        help="largest size at which `whosaid validate` runs over the whole store "
                             "(it did not finish in 120 s at 10^3; each article is validated by the build)")
    parser.add_argument("--validate-budget", type=float, default=None)
    parser.add_argument("--rawload-budget", type=float, default=0,
                        help="seconds to load a store without validation when the build is over "
                             "its budget (0: 3x the build budget)")
    parser.add_argument("--rebuild-budget", type=float, default=120,
                        help="seconds for each rebuild after one changed article (target: 10)")
    parser.add_argument("--start-budget", type=float, default=300)
    parser.add_argument("--dump-budget", type=float, default=None)
    parser.add_argument("--load-seconds", type=float, default=None)
    parser.add_argument("--clients", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32])
    parser.add_argument("--add-repeat", type=int, default=None)
    parser.add_argument("--no-wrk", action="store_true", help="use the asyncio load generator")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse a store built by an earlier run (its build figures are copied)")
    parser.add_argument("--engines", type=engine_list, default=["embedded"],
                        help="stores to measure at each size, comma-separated: embedded (the default), "
                             "virtuoso (a throwaway virtuoso-t on loopback, testbeds/virtuoso.py)")
    parser.add_argument("--virtuoso-max-rows", type=int, default=None,
                        help="Virtuoso's ResultSetMaxRows (default: its own 10,000)")
    parser.add_argument("--virtuoso-buffers", type=lambda s: [int(x) for x in s.split(",")], default=None,
                        metavar="N,DIRTY", help="Virtuoso's NumberOfBuffers,MaxDirtyBuffers (8 kB pages; "
                                                "default 340000,250000: 2.7 GB)")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="print B/A for two results.json")
    args = parser.parse_args(argv)
    q = args.quick
    args.sizes = args.sizes or list(QUICK_SIZES if q else FULL_SIZES)
    args.requests = args.requests or (10 if q else 30)
    args.query_budget = args.query_budget or (15.0 if q else 30.0)
    args.validate_budget = args.validate_budget if args.validate_budget is not None else (20.0 if q else 120.0)
    args.dump_budget = args.dump_budget or (3.0 if q else 20.0)
    args.load_seconds = args.load_seconds or (2.0 if q else 10.0)
    args.add_repeat = args.add_repeat or (3 if q else 7)
    if "virtuoso" in args.engines:
        from testbeds.virtuoso import BENCH_BUFFERS, DEFAULT_MAX_ROWS
        args.virtuoso_max_rows = args.virtuoso_max_rows or DEFAULT_MAX_ROWS
        args.virtuoso_buffers = args.virtuoso_buffers or list(BENCH_BUFFERS)
        if len(args.virtuoso_buffers) != 2:
            parser.error("--virtuoso-buffers takes two numbers: NumberOfBuffers,MaxDirtyBuffers")
    return args


def engine_list(text: str) -> list[str]:
    engines = [e.strip() for e in text.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        raise argparse.ArgumentTypeError(f"unknown engine(s) {', '.join(unknown) or '(none)'}: "
                                         f"choose from {', '.join(ENGINES)}")
    return list(dict.fromkeys(engines))


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.compare:
        from bench.report import compare
        print(compare(Path(args.compare[0]), Path(args.compare[1])))
        return
    out = Run(args).main()
    print(f"\n{(out / 'results.md').read_text()}\nwritten to {out}")


if __name__ == "__main__":
    main()
