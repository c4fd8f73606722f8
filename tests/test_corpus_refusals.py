"""The build refuses a corpus that is not honest to its text, naming the file and the claim."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph.build import build, topic_ids
from graph.corpus import CorpusError, load_corpus
from graph.rdf import ontology_graph
from graph.store import Store

from .conftest import run_cli, settings_for, share_alias

ARTICLE = "002_394fee5181a7713e"
TOPICS = topic_ids(ontology_graph())


def edit_article(corpus: Path, article_id: str, change) -> dict:
    """Load an article's YAML, let `change` modify it in place, write it back; return the doc."""
    path = corpus / "articles" / f"{article_id}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return doc


def problems(corpus: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(corpus, TOPICS)
    return [str(p) for p in info.value.problems]


def first_claim(doc: dict) -> dict:
    return doc["claims"][0]


def test_the_real_corpus_loads():
    corpus = load_corpus(settings_for(Path("unused")).corpus, TOPICS)
    assert len(corpus.articles) == 5
    assert all(a.claims for a in corpus.articles.values())


def test_tampered_evidence_fails_naming_the_claim(corpus_copy):
    def tamper(doc):
        ev = first_claim(doc)["evidence"]
        ev["start"] += 1
        ev["end"] += 1
    doc = edit_article(corpus_copy, ARTICLE, tamper)
    found = problems(corpus_copy)
    cid = first_claim(doc)["id"]
    assert any(f"claim '{cid}'" in p and "not verbatim" in p for p in found), found


def test_tampered_evidence_fails_the_cli_build_and_keeps_the_old_store(corpus_copy, tmp_path):
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy))
    before = len(Store.open(store, read_only=True))
    doc = edit_article(corpus_copy, ARTICLE,
                       lambda d: first_claim(d)["evidence"].update(exact="Not in the article."))
    result = run_cli("build", store=store, corpus=corpus_copy)
    assert result.returncode == 1
    assert f"claim '{first_claim(doc)['id']}'" in result.stderr
    assert "nothing was written" in result.stderr
    assert len(Store.open(store, read_only=True)) == before


def test_quote_outside_its_evidence_is_refused(corpus_copy):
    doc = edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update(quote="words never said"))
    assert any(f"claim '{first_claim(doc)['id']}'" in p and "quote" in p for p in problems(corpus_copy))


def test_evidence_outside_the_body_is_refused(corpus_copy):
    text = (corpus_copy / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    furniture = "This audio is created with AI assistance"
    start = text.index(furniture)

    def tamper(doc):
        first_claim(doc)["evidence"] = {"start": start, "end": start + len(furniture), "exact": furniture}
    doc = edit_article(corpus_copy, ARTICLE, tamper)
    assert any(f"claim '{first_claim(doc)['id']}'" in p and "outside the article body" in p
               for p in problems(corpus_copy))


@pytest.mark.parametrize("field, value, expected", [
    ("claimant", "nobody-we-know", "is not a known entity"),
    ("claimant", None, "has no claimant"),
    ("claimant", "kursk-oblast", "not an agent"),
    ("topic", "weather", "not in the topic scheme"),
    ("stated", "2025-02-30", "is not a date"),
    ("stated", "last Tuesday", "is not a date"),
    ("value", {"min": 5, "max": 1}, "upside down"),
    ("value", {"min": "many"}, "must be a number"),
    ("value", {"amount": 3, "derived": True}, "needs its basis"),
    ("confirms", ["no-such-claim"], "does not exist"),
    ("statement", "", "needs a statement"),
])
def test_bad_claim_fields_are_refused_with_the_claim_named(corpus_copy, field, value, expected):
    doc = edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update({field: value}))
    found = problems(corpus_copy)
    assert any(f"claim '{first_claim(doc)['id']}'" in p and expected in p for p in found), found


def test_an_ambiguous_reference_lists_its_candidates(corpus_copy):
    share_alias(corpus_copy, "Oleksandr", "syrskyi", "kindratenko")
    edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update(claimant="Oleksandr"))
    found = problems(corpus_copy)
    assert any("ambiguous" in p and "kindratenko" in p and "syrskyi" in p for p in found), found


def test_references_match_aliases_regardless_of_case_and_punctuation(corpus_copy):
    edit_article(corpus_copy, ARTICLE, lambda d: first_claim(d).update(claimant="SYRSKII"))
    corpus = load_corpus(corpus_copy, TOPICS)
    assert corpus.articles[ARTICLE].claims[0].claimant == "syrskyi"


def test_one_claim_id_with_two_different_statements_is_refused(corpus_copy):
    shared = load_corpus(corpus_copy, TOPICS)
    multi = next(c for c in shared.claims.values() if len(c.reports) > 1)
    other = multi.reports[1].article_id

    def tamper(doc):
        for c in doc["claims"]:
            if c["id"] == multi.id:
                c["statement"] = "Something else entirely."
    edit_article(corpus_copy, other, tamper)
    found = problems(corpus_copy)
    assert any(f"claim '{multi.id}'" in p and "statement" in p and "one claim id" in p
               for p in found), found


