"""The review desk: proposed (extracted, unreviewed) claims accepted, edited or rejected over
HTTP, each decision checked where a user meets it afterwards: GraphQL (the claim, its curation),
SPARQL (the history) and the queue. The same in a real browser is in tests/browser/."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from .conftest import GraphQLClient, running_server
from .test_ingest import ADD, AUTH, TOKEN, graphql_input, new_article, seed_store  # noqa: F401

ARTICLE = "proposed-article"
CLAIMS = [f"{ARTICLE}-claim-{i}" for i in range(3)]
EXTRACTED = {"method": "extracted", "by": "nightly run", "date": "2026-11-25",
             "extractor": "whosaid-extract", "version": "0.1.0", "confidence": 0.7}
CURATION = """query($id: ID!) { claim(id: $id) { claimant { id } topic { id } reports { curation {
    method reviewStatus reviewedBy reviewedOn reviewNote } } } }"""


@contextlib.contextmanager
def desk_with_proposals(tmp_path, store):
    """A server with a write token, holding the seeds and an extracted article of three claims."""
    article = graphql_input(new_article(tmp_path, ARTICLE, claims=3))
    article["curation"] = EXTRACTED
    with running_server(store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        added = GraphQLClient(base).post(ADD, {"input": article}, **AUTH).json()
        assert added["data"]["addArticle"]["change"]["kind"] == "added", added
        yield base


def claim(base: str, cid: str) -> dict | None:
    return GraphQLClient(base).data(CURATION, {"id": f"claim/{cid}"})["claim"]


def history(base: str) -> dict[str, tuple[str, str | None]]:
    """claim IRI -> (decision, note) of every review decision, as SPARQL reads the history."""
    query = """PREFIX ws: <https://w3id.org/whosaid/ontology#>
        SELECT ?claim ?decision ?note WHERE { ?change ws:reviewDecision ?decision ;
        ws:reviewedClaim ?claim . OPTIONAL { ?change ws:reviewNote ?note } }"""
    rows = httpx.get(f"{base}/sparql", params={"query": query, "format": "json"}).json()["results"]["bindings"]
    return {r["claim"]["value"].rsplit("/", 1)[-1]: (r["decision"]["value"].rsplit("#", 1)[-1],
                                                     r.get("note", {}).get("value")) for r in rows}


def queued(base: str) -> list[str]:
    html = httpx.get(f"{base}/review", headers=AUTH).text
    return [cid for cid in CLAIMS if f'action="/review/{ARTICLE}/{cid}"' in html]


def decide(base: str, cid: str, **fields) -> httpx.Response:
    return httpx.post(f"{base}/review/{ARTICLE}/{cid}", data=fields, headers=AUTH)


def test_accept_edit_and_reject_are_each_in_the_graph(tmp_path, seed_store):
    with desk_with_proposals(tmp_path, seed_store) as base:
        assert queued(base) == CLAIMS
        assert claim(base, CLAIMS[0])["reports"][0]["curation"]["reviewStatus"] == "unreviewed"

        accepted = decide(base, CLAIMS[0], decision="accept", note="checked against the text")
        assert accepted.status_code == 303 and "verdict=accepted" in accepted.headers["location"]
        curation = claim(base, CLAIMS[0])["reports"][0]["curation"]
        assert curation["reviewStatus"] == "reviewed" and curation["reviewedBy"] == "editor"
        assert curation["method"] == "extracted"   # how it entered stays recorded
        assert curation["reviewNote"] == "accepted as extracted. checked against the text"

        edited = decide(base, CLAIMS[1], decision="edit", claimant="zelenskyy", via="",
                        min="", max="", unit="", stated="", topic="casualties")
        assert edited.status_code == 303 and "verdict=edited" in edited.headers["location"]
        after = claim(base, CLAIMS[1])
        assert after["claimant"]["id"] == "entity/zelenskyy" and after["topic"]["id"] == "casualties"
        assert after["reports"][0]["curation"]["reviewNote"] == \
            'edited: claimant (was "Budanov"); topic (was "reinforcements")'

        rejected = decide(base, CLAIMS[2], decision="reject", note="not Budanov's words")
        assert rejected.status_code == 303 and "verdict=rejected" in rejected.headers["location"]
        assert claim(base, CLAIMS[2]) is None
        gone = httpx.get(f"{base}/claim/{CLAIMS[2]}", headers={"accept": "text/html"})
        assert gone.status_code == 410 and "rejected at review" in gone.text and "not Budanov's words" in gone.text
        assert httpx.get(f"{base}/claim/never-a-claim").status_code == 404

        assert history(base) == {CLAIMS[0]: ("Accepted", "checked against the text"),
                                 CLAIMS[1]: ("Edited", None),
                                 CLAIMS[2]: ("Rejected", "not Budanov's words")}
        assert queued(base) == []
        # Nothing awaits review: the kept submission has gone with the last proposal.
        ask = "ASK { ?article <https://w3id.org/whosaid/ontology#sourceDocument> ?document }"
        assert httpx.get(f"{base}/sparql", params={"query": ask, "format": "json"}).json()["boolean"] is False


def test_a_refused_decision_says_what_and_where_and_changes_nothing(tmp_path, seed_store):
    with desk_with_proposals(tmp_path, seed_store) as base:
        before = claim(base, CLAIMS[0])
        bad = decide(base, CLAIMS[0], decision="edit", claimant="nobody-anyone-knows", via="", min="",
                     max="", unit="", stated="", topic="reinforcements")
        assert bad.status_code == 400
        assert "nothing was changed" in bad.text and "nobody-anyone-knows" in bad.text
        assert "claimant" in bad.text
        unknown = decide(base, CLAIMS[0], decision="approve")
        assert unknown.status_code == 400 and "&#39;approve&#39; is not one of accept, edit, reject" in unknown.text
        missing = httpx.post(f"{base}/review/{ARTICLE}/no-such-claim", data={"decision": "accept"}, headers=AUTH)
        assert missing.status_code == 400 and "is not among the article&#39;s claims" in missing.text
        assert claim(base, CLAIMS[0]) == before and history(base) == {}
        assert queued(base) == CLAIMS


def test_the_desk_is_behind_the_write_token(tmp_path, seed_store):
    with desk_with_proposals(tmp_path, seed_store) as base:
        assert httpx.get(f"{base}/review").status_code == 401
        refused = httpx.post(f"{base}/review/{ARTICLE}/{CLAIMS[0]}", data={"decision": "reject"})
        assert refused.status_code == 401
        wrong = httpx.post(f"{base}/review/session", data={"token": "not-the-secret-at-all"})
        assert wrong.status_code == 401 and "not a write token" in wrong.text
        # A form posted from another site is refused even with a valid token.
        forged = httpx.post(f"{base}/review/{ARTICLE}/{CLAIMS[0]}", data={"decision": "reject"},
                            headers={**AUTH, "origin": "http://elsewhere.invalid"})
        assert forged.status_code == 403
        assert claim(base, CLAIMS[0]) is not None and queued(base) == CLAIMS
        # Signing in sets a cookie for the desk only, that scripts cannot read.
        signed = httpx.post(f"{base}/review/session", data={"token": AUTH["authorization"].split()[1]},
                            headers={"origin": base})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/review" in cookie


def test_a_read_only_server_has_no_desk(embedded_server):
    response = httpx.get(f"{embedded_server}/review")
    assert response.status_code == 403 and "Writes are disabled" in response.text


@pytest.mark.parametrize("path", ["/review/a/b", "/review?after=not-a-cursor"])
def test_odd_requests_get_clear_answers(tmp_path, seed_store, path):
    with desk_with_proposals(tmp_path, seed_store) as base:
        response = httpx.get(f"{base}{path}", headers=AUTH)
        assert response.status_code in (400, 404) and "<h1>" in response.text


REVIEW = """mutation($claim: ID!, $decision: Verdict!, $note: String, $edits: ClaimEditInput) {
  reviewClaim(article: "article/proposed-article", claim: $claim, decision: $decision, note: $note,
              edits: $edits) { decision change { kind by } claim { id claimant { id } statedOn
              value { min max unit approximate } reports { curation { reviewStatus reviewNote } } } } }"""


def test_graphql_review_claim_does_what_the_desk_does(tmp_path, seed_store):
    with desk_with_proposals(tmp_path, seed_store) as base:
        api = GraphQLClient(base)
        unsigned = api.post(REVIEW, {"claim": f"claim/{CLAIMS[0]}", "decision": "ACCEPT"}).json()
        assert unsigned["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        edits = {"value": {"min": 1000, "max": 2000, "unit": "soldiers"}, "stated": {"date": "2025-02-01"}}
        edited = api.post(REVIEW, {"claim": f"claim/{CLAIMS[0]}", "decision": "EDIT", "edits": edits},
                          **AUTH).json()["data"]["reviewClaim"]
        assert edited["decision"] == "edited" and edited["change"] == {"kind": "replaced", "by": "editor"}
        assert edited["claim"]["value"] == {"min": 1000, "max": 2000, "unit": "soldiers", "approximate": False}
        assert edited["claim"]["statedOn"] == "2025-02-01"
        assert edited["claim"]["reports"][0]["curation"] == {
            "reviewStatus": "reviewed", "reviewNote": 'edited: value (was none); stated (was none)'}
        # A refused edit names the field and changes nothing.
        refused = api.post(REVIEW, {"claim": f"claim/{CLAIMS[1]}", "decision": "EDIT",
                                    "edits": {"topic": "no-such-topic"}}, **AUTH).json()
        assert refused["errors"][0]["extensions"]["code"] == "REFUSED"
        assert "no-such-topic" in refused["errors"][0]["message"]
        assert claim(base, CLAIMS[1])["topic"]["id"] == "reinforcements"
        rejected = api.post(REVIEW, {"claim": f"claim/{CLAIMS[1]}", "decision": "REJECT", "note": "duplicate"},
                            **AUTH).json()["data"]["reviewClaim"]
        assert rejected["decision"] == "rejected" and rejected["claim"] is None
        assert history(base)[CLAIMS[1]] == ("Rejected", "duplicate")
        again = api.post(REVIEW, {"claim": f"claim/{CLAIMS[0]}", "decision": "ACCEPT"}, **AUTH).json()
        assert "is not awaiting review" in again["errors"][0]["message"]
