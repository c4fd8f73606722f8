"""Soak: a real `whosaid serve` with a write token, on a fresh build of the seed corpus, under
mixed reads from many clients and one writer, for minutes. Reports throughput, latency per kind
of request, errors by status, and the server's memory and threads before and after; exits 1 if
any answer was a 5xx or an internal error, or if threads or memory grew past their bound.

    python -m bench.soak                     # SOAK_SECONDS (600), SOAK_CLIENTS (20)
    SOAK_SECONDS=60 python -m bench.soak     # a short run
    SOAK_WRITER=0 python -m bench.soak       # reads only

Bounds: SOAK_MAX_THREAD_GROWTH (8 threads) and SOAK_MAX_RSS_GROWTH_MB (100 MB), between a sample
taken after a warm-up (a tenth of the run, at most 30 s, so that caches and pools are full) and
one taken once the load has stopped and the server has had up to 15 s to settle.

Traffic goes only to the server this script starts on 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from graph.build import build
from graph.config import PROJECT_ROOT, Settings
from tests.conftest import proc_status, running_server

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "20"))
WRITER = os.environ.get("SOAK_WRITER", "1") != "0"   # 0: reads only, to tell where growth comes from
MAX_THREAD_GROWTH = int(os.environ.get("SOAK_MAX_THREAD_GROWTH", "8"))
MAX_RSS_GROWTH_MB = float(os.environ.get("SOAK_MAX_RSS_GROWTH_MB", "100"))
SECRET = "soak-writer-0123456789abcdef"
INTERNAL = re.compile(r"(?i)internal error|Traceback \(most recent call last\)")


def readme_queries() -> list[str]:
    """The GraphQL queries of the README's "Asking who said what" block."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```graphql\n(.*?)```", readme, re.S).group(1)
    queries = [q.strip() for q in re.split(r"\n\s*#[^\n]*\n|^#[^\n]*\n", block) if q.strip()]
    assert len(queries) >= 3, queries
    return queries


SPARQL = [
    "SELECT ?claim ?statement WHERE { ?claim a <https://w3id.org/whosaid/ontology#Claim> ; "
    "<https://w3id.org/whosaid/ontology#statement> ?statement } LIMIT 20",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)",
    "SELECT ?e ?label WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 50",
]
PAGES = ["/entity/nis", "/entity/syrskyi", "/claim/syrskyi-half-of-contingent-killed-or-wounded",
         "/article/002_394fee5181a7713e", "/topic/casualties", "/ontology", "/.well-known/void"]
DUMPS = ["/dump.ttl", "/dump.trig"]


def writer_input() -> dict:
    """A small article: the text of article 002 and one claim by a known entity."""
    text = (PROJECT_ROOT / "corpus" / "articles" / "002_394fee5181a7713e.txt").read_text("utf-8")
    sentence = ("The military intelligence chief, Kyrylo Budanov, said he expects Pyongyang to "
                "dispatch additional reinforcements to Russia, namely artillery units.")
    start = text.index(sentence)
    return {"id": "soak-article", "title": "A soak test article", "outlet": "Kyiv Independent",
            "published": {"date": "2025-02-01"}, "body": {"start": 429, "end": 2229}, "text": text,
            "claims": [{"id": "soak-article-claim", "claimant": "Budanov", "via": [],
                        "statement": "Budanov expects North Korean artillery to be sent to Russia.",
                        "topic": "reinforcements", "about": ["Russia"],
                        "evidence": {"start": start, "end": start + len(sentence),
                                     "exact": sentence}}]}


ADD = "mutation($input: ArticleInput!) { addArticle(input: $input) { change { kind } } }"
REMOVE = 'mutation { removeArticle(id: "article/soak-article") { change { kind } } }'


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.failures: list[str] = []   # 5xx, internal errors, transport errors
        self.shed = 0   # 503 with Retry-After: load refused at once, as designed (not a failure)

    def record(self, kind: str, started: float, response: httpx.Response | None, error: str = ""):
        elapsed = time.monotonic() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if response is None:
                self.statuses["transport error"] += 1
                self.failures.append(f"{kind}: {error}")
                return
            self.statuses[response.status_code] += 1
            text = response.text if not kind.startswith("dump") else ""
            if response.status_code == 503 and "retry-after" in response.headers:
                self.shed += 1
            elif response.status_code >= 500 or INTERNAL.search(text):
                self.failures.append(f"{kind}: {response.status_code} {text[:300]}")


