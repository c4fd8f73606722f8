"""Each article's claims checked against its text.

Two kinds of check. Generic ones go through every article sentence by sentence in the way a
reader would: every figure and every quotation in an article's body lies inside the evidence of
some claim, and every figure a claim states is printed in its evidence. Specific ones are what a
reader of each article finds, written down here from the text (not from the curated files), and
looked up in the built graph through SPARQL.
"""

from __future__ import annotations

import re

import pytest
from pyoxigraph import Literal

from graph.queries import NamedQuery

NUMBER = re.compile(r"\d[\d,]*")
QUOTED = re.compile(r"[\"“]([^\"”]{3,})[\"”]")

# Figures a reader finds in a body that are restatements of a claim evidenced elsewhere in the
# same article (one report per article and claim keeps one evidence span).
RESTATED = {
    ("004_2e2d0736f006da75", "Losses are reaching nearly 100 soldiers per day."),
}


def evidence_spans(corpus, article_id):
    return [(r.evidence.start, r.evidence.end) for c in corpus.claims.values()
            for r in c.reports if r.article_id == article_id]


@pytest.mark.parametrize("article_id", ["000_b0a77a175dda8187", "001_b04c995b13cddd9d",
                                        "002_394fee5181a7713e", "003_34f8a63c56b95bbf",
                                        "004_2e2d0736f006da75"])
def test_every_figure_and_quotation_in_the_body_is_inside_some_evidence(compiled, article_id):
    corpus, _ = compiled
    article = corpus.articles[article_id]
    spans = evidence_spans(corpus, article_id)
    body = article.text[article.body.start:article.body.end]
    restated = [article.text.index(s) for a, s in RESTATED if a == article_id]
    missing = []
    for pattern in (NUMBER, QUOTED):
        for m in pattern.finditer(body):
            at = article.body.start + m.start()
            covered = any(start <= at < end for start, end in spans)
            excused = any(r <= at < r + 60 for r in restated)
            if not covered and not excused:
                missing.append(article.text[max(0, at - 30):at + 30])
    assert not missing, f"{article_id}: figures or quotes no claim covers: {missing}"


WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
         9: "nine", 10: "ten"}


def _printed_forms(n: float) -> set[str]:
    if n != int(n):
        return {str(n)}
    n = int(n)
    forms = {str(n), f"{n:,}", WORDS.get(n, str(n)), WORDS.get(n, str(n)).capitalize()}
    if n % 1000 == 0:
        forms.add(f"{n // 1000},000")
        forms.add(f"-{n // 1000:,}")  # "11-12,000": the 11 of a shared thousand
        forms.add(f"{n // 1000}-")
    return forms


def test_every_printed_figure_of_a_claim_is_in_its_evidence(compiled):
    corpus, _ = compiled
    wrong = []
    for claim in corpus.claims.values():
        q = claim.value
        if q is None or q.derived:
            continue
        for bound in {q.min, q.max} - {None}:
            for report in claim.reports:
                if not any(form in report.evidence.exact for form in _printed_forms(bound)):
                    wrong.append(f"{claim.id}: {bound} not in {report.article_id} evidence")
    assert not wrong, wrong


def test_every_derived_figure_says_how(compiled):
    corpus, _ = compiled
    for claim in corpus.claims.values():
        if claim.value is not None and claim.value.derived:
            assert claim.value.basis and len(claim.value.basis) > 20, claim.id


def test_every_inferred_date_says_on_what_basis(compiled):
    corpus, _ = compiled
    specs = [(c.id, c.stated) for c in corpus.claims.values()] + \
            [(a.id, a.published) for a in corpus.articles.values()]
    for owner, spec in specs:
        if spec is not None and spec.inferred:
            assert spec.basis and len(spec.basis) > 20, owner


YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def given_dates(claim):
    """(field, date) of the claim's dates given as printed, not marked inferred."""
    out = []
    if claim.stated and claim.stated.date and not claim.stated.inferred:
        out.append(("stated", claim.stated.date.text))
    if claim.period and not claim.period.inferred:
        out += [("period", d.text) for d in (claim.period.start, claim.period.end) if d]
    return out


def test_no_date_is_given_as_printed_with_a_year_its_articles_never_print(compiled):
    corpus, _ = compiled
    for claim in corpus.claims.values():
        texts = [corpus.articles[r.article_id].text for r in claim.reports]
        printed = {y for t in texts for y in YEAR.findall(t)}
        for field, date in given_dates(claim):
            assert date[:4] in printed, (claim.id, field, date)


