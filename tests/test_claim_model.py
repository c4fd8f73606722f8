"""The claim model says what the text says and marks the rest: claimant chains as each article
prints them, occasions, hedges, caveats, editorial insertions, qualified figures and how each
claim entered the graph. Checked where a user meets them: the build's refusals, GraphQL (on the
embedded and an external store), SPARQL, the claim page and the write path."""

from __future__ import annotations

import httpx
import pytest

from graph.corpus import load_corpus

from .conftest import CORPUS, GraphQLClient, running_server
from .test_corpus_refusals import TOPICS, edit_article, problems
from .test_ingest import ADD, AUTH, TOKEN, graphql_input, new_article, seed_store  # noqa: F401

WITHDRAWAL = "nyt-north-koreans-withdrawn-after-heavy-casualties"
A000, A001, A002, A003, A004 = ("000_b0a77a175dda8187", "001_b04c995b13cddd9d",
                                "002_394fee5181a7713e", "003_34f8a63c56b95bbf",
                                "004_2e2d0736f006da75")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS, TOPICS)


def claim_in(doc: dict, cid: str) -> dict:
    return next(c for c in doc["claims"] if c["id"] == cid)


# ---------------------------------------------------------------------------------------------
# The build refuses what the text does not support
# ---------------------------------------------------------------------------------------------

HEDGED_004 = "outlet-004-unclear-if-wounded-north-koreans-return"
QUOTED_000 = "syrskyi-about-7000-russians-killed-near-pokrovsk-in-january"
NEARLY_004 = "isw-north-koreans-losing-nearly-100-per-day"


@pytest.mark.parametrize("article, cid, change, expected", [
    (A004, HEDGED_004, {"hedges": ["perhaps"]}, "hedge 'perhaps' is not in this report's evidence"),
    (A004, HEDGED_004, {"modality": "asserted"}, "hedges go with modality hedged"),
    (A004, HEDGED_004, {"modality": "certain"}, "modality 'certain' is not one of"),
    (A000, QUOTED_000, {"insertions": ["[in Kursk]"]}, "'[in Kursk]' is not inside the claim's quote"),
    (A004, NEARLY_004, {"value": {"max": 100, "qualifier": "almost", "unit": "soldiers per day"}},
     "value qualifier 'almost' is printed in none of its evidence"),
    (A004, HEDGED_004, {"occasion": "zelenskyy"}, "occasion 'zelenskyy' is a Person, not an Occasion"),
    (A004, HEDGED_004, {"caveats": ["no-such-claim"]}, "refers to claim 'no-such-claim', which does not exist"),
    (A004, HEDGED_004, {"attributed_to": "isw"}, "must be one of this report's via agents"),
    (A004, HEDGED_004, {"curation": {"method": "extracted"}}, "names its extractor, its version and its confidence"),
    (A004, HEDGED_004, {"curation": {"method": "extracted", "extractor": "x", "version": "1",
                                     "confidence": 1.5}}, "1.5 is not a number from 0 to 1"),
    (A004, HEDGED_004, {"curation": {"review": {"status": "reviewed"}}}, "names who reviewed it"),
    (A004, HEDGED_004, {"curation": {"method": "hand", "confidence": 0.5}}, "are for method: extracted"),
])
def test_the_build_refuses_a_mark_the_text_does_not_support(corpus_copy, article, cid, change, expected):
    edit_article(corpus_copy, article, lambda d: claim_in(d, cid).update(change))
    found = problems(corpus_copy)
    assert any(f"claim '{cid}'" in p and expected in p for p in found), found


