"""What keeps one GraphQL request to its share, against real `whosaid serve` processes: the cost,
depth and alias limits (measured once per fragment), the read pool and its queue, the time limit
that really stops the work, the body and token checks made before the body is read, clear
refusals of hostile input, masked internal errors, and the GraphQL-over-HTTP audit."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from graphql import parse

from graph.config import SETTINGS

from .conftest import PROJECT_ROOT, GraphQLClient, running_server

BASE = "https://w3id.org/whosaid/"
SLOW_CLAIM = "claim/nis-no-combat-since-mid-january"
SLOW_QUERY = '{ claim(id: "%s") { reports { start } } }' % SLOW_CLAIM
PADDING_REPORTS = 20_000   # reading them all takes the server seconds, row by row
TOKEN = "editor:editor-secret-42"
AUTH = {"authorization": "Bearer editor-secret-42"}
DEFAULT_COST = SETTINGS["max_query_cost"].default


def fan_out(levels: int) -> str:
    """The request of issue 9, defect 1: each fragment spreads the one below it twice."""
    fragments = "fragment F0 on Claim { statement }\n" + "\n".join(
        f"fragment F{i} on Claim {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1))
    return "{ claims(first:1) { nodes { ...F%d } } }\n%s" % (levels, fragments)


@contextlib.contextmanager
def serving(store: Path, log: Path, **env: str):
    """`whosaid serve` with its log written to `log`; yields (base URL, process)."""
    with running_server(store, log=log, **env) as base:
        yield base, base.process


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


@pytest.fixture(scope="module")
def slow_store(built_store_path, tmp_path_factory) -> Path:
    """The seed store with one claim given PADDING_REPORTS reports: answering SLOW_QUERY reads
    them from the store one row at a time, for seconds."""
    path = tmp_path_factory.mktemp("slow") / "store"
    shutil.copytree(built_store_path, path)
    store = ox.Store(str(path))
    g = ox.NamedNode("urn:whosaid:test:slow-reads")
    oa, integer = "http://www.w3.org/ns/oa#", ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    claim, article = ox.NamedNode(BASE + SLOW_CLAIM), ox.NamedNode(BASE + "article/000_b0a77a175dda8187")

    def quads():
        for i in range(PADDING_REPORTS):
            report, selector = ox.NamedNode(f"urn:whosaid:test:r{i}"), ox.NamedNode(f"urn:whosaid:test:s{i}")
            yield ox.Quad(claim, ox.NamedNode("https://w3id.org/whosaid/ontology#report"), report, g)
            yield ox.Quad(report, ox.NamedNode(oa + "hasSource"), article, g)
            yield ox.Quad(report, ox.NamedNode(oa + "hasSelector"), selector, g)
            yield ox.Quad(selector, ox.NamedNode(oa + "start"), ox.Literal(str(i), datatype=integer), g)
            yield ox.Quad(selector, ox.NamedNode(oa + "end"), ox.Literal(str(i + 1), datatype=integer), g)
            yield ox.Quad(selector, ox.NamedNode(oa + "exact"), ox.Literal("x"), g)
    store.bulk_extend(quads())
    store.flush()
    del store
    return path


# ---------------------------------------------------------------------------------------------
# Defect 1: cost, depth and aliases, measured in one linear walk
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [20, 29])
def test_fragment_fan_out_is_refused_at_once_and_the_server_stays_responsive(embedded_server, levels):
    body = json.dumps({"query": fan_out(levels)})
    assert len(body) < 2000
    answers = {}

    def attack():
        answers["response"], answers["seconds"] = timed(lambda: httpx.post(
            f"{embedded_server}/graphql", content=body, timeout=30,
            headers={"content-type": "application/json", "accept": "application/graphql-response+json"}))

    attacker = threading.Thread(target=attack)
    attacker.start()
    time.sleep(0.05)
    health, health_seconds = timed(lambda: httpx.get(f"{embedded_server}/healthz", timeout=30))
    attacker.join(30)
    assert health.status_code == 200 and health_seconds < 1.0, health_seconds
    response = answers["response"]
    assert answers["seconds"] < 1.0, answers["seconds"]
    assert response.status_code == 400 and "data" not in response.json()
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["limit"] == DEFAULT_COST
    assert error["extensions"]["cost"] == 1 + 1 + 2 ** levels  # claims, nodes, 2^levels statements
    assert f"{2 ** levels + 2:,}" in error["message"] and f"{DEFAULT_COST:,}" in error["message"]


def test_the_cost_grows_with_first_at_each_level(embedded_server):
    gql = GraphQLClient(embedded_server)
    query = "query($n: Int) { claims(first: $n) { nodes { id reports { article { claims(first: 10) { nodes { id } } } } } } }"
    # per claim: id 1 + reports 1 + 5 reports x (article 1 + claims 1 + nodes 1 + 10 ids) = 67
    assert gql.data(query, {"n": 10})["claims"]["nodes"]
    response = gql.post(query, {"n": 100})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COSTLY", "limit": DEFAULT_COST, "cost": 1 + 1 + 100 * 67}


def test_the_cost_limit_is_a_setting(built_store_path, tmp_path):
    with serving(built_store_path, tmp_path / "log", WHOSAID_MAX_QUERY_COST="30") as (base, _):
        gql = GraphQLClient(base)
        assert gql.data("{ claims(first: 28) { nodes { id } } }")  # 1 + 1 + 28 = 30
        error = gql.post("{ claims(first: 29) { nodes { id } } }").json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "limit": 30, "cost": 31}
    assert "WHOSAID_MAX_QUERY_COST" in error["message"] and "31" in error["message"]


def test_aliases_and_depth_through_fragments_are_counted_as_they_run(embedded_server):
    gql = GraphQLClient(embedded_server)
    aliased = "{ ...A ...A ...A }\nfragment A on Query { " + " ".join(f"t{i}: topics {{ id }}" for i in range(7)) + " }"
    error = gql.post(aliased).json()["errors"][0]
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": 20, "aliases": 21}
    deep = "{ claims { nodes { ...C } } }\nfragment C on Claim { " + "confirms { " * 9 + "id" + " }" * 9 + " }"
    assert gql.post(deep).json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_a_selection_set_may_not_be_wider_than_any_real_query(embedded_server):
    """1,980 `__typename` in one selection set cost nothing by the cost measure, but graphql-core
    compares a set's fields pairwise: half a second of the event loop. Width is counted with the
    fragments written out, so spreading a fragment does not hide it."""
    gql = GraphQLClient(embedded_server)
    wide = "{ claims(first: 1) { nodes { " + "__typename " * 1980 + "} } }"
    error = gql.post(wide).json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_WIDE", "limit": 200, "breadth": 1980}
    spread = "{ claims(first: 1) { nodes { ...A ...A ...A } } }\nfragment A on Claim { " + "__typename " * 70 + "}"
    assert gql.post(spread).json()["errors"][0]["extensions"]["breadth"] == 210
    assert gql.data("{ claims(first: 1) { nodes { " + "__typename " * 200 + "} } }")


def test_introspection_may_not_multiply_the_schema_by_itself(embedded_server):
    gql = GraphQLClient(embedded_server)
    bomb = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    error = gql.post(bomb).json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 3, "depth": 4}
    assert gql.data("{ __schema { types { name fields { name args { name } } } } }")["__schema"]["types"]


def readme_queries() -> list[str]:
    """Every query of the README's ```graphql blocks (mutations need a token: left out)."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    queries = []
    for block in re.findall(r"```graphql\n(.*?)```", text, re.S):
        lines = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
        current: list[str] = []
        for line in lines + [""]:
            if (not line.strip() or line.startswith(("{", "query", "mutation"))) and current:
                queries.append("\n".join(current))
                current = []
            if line.strip():
                current.append(line)
    queries += re.findall(r'"query": "(.*?)"}', text.replace('\\"', '"'))
    return [q for q in queries if not q.lstrip().startswith("mutation")]


