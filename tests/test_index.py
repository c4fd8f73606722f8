"""The claim index (graph/index/): the same answers as the SPARQL path, kept in step by every
write, never seen out of step with the store by a reader, and rebuilt after a crash."""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graph.build import build
from graph.index import ClaimIndex, IndexView, index_path, latest_change
from graph.ingest import Ingest, read_submission
from graph.read import ReadError, Reader
from graph.store import Store

from .conftest import CORPUS, PROJECT_ROOT, GraphQLClient, run_cli, running_server, settings_for
from .test_ingest import AUTH, TOKEN, graphql_input, new_article

BASE = settings_for(Path("x")).base_iri


def readers(path: Path) -> tuple[Reader, Reader]:
    """(the SPARQL path, the index path) over the same store."""
    store = Store.open(path, read_only=True)
    return Reader(store, BASE), Reader(store, BASE, IndexView(index_path(path)))


def all_pages(reader: Reader, criteria: dict, first: int) -> list[tuple]:
    f = reader.claim_filter(**criteria)
    out, after = [], None
    while True:
        page = reader.search_claims(f, first, after)
        out.append((page.items, page.cursors, page.total, page.has_next, page.has_previous))
        if not page.has_next or first == 0:
            return out
        after = page.cursors[-1]


def assert_same(old: Reader, new: Reader, criteria: dict, first: int = 7) -> None:
    assert all_pages(new, criteria, first) == all_pages(old, criteria, first), criteria


def all_disagreements(reader: Reader, topic=None, about=None, first: int = 2) -> list[tuple]:
    """Every disagreeing group, page by page, with every claim of each."""
    out, after = [], None
    while True:
        groups = reader.disagreements(topic, about, first, after)
        out += [(g["topic"], g["about"], g["count"], g["low"], g["high"], g["cursor"],
                 reader.disagreement_claims(g, 100)) for g in groups]
        if len(groups) < first:
            return out
        after = groups[-1]["cursor"]


def assert_same_disagreements(old: Reader, new: Reader) -> None:
    """Disagreements by the index equal those of the SPARQL path, for every topic and every
    subject that has a group, and unfiltered."""
    everything = all_disagreements(old, first=100)
    assert all_disagreements(new) == everything
    for topic in sorted({t.id for t in old.topics.values()}):
        assert all_disagreements(new, topic=topic) == all_disagreements(old, topic=topic), topic
    for about in sorted({a for g in everything for a in g[1]})[:10]:
        assert all_disagreements(new, about=about) == all_disagreements(old, about=about), about


def sample_criteria(reader: Reader, quick: bool) -> list[dict]:
    """Filters drawn from what the store holds: single ones, pairs, and a few triples."""
    claims = reader.claims([r["claim"].value for r in reader.store.select(
        "PREFIX ws: <https://w3id.org/whosaid/ontology#> SELECT ?claim WHERE { ?claim a ws:Claim }")])
    ranked = sorted(claims.values(), key=lambda c: c.local_id)
    claimants = sorted({c.claimant for c in ranked})
    links = reader.claim_links([c.iri for c in ranked[:40]])
    abouts = sorted({a for v in links.values() for a in v["about"]})
    reports = reader.reports([c.iri for c in ranked[:40]])
    articles = sorted({r.article for rs in reports.values() for r in rs})
    outlets = sorted({a.outlet for a in reader.articles(articles).values() if a.outlet})
    vias = sorted({v for rs in reports.values() for r in rs for v in r.via})
    topics = sorted({t.id for t in reader.topics.values()})
    statement = ranked[len(ranked) // 2].statement
    word = max(statement.split(), key=len).strip(".,")
    singles = (
        [{"claimant": c} for c in claimants[:3]] + [{"about": a} for a in abouts[:3]]
        + [{"topic": t} for t in topics[:6]]
        + [{"reported_by": r} for r in (outlets[:2] + vias[:2])]
        + [{"article": a.rsplit("/", 1)[-1]} for a in articles[:2]]
        + [{"text": t} for t in (word.upper(), statement[5:30], "a", "zz", "", "no such text at all")]
        + [{"stated_from": "2025-01", "stated_to": "2025-02"}, {"stated_from": "2022"},
           {"stated_to": "2022-02-20"}, {"stated_from": "2025-01-19", "stated_to": "2025-01-19"}]
        + [{"claimant": "no-such-entity-anywhere"}, {}]
    )
    if quick:  # the SPARQL reportedBy and text filters scan: keep them to a few pairs
        singles = [s for s in singles if not ({"reported_by", "text"} & set(s))] + \
            [{"reported_by": outlets[0]}, {"text": word.lower()}]
    pairs = [dict(a, **b) for a, b in itertools.combinations(singles, 2) if not set(a) & set(b)]
    if quick:
        pairs = pairs[::7]
    else:
        pairs = pairs[::3]
    return singles + pairs


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory) -> Path:
    from bench.corpus_gen import generate
    root = tmp_path_factory.mktemp("gen30")
    generate(root / "corpus", 30, 1)
    build(settings_for(root / "store", root / "corpus"))
    return root / "store"


