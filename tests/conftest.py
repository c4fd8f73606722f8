"""Shared fixtures: the real corpus built once into a temporary store, and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import sys
from pathlib import Path

import pytest

from graph.build import build, compile_corpus
from graph.config import PROJECT_ROOT, Settings
from graph.store import Store

CORPUS = PROJECT_ROOT / "corpus"


def settings_for(store: Path, corpus: Path = CORPUS) -> Settings:
    return Settings(base_iri=Settings.from_env().base_iri, store=str(store), corpus=corpus)


def run_cli(*args: str, store: Path | None = None, corpus: Path | None = None,
            check: bool = False) -> subprocess.CompletedProcess:
    """Run `whosaid ARGS` as a user would, in a child process."""
    env = dict(os.environ, COLUMNS="200")
    if store is not None:
        env["WHOSAID_STORE"] = str(store)
    if corpus is not None:
        env["WHOSAID_CORPUS"] = str(corpus)
    result = subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True,
                            env=env, cwd=PROJECT_ROOT, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"whosaid {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def built_store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store"
    build(settings_for(path))
    return path


@pytest.fixture(scope="session")
def store(built_store_path) -> Store:
    return Store.open(built_store_path, read_only=True)


@pytest.fixture(scope="session")
def compiled():
    """(corpus, dataset) of the real corpus, without a store."""
    return compile_corpus(settings_for(Path("unused")))


def share_alias(corpus: Path, alias: str, *entity_ids: str) -> None:
    """Give several entities of a corpus copy the same alias, to make a reference ambiguous."""
    import yaml
    path = corpus / "entities.yaml"
    entities = yaml.safe_load(path.read_text(encoding="utf-8"))
    for e in entities:
        if e["id"] in entity_ids:
            e["aliases"].append(alias)
    path.write_text(yaml.safe_dump(entities, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A copy of the corpus that a test may tamper with."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


# ---------------------------------------------------------------------------------------------
# A real whosaid server (uvicorn in a child process) on a free loopback port
# ---------------------------------------------------------------------------------------------

import contextlib
import socket
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerURL(str):
    """A running server's base URL, which also knows the server's process id (to read its
    threads and memory from /proc)."""
    pid: int


@contextlib.contextmanager
def running_server(store: Path, **env: str):
    """Start `whosaid serve` on a free port; yield its base URL (a ServerURL); stop it."""
    port = free_port()
    # The server's output goes to a file, not a pipe nobody reads (a full pipe would block it).
    log = tempfile.TemporaryFile("w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--port", str(port), "--store", str(store)],
        cwd=PROJECT_ROOT, env=dict(os.environ, **env), stdout=log, stderr=subprocess.STDOUT, text=True)
    base = ServerURL(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"whosaid serve exited:\n{log.read()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("whosaid serve did not start within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def oxigraph_server():
    """A real Oxigraph server (the binary the `oxigraph` package ships) on a free port, with the
    union default graph whosaid needs; yields its query endpoint."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        binary = Path(shutil.which("oxigraph") or "oxigraph")
    port = free_port()
    with tempfile_dir() as location:
        process = subprocess.Popen([str(binary), "serve", "--location", str(location), "--bind",
                                    f"127.0.0.1:{port}", "--union-default-graph"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        endpoint = f"http://127.0.0.1:{port}/query"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.post(endpoint, data={"query": "ASK {}"}, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Oxigraph server did not start")
                time.sleep(0.1)
            yield endpoint
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextlib.contextmanager
def tempfile_dir():
    import tempfile
    with tempfile.TemporaryDirectory(prefix="whosaid-oxigraph-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def oxigraph_endpoint():
    """The seed graph built into a real Oxigraph server."""
    with oxigraph_server() as endpoint:
        build(settings_for(Path("unused")), store_path=endpoint)
        yield endpoint


@pytest.fixture(scope="session", params=["embedded", "oxigraph-server"])
def server(request, built_store_path):
    """whosaid serving the seed graph, from the embedded store and from an Oxigraph server:
    the API tests run against both."""
    location = built_store_path if request.param == "embedded" else \
        request.getfixturevalue("oxigraph_endpoint")
    with running_server(location) as base:
        yield base


@pytest.fixture(scope="session")
def embedded_server(built_store_path):
    with running_server(built_store_path) as base:
        yield base


class GraphQLClient:
    """A plain HTTP GraphQL client, as application code would use."""

    def __init__(self, base: str, accept: str = "application/graphql-response+json"):
        self.url = f"{base}/graphql"
        self.accept = accept
        self.http = httpx.Client(timeout=30)

    def post(self, query: str, variables: dict | None = None, **headers) -> httpx.Response:
        return self.http.post(self.url, json={"query": query, "variables": variables or {}},
                              headers={"accept": self.accept, **headers})

    def data(self, query: str, variables: dict | None = None) -> dict:
        response = self.post(query, variables)
        body = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        return body["data"]


@pytest.fixture(scope="session")
def gql(server) -> GraphQLClient:
    return GraphQLClient(server)
