"""The HTTP shell around every route (api/protection.py, api/assets.py), against a real server:
body limits decided before the body is read, security headers on every response, HEAD on every
GET route, malformed requests that never give a 500, and front-end pages served wholly from this
server."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
import time
from html.parser import HTMLParser

import httpx
import pytest

from .conftest import running_server

READ_LIMIT, SUBMISSION_LIMIT = 2_000, 20_000
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(built_store_path):
    with running_server(built_store_path, WHOSAID_MAX_QUERY_BYTES=str(READ_LIMIT),
                       WHOSAID_MAX_SUBMISSION_BYTES=str(SUBMISSION_LIMIT)) as base:
        yield base


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server, timeout=10) as client:
        yield client


def raw(server: str, request: bytes, wait: float = 5.0) -> tuple[int | None, bytes]:
    """Send bytes as they are; the status (None if the server closed without answering) and
    everything it sent back."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as s:
        s.sendall(request)
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            if length and len(body) >= int(length.group(1)):
                break
    match = re.match(rb"HTTP/1\.[01] (\d{3})", received)
    return (int(match.group(1)) if match else None), received


# ---------------------------------------------------------------------------------------------
# Body limits
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, limit, setting", [
    ("POST", "/sparql", READ_LIMIT, "WHOSAID_MAX_QUERY_BYTES"),
    ("GET", "/healthz", READ_LIMIT, "WHOSAID_MAX_QUERY_BYTES"),
    ("POST", "/entity/nis", READ_LIMIT, "WHOSAID_MAX_QUERY_BYTES"),
    ("POST", "/graphql", SUBMISSION_LIMIT, "WHOSAID_MAX_SUBMISSION_BYTES"),
])
def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(server, method, path, limit,
                                                                     setting):
    # Only the headers go: a server that waited for a gigabyte would not answer in time.
    started = time.monotonic()
    status, answer = raw(server, f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                 f"application/json\r\nContent-Length: 1000000000\r\n\r\n".encode())
    assert status == 413, answer[:300]
    assert time.monotonic() - started < 2
    assert f"{limit:,} bytes".encode() in answer and setting.encode() in answer


def test_a_chunked_body_is_counted_as_it_arrives(http):
    def chunks(total: int):
        for _ in range(total // 500):
            yield b"#" * 499 + b"\n"

    response = http.post("/sparql", content=chunks(READ_LIMIT * 3),
                         headers={"content-type": "application/sparql-query"})
    assert response.status_code == 413
    assert "WHOSAID_MAX_QUERY_BYTES" in response.text and f"{READ_LIMIT:,}" in response.text


def test_a_chunked_body_within_the_limit_reaches_the_endpoint_whole(http):
    query = b'{"query": "{ claims(first: 2) { totalCount nodes { statement } } }"}'

    def chunks():
        for i in range(0, len(query), 7):
            yield query[i:i + 7]

    response = http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]["claims"]["nodes"]) == 2


def test_a_graphql_body_over_the_submission_limit_is_a_graphql_error(http):
    response = http.post("/graphql", content=b" " * (SUBMISSION_LIMIT + 1),
                         headers={"content-type": "application/json"})
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert "WHOSAID_MAX_SUBMISSION_BYTES" in error["message"]


# ---------------------------------------------------------------------------------------------
# Security headers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, accept", [
    ("/", BROWSER), ("/healthz", "*/*"), ("/graphql", BROWSER), ("/graphql?query={__typename}", "*/*"),
    ("/sparql?query=ASK{}", "*/*"), ("/entity/nis", BROWSER), ("/entity/nis", "text/turtle"),
    ("/ontology", BROWSER), ("/docs", BROWSER), ("/redoc", BROWSER), ("/openapi.json", "*/*"),
    ("/static/graphiql/graphiql.min.js", "*/*"), ("/no-such-page", BROWSER),
    ("/entity/no-such-entity", BROWSER), ("/dump.nt", "*/*"),
])
def test_every_response_carries_the_security_headers(http, path, accept):
    with http.stream("GET", path, headers={"accept": accept}) as response:
        assert response.status_code < 500
        headers = response.headers
    policy = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "http" not in policy and "*" not in policy  # no other host, no wildcard
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


def test_a_refusal_by_the_shell_carries_them_too(server):
    status, answer = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
    assert status == 413
    assert b"x-content-type-options: nosniff" in answer.lower()
    assert b"frame-ancestors 'none'" in answer