def test_a_build_leaves_an_index_in_step_with_its_store(built_store_path):
    store = Store.open(built_store_path, read_only=True)
    index = ClaimIndex(index_path(built_store_path), BASE)
    assert index.in_step(store)
    assert index.ensure(store) is False


def test_index_answers_equal_the_sparql_answers_on_the_seed_graph(built_store_path):
    old, new = readers(built_store_path)
    cases = sample_criteria(old, quick=False)
    assert len(cases) > 40
    for criteria in cases:
        assert_same(old, new, criteria, first=5)
    for first in (0, 1, 100):
        assert_same(old, new, {}, first)
    assert_same(old, new, {"claimant": "NIS", "topic": "casualties"})
    assert_same(old, new, {"text": "completely destroyed"})
    assert_same(old, new, {"reported_by": "Kyiv Independent"}, 3)
    assert_same_disagreements(old, new)
    assert len(all_disagreements(new)) >= 3


def test_disagreements_keep_each_claim_apart_and_page_by_cursor(built_store_path):
    _old, new = readers(built_store_path)
    groups = new.disagreements("casualties", None, 100)
    assert groups
    for g in groups:
        claims = new.claims(new.disagreement_claims(g, 100))
        assert g["count"] == len(claims) >= 2
        lows = [c.value.min for c in claims.values() if c.value and c.value.min is not None]
        highs = [c.value.max for c in claims.values() if c.value and c.value.max is not None]
        assert max(lows) > min(highs)            # they really do not all overlap
        assert g["low"] == min(lows + highs) and g["high"] == max(lows + highs)
    one = new.disagreements("casualties", None, 1)
    rest = new.disagreements("casualties", None, 100, one[0]["cursor"])
    assert one + rest == groups
    with pytest.raises(ReadError, match="cursor"):
        new.disagreements(None, None, 1, "bm90IGEgY3Vyc29y")


def test_index_answers_equal_the_sparql_answers_on_a_generated_corpus(generated_store):
    old, new = readers(generated_store)
    for criteria in sample_criteria(old, quick=True):
        assert_same(old, new, criteria, first=50)
    assert_same_disagreements(old, new)


def test_a_capped_count_stops_past_its_cap_and_says_so(generated_store):
    """Pages count combined filters only up to a cap ("more than 1,000"); below it, and for one
    filter (a kept count), the count is exact."""
    sparql, indexed = readers(generated_store)
    topic = max(("casualties", "deployed-strength", "combat-presence"),
                key=lambda t: sparql.count_claims(sparql.claim_filter(topic=t)))
    from collections import Counter
    page = indexed.search_claims(indexed.claim_filter(topic=topic), first=100).items
    claimant = Counter(c.claimant for c in indexed.claims(page).values()).most_common(1)[0][0]
    both = indexed.claim_filter(topic=topic, claimant=claimant)
    exact = sparql.count_claims(sparql.claim_filter(topic=topic, claimant=claimant))
    assert exact > 3
    capped = indexed.count_claims(both, cap=2)
    assert capped == 3 and capped.capped and str(capped) == "more than 2"
    assert indexed.search_claims(both, first=1, count_cap=2).total == 3
    roomy = indexed.count_claims(both, cap=exact)
    assert roomy == exact and not roomy.capped and str(roomy) == str(exact)
    alone = indexed.count_claims(indexed.claim_filter(topic=topic), cap=2)   # kept, exact
    assert alone == sparql.count_claims(sparql.claim_filter(topic=topic)) and not alone.capped


