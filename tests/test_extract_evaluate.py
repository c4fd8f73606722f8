"""The evaluation harness scores extracted claims against the curated corpus.

The extractors here are inputs, not mocks: each returns the curated claims of the real corpus as
documents (as a perfect extractor would write them), then spoils them in one known way, and the
scores must move by exactly what that spoiling costs, counted by hand from the YAML files.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from graph.build import topic_ids
from graph.corpus import Article, Claim, Report, TimeSpec, load_corpus
from graph.extract.evaluate import LEVELS, evaluate_corpus, format_table, score, score_article
from graph.rdf import ontology_graph

from .conftest import CORPUS

TOPICS = topic_ids(ontology_graph())

# Claims chosen for what they share with others (ids from corpus/articles/*.yaml).
HNGN_ARTICLE = "000_b0a77a175dda8187"
# Shares its evidence sentence with another HNGN claim: dropping it must not unpair the other.
SHARED_SPAN_CLAIM = "hngn-11000-north-koreans-deployed-to-kursk-in-december"
ZELENSKYY_4000 = "zelenskyy-up-to-4000-north-koreans-killed-or-wounded"      # value {max: 4000}
ZELENSKYY_AP = "zelenskyy-ap-up-to-25000-more-north-koreans-en-route"   # via [associated-press]
KYIV_ARTICLE = "002_394fee5181a7713e"
SYRSKYI_HALF = "syrskyi-half-of-contingent-killed-or-wounded"                # stated "2025-01-19"
KINDRATENKO = "kindratenko-kyiv-independent-no-north-koreans-for-three-weeks"  # evidence 429-676


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS, TOPICS)


def yaml_docs() -> dict[str, dict]:
    """The curated YAML files as written, read apart from graph.corpus: the hand counts."""
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((CORPUS / "articles").glob("*.yaml"))}


# A perfect extractor: each article's curated claims, written back as the document format.

def _stated(spec: TimeSpec | None):
    if spec is None:
        return None
    if not spec.inferred:
        return spec.date.text
    out = {"inferred": True, "basis": spec.basis}
    for key in ("date", "earliest", "latest"):
        if getattr(spec, key) is not None:
            out[key] = getattr(spec, key).text
    return out


def claim_dict(claim: Claim, report: Report) -> dict:
    doc = {
        "id": claim.id, "claimant": claim.claimant,
        # A worked-out step is written {agent, basis}, as the curators write it.
        "via": [{"agent": a, "basis": b} if b else a for a, b in zip(report.via, report.via_basis)],
        "statement": claim.statement, "topic": claim.topic, "about": list(claim.about),
        "evidence": {"start": report.evidence.start, "end": report.evidence.end,
                     "exact": report.evidence.exact},
    }
    if claim.value is not None:
        v = claim.value
        bounds = {"amount": v.amount} if v.amount is not None else \
            {k: getattr(v, k) for k in ("min", "max") if getattr(v, k) is not None}
        doc["value"] = {**bounds, "exclusive_min": v.exclusive_min, "unit": v.unit}
    if claim.stated is not None:
        doc["stated"] = _stated(claim.stated)
    return doc


def curated_doc(article: Article) -> dict:
    claims = [claim_dict(c, next(r for r in c.reports if r.article_id == article.id))
              for c in article.claims]
    return {"id": article.id, "body": {"start": article.body.start, "end": article.body.end},
            "curation": {"method": "extracted"}, "claims": claims}


def curated_docs(corpus) -> dict[str, dict]:
    return {aid: curated_doc(a) for aid, a in corpus.articles.items()}


def claim_in(doc: dict, claim_id: str) -> dict:
    return next(c for c in doc["claims"] if c["id"] == claim_id)


def extractor_from(docs: dict[str, dict]):
    def extract(text, *, article_id, published=None, outlet=None, corpus=None):
        return copy.deepcopy(docs[article_id])
    return extract


# Hand counts, from the YAML files.
CURATED = sum(len(d["claims"]) for d in yaml_docs().values())   # one per article reporting it
DATED = sum(1 for d in yaml_docs().values() for c in d["claims"]
            if isinstance(c.get("stated"), str)
            or isinstance(c.get("stated"), dict) and c["stated"].get("date"))


def assert_levels(result, tp: dict[str, int], extracted: int, curated: int = CURATED):
    for level in LEVELS:
        s = result.levels[level]
        assert (s.tp, s.extracted, s.curated) == (tp[level], extracted, curated), level
        p, r = tp[level] / extracted, tp[level] / curated
        assert s.precision == pytest.approx(p) and s.recall == pytest.approx(r)
        assert s.f1 == pytest.approx(2 * p * r / (p + r))


# --------------------------------------------------------------------------------------------

def test_the_curated_claims_score_one_everywhere(corpus):
    calls = {}

    def extract(text, *, article_id, published=None, outlet=None, corpus=None):
        calls[article_id] = (text, published, outlet, corpus)
        return curated_doc(corpus.articles[article_id])

    result = evaluate_corpus(CORPUS, extract=extract)

    assert CURATED == 85 and result.curated == CURATED == result.extracted
    for level in LEVELS:
        s = result.levels[level]
        assert (s.tp, s.precision, s.recall, s.f1) == (CURATED, 1.0, 1.0, 1.0), level
    assert result.via_accuracy == 1.0 and result.via.checked == CURATED
    assert result.date_accuracy == 1.0 and result.date.checked == DATED
    assert result.evidence_overlap == 1.0
    assert all(not a.misses[lv] and not a.false[lv] and not a.differs
               for a in result.articles for lv in LEVELS)

    # Each article was given its text, and what its YAML records of date and outlet.
    for aid, doc in yaml_docs().items():
        text, published, outlet, given = calls[aid]
        assert text == (CORPUS / "articles" / f"{aid}.txt").read_text(encoding="utf-8")
        raw = doc.get("published")
        assert published == ((raw.get("date") or raw.get("earliest")) if isinstance(raw, dict) else raw)
        assert outlet == doc.get("outlet")
        assert aid in given.articles
    assert calls["001_b04c995b13cddd9d"][1] == "2025-02-02"  # inferred, with bounds only: the earliest
    assert calls[HNGN_ARTICLE][1] == "2025-02"              # inferred, with a date


def test_claims_listed_in_another_order_pair_with_their_own(corpus):
    # One sentence often carries several claims of one claimant (Syrskyi's 15,000 casualties
    # and 7,000 killed): ties in overlap must go to the pair that agrees, whatever the order.
    docs = curated_docs(corpus)
    for doc in docs.values():
        doc["claims"].reverse()

    result = score(docs, corpus)

    assert_levels(result, dict.fromkeys(LEVELS, CURATED), extracted=CURATED)
    assert result.via_accuracy == result.date_accuracy == 1.0
    assert not any(a.differs for a in result.articles)


def test_a_dropped_claim_costs_recall_only(corpus):
    docs = curated_docs(corpus)
    docs[HNGN_ARTICLE]["claims"].remove(claim_in(docs[HNGN_ARTICLE], SHARED_SPAN_CLAIM))

    result = score(docs, corpus)

    assert_levels(result, dict.fromkeys(LEVELS, CURATED - 1), extracted=CURATED - 1)
    hngn = next(a for a in result.articles if a.article_id == HNGN_ARTICLE)
    for level in LEVELS:
        assert [m.id for m in hngn.misses[level]] == [SHARED_SPAN_CLAIM]
        assert hngn.false[level] == []
    # The claim that shared its sentence still pairs with itself, not with the dropped one's.
    assert all(p.curated == p.extracted for a in result.articles for p in a.pairs[LEVELS[0]])


def test_a_changed_value_keeps_claimant_and_topic_and_loses_the_value_level(corpus):
    docs = curated_docs(corpus)
    claim_in(docs[HNGN_ARTICLE], ZELENSKYY_4000)["value"]["max"] = 5000

    result = score(docs, corpus)

    assert_levels(result, {LEVELS[0]: CURATED, LEVELS[1]: CURATED, LEVELS[2]: CURATED - 1},
                  extracted=CURATED)
    hngn = next(a for a in result.articles if a.article_id == HNGN_ARTICLE)
    assert [m.id for m in hngn.misses[LEVELS[2]]] == [ZELENSKYY_4000]
    assert [f.id for f in hngn.false[LEVELS[2]]] == [ZELENSKYY_4000]
    assert [(p.curated, what) for p, what in hngn.differs] == [(ZELENSKYY_4000, "value")]


def test_values_compare_by_bounds_only(corpus):
    docs = curated_docs(corpus)
    # {amount: 3000} written as bounds, with a float, another unit and a qualifier: the same.
    nis = claim_in(docs[HNGN_ARTICLE], "nis-about-3000-north-koreans-killed-or-wounded")
    nis["value"] = {"min": 3000.0, "max": 3000, "unit": "people", "approximate": False,
                    "qualifier": "around"}
    assert score(docs, corpus).levels[LEVELS[2]].tp == CURATED

    # "more than 15,000" read as "at least 15,000": another value.
    over = claim_in(docs[HNGN_ARTICLE],
                    "syrskyi-over-15000-russians-neutralized-near-pokrovsk-in-january")
    over["value"]["exclusive_min"] = False
    # A figure left as text is never equal to a number.
    nis["value"] = {"amount": "3,000"}
    assert score(docs, corpus).levels[LEVELS[2]].tp == CURATED - 2


def test_a_claim_with_a_disjoint_span_costs_precision_only(corpus):
    docs = curated_docs(corpus)
    kyiv = corpus.articles[KYIV_ARTICLE]
    # The headline, before the body: no curated evidence of the article touches it.
    span = (0, 60)
    assert all(r.evidence.end <= span[0] or r.evidence.start >= span[1]
               for c in kyiv.claims for r in c.reports if r.article_id == KYIV_ARTICLE)
    extra = copy.deepcopy(claim_in(docs[KYIV_ARTICLE], KINDRATENKO))  # same claimant and topic
    extra.update(id="extra-headline-claim", statement="A claim read from the headline.",
                 evidence={"start": span[0], "end": span[1], "exact": kyiv.text[:60]})
    docs[KYIV_ARTICLE]["claims"].append(extra)

    result = score(docs, corpus)

    assert_levels(result, dict.fromkeys(LEVELS, CURATED), extracted=CURATED + 1)
    kyiv_score = next(a for a in result.articles if a.article_id == KYIV_ARTICLE)
    assert [f.id for f in kyiv_score.false[LEVELS[0]]] == ["extra-headline-claim"]
    assert kyiv_score.misses[LEVELS[0]] == []


def test_via_accuracy_follows_the_chain(corpus):
    docs = curated_docs(corpus)
    claim_in(docs[HNGN_ARTICLE], ZELENSKYY_AP)["via"] = []   # the AP left out
    # A printed step written as worked out is still the same agent: the basis is not compared.
    claim_in(docs[HNGN_ARTICLE], "nyt-north-koreans-withdrawn-after-heavy-casualties")["via"] = \
        [{"agent": "new-york-times", "basis": "written so by the extractor"}]

    result = score(docs, corpus)

    assert result.via.checked == CURATED and result.via.correct == CURATED - 1
    assert result.via_accuracy == pytest.approx((CURATED - 1) / CURATED)
    assert all(result.levels[level].f1 == 1.0 for level in LEVELS)   # via is not a level


def test_date_accuracy_follows_the_stated_date(corpus):
    docs = curated_docs(corpus)
    claim_in(docs[KYIV_ARTICLE], SYRSKYI_HALF)["stated"] = "2025-01-18"
    result = score(docs, corpus)
    assert result.date.checked == DATED and result.date.correct == DATED - 1
    assert result.date_accuracy == pytest.approx((DATED - 1) / DATED)

    # The right date given as a mapping is right; no date at all is wrong.
    claim_in(docs[KYIV_ARTICLE], SYRSKYI_HALF)["stated"] = {
        "date": "2025-01-19", "inferred": True, "basis": "written so by the extractor"}
    assert score(docs, corpus).date_accuracy == 1.0
    del claim_in(docs[KYIV_ARTICLE], SYRSKYI_HALF)["stated"]
    assert score(docs, corpus).date.correct == DATED - 1


def test_pairs_go_greedily_to_the_largest_overlap(corpus):
    kyiv = corpus.articles[KYIV_ARTICLE]
    curated = claim_dict(*next((c, c.reports[0]) for c in kyiv.claims if c.id == KINDRATENKO))
    start, end = curated["evidence"]["start"], curated["evidence"]["end"]   # 429, 676

    def shifted(cid: str, by: int) -> dict:
        claim = copy.deepcopy(curated)
        claim.update(id=cid, evidence={"start": start + by, "end": end + by, "exact": "..."})
        return claim

    # Both overlap the curated claim (and nothing else of the same claimant): the one shifted
    # less overlaps more and wins; the other is a false claim.
    doc = {"id": KYIV_ARTICLE, "claims": [shifted("far", 200), shifted("near", 100)]}
    result = score_article(doc, kyiv)

    [pair] = result.pairs[LEVELS[0]]
    assert (pair.curated, pair.extracted) == (KINDRATENKO, "near")
    assert pair.overlap == end - (start + 100) == 147
    assert pair.iou == pytest.approx(147 / (end + 100 - start))         # 147 / 347
    assert [f.id for f in result.false[LEVELS[0]]] == ["far"]
    assert len(result.misses[LEVELS[0]]) == len(kyiv.claims) - 1

    # Touching is not overlapping: [start, end) intervals that only meet share nothing.
    doc = {"id": KYIV_ARTICLE, "claims": [shifted("after", end - start)]}
    assert score_article(doc, kyiv).pairs[LEVELS[0]] == []


def test_only_the_articles_given_are_evaluated(corpus):
    docs = curated_docs(corpus)
    result = score({KYIV_ARTICLE: docs[KYIV_ARTICLE]}, corpus)
    n = len(yaml_docs()[KYIV_ARTICLE]["claims"])
    assert_levels(result, dict.fromkeys(LEVELS, n), extracted=n, curated=n)
    with pytest.raises(KeyError, match="no-such-article"):
        score({"no-such-article": {"claims": []}}, corpus)


def test_nothing_extracted_scores_zero_without_dividing_by_zero(corpus):
    result = score({KYIV_ARTICLE: {"id": KYIV_ARTICLE, "claims": []}}, corpus)
    assert all(result.levels[lv].precision == result.levels[lv].f1 == 0.0 for lv in LEVELS)
    assert result.via_accuracy is None and result.evidence_overlap is None
    assert "n/a" in format_table(result)


def test_the_table_gives_the_numbers_and_the_misses(corpus):
    docs = curated_docs(corpus)
    docs[HNGN_ARTICLE]["claims"].remove(claim_in(docs[HNGN_ARTICLE], SHARED_SPAN_CLAIM))
    claim_in(docs[HNGN_ARTICLE], ZELENSKYY_4000)["value"]["max"] = 5000
    claim_in(docs[HNGN_ARTICLE], ZELENSKYY_AP)["via"] = []
    docs[KYIV_ARTICLE]["claims"].append({
        "id": "extra-headline-claim", "claimant": "kindratenko", "topic": "combat-presence",
        "statement": "A claim read from the headline.",
        "evidence": {"start": 0, "end": 60, "exact": "..."}})

    result = score(docs, corpus)
    table = format_table(result)

    value_level = result.levels[LEVELS[2]]
    assert value_level.tp == CURATED - 2     # the dropped claim and the changed value
    for level in LEVELS:
        s = result.levels[level]
        assert f"| {level} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |" in table
    assert f"{(CURATED - 1) / CURATED:.3f}" in table                      # recall, levels 1-2
    assert f"{(CURATED - 2) / CURATED:.3f}" in table                      # via accuracy
    assert f"{result.via.correct} of {result.via.checked} pairs" in table
    assert f"| stated date | | | | 1.000 | {DATED} of {DATED} pairs |" in table
    assert f"missed `{SHARED_SPAN_CLAIM}`" in table
    assert "false `extra-headline-claim`: A claim read from the headline." in table
    assert f"found `{ZELENSKYY_4000}` with another value (extracted `{ZELENSKYY_4000}`)" in table
    assert "all curated claims found, none extra" in table   # the untouched articles
    # Statements are cut short, on one line.
    assert all(len(line) < 200 for line in table.splitlines() if line.startswith("- "))
