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
    """A running server's base URL, which also knows the server's process (to signal it, or to
    read its threads and memory from /proc) and the file its output goes to."""
    pid: int
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def running_server(store: Path, log: Path | None = None, **env: str):
    """Start `whosaid serve` on a free port; yield its base URL (a ServerURL); stop it.
    Its output goes to `log` (a temporary file by default), never to a pipe nobody reads,
    which would block the server once full."""
    port = free_port()
    with contextlib.ExitStack() as cleanup:
        if log is None:
            log = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="whosaid-log-"))) / "log"
        with open(log, "w", encoding="utf-8") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "graph", "serve", "--port", str(port), "--store", str(store)],
                cwd=PROJECT_ROOT, env=dict(os.environ, **env), stdout=out, stderr=subprocess.STDOUT)
        base = ServerURL(f"http://127.0.0.1:{port}")
        base.pid, base.process, base.log = process.pid, process, log
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"whosaid serve exited:\n{log.read_text(encoding='utf-8')}")
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
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def proc_status(pid: int) -> dict[str, int]:
    """Threads and resident memory (VmRSS, kB) of a process, from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("Threads", "VmRSS"):
            found[key] = int(value.split()[0])
    return found


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


SERVERS = {"embedded": None, "oxigraph-server": "oxigraph_endpoint", "virtuoso": "virtuoso_endpoint"}


@pytest.fixture(scope="session", params=list(SERVERS))
def server(request, built_store_path):
    """whosaid serving the seed graph, from the embedded store, from an Oxigraph server and from
    Virtuoso: the API tests run against each."""
    fixture = SERVERS[request.param]
    location = built_store_path if fixture is None else request.getfixturevalue(fixture)
    # Virtuoso's text index serves `words` (the fixture sets it up as the README says).
    env = {"WHOSAID_STORE_TEXT_INDEX": "true"} if request.param == "virtuoso" else {}
    with running_server(location, **env) as base:
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


# ---------------------------------------------------------------------------------------------
# A real Virtuoso (Debian's virtuoso-opensource) on free loopback ports
# ---------------------------------------------------------------------------------------------

# The launcher is testbeds/virtuoso.py, which the benchmark (bench/run.py --engines virtuoso)
# shares; the tests' instance keeps its low row cap and the package's buffers.
from testbeds.virtuoso import INI_TEMPLATES as VIRTUOSO_INI  # noqa: E402
from testbeds.virtuoso import PACKAGE as VIRTUOSO_PACKAGE  # noqa: E402
from testbeds.virtuoso import TEST_MAX_ROWS as VIRTUOSO_MAX_ROWS  # noqa: E402
from testbeds.virtuoso import VirtuosoServer, virtuoso_server  # noqa: E402,F401
from testbeds.virtuoso import install_virtuoso as _install_virtuoso  # noqa: E402,F401
from testbeds.virtuoso import virtuoso_ini as _virtuoso_ini  # noqa: E402,F401


class VirtuosoURL(str):
    """The query endpoint of a Virtuoso holding the seed graph; .server is its VirtuosoServer."""
    server: VirtuosoServer


@pytest.fixture(scope="session")
def virtuoso_endpoint():
    """The seed graph built into a real Virtuoso, through `whosaid build --store URL`."""
    with virtuoso_server() as server:
        built = subprocess.run([sys.executable, "-m", "graph", "build", "--store", server.endpoint],
                               capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
                               env=dict(os.environ, COLUMNS="200", **server.env()))
        if built.returncode != 0:
            raise RuntimeError(f"whosaid build into Virtuoso failed:\n{built.stdout}\n{built.stderr}"
                               f"\n{server.log()}")
        url = VirtuosoURL(server.endpoint)
        url.server = server
        yield url
