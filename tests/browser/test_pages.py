"""The pages for people, in a real browser (Debian's chromium, driven by Playwright): what an
analyst does, click by click, checked against what the GraphQL API says the graph holds; and
axe-core's accessibility check on every kind of page."""

from __future__ import annotations

import re

import pytest

from ..conftest import GraphQLClient
from .conftest import serious_violations


def test_the_home_search_finds_people_by_any_spelling(embedded_server, page):
    api = GraphQLClient(embedded_server)
    for typed, entity in (("Zelensky", "entity/zelenskyy"), ("Syrskii", "entity/syrskyi")):
        label = api.data('query($ref: String!) { entity(ref: $ref) { label } }', {"ref": entity})["entity"]["label"]
        page.goto(f"{embedded_server}/")
        page.get_by_label("Search people, organisations, places and claims").fill(typed)
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/search\?q="))
        found = page.locator("#entities + ul a")
        assert f"/{entity}" in found.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        page.locator(f'#entities + ul a[href="/{entity}"]').click()
        page.wait_for_url(f"**/{entity}")
        assert page.locator("h1").inner_text() == label


def casualty_claims(server: str) -> list[dict]:
    return GraphQLClient(server).data("""{ claims(topic: "casualties", about: "north-korean-force-kursk",
        first: 100) { nodes { id statement statedOn claimant { id label } value { min max } } } }""")["claims"]["nodes"]


def test_from_home_to_the_casualty_chart_in_three_clicks_and_from_a_mark_to_the_words(embedded_server, page):
    claims = casualty_claims(embedded_server)
    page.goto(f"{embedded_server}/")
    # 1: the widest disagreement on the home page is the casualty estimates of the force.
    page.locator("#disagreements + ul a", has_text="North Korean").first.click()
    page.wait_for_url(re.compile(r"/topic/casualties\?about=north-korean-force-kursk"))
    marks = page.locator("figure.chart svg a.mark")
    dated = [c for c in claims if c["statedOn"] and c["value"] and (c["value"]["min"] or c["value"]["max"])]
    drawn = marks.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert set(drawn) <= {f"/{c['id']}" for c in dated} and len(drawn) >= 5
    # One colour per source: NIS and Zelenskyy differ.
    colour = {}
    for href, stroke in marks.evaluate_all(
            "as => as.map(a => [a.getAttribute('href'), a.querySelector('g').getAttribute('stroke')])"):
        colour[next(c["claimant"]["id"] for c in claims if f"/{c['id']}" == href)] = stroke
    assert colour["entity/nis"] != colour["entity/zelenskyy"]
    # 2: a mark opens its claim ...
    nis = next(c for c in dated if c["claimant"]["id"] == "entity/nis" and f"/{c['id']}" in drawn)
    page.locator(f'figure.chart a.mark[href="/{nis["id"]}"]').click()
    page.wait_for_url(f"**/{nis['id']}")
    assert page.locator("h1").inner_text().strip() == nis["statement"]
    # 3: ... whose evidence is shown highlighted in the article's own words.
    evidence = GraphQLClient(embedded_server).data('query($id: ID!) { claim(id: $id) { reports { '
                                                   'evidence } } }', {"id": nis["id"]})
    words = evidence["claim"]["reports"][0]["evidence"]
    assert words in " ".join(page.locator("mark").all_inner_texts()).replace("\n", " ")


def test_the_article_page_highlights_each_evidence_span_at_its_offsets(embedded_server, page):
    article = "000_b0a77a175dda8187"
    claims = GraphQLClient(embedded_server).data("""query($id: ID!) { article(id: $id) { claims(first: 100) {
        nodes { id claimant { id } reports { article { id } start end evidence } } } } }""",
        {"id": f"article/{article}"})["article"]["claims"]["nodes"]
    page.goto(f"{embedded_server}/article/{article}")
    marks = page.locator(".text mark").evaluate_all("""ms => ms.map(m => ({start: +m.dataset.start,
        end: +m.dataset.end, claims: m.dataset.claims.split(' '), claimant: m.dataset.claimant,
        text: m.textContent, colour: getComputedStyle(m).backgroundColor + ' ' +
        getComputedStyle(m).borderBottomStyle}))""")
    assert marks
    colours = {}
    for c in claims:
        report = next(r for r in c["reports"] if r["article"]["id"] == f"article/{article}")
        covering = sorted((m for m in marks if c["id"] in m["claims"]), key=lambda m: m["start"])
        # The marks of a claim cover exactly its evidence, and read the evidence's words.
        assert covering[0]["start"] == report["start"] and covering[-1]["end"] == report["end"], c["id"]
        assert "".join(m["text"] for m in covering) == report["evidence"], c["id"]
        for m in covering:
            if m["claims"][0] == c["id"]:
                assert m["claimant"] == c["claimant"]["id"]
                colours.setdefault(c["claimant"]["id"], set()).add(m["colour"])
    # One look per claimant as the browser paints it (a colour, and an underline style as the
    # second cue: past the palette's colours the pair still tells claimants apart).
    assert all(len(v) == 1 for v in colours.values()) and len(colours) >= 2
    assert len({next(iter(v)) for v in colours.values()}) == len(colours)


PAGES = ["/", "/search?q=Zelensky", "/topic/casualties?about=north-korean-force-kursk", "/topic/casualties",
         "/topic/casualties?claimant=zelenskyy&from=2025-01&sort=figure", "/entity/nis", "/entity/zelenskyy",
         "/entity/north-korean-force-kursk", "/article/000_b0a77a175dda8187", "/article/004_2e2d0736f006da75",
         "/claim/nyt-north-koreans-withdrawn-after-heavy-casualties", "/ontology"]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(embedded_server, page, axe_source, path):
    page.goto(f"{embedded_server}{path}")
    assert serious_violations(page, axe_source) == []
