"""The GraphQL API against a real `whosaid serve` process, with a real HTTP client."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from graphql import build_client_schema, build_schema, get_introspection_query

from .conftest import GraphQLClient, running_server, settings_for, share_alias

CONTRACT = Path(__file__).with_name("contract.graphql")

CLAIM_FIELDS = """id statement quote statedOn claimant { id label } via { id }
    topic { id } value { min max approximate unit basis }
    reports { article { id } evidence start end }"""


def claims(gql, **args) -> dict:
    params = ", ".join(f"${k}: {t}" for k, (t, _) in args.items())
    call = ", ".join(f"{k}: ${k}" for k in args)
    query = f"query({params}) {{ claims({call}) {{ totalCount nodes {{ {CLAIM_FIELDS} }} " \
            f"pageInfo {{ hasNextPage endCursor }} }} }}" if args else \
            f"{{ claims {{ totalCount nodes {{ {CLAIM_FIELDS} }} }} }}"
    return gql.data(query, {k: v for k, (_, v) in args.items()})["claims"]


# ---------------------------------------------------------------------------------------------
# The contract
# ---------------------------------------------------------------------------------------------

def test_the_served_schema_keeps_the_contract(gql):
    served = build_client_schema(gql.data(get_introspection_query()))
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    for name, ctype in contract.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        assert name in served.type_map, f"type {name} is missing"
        stype = served.type_map[name]
        for fname, cfield in getattr(ctype, "fields", {}).items():
            assert fname in stype.fields, f"{name}.{fname} is missing"
            sfield = stype.fields[fname]
            assert str(sfield.type) == str(cfield.type), f"{name}.{fname}: {sfield.type} != {cfield.type}"
            for aname, carg in getattr(cfield, "args", {}).items():
                assert aname in sfield.args, f"{name}.{fname}({aname}) is missing"
                sarg = sfield.args[aname]
                assert str(sarg.type) == str(carg.type), f"{name}.{fname}({aname}) type"
                assert sarg.default_value == carg.default_value, f"{name}.{fname}({aname}) default"
        for iface in getattr(ctype, "interfaces", []):
            assert iface.name in [i.name for i in stype.interfaces], f"{name} must implement {iface.name}"


def test_every_type_and_field_is_described(gql):
    served = build_client_schema(gql.data(get_introspection_query()))
    for name, t in served.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if name.endswith("Edge"):
            continue  # Relay boilerplate: cursor and node
        assert t.description, f"type {name} has no description"
        for fname, f in getattr(t, "fields", {}).items():
            if name.endswith("Connection") or name == "PageInfo":
                continue
            assert f.description, f"{name}.{fname} has no description"


# ---------------------------------------------------------------------------------------------
# Who said what: the questions of the issue, answers checked against the articles
# ---------------------------------------------------------------------------------------------

def test_what_did_nis_say_about_north_korean_casualties(gql):
    found = claims(gql, claimant=("String", "NIS"), topic=("String", "casualties"),
                   about=("String", "North Korean troops"))
    figures = {(c["value"]["min"], c["value"]["max"], c["topic"]["id"]) for c in found["nodes"] if c["value"]}
    # 000: "The NIS estimated the toll at around 3,000."; 004: "300 ... killed in action and
    # 2,700 ... wounded in action" (relayed by ISW).
    assert (3000, 3000, "casualties") in figures
    assert (300, 300, "killed") in figures
    assert (2700, 2700, "wounded") in figures
    assert all(c["claimant"]["id"] == "entity/nis" for c in found["nodes"])
    relayed = [c for c in found["nodes"] if c["value"] and c["value"]["min"] == 300]
    assert [v["id"] for v in relayed[0]["via"]] == ["entity/isw"]
    assert relayed[0]["statedOn"] == "2025-01-13"


def test_words_and_phrases(gql, request):
    """words: whole words and quoted phrases, case ignored; a substring of a word is not a word.
    The embedded store's claim index answers, and Virtuoso's text index; an Oxigraph server has
    neither and says so."""
    query = "query($w: String) { claims(words: $w, first: 100) { totalCount nodes { id } } }"
    if request.node.callspec.params["server"] == "oxigraph-server":
        body = gql.post(query, {"w": "destroyed"}).json()
        assert "word search needs the claim index" in body["errors"][0]["message"]
        return
    def ids(words):
        found = gql.data(query, {"w": words})["claims"]
        assert found["totalCount"] == len(found["nodes"])
        return {c["id"] for c in found["nodes"]}
    phrase = ids('"COMPLETELY destroyed"')
    assert len(phrase) == 1 and phrase <= ids("destroyed completely") <= ids("destroyed")
    assert ids('"destroyed completely"') == set()
    assert ids("destroy") == set() and ids("destroyed")  # words, not substrings
    assert ids("zelenskyy") == ids("ZELENSKYY") != set()


def test_who_said_one_brigade_was_completely_destroyed(gql):
    found = claims(gql, text=("String", "COMPLETELY destroyed"))
    assert found["totalCount"] == 1
    claim = found["nodes"][0]
    assert claim["claimant"]["id"] == "entity/zelenskyy"
    assert [v["id"] for v in claim["via"]] == ["entity/associated-press"]
    assert claim["quote"] == "one was completely destroyed"
    report = claim["reports"][0]
    text = gql.data("query($id: ID!) { article(id: $id) { text } }",
                    {"id": report["article"]["id"]})["article"]["text"]
    assert text[report["start"]:report["end"]] == report["evidence"]


def test_everything_the_kyiv_independent_reported(gql, compiled):
    corpus, _ = compiled
    found = claims(gql, reportedBy=("String", "Kyiv Independent"), first=("Int", 100))
    in_002 = {c.id for c in corpus.articles["002_394fee5181a7713e"].claims}
    assert {c["id"].split("/", 1)[1] for c in found["nodes"]} == in_002


def test_reported_by_includes_claims_relayed_by_an_intermediary(gql):
    found = claims(gql, reportedBy=("String", "ISW"), first=("Int", 100))
    claimants = {c["claimant"]["id"] for c in found["nodes"]}
    assert "entity/nis" in claimants  # NIS figures as reported by ISW (article 004)
    assert "entity/isw" not in claimants  # ISW's own claims are made, not relayed, by ISW
    # ... unless an outlet-of-ISW article existed; ISW publishes none in this corpus.


def test_where_do_the_sources_disagree(gql):
    groups = gql.data("""{ disagreements(topic: "casualties") { topic { id } about { id } low high
        claims { claimant { id } value { min max } } } }""")["disagreements"]
    nk = [g for g in groups if [a["id"] for a in g["about"]] == ["entity/north-korean-force-kursk"]
          and g["topic"]["id"] == "casualties"]
    assert len(nk) == 1, groups
    group = nk[0]
    assert {"entity/nis", "entity/zelenskyy", "entity/syrskyi"} <= {c["claimant"]["id"] for c in group["claims"]}
    assert group["low"] == 3000 and group["high"] == 6000  # NIS ~3,000 .. Syrskyi ~half of 11-12,000


def test_disagreements_filtered_by_entity_reference(gql):
    by_alias = gql.data('{ disagreements(about: "North Korean contingent") { claims { id } } }')
    by_id = gql.data('{ disagreements(about: "entity/north-korean-force-kursk") { claims { id } } }')
    assert by_alias == by_id and by_alias["disagreements"]
    assert gql.data('{ disagreements(about: "nobody at all") { low } }')["disagreements"] == []


def test_disagreements_page_by_group_and_by_claim(gql):
    every = gql.data("{ disagreements(first: 50) { cursor claimCount claims(first: 50) { id } } }")["disagreements"]
    assert len(every) >= 2
    for g in every:
        assert g["claimCount"] == len(g["claims"]) >= 2
        ids = [c["id"] for c in g["claims"]]
        assert ids == sorted(ids)
    first = gql.data("{ disagreements(first: 1) { cursor claims(first: 1) { id } } }")["disagreements"]
    assert [g["cursor"] for g in first] == [every[0]["cursor"]]
    assert first[0]["claims"] == every[0]["claims"][:1]
    rest = gql.data("query($a: String) { disagreements(first: 100, after: $a) { cursor } }",
                    {"a": first[0]["cursor"]})["disagreements"]
    assert [g["cursor"] for g in rest] == [g["cursor"] for g in every[1:]]
    for bad, said in (('{ disagreements(after: "bm90IGEgY3Vyc29y") { low } }', "not a cursor of disagreements"),
                      ("{ disagreements(first: 101) { low } }", "first must be between 0 and 100")):
        body = gql.post(bad).json()
        assert said in body["errors"][0]["message"] and body["data"] is None, body


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ref, expected", [
    ("zelensky", "entity/zelenskyy"), ("Syrskii", "entity/syrskyi"),
    ("South Korea's National Intelligence Service", "entity/nis"),
    ("South Korea’s National Intelligence Service", "entity/nis"), ("NIS", "entity/nis"),
    ("nis", "entity/nis"), ("entity/isw", "entity/isw"),
    ("https://w3id.org/whosaid/entity/budanov", "entity/budanov"), ("KINDRATENKOO", "entity/kindratenko"),
])
def test_entity_references(gql, ref, expected):
    assert gql.data("query($r: String!) { entity(ref: $r) { id } }", {"r": ref})["entity"]["id"] == expected


def test_unknown_reference_gives_an_empty_result(gql):
    assert gql.data('{ entity(ref: "Napoleon") { id } }')["entity"] is None
    assert claims(gql, claimant=("String", "Napoleon"))["totalCount"] == 0


def test_claimant_is_the_source_not_the_intermediary(gql):
    by_isw = claims(gql, claimant=("String", "ISW"), first=("Int", 100))
    assert by_isw["nodes"] and all(c["claimant"]["id"] == "entity/isw" for c in by_isw["nodes"])
    assert not any(c["value"] and c["value"]["min"] == 300 for c in by_isw["nodes"])


def test_topic_includes_narrower_topics_and_matches_labels(gql):
    wide = {c["topic"]["id"] for c in claims(gql, topic=("String", "Casualties"), first=("Int", 100))["nodes"]}
    assert {"casualties", "killed", "wounded"} <= wide
    assert claims(gql, topic=("String", "killed or wounded"))["totalCount"] == \
        claims(gql, topic=("String", "casualties"))["totalCount"]


def test_article_filter(gql, compiled):
    corpus, _ = compiled
    for article_id, article in corpus.articles.items():
        got = claims(gql, article=("ID", f"article/{article_id}"), first=("Int", 100))
        assert got["totalCount"] == len(article.claims)


def test_stated_window_with_partial_dates(gql):
    january = claims(gql, statedFrom=("Date", "2025-01"), statedTo=("Date", "2025-01"), first=("Int", 100))
    dates = [c["statedOn"] for c in january["nodes"]]
    assert dates and all(d.startswith("2025-01") or d == "2025" for d in dates)
    # A claim stated "in February 2025" (month precision) overlaps a window of one February day.
    feb_day = claims(gql, statedFrom=("Date", "2025-02-10"), statedTo=("Date", "2025-02-10"), first=("Int", 100))
    assert any(c["statedOn"] == "2025-02" for c in feb_day["nodes"])
    assert all(c["statedOn"] in ("2025-02", "2025", "2025-02-10") for c in feb_day["nodes"])


def test_filters_combine_with_and(gql):
    both = claims(gql, claimant=("String", "zelenskyy"), topic=("String", "casualties"), first=("Int", 100))
    assert both["nodes"]
    assert all(c["claimant"]["id"] == "entity/zelenskyy" for c in both["nodes"])
    assert all(c["topic"]["id"] in ("casualties", "killed", "wounded", "captured") for c in both["nodes"])


def test_bad_date_is_a_clear_error(gql):
    response = gql.post('{ claims(statedFrom: "2025-13") { totalCount } }')
    assert response.status_code == 400
    assert "2025-13" in response.json()["errors"][0]["message"]


def test_node_and_lookups_by_id(gql):
    data = gql.data("""{ a: node(id: "entity/nis") { id ... on Entity { label } }
        b: node(id: "article/002_394fee5181a7713e") { id ... on Article { title author published outlet { id } } }
        c: claim(id: "claim/nis-no-combat-since-mid-january") { id reports { article { id } } }
        d: node(id: "claim/does-not-exist") { id } }""")
    assert data["a"] == {"id": "entity/nis", "label": "National Intelligence Service"}
    assert data["b"]["author"] == "Martin Fornusek" and data["b"]["published"] == "2025-01-31"
    assert data["b"]["outlet"]["id"] == "entity/kyiv-independent"
    assert {r["article"]["id"] for r in data["c"]["reports"]} == {
        "article/000_b0a77a175dda8187", "article/001_b04c995b13cddd9d"}
    assert data["d"] is None


def test_entities_search_and_type(gql):
    outlets = gql.data('{ entities(type: "NewsOutlet", first: 100) { totalCount nodes { type } } }')["entities"]
    assert outlets["totalCount"] >= 5 and all(n["type"] == "NewsOutlet" for n in outlets["nodes"])
    orgs = gql.data('{ entities(type: "Organization", first: 100) { nodes { type } } }')["entities"]["nodes"]
    assert {"NewsOutlet", "ThinkTank", "GovernmentAgency"} <= {n["type"] for n in orgs}
    found = gql.data('{ entities(search: "zelensk") { nodes { id } } }')["entities"]["nodes"]
    assert [n["id"] for n in found] == ["entity/zelenskyy"]


def test_entity_claims_made_and_about(gql):
    data = gql.data("""{ entity(ref: "NIS") { claimsMade(topic: "killed") { nodes { value { min } } }
        claimsAbout(first: 100) { totalCount } } }""")["entity"]
    assert [n["value"]["min"] for n in data["claimsMade"]["nodes"]] == [300]
    nk = gql.data('{ entity(ref: "north-korean-force-kursk") { claimsAbout(first: 100) { totalCount } } }')
    assert nk["entity"]["claimsAbout"]["totalCount"] > 20


def test_topics_form_the_scheme(gql):
    topics = {t["id"]: t for t in gql.data("{ topics { id label description broader { id } } }")["topics"]}
    assert topics["killed"]["broader"]["id"] == "casualties"
    assert topics["casualties"]["broader"] is None and topics["casualties"]["description"]


# ---------------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------------

def _all_pages(gql, field: str, size: int, extra: str = "") -> tuple[list, int]:
    seen, after, total = [], None, None
    while True:
        q = f"query($after: String) {{ {field}(first: {size}, after: $after{extra}) {{ totalCount " \
            f"edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage endCursor }} }} }}"
        page = gql.data(q, {"after": after})[field]
        total = page["totalCount"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return seen, total
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("field, size", [("claims", 7), ("claims", 100), ("entities", 5), ("articles", 2)])
def test_pagination_visits_everything_once(gql, field, size):
    seen, total = _all_pages(gql, field, size)
    assert len(seen) == total == len(set(seen))


def test_claims_are_ordered_by_stated_on_then_id(gql):
    nodes = gql.data("{ claims(first: 100) { nodes { id statedOn } } }")["claims"]["nodes"]

    def key(n):
        d = n["statedOn"]
        start = "9999-12-31" if d is None else (d + "-01-01")[:10] if len(d) == 4 else \
            (d + "-01") if len(d) == 7 else d
        return (start, n["id"].split("/", 1)[1])
    assert nodes == sorted(nodes, key=key)


def test_cursors_are_stable_across_calls(gql):
    q = "{ claims(first: 10) { edges { cursor } } }"
    assert gql.data(q) == gql.data(q)


def test_a_cursor_that_is_not_one_is_refused(gql):
    response = gql.post('{ claims(after: "bm90IGEgY3Vyc29y") { totalCount } }')
    assert "is not a cursor of claims" in response.json()["errors"][0]["message"]


CONNECTIONS = {
    "claims": ("{ claims(first: 1) { pageInfo { endCursor } } }", lambda d: d["claims"],
               "query($c: String) { claims(after: $c) { totalCount } }"),
    "entities": ("{ entities(first: 1) { pageInfo { endCursor } } }", lambda d: d["entities"],
                 "query($c: String) { entities(after: $c) { totalCount } }"),
    "articles": ("{ articles(first: 1) { pageInfo { endCursor } } }", lambda d: d["articles"],
                 "query($c: String) { articles(after: $c) { totalCount } }"),
    "Entity.claimsMade": ('{ entity(ref: "NIS") { claimsMade(first: 1) { pageInfo { endCursor } } } }',
                          lambda d: d["entity"]["claimsMade"],
                          'query($c: String) { entity(ref: "NIS") { claimsMade(after: $c) { totalCount } } }'),
    "Entity.claimsAbout": ('{ entity(ref: "north-korean-force-kursk") { claimsAbout(first: 1) { pageInfo { endCursor } } } }',
                           lambda d: d["entity"]["claimsAbout"],
                           'query($c: String) { entity(ref: "north-korean-force-kursk") { claimsAbout(after: $c) { totalCount } } }'),
    "Article.claims": ('{ article(id: "article/002_394fee5181a7713e") { claims(first: 1) { pageInfo { endCursor } } } }',
                       lambda d: d["article"]["claims"],
                       'query($c: String) { article(id: "article/002_394fee5181a7713e") { claims(after: $c) { totalCount } } }'),
}


def test_a_real_cursor_of_another_connection_is_refused(gql):
    """A cursor is a position in one connection's order; in another it would point anywhere
    (an entities cursor given to claims used to give an empty page, silently)."""
    cursors = {name: pick(gql.data(query))["pageInfo"]["endCursor"]
               for name, (query, pick, _) in CONNECTIONS.items()}
    assert all(cursors.values()), cursors
    for owner, cursor in cursors.items():
        for name, (_, _, paged) in CONNECTIONS.items():
            body = gql.post(paged, {"c": cursor}).json()
            if name == owner:
                assert not body.get("errors"), (owner, body)
                continue
            message = body["errors"][0]["message"]
            assert f"that cursor belongs to {owner}, not to {name}" in message, (owner, name, message)


def test_a_cursor_stays_valid_across_a_write(tmp_path, built_store_path):
    """Cursors are positions in the order (statedOn, then id), not offsets: a cursor taken before
    an article is added still pages on from where it was, and the pages then hold every claim,
    the new one included, once."""
    import shutil
    from .test_ingest import ADD, AUTH, TOKEN, graphql_input, new_article
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    with running_server(store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        gql = GraphQLClient(base)
        first = gql.data("{ claims(first: 30) { totalCount nodes { id } pageInfo { endCursor } } }")["claims"]
        added = gql.post(ADD, {"input": graphql_input(new_article(tmp_path, claims=2))}, **AUTH).json()
        assert added["data"]["addArticle"]["change"]["kind"] == "added", added
        seen, after = [n["id"] for n in first["nodes"]], first["pageInfo"]["endCursor"]
        while after:
            page = gql.data("query($a: String) { claims(first: 30, after: $a) { nodes { id } "
                            "pageInfo { hasNextPage endCursor } } }", {"a": after})["claims"]
            seen += [n["id"] for n in page["nodes"]]
            after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
        total = gql.data("{ claims { totalCount } }")["claims"]["totalCount"]
    assert total == first["totalCount"] + 2
    assert len(seen) == len(set(seen)) == total
    assert {"claim/new-article-claim-0", "claim/new-article-claim-1"} <= set(seen)


# ---------------------------------------------------------------------------------------------
# Limits and errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("first", [101, 1000, -1])
@pytest.mark.parametrize("field", ["claims", "entities", "articles"])
def test_first_is_bounded(gql, first, field):
    body = gql.post(f"{{ {field}(first: {first}) {{ totalCount }} }}").json()
    assert f"first must be between 0 and 100, not {first}" in body["errors"][0]["message"]


def test_changes_first_is_bounded(gql):
    body = gql.post("{ changes(first: 101) { kind } }").json()
    assert body["data"] is None
    assert "first must be between 0 and 100, not 101" in body["errors"][0]["message"]
    assert gql.data("{ changes(first: 0) { kind } }")["changes"] == []


def test_first_zero_gives_the_count_and_no_items(gql):
    for field in ("claims", "entities", "articles"):
        page = gql.data(f"{{ {field}(first: 0) {{ totalCount nodes {{ id }} edges {{ cursor }} "
                        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }")[field]
        assert page["totalCount"] > 0 and page["nodes"] == [] and page["edges"] == []
        assert page["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False,
                                    "startCursor": None, "endCursor": None}


def test_query_depth_is_bounded(gql):
    deep = "{ claims { nodes { " + "confirms { " * 12 + "id" + " }" * 12 + " } } }"
    response = gql.post(deep)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 10, "depth": 14}
    assert "14 levels" in error["message"] and "limit of 10" in error["message"]
    assert "data" not in response.json()


def test_aliases_are_bounded(gql):
    many = "{ " + " ".join(f"a{i}: topics {{ id }}" for i in range(30)) + " }"
    response = gql.post(many)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 20, "aliases": 30}
    assert "30 aliases" in error["message"] and "limit of 20" in error["message"]


def test_tokens_are_bounded(gql):
    huge = "{ " + " ".join("topics { id label description }" for _ in range(500)) + " }"
    response = gql.post(huge)
    assert response.status_code == 400
    assert "token" in response.json()["errors"][0]["message"].lower()


def test_a_query_that_runs_too_long_is_cut(built_store_path):
    with running_server(built_store_path, WHOSAID_QUERY_TIMEOUT="0.000001") as base:
        body = GraphQLClient(base).post("{ claims(first: 100) { nodes { reports { article { text } } } } }").json()
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "stopped after" in body["errors"][0]["message"]


def test_ambiguous_reference_is_an_error_listing_the_candidates(corpus_copy, tmp_path):
    from graph.build import build
    share_alias(corpus_copy, "Colonel Oleksandr", "syrskyi", "kindratenko")
    store = tmp_path / "store"
    build(settings_for(store, corpus_copy))
    with running_server(store) as base:
        client = GraphQLClient(base)
        for query in ('{ entity(ref: "colonel oleksandr") { id } }',
                      '{ claims(claimant: "Colonel Oleksandr") { totalCount } }'):
            message = client.post(query).json()["errors"][0]["message"]
            assert "ambiguous" in message and "entity/syrskyi" in message and "entity/kindratenko" in message


@pytest.mark.parametrize("make_request, status", [
    (lambda c: c.http.post(c.url, content=b"{not json", headers={"content-type": "application/json"}), 400),
    (lambda c: c.http.post(c.url, content=b"query { topics { id } }", headers={"content-type": "text/plain"}), 415),
    (lambda c: c.http.post(c.url, json={"variables": {}}), 400),
    (lambda c: c.http.post(c.url, json=["not", "an", "object"]), 400),
    (lambda c: c.http.post(c.url, json={"query": "{ topics { id } }", "variables": [1]}), 400),
    (lambda c: c.http.get(c.url, params={"query": "{ topics { id } }"}, headers={"accept": "text/csv"}), 406),
    (lambda c: c.http.get(c.url, params={"query": "mutation { x }"}), 405),
    (lambda c: c.http.get(c.url, params={"query": "{ topics { id } ", "variables": "{"}), 400),
])
def test_malformed_requests_get_the_protocol_status(gql, make_request, status):
    response = make_request(gql)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["message"]
    assert "Traceback" not in response.text


def test_a_syntax_error_is_400_with_graphql_response_json_and_200_with_json(gql, server):
    bad = "{ topics { id "
    strict = gql.post(bad)
    assert strict.status_code == 400
    assert strict.headers["content-type"].startswith("application/graphql-response+json")
    legacy = GraphQLClient(server, accept="application/json").post(bad)
    assert legacy.status_code == 200 and legacy.json()["errors"]
    assert legacy.headers["content-type"].startswith("application/json")


def test_get_runs_queries(server):
    response = httpx.get(f"{server}/graphql", params={"query": "{ topics { id } }"},
                         headers={"accept": "application/graphql-response+json"})
    assert response.status_code == 200 and response.json()["data"]["topics"]


def test_graphiql_for_a_browser(server):
    response = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "graphiql" in response.text.lower()


INJECTIONS = ['" } } ; DROP ALL ; #', "' OR 1=1 --", "} UNION { ?s ?p ?o } #", "{", "}", "#",
              "line\nbreak", "nul\u0000byte", '\\" .', "<http://evil/>", "?claim",
              'claim/x> <y', "article/\" }", "entity/{x}"]
STRING_ARGS = [
    ("query($v: String!) { entity(ref: $v) { id } }", "entity"),
    ("query($v: String) { entities(search: $v) { totalCount } }", "entities"),
    ("query($v: String) { entities(type: $v) { totalCount } }", "entities"),
    ("query($v: String) { claims(claimant: $v) { totalCount } }", "claims"),
    ("query($v: String) { claims(about: $v) { totalCount } }", "claims"),
    ("query($v: String) { claims(topic: $v) { totalCount } }", "claims"),
    ("query($v: String) { claims(reportedBy: $v) { totalCount } }", "claims"),
    ("query($v: ID) { claims(article: $v) { totalCount } }", "claims"),
    ("query($v: String) { claims(text: $v) { totalCount } }", "claims"),
    ("query($v: String) { claims(after: $v) { totalCount } }", "claims"),
    ("query($v: ID!) { claim(id: $v) { id } }", "claim"),
    ("query($v: ID!) { article(id: $v) { id } }", "article"),
    ("query($v: ID!) { node(id: $v) { id } }", "node"),
    ("query($v: String) { articles(after: $v) { totalCount } }", "articles"),
    ("query($v: String) { disagreements(topic: $v) { low } }", "disagreements"),
    ("query($v: String) { disagreements(about: $v) { low } }", "disagreements"),
    ('query($v: String) { entity(ref: "NIS") { claimsMade(topic: $v) { totalCount } } }', "entity"),
    ('query($v: String) { entity(ref: "NIS") { claimsAbout(after: $v) { totalCount } } }', "entity"),
    ("query($v: Date) { claims(statedFrom: $v) { totalCount } }", "claims"),
]


@pytest.mark.parametrize("query, field", STRING_ARGS, ids=[f"{i}-{q.split('{', 2)[1].strip()[:30]}" for i, (q, _) in enumerate(STRING_ARGS)])
def test_injection_strings_at_every_string_argument(gql, server, query, field):
    before = httpx.get(f"{server}/healthz").json()["quads"]
    for value in INJECTIONS:
        response = gql.post(query, {"v": value})
        assert response.status_code in (200, 400), response.text
        body = response.json()
        assert "Traceback" not in response.text and "Internal error" not in response.text, body
        data = body.get("data") or {}
        result = data.get(field)
        if isinstance(result, dict) and "totalCount" in result:
            assert result["totalCount"] == 0 or field == "entities" or "text" in query, (value, body)
    assert httpx.get(f"{server}/healthz").json()["quads"] == before


# ---------------------------------------------------------------------------------------------
# Batching: a page costs a fixed number of store queries
# ---------------------------------------------------------------------------------------------

def test_a_page_of_claims_costs_a_fixed_number_of_store_queries(store):
    from api.loaders import Context
    from api.schema import schema
    from graph.read import Reader
    reader = Reader(store, settings_for(Path("x")).base_iri)
    query = """query($n: Int) { claims(first: $n) { nodes { claimant { label } via { label }
        topic { id } reports { evidence article { title outlet { label } } } } } }"""
    total = asyncio.run(schema.execute("{ claims { totalCount } }", context_value=Context(reader)))
    total = total.data["claims"]["totalCount"]
    assert total > 50
    costs = {}
    for n in (1, 10, 100):
        before = store.query_count
        result = asyncio.run(schema.execute(query, variable_values={"n": n}, context_value=Context(reader)))
        assert not result.errors
        assert len(result.data["claims"]["nodes"]) == min(n, total)
        costs[n] = store.query_count - before
    # the README's figure: the search, and one query each for the claims, their reports and the
    # reports' articles (entities and topics are held in memory; no count: totalCount is not asked)
    assert costs == {1: 4, 10: 4, 100: 4}, costs
    before = store.query_count
    asyncio.run(schema.execute("{ claims(first: 5) { totalCount } }", context_value=Context(reader)))
    assert store.query_count - before == 2  # the search and its count: no claim is loaded


def test_every_inference_is_served_with_its_basis(gql, compiled):
    """Claim, Report and Article `inferences` give exactly what the curated corpus marks as
    worked out (a date or its year, a period, a claimant, a via step, an outlet), with its basis."""
    from .test_articles import corpus_inferences
    corpus, _ = compiled
    def every_claim(selection: str) -> list[dict]:  # page by page, within the query cost limit
        nodes, after = [], None
        while True:
            page = gql.data("query($after: String) { claims(first: 10, after: $after) { "
                            f"pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}",
                            {"after": after})["claims"]
            nodes += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return nodes
            after = page["pageInfo"]["endCursor"]

    claims_ = every_claim("iri inferences { field property basis }")
    reports = every_claim("reports { iri inferences { field property basis viaPosition } }")
    articles = gql.data("""{ articles(first: 20) { nodes { iri
        inferences { field property basis earliest latest } } } }""")["articles"]["nodes"]
    assert len(claims_) == len(corpus.claims)
    got, fields = set(), set()
    for c in claims_:
        for i in c["inferences"]:
            got.add((c["iri"], i["property"], i["basis"]))
            fields.add(i["field"])
    for c in reports:
        for r in c["reports"]:
            for i in r["inferences"]:
                assert i["field"] == "via" and i["viaPosition"] >= 1
                got.add((f"{r['iri']}/via/{i['viaPosition']}", i["property"], i["basis"]))
    for a in articles:
        for i in a["inferences"]:
            got.add((a["iri"], i["property"], i["basis"]))
            fields.add(i["field"])
    occasions = gql.data('{ entities(type: "Occasion", first: 100) { nodes { id } } }')["entities"]["nodes"]
    for o in occasions:
        found = gql.data("query($id: String!) { occasion(id: $id) { iri inferences { property basis } } }",
                         {"id": o["id"]})["occasion"]
        got |= {(found["iri"], i["property"], i["basis"]) for i in found["inferences"]}
    assert got == corpus_inferences(corpus)
    assert {"statedOn", "periodStart", "periodEnd", "published", "outlet"} <= fields


def test_a_period_has_its_bounds(gql):
    data = gql.data('{ claim(id: "claim/nis-no-combat-since-mid-january") { period periodStart periodEnd } }')
    assert data["claim"] == {"period": "since mid-January 2025", "periodStart": "2025-01", "periodEnd": None}


def test_the_links_an_article_draws_are_served_with_who_draws_them(gql, compiled):
    corpus, _ = compiled
    want = {(r.article_id, link.relation, link.source, link.target, link.reason)
            for c in corpus.claims.values() for r in c.reports for link in r.links}
    assert want, "the corpus has links drawn by articles"
    got = set()
    for claim_id in sorted({c.id for c in corpus.claims.values() if any(r.links for r in c.reports)}):
        data = gql.data("query($id: ID!) { claim(id: $id) { reports { article { id outlet { id } } "
                        "links { relation source { id } target { id } assertedBy { id } drawnBy reason } } } }",
                        {"id": f"claim/{claim_id}"})
        for r in data["claim"]["reports"]:
            for link in r["links"]:
                if link["relation"] == "possiblySame":
                    assert link["drawnBy"] == "curators" and link["assertedBy"] is None
                else:  # the outlet, when the article names it
                    assert link["drawnBy"] == "outlet" and link["assertedBy"] == r["article"]["outlet"]
                got.add((r["article"]["id"].split("/", 1)[1], link["relation"],
                         link["source"]["id"].split("/", 1)[1], link["target"]["id"].split("/", 1)[1],
                         link["reason"]))
    assert got == want


def test_names_from_outside_the_corpus_resolve_but_are_marked_external(gql):
    data = gql.data('{ entity(ref: "HUR") { id aliases externalAliases externalDescription } }')
    entity = data["entity"]
    assert entity["id"] == "entity/ukraine-military-intelligence"
    assert "HUR" in entity["externalAliases"] and "HUR" not in entity["aliases"]
    assert "military intelligence" in entity["aliases"]