def test_claims_read_per_article_and_merged_equal_those_read_from_the_store(built_store_path):
    """What a first build's workers read of each article's graphs (claims_in), merged, is what
    a rebuild reads from the whole store: claims several articles report included."""
    import pyoxigraph as ox
    from graph.index import claims_in, merge_claims
    store = Store.open(built_store_path, read_only=True)
    inner = store._inner
    parts = []
    for article in sorted(g.value for g in inner.named_graphs() if "/graph/article/" in g.value):
        reported = inner.query(f"SELECT DISTINCT ?c WHERE {{ GRAPH {ox.NamedNode(article)} "
                               "{ ?c <https://w3id.org/whosaid/ontology#report> ?r } }")
        graphs = [article] + [r[0].value.replace("/claim/", "/graph/claim/") for r in reported]
        chunks = []
        for name in graphs:
            one = ox.Store()
            one.extend(ox.Quad(q.subject, q.predicate, q.object, q.graph_name)
                       for q in inner.quads_for_pattern(None, None, None, ox.NamedNode(name)))
            chunks.append(one.dump(format=ox.RdfFormat.N_QUADS))
        parts.append(claims_in(chunks))
    merged = merge_claims(parts)
    assert merged == ClaimIndex._read_claims(store, None)
    assert any(len(c.articles) > 1 for c in merged.values())  # shared claims were merged


def test_a_first_build_fills_the_index_from_its_workers_as_a_rebuild_from_the_store_would(
        generated_store, built_store_path, tmp_path):
    for path in (generated_store, built_store_path):
        store = Store.open(path, read_only=True)
        assert index_content(path) == rebuilt_content(store, tmp_path)


@pytest.mark.parametrize("common, walk", [(0, 3), (5, 1), (20, 50)])
def test_common_needles_walk_claims_in_order_with_the_same_answers(
        built_store_path, generated_store, monkeypatch, common, walk):
    """A needle whose trigrams are all common walks claims in order (at most `walk` of them
    before falling back to the text index); the answers stay those of the SPARQL path."""
    import graph.index as index_module
    monkeypatch.setattr(index_module, "COMMON_GRAMS", common)
    monkeypatch.setattr(index_module, "WALK_ROWS", walk)
    for path in (built_store_path, generated_store) if common == 0 else (built_store_path,):
        old, new = readers(path)
        words = sorted({w.strip(".,").lower() for c in list(old.claims([r["claim"].value for r in old.store.select(
            "PREFIX ws: <https://w3id.org/whosaid/ontology#> SELECT ?claim WHERE { ?claim a ws:Claim } LIMIT 30")]).values())
            for w in c.statement.split() if len(w) >= 3})
        for text in words[::15] + ["the", "said", "no such text at all", 'a "quoted" word']:
            assert_same(old, new, {"text": text}, first=40)
        assert_same(old, new, {"text": "the", "stated_from": "2025-01"}, first=40)


def test_the_article_list_and_cursors_are_the_same(built_store_path):
    old, new = readers(built_store_path)
    for first in (0, 1, 2, 100):
        pages, after = [], None
        for reader in (old, new):
            out, after = [], None
            while True:
                p = reader.article_page(first, after)
                out.append((p.items, p.cursors, p.total, p.has_next, p.has_previous))
                if not p.has_next or first == 0:
                    break
                after = p.cursors[-1]
            pages.append(out)
        assert pages[0] == pages[1]
    cursor = new.search_claims(new.claim_filter(), 2).cursors[-1]
    with pytest.raises(ReadError, match="belongs to claims"):
        new.search_claims(new.claim_filter(), 2, cursor, connection="claimsMade")