# Dates a reader finds printed without their year, though the year is printed elsewhere in the
# article (so no year check can find them): each must be marked inferred. From the texts:
YEAR_NOT_WITH_THE_DATE = {
    "ukraine-reports-two-north-koreans-captured": ["stated"],              # 001 "on 11 January"
    "zelenskyy-kursk-command-post-strike-dozens-of-officer-casualties": ["stated", "period"],
    "nyt-north-koreans-withdrawn-after-heavy-casualties": ["stated", "period"],  # "Jan. 30", "mid-January"
    "unnamed-sources-expect-new-north-korean-troops-by-mid-march": ["period"],   # "by mid-March"
    "united-states-estimates-10000-12000-north-koreans-arrived-in-october": ["period"],
    "hngn-ukraine-incursion-launched-last-august": ["period"],               # "last August"
    "ukraine-mod-48240-russian-troops-lost-in-january": ["period"],          # "last month"
    "zelenskyy-two-north-koreans-captured-taken-to-kyiv": ["stated"],        # 004 "on January 11"
    "nis-300-north-koreans-killed-by-january-13": ["stated", "period"],      # "on January 13"
    "zelenskyy-3800-north-koreans-killed-or-wounded": ["stated"],            # "beginning of January"
}


def test_dates_printed_without_their_year_are_marked_inferred(compiled):
    corpus, _ = compiled
    for cid, fields in YEAR_NOT_WITH_THE_DATE.items():
        claim = corpus.claims[cid]
        for field in fields:
            spec = claim.stated if field == "stated" else claim.period
            assert spec is not None and spec.inferred and len(spec.basis) > 20, (cid, field)


def corpus_inferences(corpus) -> set[tuple[str, str, str]]:
    """(node IRI, property IRI, basis) of every value the curated corpus marks as worked out."""
    from graph.iris import Minter
    from graph.rdf import WS
    from .conftest import settings_for
    from pathlib import Path
    mint = Minter(settings_for(Path("unused")).base_iri)
    found = set()
    for c in corpus.claims.values():
        node = str(mint.claim(c.id))
        if c.stated and c.stated.inferred:
            found.add((node, str(WS.statedOn), c.stated.basis))
        if c.period and c.period.inferred:
            for prop, date in ((WS.periodStart, c.period.start), (WS.periodEnd, c.period.end)):
                if date:
                    found.add((node, str(prop), c.period.basis))
        if c.claimant_basis:
            found.add((node, str(WS.claimant), c.claimant_basis))
        for r in c.reports:
            for position, basis in enumerate(r.via_basis, start=1):
                if basis:
                    found.add((f"{mint.report(c.id, r.article_id)}/via/{position}", str(WS.agent), basis))
    for e in corpus.entities.values():
        if e.date and e.date.inferred:  # an occasion's date
            found.add((str(mint.entity(e.id)), "https://schema.org/startDate", e.date.basis))
    for a in corpus.articles.values():
        node = str(mint.article(a.id))
        if a.published and a.published.inferred:
            found.add((node, "https://schema.org/datePublished", a.published.basis))
        if a.outlet_basis:
            found.add((node, str(WS.outlet), a.outlet_basis))
    return found


INFERENCES = NamedQuery("inferences_everywhere", """
PREFIX ws: <https://w3id.org/whosaid/ontology#>
SELECT ?node ?property ?basis WHERE {
  GRAPH ?g { ?node ws:inferred ?note . ?note a ws:Inference ; ws:onProperty ?property ; ws:basis ?basis }
}""")


def test_every_inference_of_the_corpus_is_in_the_graph_with_its_basis_and_no_other(compiled, store):
    corpus, _ = compiled
    want = corpus_inferences(corpus)
    got = {(r["node"].value, r["property"].value, r["basis"].value) for r in store.select(INFERENCES)}
    assert got == want
    assert any(p.endswith("#agent") for _, p, _ in want)  # via steps are among them


def _spelling(name: str) -> str:
    import unicodedata
    folded = unicodedata.normalize("NFKD", name).casefold().replace("’", "'")
    return re.sub(r"\s+", " ", folded)


def test_aliases_are_spellings_the_articles_print_and_external_names_are_marked(compiled):
    """The format says aliases are every spelling in the corpus: a name no article prints
    ("HUR", "Republic of Korea") is knowledge from outside it and goes under `external`."""
    corpus, _ = compiled
    printed = _spelling(" ".join(a.text for a in corpus.articles.values()))
    externals = 0
    for e in corpus.entities.values():
        for alias in e.aliases:
            assert _spelling(alias) in printed, (e.id, alias)
        for alias in e.external_aliases:
            assert _spelling(alias) not in printed, (e.id, alias, "printed: make it an alias")
            externals += 1
    assert externals >= 10


