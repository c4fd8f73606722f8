"""The topic page draws where sources disagree: each claim's figure against the date it was
stated, one series per claimant (a colour and a shape), open bounds drawn open, every mark a
link to its claim. Checked on a real server, against what GraphQL says the claims are."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx

from .conftest import GraphQLClient, running_server

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


# ---------------------------------------------------------------------------------------------
# Filters, sorting and the summary of a topic page; the charts of an entity page
# ---------------------------------------------------------------------------------------------

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

# A topic page's parameter -> the GraphQL claims(...) argument that filters alike.
GRAPHQL_ARGUMENT = {"about": "about", "claimant": "claimant", "outlet": "reportedBy",
                    "from": "statedFrom", "to": "statedTo", "curation": "curation"}
CLAIMS = """query($topic: String, $about: String, $claimant: String, $reportedBy: String,
                  $statedFrom: Date, $statedTo: Date, $curation: CurationMethod, $first: Int) {
  claims(topic: $topic, about: $about, claimant: $claimant, reportedBy: $reportedBy,
         statedFrom: $statedFrom, statedTo: $statedTo, curation: $curation, first: $first) {
    totalCount
    nodes { id statement statedOn claimant { id label } value { min max unit } REPORTS } } }"""
REPORTS = "reports { via { label } article { outlet { label } } }"


def graphql_claims(server: str, topic: str | None = None, reports: bool = False, **params: str) -> dict:
    """claims(...) with the GraphQL arguments of a topic page's parameters, all of them (the
    seed graph's lists are shorter than a page); `reports`: with each claim's chain and outlet,
    a costlier query asked for a shorter page."""
    variables = {GRAPHQL_ARGUMENT[k]: (v.upper() if k == "curation" else v) for k, v in params.items()}
    first = 60 if reports else 100
    found = GraphQLClient(server).data(CLAIMS.replace("REPORTS", REPORTS if reports else ""),
                                       {"topic": topic, "first": first, **variables})["claims"]
    assert found["totalCount"] <= first, "a longer list than these tests read at once"
    return found


def drawn(claims: list[dict]) -> set[str]:
    """The hrefs of the claims a chart draws: dated figures in the most common unit."""
    valued = [c for c in claims if c["value"] and c["statedOn"]]
    if not valued:
        return set()
    unit = Counter((c["value"]["unit"] or "").casefold() for c in valued).most_common(1)[0][0]
    return {f"/{c['id']}" for c in valued if (c["value"]["unit"] or "").casefold() == unit}


def marks(html: str, after: str = "") -> dict[str, ET.Element]:
    """The marks (href -> <a>) of the first chart after `after`; none when there is none."""
    found = re.search(re.escape(after) + r".*?(<svg viewBox.*?</svg>)", html, re.S)
    return {a.get("href"): a for a in ET.fromstring(found.group(1)).iter(f"{SVG}a")} if found else {}


def table_rows(html: str) -> list[str]:
    """The claims listed in the table under the chart, in their order (hrefs)."""
    table = html[html.index('id="claims"'):]
    if "<tbody>" not in table:   # an empty list has no table
        return []
    table = table[table.index("<tbody>"):table.index("</tbody>")]
    return re.findall(r'<td><a href="(/claim/[^"]+)"', table)


def listed_total(html: str) -> int:
    return int(re.search(r'<h2 id="claims">.*?\((\d+)\)</h2>', html, re.S).group(1))


FILTERED_VIEWS = [
    {"claimant": "zelenskyy"},
    {"outlet": "isw"},
    {"from": "2025-01-11", "to": "2025-01-31"},
    {"from": "2025-02"},
    {"to": "2025-01"},
    {"about": "north-korean-force-kursk", "claimant": "nis"},
    {"curation": "hand", "claimant": "syrskyi"},
]


def test_each_filter_narrows_the_chart_and_the_table_as_graphql_does(embedded_server):
    everything = {f"/{c['id']}" for c in graphql_claims(embedded_server, "casualties")["nodes"]}
    for params in FILTERED_VIEWS:
        html = page(embedded_server, f"/topic/casualties?{urlencode(params)}")
        expected = graphql_claims(embedded_server, "casualties", **params)
        ids = [f"/{c['id']}" for c in expected["nodes"]]
        assert ids and set(ids) < everything, params        # the filter narrows: a real test
        assert table_rows(html) == ids, params               # the same claims, in the same order
        assert listed_total(html) == expected["totalCount"], params
        assert set(marks(html)) == drawn(expected["nodes"]), params


def test_a_curation_no_claim_has_lists_nothing_as_graphql_says(embedded_server):
    expected = graphql_claims(embedded_server, "casualties", curation="extracted")
    html = page(embedded_server, "/topic/casualties?curation=extracted")
    assert listed_total(html) == expected["totalCount"]
    assert {f"/{c['id']}" for c in expected["nodes"]} == set(re.findall(
        r'href="(/claim/[^"]+)"', html[html.index('id="claims"'):]))
    assert bool(marks(html)) == bool(drawn(expected["nodes"]))


class Form(HTMLParser):
    """The fields of a page's filter form: name -> value as the browser would submit it, and
    the ids that have a <label for>."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.ids: dict[str, str] = {}      # field name -> id
        self.labelled: set[str] = set()
        self._select: str | None = None
        self._in_form = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "filters" in (a.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input":
            self.fields[a["name"]] = a.get("value") or ""
            self.ids[a["name"]] = a.get("id")
        elif tag == "select":
            self._select = a["name"]
            self.fields.setdefault(a["name"], "")
            self.ids[a["name"]] = a.get("id")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "label":
            self.labelled.add(a.get("for"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def test_the_form_is_filled_in_from_the_url_and_submitting_it_gives_the_same_view(embedded_server):
    params = {"about": "north-korean-force-kursk", "claimant": "zelenskyy", "outlet": "outlet-of-article-004",
              "from": "2025-01", "to": "2025-02-15", "curation": "hand", "sort": "figure", "order": "desc"}
    html = page(embedded_server, f"/topic/casualties?{urlencode(params)}")
    form = Form(html)
    assert {k: v for k, v in form.fields.items() if v} == params
    visible = [name for name in form.ids if form.ids[name]]
    assert set(visible) == set(GRAPHQL_ARGUMENT)                  # every filter has a field...
    assert all(form.ids[name] in form.labelled for name in visible)  # ...with its label
    # What a browser sends (empty fields included) is the same view again.
    again = page(embedded_server, f"/topic/casualties?{urlencode(form.fields)}")
    assert table_rows(html) and table_rows(again) == table_rows(html) and set(marks(again)) == set(marks(html))
    # The column headers keep the filters in their links.
    headers = re.findall(r'<th[^>]*><a href="([^"]+)"', html)
    assert len(headers) == 3
    for href in headers:
        query = href.replace("&amp;", "&")
        assert all(f"{k}={v}" in query for k, v in params.items() if k not in ("sort", "order"))


def figure_of(value: dict) -> float:
    return value["min"] if value["min"] is not None else value["max"]


def test_sorting_by_figure_orders_the_rows_both_ways(embedded_server):
    claims = graphql_claims(embedded_server, "casualties")["nodes"]
    by_href = {f"/{c['id']}": c for c in claims}
    default = table_rows(page(embedded_server, "/topic/casualties"))
    assert default == [f"/{c['id']}" for c in claims]            # by date stated, as GraphQL lists them
    for order, direction in (("", 1), ("&order=desc", -1)):
        rows = table_rows(page(embedded_server, f"/topic/casualties?sort=figure{order}"))
        assert sorted(rows) == sorted(default)                    # the same claims, reordered
        valued = [h for h in rows if by_href[h]["value"] and figure_of(by_href[h]["value"]) is not None]
        assert rows[:len(valued)] == valued                       # claims without a figure last
        assert len({by_href[h]["value"]["unit"] for h in valued}) == 1  # one unit here: one order
        figures = [direction * figure_of(by_href[h]["value"]) for h in valued]
        assert figures == sorted(figures) and len(set(figures)) > 3, order
        assert rows != default


def test_sorting_by_claimant_orders_the_rows_by_name(embedded_server):
    claims = {f"/{c['id']}": c for c in graphql_claims(embedded_server, "casualties")["nodes"]}
    html = page(embedded_server, "/topic/casualties?sort=claimant&order=desc")
    names = [claims[h]["claimant"]["label"].casefold() for h in table_rows(html)]
    assert names == sorted(names, reverse=True) and len(set(names)) > 2
    assert 'aria-sort="descending"' in html


@pytest.mark.parametrize("query, parameter", [
    ("claimant=nobody-at-all", "claimant"),
    ("outlet=nobody-at-all", "outlet"),
    ("from=2025-13", "from"),
    ("to=yesterday", "to"),
    ("from=2025-02&to=2025-01", "to"),
    ("curation=by-robot", "curation"),
    ("sort=colour", "sort"),
    ("sort=figure&order=sideways", "order"),
])
def test_a_bad_value_is_a_400_page_naming_the_parameter(embedded_server, query, parameter):
    response = httpx.get(f"{embedded_server}/topic/casualties?{query}", headers={"accept": "text/html"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    alert = re.search(r'<div class="problem" id="problem" role="alert">(.*?)</div>', response.text, re.S)
    assert alert and re.search(rf"\b{parameter}\b", alert.group(1)), response.text[:500]
    bad = query.rsplit("=", 1)[1]
    assert bad in alert.group(1)                              # the value given, shown back
    if parameter in GRAPHQL_ARGUMENT:                         # and its field marked
        assert re.search(rf'<(input|select) id="f-{parameter}"[^>]*aria-invalid="true"', response.text)


def test_no_value_of_a_filter_is_a_server_error(embedded_server):
    for name in ("about", "claimant", "outlet", "from", "to", "curation", "sort", "order"):
        for value in ("<script>alert(1)</script>", "x" * 5000, "\u0000", "Zelensky", "%", "2025-02-30"):
            response = httpx.get(f"{embedded_server}/topic/casualties",
                                 params={name: value}, headers={"accept": "text/html"})
            assert response.status_code in (200, 400), (name, value, response.text[:300])
            assert "<script>alert(1)" not in response.text


def tooltip(c: dict) -> str:
    """A mark's tooltip as the claim's GraphQL fields spell it: statement (claimant via X via Y,
    in OUTLET; stated DATE), from its first report."""
    first = c["reports"][0] if c["reports"] else {"via": [], "article": {"outlet": None}}
    via = "".join(f" via {v['label']}" for v in first["via"])
    outlet = first["article"]["outlet"]
    return (f"{c['statement']} ({c['claimant']['label']}{via}"
            f"{', in ' + outlet['label'] if outlet else ''}; stated {c['statedOn']})")


def test_each_mark_is_titled_with_statement_chain_outlet_and_date(embedded_server):
    claims = graphql_claims(embedded_server, "casualties", reports=True)["nodes"]
    shown = marks(page(embedded_server, "/topic/casualties"))
    assert shown and any(" via " in a.find(f"{SVG}title").text for a in shown.values())
    for c in claims:
        if f"/{c['id']}" in shown:
            assert shown[f"/{c['id']}"].find(f"{SVG}title").text == tooltip(c)


@pytest.mark.parametrize("entity, role, section", [
    ("nis", "claimant", "made-figures"), ("zelenskyy", "claimant", "made-figures"),
    ("north-korean-force-kursk", "about", "about-figures")])
def test_an_entity_page_draws_its_figures_and_links_the_topic_views(embedded_server, entity, role, section):
    claims = graphql_claims(embedded_server, reports=True, **{role: f"entity/{entity}"})["nodes"]
    html = page(embedded_server, f"/entity/{entity}")
    chart_marks = marks(html, f'<h3 id="{section}">')
    assert chart_marks and set(chart_marks) == drawn(claims)
    by_href = {f"/{c['id']}": c for c in claims}
    assert all(a.find(f"{SVG}title").text == tooltip(by_href[h]) for h, a in chart_marks.items())
    # Each drawn claim is on one of the topic pages the chart links to, narrowed to this entity.
    figure = html[html.index(f'id="{section}-figure"'):]
    figure = figure[:figure.index("</figure>")]
    views = re.findall(r'<a href="(/topic/[^"#]+)#chart"', figure)
    assert views and all(f"{role}={entity}" in v for v in views)
    on_topic_pages = set()
    for view in views:
        on_topic_pages |= set(table_rows(page(embedded_server, view.replace("&amp;", "&"))))
    assert set(chart_marks) <= on_topic_pages


def test_an_entity_page_without_figures_draws_no_chart(embedded_server):
    html = page(embedded_server, "/entity/kyiv-independent")
    made = graphql_claims(embedded_server, claimant="entity/kyiv-independent")["nodes"]
    about = graphql_claims(embedded_server, about="entity/kyiv-independent")["nodes"]
    assert not drawn(made) and not drawn(about)
    assert "<svg viewBox" not in html


PAGE = 100   # claims a topic page lists (api.linked_data.TOPIC_PAGE)
TOTAL = """query($t: String, $c: String) { claims(topic: $t, claimant: $c, first: 1) { totalCount } }"""


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory) -> Path:
    """A graph with more claims on a topic than a page holds, which the seed graph does not:
    the benchmark's generator (100 articles, ~1,500 claims), built by the real build, once."""
    from bench.corpus_gen import generate
    from graph.build import build
    from graph.config import Settings

    folder = tmp_path_factory.mktemp("generated")
    generate(folder / "corpus", 100, seed=1)
    build(Settings.from_env(store=str(folder / "store"), corpus=folder / "corpus"))
    return folder / "store"


@pytest.fixture(scope="module")
def generated_server(generated_store):
    with running_server(generated_store) as base:
        yield base


def test_a_topic_with_more_claims_than_a_page_says_how_many_in_all_and_by_whom(generated_server):
    gql = GraphQLClient(generated_server)

    def total(topic: str, claimant: str | None = None) -> int:
        return gql.data(TOTAL, {"t": topic, "c": claimant})["claims"]["totalCount"]

    counts = {t["id"]: total(t["id"]) for t in gql.data("{ topics { id } }")["topics"]}
    topic = max(counts, key=counts.get)                 # the generated graph's fullest topic
    assert counts[topic] > PAGE, counts
    everything = counts[topic]
    html = page(generated_server, f"/topic/{topic}")
    assert len(table_rows(html)) == PAGE and listed_total(html) == everything
    summary = re.search(r'<p class="summary">(.*?)</p>', html, re.S).group(1)
    assert f"{everything:,} claims" in summary and f"first {PAGE}" in summary
    counted = re.findall(rf'<a href="/topic/{re.escape(topic)}\?claimant=([^"#]+)#chart">[^<]+</a> ([\d,]+)',
                         summary)
    assert counted
    for claimant, n in counted:                         # each source's count is of all the claims
        assert int(n.replace(",", "")) == total(topic, claimant), claimant
    others = re.search(r"other sources ([\d,]+)", summary)
    assert int(others.group(1).replace(",", "") if others else 0) == \
        everything - sum(int(n.replace(",", "")) for _, n in counted)
    assert f"Showing {PAGE} of {everything}" in html and "narrow with the filters" in html
    # A view that fits on a page has no summary: a source with no more than a page of claims.
    listed = gql.data("""query($t: String) { claims(topic: $t, first: 100) {
        nodes { claimant { id } } } }""", {"t": topic})["claims"]["nodes"]
    sources = dict.fromkeys([c for c, _ in counted] +
                            [n["claimant"]["id"].rsplit("/", 1)[-1] for n in listed])
    small = next(c for c in sources if 0 < total(topic, c) <= PAGE)
    narrowed = page(generated_server, f"/topic/{topic}?claimant={small}")
    assert listed_total(narrowed) == len(table_rows(narrowed)) == total(topic, small)
    assert '<p class="summary">' not in narrowed and "Showing" not in narrowed
