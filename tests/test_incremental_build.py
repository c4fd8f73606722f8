"""The build checks each article on its own, keeps what it found in a cache beside the store, and
on a rebuild replaces only what changed: the store it leaves is always the one a full build from
scratch gives, and every rule of the corpus still holds across articles."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

import graph.build as build_module
from graph.build import STAMP, ValidationFailed, build, cache_location
from graph.corpus import CorpusError, load_corpus

from .conftest import run_cli, settings_for
from .test_build import quads
from .test_corpus_refusals import TOPICS, edit_article, first_claim

ARTICLE = "002_394fee5181a7713e"


def full_build_quads(corpus: Path, tmp_path: Path, name: str = "scratch") -> set[str]:
    """The quads of a build from scratch (no store, no cache) of `corpus`."""
    store = tmp_path / name
    build(settings_for(store, corpus), jobs=1)
    return quads(store)


def shared_claim(corpus: Path):
    """A claim that two articles report, and the second of them. The first prints the year of
    each of its dates, so that the claim stays valid without the second (graph/corpus.py
    unprinted_years)."""
    claim = next(c for c in load_corpus(corpus, TOPICS).claims.values()
                 if len(c.reports) > 1 and not c.reports[0].unprinted)
    return claim, claim.reports[1].article_id


def test_a_rebuild_after_one_changed_article_gives_the_quads_of_a_full_build(corpus_copy, tmp_path):
    store = tmp_path / "store"
    first = build(settings_for(store, corpus_copy), jobs=1)
    assert first.mode == "full" and first.checked == 5
    edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update(
        statement="A statement changed by the curator."))
    again = build(settings_for(store, corpus_copy), jobs=1)
    assert again.mode == "incremental" and again.checked == 1 and again.cached == 4
    assert quads(store) == full_build_quads(corpus_copy, tmp_path)
    assert again.triples == len(quads(store))


def test_removing_an_article_and_changing_a_shared_claim_rebuild_exactly(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    claim, other = shared_claim(corpus_copy)
    # Drop the claim from one of the articles reporting it: its graph must stay for the other.
    edit_article(corpus_copy, other, lambda d: d.update(
        claims=[c for c in d["claims"] if c["id"] != claim.id]))
    # An article none of whose claims another article refers to (removing it leaves no link
    # dangling, which the build would refuse).
    corpus = load_corpus(corpus_copy, TOPICS)
    referred = {t for c in corpus.claims.values() for t in c.referenced_claims()}
    gone = next(p for p in sorted((corpus_copy / "articles").glob("*.yaml"))
                if p.stem not in (other, claim.reports[0].article_id)
                and not any(c.id in referred for c in corpus.articles[p.stem].claims))
    gone.unlink()
    gone.with_suffix(".txt").unlink()
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.mode == "incremental"
    assert quads(store) == full_build_quads(corpus_copy, tmp_path)
    assert any(f"/claim/{claim.id}>" in q for q in quads(store))
    assert not any(f"/article/{gone.stem}>" in q for q in quads(store))


def test_an_unchanged_corpus_leaves_the_store_untouched(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    before = quads(store)
    stamp = (store / STAMP).read_text(encoding="utf-8")
    for p in (corpus_copy / "articles").iterdir():
        p.touch()  # a new mtime, the same content
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.mode == "unchanged" and result.checked == 0
    assert (store / STAMP).read_text(encoding="utf-8") == stamp
    assert quads(store) == before and result.triples == len(before)


def test_a_changed_article_that_breaks_a_rule_is_refused_and_the_old_store_stays(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    before = quads(store)
    doc = edit_article(corpus_copy, ARTICLE,
                       lambda d: first_claim(d)["evidence"].update(exact="Not in the article."))
    with pytest.raises(CorpusError) as info:
        build(settings_for(store, corpus_copy), jobs=1)
    assert any(f"claim '{first_claim(doc)['id']}'" in str(p) for p in info.value.problems)
    assert quads(store) == before
    result = run_cli("build", store=store, corpus=corpus_copy)
    assert result.returncode == 1 and "nothing was written" in result.stderr
    assert quads(store) == before


def test_two_articles_sharing_a_claim_id_with_different_fields_are_refused_naming_both(corpus_copy,
                                                                                        tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    before = quads(store)
    claim, other = shared_claim(corpus_copy)

    def tamper(doc):
        for c in doc["claims"]:
            if c["id"] == claim.id:
                c["statement"] = "Something else entirely."
    edit_article(corpus_copy, other, tamper)
    for store_path in (store, tmp_path / "fresh"):  # a rebuild, and a first build
        with pytest.raises(CorpusError) as info:
            build(settings_for(store_path, corpus_copy), jobs=1)
        found = [str(p) for p in info.value.problems]
        assert any(f"claim '{claim.id}'" in p and "statement" in p and "one claim id" in p
                   and other in p and claim.reports[0].article_id in p for p in found), found
    assert quads(store) == before


def test_a_confirms_target_that_disappears_is_refused(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    corpus = load_corpus(corpus_copy, TOPICS)
    target = next(c for c in corpus.claims.values() if len(c.reports) == 1
                  and not any(c.id in (*o.confirms, o.revises) for o in corpus.claims.values()))
    holder = target.reports[0].article_id
    other = next(a for a in corpus.articles if a != holder)
    alone = next(c.id for c in corpus.articles[other].claims if len(corpus.claims[c.id].reports) == 1)

    def confirm(doc):
        next(c for c in doc["claims"] if c["id"] == alone).setdefault("confirms", []).append(target.id)
    edit_article(corpus_copy, other, confirm)
    build(settings_for(store, corpus_copy), jobs=1)  # the target exists: accepted
    edit_article(corpus_copy, holder, lambda d: d.update(
        claims=[c for c in d["claims"] if c["id"] != target.id]))
    with pytest.raises(CorpusError) as info:
        build(settings_for(store, corpus_copy), jobs=1)
    assert any(f"refers to claim '{target.id}', which does not exist" in str(p)
               for p in info.value.problems), info.value.problems


def test_a_tampered_cache_entry_is_not_used(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    db = sqlite3.connect(cache_location(store) / "cache.sqlite")
    db.execute("UPDATE part SET data = ? WHERE rowid = (SELECT MIN(rowid) FROM part)",
               (__import__("zlib").compress(b"<urn:x> <urn:y> <urn:z> <urn:g> .\n"),))
    db.commit()
    db.close()
    shutil.rmtree(store)  # the store must be loaded from the cache again
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.mode == "full" and result.checked == 1 and result.cached == 4
    assert quads(store) == full_build_quads(corpus_copy, tmp_path)
    assert not any("urn:x" in q for q in quads(store))


def test_a_shapes_change_invalidates_the_cache(corpus_copy, tmp_path, monkeypatch):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(build_module.SHAPES_FILE.read_text(encoding="utf-8") + "\n# edited\n",
                      encoding="utf-8")
    monkeypatch.setattr(build_module, "SHAPES_FILE", shapes)
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.mode == "full" and result.checked == 5


def test_an_entities_change_checks_every_article_again(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    path = corpus_copy / "entities.yaml"
    entities = yaml.safe_load(path.read_text(encoding="utf-8"))
    entities[0]["description"] = "Described again."
    path.write_text(yaml.safe_dump(entities, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.checked == 5
    assert quads(store) == full_build_quads(corpus_copy, tmp_path)


def test_a_store_written_by_add_is_rebuilt_whole(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    expected = quads(store)
    # 004: no other article refers to its claims, so it may be removed (002's may not: 003 links to one)
    run_cli("remove", "004_2e2d0736f006da75", store=store, check=True)
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.mode == "full" and result.checked == 0
    assert quads(store) == expected


def test_parallel_and_serial_builds_give_the_same_quads(tmp_path):
    from bench.corpus_gen import generate
    corpus = tmp_path / "gen"
    generate(corpus, 12, seed=3)
    build(settings_for(tmp_path / "serial", corpus), jobs=1)
    result = build(settings_for(tmp_path / "parallel", corpus), jobs=2)
    assert result.checked == 12
    assert quads(tmp_path / "serial") == quads(tmp_path / "parallel")


def _search(store: Path, text: str) -> set[str]:
    from graph.index import IndexView, index_path
    view = IndexView(index_path(store))
    try:
        return {iri for iri, _key, _id in view.search(text=text.lower(), limit=1000).rows}
    finally:
        view.close()


def test_a_rebuild_updates_the_claim_index_for_the_changed_article_only(corpus_copy, tmp_path,
                                                                         caplog):
    """The claim index is carried into the rebuilt store and updated for the changed article
    (as `whosaid add` updates it), not rebuilt from the whole store; and it answers as a
    rebuilt one does."""
    import logging
    from graph.index import IndexView, ensure_at, index_path
    from graph.iris import Minter
    store = tmp_path / "store"
    first = build(settings_for(store, corpus_copy), jobs=1)
    assert first.index == "rebuilt"
    doc = yaml.safe_load((corpus_copy / "articles" / f"{ARTICLE}.yaml").read_text(encoding="utf-8"))
    claim = first_claim(doc)
    iri = str(Minter(settings_for(store).base_iri).claim(claim["id"]))
    old_text = claim["statement"]
    assert iri in _search(store, old_text)
    new_text = "A statement the curator wrote in place of the old one."
    assert not _search(store, new_text)
    edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update(statement=new_text))

    with caplog.at_level(logging.INFO, logger="whosaid.index"):
        again = build(settings_for(store, corpus_copy), jobs=1)
    assert again.mode == "incremental" and again.index == "updated"
    assert "claim index rebuilt" not in caplog.text and "out of step" not in caplog.text
    assert _search(store, new_text) == {iri}
    assert iri not in _search(store, old_text)

    # The same answers as an index rebuilt from the store.
    scratch = tmp_path / "scratch"
    shutil.copytree(store, scratch)
    for f in scratch.glob("whosaid-index.sqlite*"):
        f.unlink()
    assert ensure_at(scratch, settings_for(store).base_iri)
    views = [IndexView(index_path(s)) for s in (store, scratch)]
    try:
        pages = [v.search(limit=10_000).rows for v in views]
        assert pages[0] == pages[1] and len(pages[0]) == again.claims
        for name in ("claims", "articles", "quads"):
            assert views[0].total(name) == views[1].total(name), name
        assert views[0].article_page(None, 100) == views[1].article_page(None, 100)
    finally:
        for v in views:
            v.close()


def test_a_rebuild_without_a_usable_index_rebuilds_it(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    for f in store.glob("whosaid-index.sqlite*"):
        f.unlink()
    edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update(statement="Changed again."))
    result = build(settings_for(store, corpus_copy), jobs=1)
    assert result.mode == "incremental" and result.index == "rebuilt"
    assert _search(store, "changed again.")


def _answers(store: Path) -> tuple:
    """What the store's claim index answers: every claim in order, the totals, the articles."""
    from graph.index import IndexView, index_path
    view = IndexView(index_path(store))
    try:
        return (view.search(limit=10_000).rows,
                {name: view.total(name) for name in ("claims", "articles", "quads")},
                view.article_page(None, 100))
    finally:
        view.close()