def test_a_judgement_is_given_to_whoever_makes_it(compiled):
    """000: 'The NIS statement corroborates a recent report by The New York Times' is HNGN's
    judgement, not the NIS's: the NIS claim confirms nothing, and 000's report of the NYT claim
    carries HNGN's link. 002: '..., confirming the reports' is the Kyiv Independent's framing.
    The NIS's own confirmation (001: 'The South Korea’s Intelligence confirmed The New York
    Times’ report') stays a claim of its own, counted once."""
    corpus, _ = compiled
    nis, nyt = "nis-no-combat-since-mid-january", "nyt-north-koreans-withdrawn-after-heavy-casualties"
    assert corpus.claims[nis].confirms == ()
    hngn = next(r for r in corpus.claims[nyt].reports if r.article_id == "000_b0a77a175dda8187")
    assert [(l.relation, l.source, l.target) for l in hngn.links] == [("corroborates", nis, nyt)]
    assert "corroborates" in hngn.evidence.exact
    source = corpus.claims["military-intelligence-source-rotation-due-to-large-casualties"]
    assert source.confirms == ()
    assert [(l.relation, l.source, l.target) for l in source.reports[0].links] == [("confirms", source.id, nyt)]
    assert corpus.claims["nis-confirms-nyt-withdrawal-report"].confirms == (nyt,)
    confirming_nyt = [c.id for c in corpus.claims.values() if nyt in c.confirms]
    assert confirming_nyt == ["nis-confirms-nyt-withdrawal-report"]


# ---------------------------------------------------------------------------------------------
# Who said what, article by article, as a reader finds it in the text.
# ---------------------------------------------------------------------------------------------

WHO_SAID = NamedQuery("who_said", """
PREFIX ws: <https://w3id.org/whosaid/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?claim ?min ?max ?approx ?derived ?stated ?quote ?exact ?topic
       (GROUP_CONCAT(?viaId; separator=" ") AS ?via) WHERE {
  VALUES ?claimantId { UNDEF }
  VALUES ?articleId { UNDEF }
  ?claimant schema:identifier ?claimantId .
  ?article schema:identifier ?articleId .
  ?claim ws:claimant ?claimant ; ws:topic ?topic ; ws:report ?report .
  ?report oa:hasSource ?article ; oa:hasSelector ?sel .
  ?sel oa:exact ?exact .
  OPTIONAL { ?claim ws:value ?v . OPTIONAL { ?v schema:minValue ?min } OPTIONAL { ?v schema:maxValue ?max }
             ?v ws:approximate ?approx . OPTIONAL { ?v ws:derived ?derived } }
  OPTIONAL { ?claim ws:statedOn ?stated }
  OPTIONAL { ?claim ws:quote ?quote }
  OPTIONAL { ?report ws:via ?step . ?step ws:agent/schema:identifier ?viaId }
}
GROUP BY ?claim ?min ?max ?approx ?derived ?stated ?quote ?exact ?topic
""")


def said(store, claimant: str, article: str) -> list[dict]:
    rows = store.select(WHO_SAID, claimantId=Literal(claimant), articleId=Literal(article))
    return [{k: (v.value if hasattr(v, "value") else v) for k, v in r.items()} for r in rows]


def find(rows, **want):
    """The rows matching every given field (numbers compared as numbers)."""
    def ok(row, key, value):
        got = row.get(key)
        if isinstance(value, (int, float)) and got is not None:
            return float(got) == float(value)
        if key == "topic":
            return got is not None and got.endswith("/" + value)
        if key == "quote":
            return got is not None and value in got
        return got == value
    return [r for r in rows if all(ok(r, k, v) for k, v in want.items())]


A000, A001, A002, A003, A004 = ("000_b0a77a175dda8187", "001_b04c995b13cddd9d",
                                "002_394fee5181a7713e", "003_34f8a63c56b95bbf",
                                "004_2e2d0736f006da75")

