"""Fuzzing with schemathesis against a real server: /graphql (queries and, with a write token,
mutations) and the OpenAPI routes. Every request schemathesis sent is read back from its VCR
cassette and checked here: no HTTP 5xx, no "internal error", no stack trace in any body.

schemathesis's own GraphQL check counts any `errors` entry as a failure, and most generated
requests are rightly refused with one (bad ids, `first` out of range, writes that fail their
checks), so its verdict is not used: the cassette is.

The run is bounded in time: FUZZ_SECONDS (default 30) for /graphql; `make fuzz` runs longer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .conftest import running_server

FUZZ_SECONDS = int(os.environ.get("FUZZ_SECONDS", "30"))
SECRET = "fuzz-token-0123456789abcdef"
STACK_TRACE = re.compile(r'Traceback \(most recent call last\)|File "[^"]+\.py", line \d+|'
                         r'\.py:\d+: [A-Z]\w+Error')


def fuzz(location: str, seconds: int, report: Path, *options: str) -> list[dict]:
    """Run `schemathesis run` for `seconds` and return the interactions it recorded."""
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", location,
               "--max-time", str(seconds), "--workers", "1", "--continue-on-failure",
               "--checks", "not_a_server_error", "--request-timeout", "30",
               "--report", "vcr", "--report-vcr-path", str(report), *options]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120,
                            cwd=report.parent, env=dict(os.environ, NO_COLOR="1"))
    assert report.exists(), f"schemathesis did not run:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(report.read_text(encoding="utf-8"), Loader=loader)["http_interactions"]


def body_of(interaction: dict) -> str:
    body = interaction["response"].get("body") or {}
    if "string" in body:
        return body["string"]
    if "base64_string" in body:
        import base64
        return base64.b64decode(body["base64_string"]).decode("utf-8", "replace")
    return ""


def request_of(interaction: dict) -> str:
    body = (interaction["request"].get("body") or {}).get("string", "")
    return f'{interaction["request"]["method"]} {interaction["request"]["uri"]} {body[:500]}'


def assert_no_server_error(interactions: list[dict], at_least: int) -> Counter:
    statuses = Counter(int(i["response"]["status"]["code"]) for i in interactions if i.get("response"))
    assert sum(statuses.values()) >= at_least, f"too few requests were sent: {statuses}"
    bad = []
    for i in interactions:
        if not i.get("response"):
            bad.append(("no response", request_of(i)))
            continue
        status, body = int(i["response"]["status"]["code"]), body_of(i)
        if status >= 500 or "internal error" in body.lower() or STACK_TRACE.search(body):
            bad.append((status, request_of(i), body[:500]))
    assert not bad, f"{len(bad)} of {len(interactions)} requests failed, the first ones:\n" + \
        "\n".join(map(str, bad[:5]))
    return statuses


@pytest.fixture(scope="module")
def writable_server(built_store_path, tmp_path_factory):
    """A server with a write token, on a copy of the seed store (the fuzzer may add articles)."""
    store = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(built_store_path, store)
    with running_server(store, WHOSAID_WRITE_TOKENS=f"fuzz:{SECRET}") as base:
        yield base


def test_fuzzing_graphql_queries_and_mutations_gives_no_server_error(writable_server, tmp_path):
    interactions = fuzz(f"{writable_server}/graphql", FUZZ_SECONDS, tmp_path / "graphql.yaml",
                        "--header", f"Authorization: Bearer {SECRET}")
    statuses = assert_no_server_error(interactions, at_least=5 * FUZZ_SECONDS)
    assert statuses[200] > 0
    # both kinds of operation were tried
    sent = " ".join(request_of(i) for i in interactions)
    assert "mutation" in sent and "addArticle" in sent and "claims" in sent


def test_fuzzing_the_openapi_routes_gives_no_server_error(writable_server, tmp_path):
    interactions = fuzz(f"{writable_server}/openapi.json", 5, tmp_path / "openapi.yaml",
                        "--phases", "examples,coverage,fuzzing")
    assert_no_server_error(interactions, at_least=10)


@pytest.mark.parametrize("status, body", [
    (500, '{"error": "x"}'),
    (200, '{"errors": [{"message": "Internal error: the server could not answer"}]}'),
    (400, 'Traceback (most recent call last):\n  File "/srv/api/app.py", line 3, in f'),
])
def test_the_cassette_check_catches_what_it_looks_for(status, body):
    interaction = {"request": {"method": "POST", "uri": "http://127.0.0.1/graphql", "body": {}},
                   "response": {"status": {"code": str(status)}, "body": {"string": body}}}
    with pytest.raises(AssertionError, match="1 of 1 requests failed"):
        assert_no_server_error([interaction], at_least=1)