def index_content(file: Path) -> dict:
    """Everything an index file says, independent of row numbers."""
    import sqlite3
    conn = sqlite3.connect(file if file.suffix == ".sqlite" else index_path(file))
    claims = dict(conn.execute("SELECT n, iri FROM claim"))
    return {
        "claims": sorted(conn.execute("SELECT iri, id, key, span_start, span_end FROM claim")),
        "links": sorted((kind, iri, claims[n]) for kind, iri, n in conn.execute(
            "SELECT term.kind, term.iri, link.n FROM link JOIN term USING (t)")),
        "counts": sorted(conn.execute("SELECT kind, iri, claims FROM term WHERE claims > 0")),
        "texts": sorted((claims[rowid >> 12], body) for rowid, body in
                        conn.execute("SELECT rowid, body FROM text")),
        "articles": sorted(conn.execute("SELECT * FROM article")),
        "totals": sorted(conn.execute("SELECT * FROM totals")),
        "figures": sorted((claims[n], id, low, high, topic, subject, unit) for n, id, low, high, topic, subject, unit
                          in conn.execute("SELECT f.n, f.id, f.low, f.high, g.topic, g.subject, g.unit "
                                          "FROM figure f JOIN figure_group g USING (g)")),
        "changes": sorted(conn.execute("SELECT * FROM change")),
        "groups": sorted(conn.execute("SELECT topic, subject, unit, members, low, high, disagrees "
                                      "FROM figure_group")),
    }


def rebuilt_content(store: Store, tmp_path: Path) -> dict:
    """What an index rebuilt from scratch from `store` says."""
    file = tmp_path / f"rebuilt-{time.monotonic_ns()}.sqlite"
    ClaimIndex(file, BASE).rebuild(store)
    return index_content(file)


def test_add_replace_and_remove_keep_the_index_in_step(tmp_path, built_store_path):
    path = tmp_path / "store"
    shutil.copytree(built_store_path, path)
    store = Store.open(path)
    ingest = Ingest(store, BASE)
    # 003 shares claims with other articles: removing it must keep them, with their other reports.
    shared = "003_34f8a63c56b95bbf"
    steps = [
        lambda: ingest.remove(shared, "test"),
        lambda: ingest.add(read_submission(CORPUS / "articles" / f"{shared}.yaml"), "test"),
        lambda: ingest.add(read_submission(new_article(tmp_path, "idx-new", claims=3)), "test"),
        lambda: ingest.add(read_submission(new_article(tmp_path, "idx-new", claims=1)), "test"),
        lambda: ingest.remove("idx-new", "test"),
        # 004 (000's claims are noted as possibly the same as 001's and 004's: they stay)
        lambda: ingest.remove("004_2e2d0736f006da75", "test"),
    ]
    for step in steps:
        change = step()
        assert change.kind in ("added", "replaced", "removed")
        assert ingest.index.in_step(store)
        assert index_content(path) == rebuilt_content(store, tmp_path), change
        old, new = Reader(store, BASE), Reader(store, BASE, IndexView(index_path(path)))
        for criteria in ({}, {"claimant": "Budanov"}, {"topic": "reinforcements"},
                         {"article": shared}, {"reported_by": "Kyiv Independent"},
                         {"text": "artillery"}, {"about": "Russia", "stated_from": "2025-01"}):
            assert_same(old, new, criteria)
        assert new.article_page(100).items == old.article_page(100).items
        assert_same_disagreements(old, new)
        assert len(old.changes(None, 100)) >= 1
        for article in (None, shared, "idx-new"):
            assert new.changes(article, 100) == old.changes(article, 100)
        assert new.changes(None, 2) == old.changes(None, 100)[:2]