def reader(base: str, until: float, tally: Tally, seed: int, queries: list[str]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            kind = rng.choices(["graphql", "sparql", "page", "dump"], weights=[5, 3, 3, 1])[0]
            started = time.monotonic()
            try:
                if kind == "graphql":
                    response = http.post("/graphql", json={"query": rng.choice(queries)},
                                         headers={"accept": "application/graphql-response+json"})
                elif kind == "sparql":
                    response = http.get("/sparql", params={"query": rng.choice(SPARQL)},
                                        headers={"accept": "application/sparql-results+json"})
                elif kind == "page":
                    # a browser's or an RDF client's Accept (VoID has no HTML: Turtle then)
                    response = http.get(rng.choice(PAGES), headers={"accept": rng.choice(
                        ["text/html,text/turtle;q=0.5", "text/turtle"])})
                else:
                    kind = "dump"
                    response = http.get(rng.choice(DUMPS))
                tally.record(kind, started, response)
            except httpx.HTTPError as exc:
                tally.record(kind, started, None, f"{type(exc).__name__}: {exc}")


def writer(base: str, until: float, tally: Tally) -> Counter:
    outcomes: Counter = Counter()
    auth = {"authorization": f"Bearer {SECRET}", "accept": "application/graphql-response+json"}
    payload = {"query": ADD, "variables": {"input": writer_input()}}
    with httpx.Client(base_url=base, timeout=120) as http:
        while time.monotonic() < until:
            for kind, body in (("write:add", payload), ("write:remove", {"query": REMOVE})):
                started = time.monotonic()
                try:
                    response = http.post("/graphql", json=body, headers=auth)
                except httpx.HTTPError as exc:
                    tally.record(kind, started, None, f"{type(exc).__name__}: {exc}")
                    continue
                tally.record(kind, started, response)
                data = (response.json().get("data") or {}) if response.status_code == 200 else {}
                change = next(iter(data.values()), None) if data else None
                outcomes[f"{kind} " + (change["change"]["kind"] if change else
                                       f"refused ({response.status_code})")] += 1
    return outcomes


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] \
        if len(values) > 1 else values[0]


def main() -> int:
    queries = readme_queries()
    with tempfile.TemporaryDirectory(prefix="whosaid-soak-") as folder:
        store = Path(folder) / "store"
        print(f"building the seed store in {store} ...", flush=True)
        build(Settings.from_env().with_(store=str(store)))
        with running_server(store, WHOSAID_WRITE_TOKENS=f"soak:{SECRET}") as base:
            return soak(base.process, base, queries)


def soak(process: subprocess.Popen, base: str, queries: list[str]) -> int:
    tally = Tally()
    began = time.monotonic()
    until = began + SECONDS
    print(f"soaking {base} for {SECONDS:g} s with {CLIENTS} readers and 1 writer ...", flush=True)
    readers = [threading.Thread(target=reader, args=(base, until, tally, n, queries), daemon=True)
               for n in range(CLIENTS)]
    outcomes: Counter = Counter()
    write = threading.Thread(target=lambda: outcomes.update(writer(base, until, tally)), daemon=True)
    threads = readers + ([write] if WRITER else [])
    for t in threads:
        t.start()
    time.sleep(min(30.0, SECONDS / 10))
    start = proc_status(process.pid)
    samples = [(time.monotonic() - began, start["VmRSS"])]
    while any(t.is_alive() for t in threads) and time.monotonic() < until + 180:
        time.sleep(min(60.0, max(0.5, until - time.monotonic())))
        samples.append((time.monotonic() - began, proc_status(process.pid)["VmRSS"]))
    elapsed = time.monotonic() - began
    at_end = proc_status(process.pid)
    settle = time.monotonic() + 15
    while proc_status(process.pid)["Threads"] > start["Threads"] + MAX_THREAD_GROWTH \
            and time.monotonic() < settle:
        time.sleep(0.5)
    settled = proc_status(process.pid)
    healthy = httpx.get(f"{base}/healthz", timeout=10).status_code == 200

    total = sum(len(v) for v in tally.latencies.values())
    print(f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.1f} requests/s")
    print(f"{'kind':<14}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind in sorted(tally.latencies):
        v = tally.latencies[kind]
        print(f"{kind:<14}{len(v):>8}{percentile(v, 50) * 1000:>10.1f}"
              f"{percentile(v, 95) * 1000:>10.1f}{max(v) * 1000:>10.1f}")
    print("answers by status: " + ", ".join(f"{k}: {n}" for k, n in sorted(tally.statuses.items(), key=str)))
    print("writer: " + ", ".join(f"{k}: {n}" for k, n in sorted(outcomes.items())))
    print(f"server threads: {start['Threads']} after warm-up, {at_end['Threads']} at the end of "
          f"the load, {settled['Threads']} settled (bound: +{MAX_THREAD_GROWTH})")
    print(f"server RSS: {start['VmRSS'] / 1024:.1f} MB after warm-up, {at_end['VmRSS'] / 1024:.1f} MB "
          f"at the end, {settled['VmRSS'] / 1024:.1f} MB settled (bound: +{MAX_RSS_GROWTH_MB:g} MB)")
    print("server RSS over the run: " + ", ".join(f"{t:.0f} s {kb / 1024:.0f} MB" for t, kb in samples))
    print(f"load shed (503 with Retry-After, refused at once): {tally.shed}")
    print(f"5xx or internal errors: {len(tally.failures)}")
    for failure in tally.failures[:10]:
        print("  " + failure)

    problems = []
    if tally.failures:
        problems.append(f"{len(tally.failures)} answers were 5xx, internal errors or transport errors")
    if settled["Threads"] > start["Threads"] + MAX_THREAD_GROWTH:
        problems.append(f"threads grew from {start['Threads']} to {settled['Threads']}")
    if (settled["VmRSS"] - start["VmRSS"]) / 1024 > MAX_RSS_GROWTH_MB:
        problems.append(f"RSS grew by {(settled['VmRSS'] - start['VmRSS']) / 1024:.1f} MB")
    if not healthy:
        problems.append("/healthz did not answer 200 after the run")
    if WRITER and not outcomes:
        problems.append("the writer made no write")
    print("\n" + ("FAILED: " + "; ".join(problems) if problems else "OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
