"""The home page and search, for people: what the graph holds, where sources disagree most, and a
search by any spelling of a name or by words; from home to a chart in three clicks and from a
mark to the highlighted words. On real servers, embedded and external."""

from __future__ import annotations

import re

import httpx

from .test_topic_chart import chart, SVG

HTML = {"accept": "text/html"}


def get(server: str, path: str, status: int = 200) -> str:
    response = httpx.get(f"{server}{path}", headers=HTML)
    assert response.status_code == status, (path, response.status_code, response.text[:300])
    return response.text


def links(html: str, prefix: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'href="({re.escape(prefix)}[^"]*)"', html)]


def test_search_finds_entities_by_any_spelling_and_claims_by_words(server):
    assert "/entity/zelenskyy" in links(get(server, "/search?q=Zelensky"), "/entity/")
    syrskii = get(server, "/search?q=Syrskii")
    assert "/entity/syrskyi" in links(syrskii, "/entity/")
    claims = links(get(server, "/search?q=completely%20destroyed"), "/claim/")
    assert claims == ["/claim/zelenskyy-ap-one-of-three-north-korean-brigades-destroyed"]


def test_the_search_looks_for_whole_words_where_a_word_index_exists(server, request):
    """The claim index (embedded) and Virtuoso's text index find words; an Oxigraph server has
    neither, and the page falls back to a substring."""
    found = links(get(server, "/search?q=destroy"), "/claim/")
    if request.node.callspec.params["server"] == "oxigraph-server":
        assert "/claim/zelenskyy-ap-one-of-three-north-korean-brigades-destroyed" in found
    else:
        assert found == []


def test_a_search_without_words_is_a_clear_400(server, embedded_server):
    assert "type a name" in get(server, "/search", 400)
    # Word search (the claim index, embedded store) needs letters or digits to look for.
    assert "holds no word" in get(embedded_server, "/search?q=%21%21", 400)


def test_from_home_to_a_chart_in_three_clicks_and_from_a_mark_to_the_words(embedded_server):
    home = get(embedded_server, "/")
    assert "/graphql" in links(home, "/graphql") and "Where the sources disagree most" in home
    charts = links(home, "/topic/")
    assert any("casualties?about=north-korean-force-kursk" in h for h in charts)
    topic = get(embedded_server, next(h for h in charts if "casualties" in h).split("#")[0])
    marks = [a.get("href") for a in chart(topic).iter(f"{SVG}a")]
    assert len(marks) >= 5
    claim = get(embedded_server, marks[0])
    article = links(claim, "/article/")[0].split("#")[0]
    assert "<mark" in get(embedded_server, article)   # the evidence, highlighted in the text


def test_the_home_page_counts_what_the_graph_holds(embedded_server, compiled):
    corpus, _ = compiled
    home = get(embedded_server, "/")
    assert f"<dt>Claims</dt><dd>{len(corpus.claims)}</dd>" in home
    assert f"<dt>Articles</dt><dd>{len(corpus.articles)}</dd>" in home


def test_the_home_page_gives_the_dates_stated_and_the_latest_articles(embedded_server):
    from .conftest import GraphQLClient
    api = GraphQLClient(embedded_server)
    stated = sorted(c["statedOn"] for c in api.data("{ claims(first: 100) { nodes { statedOn } } }")
                    ["claims"]["nodes"] if c["statedOn"])
    articles = api.data("{ articles(first: 100) { nodes { id published } } }")["articles"]["nodes"]
    dated = sorted(((a["published"], a["id"]) for a in articles if a["published"]), reverse=True)
    home = get(embedded_server, "/")
    first, last = re.search(r"<dt>Stated between</dt><dd><time>([^<]+)</time> and <time>([^<]+)</time>",
                            home).groups()
    assert first == min(stated)[:len(first)] and last.startswith(max(s[:7] for s in stated))
    latest = home[home.index('id="articles"'):]
    listed = re.findall(r'<li><time>([^<]+)</time> <a href="/(article/[^"]+)"', latest)
    assert listed == dated and len(listed) >= 2