CRASH = """
import os, signal, sys
from pathlib import Path
from graph.ingest import Ingest, read_submission
from graph.store import Store
ingest = Ingest(Store.open(sys.argv[1]), sys.argv[3])
ingest.index
def die():
    os.kill(os.getpid(), signal.SIGKILL)
ingest.crash_between_commits = die
ingest.add(read_submission(Path(sys.argv[2])), "crash-test")
"""


def test_a_kill_between_the_two_commits_is_repaired_when_the_index_is_opened(tmp_path, built_store_path, caplog):
    path = tmp_path / "store"
    shutil.copytree(built_store_path, path)
    article = new_article(tmp_path, "crashed", claims=4)
    child = subprocess.run([sys.executable, "-c", CRASH, str(path), str(article), BASE],
                           cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    store = Store.open(path)
    index = ClaimIndex(index_path(path), BASE)
    assert latest_change(store).endswith("-crashed")    # the store committed
    assert not index.in_step(store)                     # the index did not
    with caplog.at_level(logging.WARNING, logger="whosaid.index"):
        assert index.ensure(store) is True
    assert "out of step" in caplog.text
    assert index.in_step(store)
    old, new = Reader(store, BASE), Reader(store, BASE, IndexView(index_path(path)))
    assert_same(old, new, {"article": "crashed"})
    assert new.search_claims(new.claim_filter(article="crashed")).total == 4
    assert index_content(path) == rebuilt_content(store, tmp_path)


def test_a_lost_or_half_built_index_is_rebuilt_on_opening(tmp_path, built_store_path):
    path = tmp_path / "store"
    shutil.copytree(built_store_path, path)
    expected = index_content(path)
    index_path(path).unlink()
    store = Store.open(path)
    assert ClaimIndex.for_store(store, BASE).in_step(store)
    assert index_content(path) == expected
    import sqlite3
    conn = sqlite3.connect(index_path(path))
    conn.execute("DELETE FROM meta WHERE name = 'state'")  # as a rebuild killed midway leaves it
    conn.execute("DELETE FROM claim")
    conn.commit()
    conn.close()
    assert ClaimIndex.for_store(store, BASE).in_step(store)
    assert index_content(path) == expected


def test_an_index_of_an_older_version_is_rebuilt_on_opening(tmp_path, built_store_path):
    """An index file of another version (here: version 6's article table, which had no
    published column) is emptied and rebuilt, not opened with the new schema over the old."""
    import sqlite3
    path = tmp_path / "store"
    shutil.copytree(built_store_path, path)
    expected = index_content(path)
    conn = sqlite3.connect(index_path(path))
    conn.executescript("""DROP TABLE article;
        CREATE TABLE article (local_id TEXT PRIMARY KEY, iri TEXT NOT NULL) WITHOUT ROWID;
        UPDATE meta SET value = '6' WHERE name = 'version';""")
    conn.close()
    store = Store.open(path)
    assert ClaimIndex.for_store(store, BASE).in_step(store)
    assert index_content(path) == expected


def test_whosaid_reindex_rebuilds_the_index_from_the_store(tmp_path, built_store_path):
    path = tmp_path / "store"
    shutil.copytree(built_store_path, path)
    expected = index_content(path)
    index_path(path).unlink()
    result = run_cli("reindex", store=path, check=True)
    assert "Reindexed" in result.stdout and "claims" in result.stdout
    assert index_content(path) == expected


def test_a_reader_never_sees_the_index_out_of_step_with_its_store(tmp_path, built_store_path):
    """While an article is added and removed, every request sees the index (counts, the article
    list) and the store (the article, claims and reports) in the same state."""
    path = tmp_path / "store"
    shutil.copytree(built_store_path, path)
    payload = {"input": graphql_input(new_article(tmp_path, article_id="churn", claims=6))}
    problems, states, errors, stop = [], set(), [], threading.Event()
    query = """{ article(id: "article/churn") { id }
        articles { totalCount }
        claims(claimant: "budanov", first: 100) { totalCount nodes { id reports { article { id } } } }
        t: claims(text: "artillery units to be sent", first: 100) { totalCount nodes { id } } }"""
    with running_server(path, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)

        def read():
            try:
                reader = GraphQLClient(base)
                while not stop.is_set():
                    data = reader.data(query)
                    present = data["article"] is not None
                    states.add(present)
                    if data["articles"]["totalCount"] != 5 + present:
                        problems.append(f"article present={present}, list of {data['articles']['totalCount']}")
                    claims = data["claims"]
                    if len(claims["nodes"]) != min(claims["totalCount"], 100):
                        problems.append(f"{len(claims['nodes'])} nodes of {claims['totalCount']}")
                    if any(not c["reports"] for c in claims["nodes"]):
                        problems.append("a claim without reports")
                    if data["t"]["totalCount"] != (6 if present else 0) or \
                            len(data["t"]["nodes"]) != data["t"]["totalCount"]:
                        problems.append(f"text search {data['t']} with article present={present}")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=read) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            for _ in range(6):
                assert client.post(ADD, payload, **AUTH).json()["data"]["addArticle"]["change"]["kind"] == "added"
                time.sleep(0.05)
                removed = client.post('mutation { removeArticle(id: "article/churn") { change { kind } } }', **AUTH)
                assert removed.json()["data"]["removeArticle"]["change"]["kind"] == "removed", removed.text
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
    if errors:
        raise errors[0]
    assert not problems, problems[:5]
    assert states == {True, False}