def test_malformed_yaml_and_non_utf8_text_are_refused(corpus_copy):
    (corpus_copy / "articles" / f"{ARTICLE}.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (corpus_copy / "articles" / "000_b0a77a175dda8187.txt").write_bytes(b"caf\xe9 au lait")
    found = problems(corpus_copy)
    assert any(ARTICLE in p and "malformed YAML" in p for p in found), found
    assert any("000_b0a77a175dda8187.txt" in p and "not UTF-8" in p for p in found), found


# ---------------------------------------------------------------------------------------------
# Inferences: what the text does not print is marked, with its basis (issue 11)
# ---------------------------------------------------------------------------------------------

SYRSKYI = "syrskyi-half-of-contingent-killed-or-wounded"  # in 002 only, "said on Jan. 19"


def _claim(doc: dict, cid: str) -> dict:
    return next(c for c in doc["claims"] if c["id"] == cid)


def test_a_date_whose_year_no_reporting_article_prints_is_refused_unless_inferred(corpus_copy, tmp_path):
    """002 prints 2025 (its byline) but never 2023: a claim dated 2023 as if printed is refused by
    the whole-corpus check and by the build, naming the claim and the date; marked inferred with
    a basis, the same date passes."""
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(stated="2023-01-19"))
    found = problems(corpus_copy)
    assert any(f"claim '{SYRSKYI}'" in p and "stated 2023-01-19" in p and "inferred" in p
               for p in found), found
    refused = run_cli("build", store=tmp_path / "store", corpus=corpus_copy)
    assert refused.returncode == 1 and "stated 2023-01-19" in refused.stdout + refused.stderr
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(stated={
        "date": "2023-01-19", "inferred": True, "basis": "a test: the year is worked out"}))
    load_corpus(corpus_copy, TOPICS)


def test_a_period_year_not_printed_is_refused_and_an_inferred_period_needs_a_basis(corpus_copy):
    period = {"label": "in December", "start": "2023-12", "end": "2023-12"}
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(period=dict(period)))
    assert any(f"claim '{SYRSKYI}'" in p and "period 2023-12" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        period={**period, "inferred": True}))
    assert any("an inferred period needs its basis" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        period={**period, "basis": "the December before"}))
    assert any("only for an inferred period" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        period={**period, "inferred": True, "basis": "the December before"}))
    load_corpus(corpus_copy, TOPICS)


def test_a_claim_printed_with_its_year_by_one_of_its_articles_passes(corpus_copy):
    """A claim two articles report, with a period whose year only one of them prints, is
    printed: marked inferred in neither."""
    def period(doc):
        claim = next(c for c in doc["claims"] if c["id"] == "nis-no-combat-since-mid-january")
        claim["period"] = {"label": "since mid-January 2025", "start": "2025-01"}
    for article in ("000_b0a77a175dda8187", "001_b04c995b13cddd9d"):
        edit_article(corpus_copy, article, period)
    claim = load_corpus(corpus_copy, TOPICS).claims["nis-no-combat-since-mid-january"]
    assert not claim.period.inferred
    unprinted = {r.article_id: r.unprinted for r in claim.reports}
    assert unprinted["000_b0a77a175dda8187"] and not unprinted["001_b04c995b13cddd9d"]


def test_a_via_step_given_with_a_basis_is_an_inference_and_needs_its_basis(corpus_copy):
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(via=[{"agent": "nis"}]))
    assert any("give its basis" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        via=[{"agent": "nis", "basis": "a test", "position": 2}]))
    assert any("unknown keys" in p and "position" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        via=["isw", {"agent": "nis", "basis": "a test"}]))
    report = load_corpus(corpus_copy, TOPICS).claims[SYRSKYI].reports[0]
    assert report.via == ("isw", "nis") and report.via_basis == (None, "a test")


def test_claimant_basis_must_be_text(corpus_copy):
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(claimant_basis=["x"]))
    assert any("claimant_basis must be text" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(claimant_basis="a test"))
    assert load_corpus(corpus_copy, TOPICS).claims[SYRSKYI].claimant_basis == "a test"


def test_a_link_the_article_draws_is_checked(corpus_copy):
    def link(value):
        edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(links=value))
        return problems(corpus_copy)
    assert any("relation 'endorses' is not one of" in p for p in link([{"relation": "endorses", "target": "nis-no-combat-since-mid-january"}]))
    assert any("refers to claim 'no-such-claim', which does not exist" in p
               for p in link([{"relation": "confirms", "target": "no-such-claim"}]))
    assert any("cannot be linked to itself" in p for p in link([{"relation": "confirms", "source": SYRSKYI}]))
    assert any("each link is" in p for p in link([{"relation": "confirms", "target": "a", "source": "b"}]))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        links=[{"relation": "contradicts", "source": "nis-no-combat-since-mid-january"}]))
    report = load_corpus(corpus_copy, TOPICS).claims[SYRSKYI].reports[0]
    assert [(l.relation, l.source, l.target) for l in report.links] == \
        [("contradicts", "nis-no-combat-since-mid-january", SYRSKYI)]
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        links=[{"relation": "possiblySame", "target": "nis-no-combat-since-mid-january"}]))
    assert any("needs its reason" in p for p in problems(corpus_copy))
    edit_article(corpus_copy, ARTICLE, lambda d: _claim(d, SYRSKYI).update(
        links=[{"relation": "confirms", "target": "nis-no-combat-since-mid-january", "reason": "x"}]))
    assert any("only it takes one" in p for p in problems(corpus_copy))


def test_external_knowledge_of_an_entity_is_a_mapping_of_aliases_and_description(corpus_copy):
    path = corpus_copy / "entities.yaml"
    entities = yaml.safe_load(path.read_text(encoding="utf-8"))
    entities[0]["external"] = {"aliases": ["X"], "wikipedia": "..."}
    path.write_text(yaml.safe_dump(entities, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert any("external" in p and "aliases and/or description" in p for p in problems(corpus_copy))