def test_every_readme_query_passes_the_limits(embedded_server):
    queries = readme_queries()
    assert len(queries) >= 5, queries
    gql = GraphQLClient(embedded_server)
    for query in queries:
        assert gql.data(query), query


def test_the_document_is_parsed_once_and_reused(store):
    """api/graphql_http.py parses the text; the schema runs that document instead of parsing the
    text again (here the text and the document differ, to tell which one ran)."""
    import asyncio
    from api.loaders import Context
    from api.schema import schema
    from graph.read import Reader
    context = Context(Reader(store, BASE), document=parse("{ __typename }"))
    result = asyncio.run(schema.execute("{ topics { id } }", context_value=context))
    assert not result.errors and result.data == {"__typename": "Query"}


# ---------------------------------------------------------------------------------------------
# Defects 4 and 5: the read pool, its queue, and a time limit that stops the work
# ---------------------------------------------------------------------------------------------

def test_a_timed_out_read_really_stops(slow_store, tmp_path):
    with serving(slow_store, tmp_path / "log", WHOSAID_QUERY_TIMEOUT="0.5",
                 WHOSAID_READ_WORKERS="1") as (base, process):
        gql = GraphQLClient(base)
        response, seconds = timed(lambda: gql.post(SLOW_QUERY))
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "TIMEOUT" and seconds < 1.5, (seconds, error)
        time.sleep(0.2)  # the read stops at its next row: give it that
        before = cpu_seconds(process.pid)
        time.sleep(1.0)
        # Had the read run on, the server would have spent this second reading rows.
        assert cpu_seconds(process.pid) - before < 0.3
        # and the one read thread is free again
        fast, seconds = timed(lambda: gql.data("{ topics { id } }"))
        assert fast["topics"] and seconds < 0.5