def _built_then_edited(corpus: Path, store: Path) -> tuple[str, str, str]:
    """Build `store`, then change the statement of ARTICLE's first claim in `corpus`: (the
    claim's IRI, its old statement, its new one)."""
    from graph.iris import Minter
    build(settings_for(store, corpus), jobs=1)
    path = corpus / "articles" / f"{ARTICLE}.yaml"
    claim = first_claim(yaml.safe_load(path.read_text(encoding="utf-8")))
    new_text = "A statement the curator wrote in place of the old one."
    edit_article(corpus, ARTICLE, lambda d: first_claim(d).update(statement=new_text))
    return str(Minter(settings_for(store).base_iri).claim(claim["id"])), claim["statement"], new_text


def test_a_rebuild_moves_the_claim_index_when_nobody_has_it_open(corpus_copy, tmp_path, caplog):
    import logging
    import os
    from graph.index import index_path
    store = tmp_path / "store"
    iri, old_text, new_text = _built_then_edited(corpus_copy, store)
    inode = os.stat(index_path(store)).st_ino
    with caplog.at_level(logging.INFO):
        again = build(settings_for(store, corpus_copy), jobs=1)
    assert again.mode == "incremental" and again.index == "updated"
    assert "claim index moved into the new store" in caplog.text
    assert os.stat(index_path(store)).st_ino == inode
    assert _search(store, new_text) == {iri} and iri not in _search(store, old_text)
    scratch = tmp_path / "scratch"
    build(settings_for(scratch, corpus_copy), jobs=1)
    assert _answers(store) == _answers(scratch)