# ---------------------------------------------------------------------------------------------
# HEAD
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, accept", [
    ("/", BROWSER), ("/healthz", "*/*"), ("/docs", BROWSER), ("/redoc", BROWSER),
    ("/openapi.json", "*/*"), ("/ontology", BROWSER), ("/ontology", "text/turtle"),
    ("/.well-known/void", "text/turtle"), ("/context.jsonld", "*/*"), ("/entity/nis", BROWSER),
    ("/topic/casualties", "text/turtle"), ("/static/swagger-ui/swagger-ui.css", "*/*"),
])
def test_head_answers_as_get_without_a_body(http, path, accept):
    get = http.get(path, headers={"accept": accept})
    head = http.head(path, headers={"accept": accept})
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in head.headers:
        assert int(head.headers["content-length"]) == len(get.content)


# ---------------------------------------------------------------------------------------------
# Malformed requests: an answer (mostly a clear 4xx) or a closed connection, never a 500
# ---------------------------------------------------------------------------------------------

MALFORMED = {
    "bad percent-encoding in the path": b"GET /entity/%ZZ%G1 HTTP/1.1\r\nHost: x\r\n\r\n",
    "an encoded NUL in the path": b"GET /entity/a%00b HTTP/1.1\r\nHost: x\r\n\r\n",
    "a raw NUL in the path": b"GET /entity/a\x00b HTTP/1.1\r\nHost: x\r\n\r\n",
    "invalid UTF-8 in the path": b"GET /claim/%ff%fe%fd HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw bytes over 0x7f in the path": b"GET /entity/\xc3\x28\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    "a NUL in a dump's name": b"GET /dump.%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad percent-encoding in a SPARQL query": b"GET /sparql?query=%ZZ%ff HTTP/1.1\r\nHost: x\r\n\r\n",
    "invalid UTF-8 in a GraphQL query": b"GET /graphql?query=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad variables": b"GET /graphql?query=%7B__typename%7D&variables=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
    "a huge header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "a thousand headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                          b"".join(b"X-H%d: v\r\n" % i for i in range(1000)) + b"\r\n",
    "a very long path": b"GET /entity/" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "a Content-Length that is no number": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    "a negative Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "both Content-Length and chunked": b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "a broken chunk": b"POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "an absolute-form target on another host": b"GET http://example.invalid/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "a path out of the static folder": b"GET /static/../../graph/config.py HTTP/1.1\r\nHost: x\r\n\r\n",
    "an encoded path out of the static folder": b"GET /static/%2e%2e/%2e%2e/graph/config.py HTTP/1.1\r\nHost: x\r\n\r\n",
    "a JSON body that is not UTF-8": b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                     b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
    "an unknown method": b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "no HTTP version": b"GET /healthz\r\n\r\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_request_never_gives_a_500(server, http, name):
    status, answer = raw(server, MALFORMED[name])
    assert status is None or status < 500, (name, answer[:300])
    assert b"Traceback" not in answer and b"internal error" not in answer.lower()
    assert b"class Settings" not in answer  # nothing served from outside api/static/
    assert http.get("/healthz").status_code == 200


# ---------------------------------------------------------------------------------------------
# Front-end pages: every script, style and image from this server
# ---------------------------------------------------------------------------------------------

class References(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href"):
            if tag in ("script", "link", "img", "iframe") and a.get(name):
                self.urls.append(a[name])
        if tag == "redoc" and a.get("spec-url"):
            self.urls.append(a["spec-url"])
        self._in_script = tag == "script" and not a.get("src")
        if self._in_script:
            self.inline_scripts.append("")

    def handle_data(self, data):
        if self._in_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("page", ["/graphql", "/docs", "/redoc"])
def test_a_front_end_page_loads_everything_from_this_server(http, page):
    response = http.get(page, headers={"accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]", response.text), \
        "the page names another host"
    found = References(response.text)
    assert any(u.endswith(".js") for u in found.urls)
    for url in found.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = http.get(url)
        assert asset.status_code == 200 and asset.content, url
    # An inline script runs only if the policy names its hash.
    policy = response.headers["content-security-policy"]
    for script in found.inline_scripts:
        if script.strip():
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy


@pytest.mark.parametrize("path", ["/static/graphiql/LICENSE", "/static/react/LICENSE",
                                  "/static/react/LICENSE.react-dom", "/static/swagger-ui/LICENSE",
                                  "/static/swagger-ui/NOTICE", "/static/redoc/LICENSE"])
def test_the_vendored_assets_come_with_their_licences(http, path):
    response = http.get(path)
    assert response.status_code == 200 and len(response.text) > 40
