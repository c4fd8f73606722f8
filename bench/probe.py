"""In-process measurements that need the code under test, run as a child process by bench/run.py.

This file is run by path (`python bench/probe.py OP ...`) with PYTHONPATH set to the checkout
being measured, so that `graph` is that checkout's package (the current tree, or a baseline
worktree). It imports nothing from `bench`, and prints one JSON object on stdout.

    probe.py direct STORE SPEC.json BUDGET [PARTIAL.json]   the questions by graph.read.Reader
    probe.py addremove STORE ARTICLE.yaml N     median add and remove of one article (Ingest)
    probe.py bulkload FILE.nq DIR               pyoxigraph's own bulk load of an N-Quads file
    probe.py rawload CORPUS STORE               the store a build makes, without its SHACL pass
                                                (used only when the build is over its budget)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def _now() -> float:
    return time.perf_counter()


def _open(store_path: str, read_only: bool):
    """The store as the CLI and the server open it: an embedded store by its folder; an external
    one (bench/run.py --engines virtuoso) with the engine, account and text index of the
    environment (WHOSAID_STORE_USER, WHOSAID_STORE_TEXT_INDEX, ...)."""
    from graph.store import open_store
    if "://" not in store_path:
        return open_store(store_path, read_only=read_only)
    from graph.config import Settings
    from graph.store import open_store_for
    return open_store_for(Settings.from_env(), read_only, location=store_path)


def direct(store_path: str, spec_path: str, budget: float, partial: str | None = None) -> dict:
    """Each question's answer by direct calls on the read model: the same page and nested loads
    that the GraphQL resolvers make through their DataLoaders, without HTTP, parsing or the
    schema. spec: {"repeat": n, "warmup": k, "questions": [{"name", "kind", ...}]}."""
    from graph.config import Settings
    from graph.read import Reader

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    settings = Settings.from_env()
    store = _open(store_path, read_only=True)
    started = _now()
    extra = {}
    try:  # the read model as the server builds it: with its claim index, where it has one
        from api.app import _read_only_index
    except ImportError:  # a checkout from before the index (issue 10)
        _read_only_index = None
    if _read_only_index is not None:
        index = _read_only_index(store, settings)
        if index is not None:
            extra["index"] = index
    reader = Reader(store, settings.base_iri, **extra)
    out: dict = {"reader_init_s": _now() - started, "index": bool(extra), "questions": {}}

    def nested(items: list[str]) -> int:
        claims = reader.claims(items)
        reports = reader.reports(items)
        arts = sorted({r.article for rs in reports.values() for r in rs})
        reader.articles(arts)
        for c in claims.values():  # entities are resolved in memory, as the resolvers do
            reader.entities.get(c.claimant)
        return len(claims)

    def run(q: dict):
        kind = q["kind"]
        if kind == "entity_count":
            (e,) = reader.resolve_entity(q["ref"])
            f = reader.claim_filter(claimant=e.iri)
            return reader.search_claims(f, 20).total
        if kind == "claims":
            f = reader.claim_filter(**q.get("filter", {}))
            page = reader.search_claims(f, q.get("first", 20))
            if q.get("nested"):
                nested(page.items)
                if q.get("links"):
                    reader.claim_links(page.items)
            return page.total
        if kind == "disagreements":
            if not hasattr(reader, "disagreement_claims"):  # before groups were paged
                groups = reader.disagreements(q.get("topic"), None)
                for g in groups:
                    nested(g["claims"])
                return len(groups)
            groups = reader.disagreements(q.get("topic"), None, 5)
            for g in groups:
                nested(reader.disagreement_claims(g, 4))
            return len(groups)
        if kind == "articles":
            page = reader.article_page(q.get("first", 20))
            reader.articles(page.items)
            return page.total
        raise ValueError(f"unknown kind {kind}")

    for q in spec["questions"]:
        if q.get("direct") is False:
            continue
        entry: dict = {"samples_ms": []}
        deadline = _now() + budget
        try:
            for i in range(spec.get("warmup", 1) + spec.get("repeat", 10)):
                t0 = _now()
                entry["answer"] = run(q)
                dt = (_now() - t0) * 1000
                if i >= spec.get("warmup", 1):
                    entry["samples_ms"].append(dt)
                if _now() > deadline:
                    if not entry["samples_ms"]:  # the warm-up alone took the budget: keep it
                        entry["samples_ms"].append(dt)
                        entry["note"] = "only the warm-up fitted in the budget"
                    else:
                        entry["note"] = f"stopped at the {budget:.0f} s budget"
                    break
        except Exception as exc:  # recorded, not fatal: one question must not lose the others
            entry["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        out["questions"][q["name"]] = entry
        if partial:  # what is done so far, for a parent that stops this process at its budget
            Path(partial).write_text(json.dumps(out), encoding="utf-8")
    return out


def addremove(store_path: str, article: str, repeat: int) -> dict:
    """Add the article under `repeat`+1 fresh ids (the first is a warm-up), removing each again,
    so the store ends as it began (plus its history entries)."""
    import re
    from graph.config import Settings
    from graph.ingest import Ingest, read_submission

    store = _open(store_path, read_only=False)
    ingest = Ingest(store, Settings.from_env().base_iri)
    sub = read_submission(Path(article))
    adds, removes = [], []
    base_id = sub.raw["id"]
    for k in range(repeat + 1):
        raw = json.loads(json.dumps(sub.raw))
        raw["id"] = f"{base_id}-{k}"
        for c in raw.get("claims", []):
            c["id"] = f"{c['id']}-add{k}"
        one = type(sub)(sub.source, raw, sub.text)
        t0 = _now()
        ingest.add(one, "bench")
        t1 = _now()
        ingest.remove(raw["id"], "bench")
        t2 = _now()
        if k:
            adds.append((t1 - t0) * 1000)
            removes.append((t2 - t1) * 1000)
    store.flush()
    store.close()
    return {"add_ms": adds, "remove_ms": removes, "claims": len(sub.raw.get("claims", [])),
            "add_p50_ms": statistics.median(adds) if adds else None,
            "remove_p50_ms": statistics.median(removes) if removes else None}


def bulkload(nq_file: str, directory: str) -> dict:
    import pyoxigraph as ox
    t0 = _now()
    store = ox.Store(directory)
    store.bulk_load(path=nq_file, format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = _now() - t0
    return {"seconds": seconds, "quads": len(store)}


def rawload(corpus: str, store_path: str) -> dict:
    """What `whosaid build` writes, with its SHACL validation switched off: a store to query when
    the build itself is over its time budget (the baseline at 10^3 articles takes ~40 min)."""
    import graph.build as b
    from graph.config import Settings
    for name in ("validate_graph",):
        if hasattr(b, name):
            setattr(b, name, lambda *a, **k: [])
    settings = Settings.from_env(corpus=Path(corpus), store=store_path)
    t0 = _now()
    result = b.build(settings, store_path=store_path)
    return {"seconds": _now() - t0, "triples": getattr(result, "triples", None),
            "claims": getattr(result, "claims", None)}


def main(argv: list[str]) -> None:
    op, *args = argv
    if op == "direct":
        result = direct(args[0], args[1], float(args[2]), args[3] if len(args) > 3 else None)
    elif op == "addremove":
        result = addremove(args[0], args[1], int(args[2]))
    elif op == "bulkload":
        result = bulkload(args[0], args[1])
    elif op == "rawload":
        result = rawload(args[0], args[1])
    else:
        raise SystemExit(f"unknown op {op}")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