def test_a_rebuild_copies_the_claim_index_a_reader_has_open(corpus_copy, tmp_path, caplog):
    """A reader pinned to the old index keeps its snapshot; the new store gets a copy."""
    import logging
    import os
    from graph.index import IndexView, index_path
    store = tmp_path / "store"
    iri, old_text, new_text = _built_then_edited(corpus_copy, store)
    inode = os.stat(index_path(store)).st_ino
    view = IndexView(index_path(store))
    try:
        before = ({n: view.total(n) for n in ("claims", "articles", "quads")},
                  view.search(text=old_text.lower(), limit=1000).rows,
                  view.search(text=new_text.lower(), limit=1000).rows)
        assert iri in {row[0] for row in before[1]} and not before[2]
        with caplog.at_level(logging.INFO):
            again = build(settings_for(store, corpus_copy), jobs=1)
        assert again.mode == "incremental" and again.index == "updated"
        assert "claim index copied: another process has it open" in caplog.text
        assert os.stat(index_path(store)).st_ino != inode
        assert ({n: view.total(n) for n in ("claims", "articles", "quads")},
                view.search(text=old_text.lower(), limit=1000).rows,
                view.search(text=new_text.lower(), limit=1000).rows) == before
    finally:
        view.close()
    assert _search(store, new_text) == {iri} and iri not in _search(store, old_text)
    scratch = tmp_path / "scratch"
    build(settings_for(scratch, corpus_copy), jobs=1)
    assert _answers(store) == _answers(scratch)