def test_the_time_limit_counts_from_arrival_and_a_full_queue_is_503_at_once(slow_store, tmp_path):
    with serving(slow_store, tmp_path / "log", WHOSAID_QUERY_TIMEOUT="1", WHOSAID_READ_WORKERS="1",
                 WHOSAID_READ_QUEUE="1") as (base, _):
        results, clients = [], [GraphQLClient(base) for _ in range(5)]

        def read(client):
            results.append(timed(lambda: client.post(SLOW_QUERY)))

        threads = [threading.Thread(target=read, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        time.sleep(0.3)
        health, health_seconds = timed(lambda: httpx.get(f"{base}/healthz", timeout=30))
        for t in threads:
            t.join(30)
    assert health.status_code == 200 and health_seconds < 1.0
    busy = [(r, s) for r, s in results if r.status_code == 503]
    ran = [(r, s) for r, s in results if r.status_code != 503]
    assert len(busy) == 3 and len(ran) == 2, [(r.status_code, s) for r, s in results]
    for r, s in busy:
        assert r.headers["retry-after"] and s < 0.5
        assert "1 running, 1 waiting" in r.json()["errors"][0]["message"]
    # the one that waited for the thread still timed out 1 s after it arrived, not 1 s after it started
    for r, s in ran:
        assert r.json()["errors"][0]["extensions"]["code"] == "TIMEOUT" and s < 1.5, s


def test_a_client_that_goes_away_frees_its_read(slow_store, tmp_path):
    with serving(slow_store, tmp_path / "log", WHOSAID_QUERY_TIMEOUT="60",
                 WHOSAID_READ_WORKERS="1") as (base, process):
        port = int(base.rsplit(":", 1)[1])
        body = json.dumps({"query": SLOW_QUERY}).encode()
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
            time.sleep(0.5)
        # with one read thread, this waits for the abandoned read unless it was stopped
        fast, seconds = timed(lambda: GraphQLClient(base).data("{ topics { id } }"))
        assert fast["topics"] and seconds < 1.0, seconds


def test_a_mutation_is_not_cut_by_the_read_time_limit(built_store_path, tmp_path):
    from .test_ingest import ADD, graphql_input, new_article
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    with serving(store, tmp_path / "log", WHOSAID_WRITE_TOKENS=TOKEN,
                 WHOSAID_QUERY_TIMEOUT="0.000001") as (base, _):
        gql = GraphQLClient(base)
        added = gql.post(ADD, {"input": graphql_input(new_article(tmp_path))}, **AUTH).json()
        assert added["data"]["addArticle"]["change"]["kind"] == "added", added
        assert gql.post("{ topics { id } }").json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


# ---------------------------------------------------------------------------------------------
# Defect 13: tokens and sizes before the body is read; HEAD; the GraphQL-over-HTTP audit
# ---------------------------------------------------------------------------------------------

def raw_exchange(base: str, head: bytes, body: bytes = b"", wait: float = 5.0) -> bytes:
    """Send a request's head (and maybe part of its body) and read what comes back."""
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(head + body)
        data = b""
        with contextlib.suppress(socket.timeout):
            while b"\r\n\r\n" not in data or not data.split(b"\r\n\r\n", 1)[1]:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data


def test_without_a_token_the_body_is_held_to_the_query_limit(embedded_server):
    limit = SETTINGS["max_query_bytes"].default
    head = (b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (limit + 1))
    answer, seconds = timed(lambda: raw_exchange(embedded_server, head))  # decided from the header
    assert answer.startswith(b"HTTP/1.1 413") and seconds < 1.0, answer[:200]
    assert f"{limit:,} bytes".encode() in answer and b"WHOSAID_MAX_QUERY_BYTES" in answer
    padded = {"query": "{ topics { id } }", "variables": {"pad": "x" * limit}}
    chunked = httpx.post(f"{embedded_server}/graphql", content=iter([json.dumps(padded).encode()]),
                         headers={"content-type": "application/json"})  # no length: counted as read
    assert chunked.status_code == 413


def test_the_token_is_checked_before_the_body_and_sets_its_limit(built_store_path, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    with serving(store, tmp_path / "log", WHOSAID_WRITE_TOKENS=TOKEN) as (base, _):
        # an invalid token: 401 at once, although the 50 kB body it announces never comes
        head = (b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer not-a-token-at-all\r\nContent-Length: 50000\r\n\r\n")
        answer, seconds = timed(lambda: raw_exchange(base, head))
        assert answer.startswith(b"HTTP/1.1 401") and seconds < 1.0, answer[:300]
        assert b'bearer realm="whosaid", error="invalid_token"' in answer.lower()
        assert b"UNAUTHENTICATED" in answer
        # only a valid token allows more than a query's worth of body
        padded = {"query": "{ topics { id } }", "variables": {"pad": "x" * 200_000}}
        url = f"{base}/graphql"
        assert httpx.post(url, json=padded).status_code == 413
        assert httpx.post(url, json=padded, headers=AUTH).json()["data"]["topics"]


def test_head_answers_as_get_without_a_body(embedded_server):
    params = {"query": "{ topics { id } }"}
    get = httpx.get(f"{embedded_server}/graphql", params=params)
    head = httpx.head(f"{embedded_server}/graphql", params=params)
    assert head.status_code == get.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"] and head.content == b""


@pytest.mark.parametrize("extensions, status", [
    ({"persistedQuery": {"version": 1}}, 200), (None, 200), ([1], 400), ("x", 400), (3, 400)])
def test_the_extensions_parameter(embedded_server, extensions, status):
    url = f"{embedded_server}/graphql"
    accept = {"accept": "application/graphql-response+json"}
    post = httpx.post(url, json={"query": "{ topics { id } }", "extensions": extensions}, headers=accept)
    get = httpx.get(url, params={"query": "{ topics { id } }", "extensions": json.dumps(extensions)},
                    headers=accept)
    assert post.status_code == get.status_code == status, (post.text, get.text)
    if status == 400:
        assert "extensions must be a JSON object" in post.json()["errors"][0]["message"]


AUDIT = """import { serverAudits } from 'graphql-http';
const out = [];
for (const audit of serverAudits({ url: process.argv[2], fetchFn: fetch })) {
  const r = await audit.fn();
  out.push({ id: audit.id, name: audit.name, status: r.status, reason: r.reason });
}
console.log(JSON.stringify(out));
"""


def test_the_graphql_over_http_audit_passes(embedded_server):
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed to run the graphql-http audit")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "whosaid-graphql-http-audit"
    if not (cache / "node_modules" / "graphql-http").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "package.json").write_text('{"private": true}')
        installed = subprocess.run([npm, "install", "--no-audit", "--no-fund", "graphql-http@1", "graphql@16"],
                                   cwd=cache, capture_output=True, text=True, timeout=180)
        if installed.returncode != 0:
            pytest.skip(f"npm could not install graphql-http: {installed.stderr.strip()[-300:]}")
    (cache / "audit.mjs").write_text(AUDIT)
    run = subprocess.run([node, "audit.mjs", f"{embedded_server}/graphql"], cwd=cache,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) > 50
    failing = [r for r in results if r["status"] not in ("ok", "notice")]
    assert not failing, failing


# ---------------------------------------------------------------------------------------------
# Defect 10: clear refusals where there was an internal error
# ---------------------------------------------------------------------------------------------

def test_deep_json_is_400_and_the_next_pipelined_request_is_answered(embedded_server):
    deep = b'{"query": "{ topics { id } }", "variables": {"a": ' + b"[" * 40_000 + b"]" * 40_000 + b"}}"
    plain = json.dumps({"query": "{ topics { id } }"}).encode()
    head = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    port = int(embedded_server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head % len(deep) + deep + head % len(plain) + plain)
        data, deadline = b"", time.monotonic() + 10
        while data.count(b"HTTP/1.1 ") < 2 or not data.rstrip().endswith(b"}"):
            assert time.monotonic() < deadline, data[:500]
            data += s.recv(65536)
    first, second = data.split(b"HTTP/1.1 ")[1:3]
    assert first.startswith(b"400") and b"nests 40,002 levels" in first and b"limit of 64" in first
    assert second.startswith(b"200") and b'"topics"' in second


STRING_ARGUMENTS = [
    ("query($v: String!) { entity(ref: $v) { id } }"),
    ("query($v: String) { entities(search: $v) { totalCount } }"),
    ("query($v: String) { claims(claimant: $v) { totalCount } }"),
    ("query($v: String) { claims(text: $v) { totalCount } }"),
    ("query($v: ID) { claims(article: $v) { totalCount } }"),
    ("query($v: String) { claims(after: $v) { totalCount } }"),
    ("query($v: ID!) { node(id: $v) { id } }"),
    ("query($v: ID) { changes(article: $v) { kind } }"),
    ("query($v: Date) { claims(statedFrom: $v) { totalCount } }"),
    ("query($v: String) { disagreements(about: $v) { low } }"),
]


@pytest.mark.parametrize("query", STRING_ARGUMENTS)
def test_a_lone_surrogate_is_a_clear_400(embedded_server, query):
    body = json.dumps({"query": query, "variables": {"v": "a\ud800b"}})  # JSON "\\ud800", as sent
    response = httpx.post(f"{embedded_server}/graphql", content=body,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    message = response.json()["errors"][0]["message"]
    assert "variables.v holds a lone UTF-16 surrogate" in message and "Internal" not in message


@pytest.mark.parametrize("query, field, kind", [
    ('{ article(id: "a b") { id } }', "article", "article"),
    ('{ claim(id: "claim/x\\"}") { id } }', "claim", "claim"),
    ('{ node(id: "entity/{x}") { id } }', "node", None),
    ('{ claims(article: "x\\u0000y") { totalCount } }', "claims", "article"),
    ('{ changes(article: "article/a b") { kind } }', "changes", "article"),
])
def test_a_malformed_id_is_a_clear_error_naming_it(embedded_server, query, field, kind):
    body = GraphQLClient(embedded_server).post(query).json()
    assert body["data"] is None or body["data"][field] is None
    message = body["errors"][0]["message"]
    assert "Internal" not in message
    assert {"article": "is not an article id", "claim": "is not a claim id", None: "is not an id"}[kind] in message
    assert "lowercase letters, digits" in message


def test_an_internal_error_is_masked_for_the_client_and_logged_in_full(built_store_path, tmp_path):
    """A store whose data the reader cannot read (an article's body offset is not a number):
    the client learns only that it failed, the operator's log has the traceback."""
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    s = ox.Store(str(store))
    s.update("""PREFIX ws: <https://w3id.org/whosaid/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
        DELETE { GRAPH ?g { ?b oa:start ?s } } INSERT { GRAPH ?g { ?b oa:start "not a number" } }
        WHERE { GRAPH ?g { <%sarticle/000_b0a77a175dda8187> ws:body ?b . ?b oa:start ?s } }""" % BASE)
    s.flush()
    del s
    log = tmp_path / "log"
    with serving(store, log) as (base, _):
        response = GraphQLClient(base).post("{ articles { nodes { id bodyStart } } }")
        time.sleep(0.3)
    body = response.json()
    assert response.status_code == 200 and body["data"] is None
    assert body["errors"][0]["message"] == \
        "Internal error: the server could not answer this; it has been logged."
    assert "not a number" not in response.text and "ValueError" not in response.text
    logged = log.read_text()
    assert "Traceback" in logged and "invalid literal for int() with base 10: 'not a number'" in logged
