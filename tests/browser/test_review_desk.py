"""The review desk in a real browser: a reviewer signs in, accepts a proposed claim from the
keyboard, edits one through the form and rejects one with its button; the graph (read through
GraphQL) reflects each decision, and the desk passes axe-core's check."""

from __future__ import annotations

import re

from ..test_ingest import AUTH, seed_store  # noqa: F401
from ..test_review_desk import ARTICLE, CLAIMS, claim, desk_with_proposals, queued
from .conftest import serious_violations

SECRET = AUTH["authorization"].split()[1]


def test_a_reviewer_accepts_edits_and_rejects_in_the_browser(tmp_path, seed_store, page, axe_source):
    with desk_with_proposals(tmp_path, seed_store) as base:
        page.goto(f"{base}/review")
        page.get_by_label("Write token").fill(SECRET)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/review")
        assert page.locator("article.proposal").count() == 3
        assert serious_violations(page, axe_source) == []
        # Each proposal shows its evidence highlighted in the article's words.
        evidence = page.locator("article.proposal mark").first.inner_text()
        assert "Kyrylo Budanov, said he expects Pyongyang" in evidence

        # Keyboard: j moves to the first proposal, a accepts it.
        page.keyboard.press("j")
        assert page.evaluate("document.activeElement.id") == "proposal-1"
        page.keyboard.press("a")
        page.wait_for_url(re.compile(r"verdict=accepted"))
        assert page.get_by_role("status").inner_text().startswith(f"Claim {CLAIMS[0]} accepted")
        assert claim(base, CLAIMS[0])["reports"][0]["curation"]["reviewStatus"] == "reviewed"

        # Edit: the form shows the current values; change the claimant and the topic.
        page.locator(f'article.proposal a[href="/review/{ARTICLE}/{CLAIMS[1]}"]').click()
        page.wait_for_url(f"**/review/{ARTICLE}/{CLAIMS[1]}")
        assert page.get_by_label("Claimant").input_value() == "budanov"
        assert serious_violations(page, axe_source) == []
        page.get_by_label("Claimant").fill("Zelensky")
        page.get_by_label("Topic").select_option("casualties")
        page.get_by_role("button", name="Save and mark reviewed").click()
        page.wait_for_url(re.compile(r"verdict=edited"))
        edited = claim(base, CLAIMS[1])
        assert edited["claimant"]["id"] == "entity/zelenskyy" and edited["topic"]["id"] == "casualties"

        # Reject: the claim leaves the graph.
        page.locator("article.proposal").filter(has=page.locator(f'a[href="/claim/{CLAIMS[2]}"]')) \
            .get_by_role("button", name="Reject").click()
        page.wait_for_url(re.compile(r"verdict=rejected"))
        assert claim(base, CLAIMS[2]) is None
        assert page.locator("article.proposal").count() == 0 and queued(base) == []