@pytest.mark.parametrize("holder", ["view", "writer"])
def test_move_index_leaves_an_index_somebody_has_open_alone(corpus_copy, tmp_path, holder):
    import os
    from graph.index import ClaimIndex, IndexView, index_path, move_index
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    source, target = index_path(store), tmp_path / "moved.sqlite"
    opened = (IndexView(source) if holder == "view"
              else ClaimIndex(source, settings_for(store).base_iri))
    try:
        inode, size = os.stat(source).st_ino, os.stat(source).st_size
        assert move_index(source, target) is False
        assert os.stat(source).st_ino == inode and os.stat(source).st_size == size
        assert not target.exists()
    finally:
        opened.close()
        opened.close()  # closing twice is harmless
    assert move_index(source, target) is True  # once closed, nobody has it
    assert not source.exists()
    view = IndexView(target)
    try:
        assert view.total("claims") > 0
    finally:
        view.close()


def test_an_opener_whose_file_is_moved_before_it_locks_opens_the_one_the_path_names(corpus_copy,
                                                                                   tmp_path,
                                                                                   monkeypatch):
    import fcntl
    import os
    from graph.index import IndexView, index_path
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy), jobs=1)
    path = index_path(store)
    flock, moved = fcntl.flock, []

    def move_first(fd, how):  # a build moves the file between the opener's open and its lock
        if not moved:
            moved.append(path.rename(tmp_path / "moved.sqlite"))
            shutil.copy(moved[0], path)
        return flock(fd, how)
    monkeypatch.setattr(fcntl, "flock", move_first)
    view = IndexView(path)
    try:
        assert moved and os.fstat(view._fd).st_ino == os.stat(path).st_ino
        assert view.total("claims") > 0
    finally:
        view.close()