def test_occasion_fields_belong_to_occasions_and_their_place_is_a_place(corpus_copy):
    import yaml
    path = corpus_copy / "entities.yaml"
    entities = yaml.safe_load(path.read_text(encoding="utf-8"))
    for e in entities:
        if e["id"] == "nis":
            e["kind"] = "briefing"
        if e["id"] == "zelenskyy-at-ramstein-2025-01-09":
            e["place"] = "zelenskyy"
    path.write_text(yaml.safe_dump(entities, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = problems(corpus_copy)
    assert any("entity 'nis'" in p and "are for an Occasion" in p for p in found), found
    assert any("zelenskyy-at-ramstein-2025-01-09" in p and "not a Place or Country" in p for p in found), found


# ---------------------------------------------------------------------------------------------
# The data: what the corpus now says
# ---------------------------------------------------------------------------------------------

def test_every_mark_is_printed_where_it_claims_to_be(corpus):
    """Hedges and qualifiers are words of the evidence; insertions are words of the quote; an
    attributed source is a step of its report's chain."""
    marked = 0
    for c in corpus.claims.values():
        evidence = " ".join(r.evidence.exact.lower() for r in c.reports)
        if c.value and c.value.qualifier:
            assert c.value.qualifier.lower() in evidence, c.id
            marked += 1
        for r in c.reports:
            for words in r.hedges:  # each article's own words
                assert words.lower() in r.evidence.exact.lower(), (c.id, r.article_id, words)
                marked += 1
        for words in c.insertions:
            assert c.quote and words in c.quote, (c.id, words)
            marked += 1
        for r in c.reports:
            assert r.attributed_to is None or r.attributed_to in r.via, (c.id, r.article_id)
        assert (c.modality == "asserted") == (not c.hedges), c.id
    assert marked >= 10


def test_the_withdrawal_names_the_officials_and_each_article_keeps_its_chain(corpus):
    claim = corpus.claims[WITHDRAWAL]
    assert claim.claimant == "ukrainian-and-us-officials"
    chains = {r.article_id: (r.via, r.attributed_to) for r in claim.reports}
    # 000 and 001 name only the Times' report; 002 and 003 name the officials it cited.
    assert chains == {A000: (("new-york-times",), "new-york-times"),
                      A001: (("new-york-times",), "new-york-times"),
                      A002: (("new-york-times",), None), A003: (("new-york-times",), None)}
    assert claim.stated.inferred and claim.stated.latest.text == "2025-01-30"


def test_every_report_says_how_it_entered(corpus):
    for c in corpus.claims.values():
        for r in c.reports:
            assert r.curation.method == "hand" and r.curation.review == "reviewed", (c.id, r.article_id)
            assert r.curation.by == "whosaid curators"


# ---------------------------------------------------------------------------------------------
# GraphQL
# ---------------------------------------------------------------------------------------------

def test_graphql_gives_the_chain_as_each_article_prints_it(gql):
    found = gql.data("""query($id: ID!) { claim(id: $id) { claimant { id } reports {
        article { id } via { id } attributedTo { id } } } }""", {"id": f"claim/{WITHDRAWAL}"})["claim"]
    assert found["claimant"]["id"] == "entity/ukrainian-and-us-officials"
    by_article = {r["article"]["id"]: r for r in found["reports"]}
    for article, named in ((A000, True), (A001, True), (A002, False), (A003, False)):
        report = by_article[f"article/{article}"]
        assert report["via"] == [{"id": "entity/new-york-times"}]
        assert report["attributedTo"] == ({"id": "entity/new-york-times"} if named else None), article


def test_graphql_filters_by_modality(gql, corpus):
    for modality in ("hedged", "predicted", "conditional", "asserted"):
        page = gql.data("query($m: Modality) { claims(modality: $m, first: 100) { totalCount "
                        "nodes { id modality hedges reports { evidence } } } }",
                        {"m": modality.upper()})["claims"]
        expected = {f"claim/{c.id}" for c in corpus.claims.values() if c.modality == modality}
        assert {n["id"] for n in page["nodes"]} == expected and page["totalCount"] == len(expected)
        for n in page["nodes"]:
            assert n["modality"] == modality.upper()
            for hedge in n["hedges"]:
                assert any(hedge.lower() in r["evidence"].lower() for r in n["reports"]), n["id"]
    assert gql.post("{ claims(modality: CERTAIN) { totalCount } }").json()["errors"]


def test_graphql_gives_occasions_and_the_claims_made_on_them(gql, corpus):
    for occasion in ("zelenskyy-ap-interview", "nyt-report-2025-01-30", "zelenskyy-at-ramstein-2025-01-09"):
        entity = corpus.entities[occasion]
        found = gql.data("""query($id: String!) { occasion(id: $id) { id kind date place { id }
            inferences { field basis } claims(first: 100) { totalCount nodes { id occasion { id } } } } }""",
                         {"id": occasion})["occasion"]
        expected = {f"claim/{c.id}" for c in corpus.claims.values() if c.occasion == occasion}
        assert expected, occasion
        assert {n["id"] for n in found["claims"]["nodes"]} == expected
        assert all(n["occasion"]["id"] == f"entity/{occasion}" for n in found["claims"]["nodes"])
        assert found["kind"] == entity.kind
        assert found["date"] == (entity.date.date.text if entity.date else None)
        assert found["place"] == ({"id": f"entity/{entity.place}"} if entity.place else None)
        assert bool(found["inferences"]) == bool(entity.date and entity.date.inferred), occasion
        same = gql.data('query($o: String) { claims(occasion: $o, first: 100) { totalCount } }',
                        {"o": entity.label})["claims"]["totalCount"]
        assert same == len(expected)
    assert gql.data('{ occasion(id: "nis") { id } }')["occasion"] is None  # an entity, not an occasion


def test_graphql_gives_caveats_both_ways_insertions_and_qualifiers(gql, corpus):
    caveat = next(c for c in corpus.claims.values() if c.caveats)
    found = gql.data("""query($id: ID!) { claim(id: $id) { claimant { id } caveats { id
        caveatedBy { id } } } }""", {"id": f"claim/{caveat.id}"})["claim"]
    assert {c["id"] for c in found["caveats"]} == {f"claim/{t}" for t in caveat.caveats}
    assert all({"id": f"claim/{caveat.id}"} in c["caveatedBy"] for c in found["caveats"])
    inserted = next(c for c in corpus.claims.values() if c.insertions)
    got = gql.data("query($id: ID!) { claim(id: $id) { quote editorialInsertions } }",
                   {"id": f"claim/{inserted.id}"})["claim"]
    assert got["editorialInsertions"] == list(inserted.insertions)
    assert all(i in got["quote"] for i in got["editorialInsertions"])
    qualified = next(c for c in corpus.claims.values() if c.value and c.value.qualifier)
    value = gql.data("query($id: ID!) { claim(id: $id) { value { max approximate qualifier } } }",
                     {"id": f"claim/{qualified.id}"})["claim"]["value"]
    assert value == {"max": qualified.value.max, "approximate": qualified.value.approximate,
                     "qualifier": qualified.value.qualifier}


def test_graphql_filters_by_how_claims_entered(gql, corpus):
    every = gql.data("{ claims { totalCount } }")["claims"]["totalCount"]
    counts = {args: gql.data(f"{{ claims({args}) {{ totalCount }} }}")["claims"]["totalCount"]
              for args in ("curation: HAND", "curation: EXTRACTED", "reviewStatus: REVIEWED",
                           "reviewStatus: UNREVIEWED", "curation: HAND, reviewStatus: REVIEWED")}
    assert every == len(corpus.claims)
    assert counts == {"curation: HAND": every, "curation: EXTRACTED": 0, "reviewStatus: REVIEWED": every,
                      "reviewStatus: UNREVIEWED": 0, "curation: HAND, reviewStatus: REVIEWED": every}


def test_graphql_says_how_every_report_entered(gql):
    page = gql.data("{ claims(first: 100) { totalCount nodes { reports { curation { method by "
                    "curatedOn reviewStatus reviewedBy reviewedOn extractor confidence } } } } }")["claims"]
    curations = [r["curation"] for n in page["nodes"] for r in n["reports"]]
    assert len(page["nodes"]) == page["totalCount"] and curations
    assert all(c == {"method": "hand", "by": "whosaid curators", "curatedOn": "2026-11-23",
                     "reviewStatus": "reviewed", "reviewedBy": "whosaid curators",
                     "reviewedOn": "2026-11-25", "extractor": None, "confidence": None}
               for c in curations), curations


# ---------------------------------------------------------------------------------------------
# SPARQL, the claim page and the write path
# ---------------------------------------------------------------------------------------------

def test_sparql_reads_modality_occasion_and_curation(server, corpus):
    query = """PREFIX ws: <https://w3id.org/whosaid/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?claim ?modality ?occasion ?method WHERE {
          ?claim ws:modality ?modality ; ws:report/prov:wasGeneratedBy/ws:method ?method .
          OPTIONAL { ?claim ws:occasion ?occasion } }"""
    rows = httpx.get(f"{server}/sparql", params={"query": query},
                     headers={"accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    ws = "https://w3id.org/whosaid/ontology#"
    claims = {r["claim"]["value"].rsplit("/", 1)[-1] for r in rows}
    assert claims == set(corpus.claims)
    for r in rows:
        c = corpus.claims[r["claim"]["value"].rsplit("/", 1)[-1]]
        assert r["modality"]["value"] == ws + c.modality.capitalize()
        assert r["method"]["value"] == ws + "HandCuration"
        assert r.get("occasion", {}).get("value", "").endswith(c.occasion or "") and \
            ("occasion" in r) == (c.occasion is not None)


def test_the_claim_page_shows_chain_modality_occasion_and_curation(embedded_server):
    page = httpx.get(f"{embedded_server}/claim/{WITHDRAWAL}", headers={"accept": "text/html"}).text
    assert "The article names only <a href=\"/entity/new-york-times\">" in page
    assert "Listed by hand by whosaid curators on 2026-11-23; reviewed by whosaid curators" in page
    hedged = httpx.get(f"{embedded_server}/claim/{HEDGED_004}", headers={"accept": "text/html"}).text
    assert "hedged" in hedged and "<q>unclear whether</q>" in hedged
    quoted = httpx.get(f"{embedded_server}/claim/{QUOTED_000}", headers={"accept": "text/html"}).text
    assert "Inserted by the outlet" in quoted and "<q>[in Pokrovsk]</q>" in quoted
    occasion = httpx.get(f"{embedded_server}/entity/zelenskyy-at-ramstein-2025-01-09",
                         headers={"accept": "text/html"}).text
    assert "Claims made on this occasion (1)" in occasion and "Ramstein Air Base" in occasion


def test_an_extracted_claim_is_written_with_its_extractor_and_read_back(tmp_path, seed_store):
    article = graphql_input(new_article(tmp_path, article_id="extracted-article"))
    article["curation"] = {"method": "extracted", "by": "nightly run", "date": "2026-11-25",
                           "extractor": "whosaid-extract", "version": "0.1.0", "confidence": 0.72}
    article["claims"][0].update({"modality": "PREDICTED", "hedges": ["expects"]})
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)
        response = client.post(ADD, {"input": article}, **AUTH).json()
        assert response.get("data") and response["data"]["addArticle"]["change"]["kind"] == "added", response
        found = client.data("""{ claim(id: "claim/extracted-article-claim-0") { modality hedges
            reports { curation { method by curatedOn extractor extractorVersion confidence reviewStatus } } } }""")
        proposals = client.data("{ claims(curation: EXTRACTED, reviewStatus: UNREVIEWED) { "
                                "nodes { id } } }")["claims"]["nodes"]
    assert found["claim"]["modality"] == "PREDICTED" and found["claim"]["hedges"] == ["expects"]
    assert proposals == [{"id": "claim/extracted-article-claim-0"}]
    assert found["claim"]["reports"][0]["curation"] == {
        "method": "extracted", "by": "nightly run", "curatedOn": "2026-11-25",
        "extractor": "whosaid-extract", "extractorVersion": "0.1.0", "confidence": 0.72,
        "reviewStatus": "unreviewed"}