EXPECTED = [
    # 000 (HNGN)
    ("nis", A000, dict(topic="casualties", min=3000, max=3000, approx="true")),   # "around 3,000"
    ("zelenskyy", A000, dict(topic="casualties", max=4000)),                      # "up to 4,000"
    ("zelenskyy", A000, dict(topic="reinforcements", max=25000, via="associated-press")),
    ("ukraine-ministry-of-defence", A000, dict(max=48240, min=48240)),
    ("syrskyi", A000, dict(min=15000)),                                           # "more than 15,000"
    ("syrskyi", A000, dict(topic="killed", min=7000, max=7000, approx="true")),  # "about 7,000"
    ("isw", A000, dict(topic="territory", min=498, max=498)),
    ("isw", A000, dict(topic="territory", min=593, max=593)),
    ("zelenskyy", A000, dict(topic="killed", min=45100)),
    ("ukrainska-pravda", A000, dict(topic="reinforcements", min=50000)),
    ("hngn", A000, dict(topic="deployed-strength", min=11000, approx="true")),   # "An estimated 11,000"
    ("nis", A000, dict(topic="combat-presence", quote="no signs showing North Korean troops")),
    # 001
    ("zelenskyy", A001, dict(quote="one was completely destroyed", via="associated-press")),
    ("zelenskyy", A001, dict(topic="casualties", min=4000, max=None, stated="2025-01-09")),  # "had reached 4,000": a floor
    ("isw", A001, dict(topic="deployed-strength", min=12000, approx="true")),
    ("nis", A001, dict(topic="combat-presence")),
    # 002 (Kyiv Independent)
    ("syrskyi", A002, dict(topic="casualties", min=5500, max=6000, approx="true", derived="true",
                           stated="2025-01-19")),
    ("kindratenko", A002, dict(topic="combat-presence", stated="2025-01-31")),
    ("budanov", A002, dict(topic="reinforcements")),
    ("ukrainian-and-us-officials", A002, dict(via="new-york-times")),  # "officials told The New York Times"
    # 003
    ("kindratenko", A003, dict(via="ukrainska-pravda", quote="no presence of North Korean troops")),
    ("new-york-times", A003, dict(quote="could return after receiving additional training")),
    ("syrskyi", A003, dict()),                                                    # "has halved"
    # 004
    ("nis", A004, dict(topic="killed", min=300, max=300, via="isw", stated="2025-01-13")),
    ("nis", A004, dict(topic="wounded", min=2700, max=2700, via="isw", stated="2025-01-13")),
    ("zelenskyy", A004, dict(topic="casualties", min=3800, max=3800)),
    ("isw", A004, dict(topic="loss-rate", max=100, approx="false")),  # "nearly 100": below 100 (qualifier)
    ("umerov", A004, dict(quote="small skirmishes")),
    ("zelenskyy", A004, dict(topic="prisoner-testimony")),
]


@pytest.mark.parametrize("claimant, article, want", EXPECTED,
                         ids=[f"{a[:3]}-{c}-{'-'.join(f'{k}={v}' for k, v in w.items())}"[:80]
                              for c, a, w in EXPECTED])
def test_who_said_what(store, claimant, article, want):
    rows = said(store, claimant, article)
    assert find(rows, **want), f"{claimant} in {article}: no claim with {want}; has " + \
        "; ".join(f"{r.get('topic', '').rsplit('/', 1)[-1]} {r.get('min')}-{r.get('max')} via "
                  f"{r.get('via')!r}" for r in rows)


def test_a_claim_reported_by_several_articles_is_one_claim(store):
    rows = store.select("""
        PREFIX ws: <https://w3id.org/whosaid/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?claim (COUNT(DISTINCT ?article) AS ?n) WHERE {
          ?claim ws:claimant/schema:identifier "ukrainian-and-us-officials" ; schema:appearance ?article ;
                 ws:topic <https://w3id.org/whosaid/topic/combat-presence> .
        } GROUP BY ?claim ORDER BY DESC(?n)""")
    assert rows and int(rows[0]["n"].value) >= 3


def test_disagreeing_sources_stay_separate_claims(store):
    """NIS (about 3,000), Zelenskyy (up to 4,000; 3,800) and Syrskyi (about half of 11-12,000)
    on North Korean casualties: separate claims by separate claimants, never merged."""
    rows = store.select("""
        PREFIX ws: <https://w3id.org/whosaid/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT DISTINCT ?claim ?who WHERE {
          ?claim ws:topic <https://w3id.org/whosaid/topic/casualties> ;
                 schema:about <https://w3id.org/whosaid/entity/north-korean-force-kursk> ;
                 ws:value ?v ; ws:claimant/schema:identifier ?who .
        }""")
    who = [r["who"].value for r in rows]
    assert {"nis", "zelenskyy", "syrskyi"} <= set(who)
    assert who.count("zelenskyy") >= 3  # 3,800; up to 4,000; 4,000 at Ramstein


def test_what_the_text_does_not_say_stays_unknown(compiled):
    corpus, _ = compiled
    for article in corpus.articles.values():
        assert article.url is None  # no captured text prints a URL
        if article.id not in (A000, A002):
            # No outlet is printed: the article's outlet is its unnamed placeholder, never a
            # named outlet, and the link is marked as worked out.
            assert article.outlet == f"outlet-of-article-{article.id[:3]}", article.id
            assert corpus.entities[article.outlet].label.startswith("Unnamed outlet"), article.id
            assert article.outlet_basis and "names no outlet" in article.outlet_basis, article.id
    assert corpus.articles[A002].authors == ("Martin Fornusek",)
    assert corpus.articles[A000].outlet_basis  # HNGN is inferred from its own caveat
    assert all(not e.same_as for e in corpus.entities.values())  # no unchecked Wikidata links
