"""The topic page draws where sources disagree: each claim's figure against the date it was
stated, one series per claimant (a colour and a shape), open bounds drawn open, every mark a
link to its claim. Checked on a real server, against what GraphQL says the claims are."""

from __future__ import annotations

import re
from collections import Counter
from xml.etree import ElementTree as ET

import httpx

from .conftest import GraphQLClient

SVG = "{http://www.w3.org/2000/svg}"


def page(server: str, path: str) -> str:
    response = httpx.get(f"{server}{path}", headers={"accept": "text/html"})
    assert response.status_code == 200, response.text[:300]
    return response.text


def chart(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg viewBox.*?</svg>", html, re.S).group(0))


def test_the_casualties_chart_of_the_north_korean_force(embedded_server):
    html = page(embedded_server, "/topic/casualties?about=north-korean-force-kursk")
    claims = GraphQLClient(embedded_server).data("""{ claims(topic: "casualties",
        about: "north-korean-force-kursk", first: 100) { nodes { id statedOn claimant { id }
        value { min max unit exclusiveMin } } } }""")["claims"]["nodes"]
    valued = [c for c in claims if c["value"] and c["statedOn"]]
    unit = Counter((c["value"]["unit"] or "").casefold() for c in valued).most_common(1)[0][0]
    drawn = {f"/{c['id']}": c for c in valued if (c["value"]["unit"] or "").casefold() == unit}
    marks = {a.get("href"): a for a in chart(html).iter(f"{SVG}a")}
    assert set(marks) == set(drawn) and len(marks) >= 5   # one mark per dated figure
    colour = {href: a.find(f"{SVG}g").get("stroke") for href, a in marks.items()}
    by_claimant = {}
    for href, c in drawn.items():
        by_claimant.setdefault(c["claimant"]["id"], set()).add(colour[href])
    assert all(len(colours) == 1 for colours in by_claimant.values())   # one colour per source
    assert by_claimant["entity/nis"] != by_claimant["entity/zelenskyy"]
    for href, c in drawn.items():
        open_bound = (c["value"]["min"] is None) != (c["value"]["max"] is None)
        arrows = [e for e in marks[href].iter() if e.get("marker-end")]
        assert bool(arrows) == open_bound, href
        assert marks[href].find(f"{SVG}title").text  # the statement, as its tooltip
    # The table is the chart's text alternative: every drawn claim is listed under it.
    table = html[html.index('id="claims"'):]
    assert all(f'href="{href}"' in table for href in drawn)


def test_a_topic_without_figures_draws_no_chart_and_an_unknown_subject_nothing(embedded_server):
    assert "<svg viewBox" not in page(embedded_server, "/topic/combat-presence")
    html = page(embedded_server, "/topic/casualties?about=nobody-at-all")
    assert "<svg viewBox" not in html and "(0)" in html


def test_every_topic_page_draws_with_and_without_a_subject(embedded_server):
    topics = GraphQLClient(embedded_server).data("{ topics { id } }")["topics"]
    for t in topics:
        for query in ("", "?about=north-korean-force-kursk", "?about=russian-armed-forces"):
            page(embedded_server, f"/topic/{t['id']}{query}")   # 200 with a page, never a 500


def test_the_topic_page_links_each_subject_to_its_chart(embedded_server):
    html = page(embedded_server, "/topic/casualties")
    assert 'href="/topic/casualties?about=north-korean-force-kursk"' in html
    assert "<svg viewBox" in page(embedded_server, "/topic/casualties?about=north-korean-force-kursk")


def test_a_claim_page_marks_which_other_figures_agree_and_which_disagree(embedded_server):
    gql = GraphQLClient(embedded_server)
    mine = gql.data('{ claim(id: "claim/zelenskyy-3800-north-koreans-killed-or-wounded") { topic { id } '
                    'subject { id } value { min max unit } } }')["claim"]
    others = gql.data("""query($t: String, $s: String) { claims(topic: $t, about: $s, first: 100) {
        nodes { id topic { id } subject { id } value { min max unit } } } }""",
                      {"t": mine["topic"]["id"], "s": mine["subject"]["id"]})["claims"]["nodes"]
    same = {o["id"]: o for o in others if o["value"] and o["topic"] == mine["topic"]
            and o["subject"] == mine["subject"] and o["value"]["unit"] == mine["value"]["unit"]
            and o["id"] != "claim/zelenskyy-3800-north-koreans-killed-or-wounded"}
    html = page(embedded_server, "/claim/zelenskyy-3800-north-koreans-killed-or-wounded")
    section = html[html.index('id="compared"'):html.index("<h2>Reports")]
    rows = re.findall(r"<tr><td>(agrees[^<]*|disagrees)</td>.*?href=\"/(claim/[^\"]+)\"", section, re.S)
    assert same and {claim for _, claim in rows} == set(same)
    assert {verdict.startswith("agrees") for verdict, _ in rows} == {True, False}
    low = high = 3800
    for verdict, claim in rows:
        v = same[claim]["value"]
        overlaps = (v["min"] if v["min"] is not None else 0) <= high and \
            low <= (v["max"] if v["max"] is not None else float("inf"))
        assert verdict.startswith("agrees") == overlaps, claim