ADD = "mutation($input: ArticleInput!) { addArticle(input: $input) { change { kind } } }"


def _folded_words(text: str) -> list[str]:
    import re
    import unicodedata
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", bare)


def _holds(text: str, pieces: list[list[str]]) -> bool:
    words = _folded_words(text)
    return all(any(words[i:i + len(p)] == p for i in range(len(words))) for p in pieces)


@pytest.mark.parametrize("common", [10**9, 0])
def test_words_and_phrases_find_the_claims_whose_text_holds_them(built_store_path, monkeypatch, common):
    """words: every word and quoted phrase in one text of the claim (statement, quote or an
    evidence), case and accents ignored; looked up in the words index, or (common words) by a
    walk in order: the same claims either way, as a reading of every text finds them."""
    import graph.index as index_module
    from graph.read import parse_words
    monkeypatch.setattr(index_module, "COMMON_GRAMS", common)
    monkeypatch.setattr(index_module, "WALK_ROWS", 7)
    _old, new = readers(built_store_path)
    everything = new.claims([r["claim"].value for r in new.store.select(
        "PREFIX ws: <https://w3id.org/whosaid/ontology#> SELECT ?claim WHERE { ?claim a ws:Claim }")])
    reports = new.reports(list(everything))
    texts = {iri: [c.statement, *([c.quote] if c.quote else []), *(r.exact for r in reports.get(iri, []))]
             for iri, c in everything.items()}
    for query in ("destroyed", "completely destroyed", '"completely destroyed"', '"destroyed completely"',
                  "NIS casualties", '"North Korean" soldiers', "ZELENSKYY", "kursk", "Zelenskyy's",
                  "no-such-word-anywhere", "the"):
        pieces = parse_words(query)
        expected = {iri for iri, ts in texts.items() if any(_holds(t, pieces) for t in ts)}
        found, after = [], None
        while True:
            page = new.search_claims(new.claim_filter(words=query), 5, after)
            found += page.items
            assert page.total == len(expected), query
            # A page's capped count: exact below the cap, cap + 1 ("more than") past it.
            capped = new.search_claims(new.claim_filter(words=query), 5, after, count_cap=3).total
            assert capped == min(len(expected), 4) and capped.capped == (len(expected) > 3), query
            if not page.has_next:
                break
            after = page.cursors[-1]
        assert set(found) == expected and len(found) == len(expected), query
        ordered = sorted(found, key=lambda i: (index_module.span(everything[i].stated)[0], everything[i].local_id))
        assert found == ordered, query
    assert new.search_claims(new.claim_filter(words='"completely destroyed"'), 5).total >= 1
    with pytest.raises(ReadError, match="holds no word"):
        new.claim_filter(words='" ,;"')
