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


# ---------------------------------------------------------------------------------------------
# A real Virtuoso (Debian's virtuoso-opensource) on free loopback ports
# ---------------------------------------------------------------------------------------------

VIRTUOSO_PACKAGE = "virtuoso-opensource"
VIRTUOSO_INI = (Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
                Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"))
# Below the seed graph's 3,942 quads, so that the dumps and validation must page through it.
VIRTUOSO_MAX_ROWS = 2000


def _install_virtuoso() -> None:
    """Install Debian's virtuoso-opensource when virtuoso-t is missing (as root, through apt-get),
    without letting the package start its system-wide service (on 0.0.0.0:8890 and :1111): a
    policy-rc.d that denies service starts is in place while it installs."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail(f"the Virtuoso tests need virtuoso-t and isql-vt: install Debian's "
                    f"{VIRTUOSO_PACKAGE} (apt-get install {VIRTUOSO_PACKAGE}), or run the tests "
                    "as root on Debian so that they install it")
    policy = Path("/usr/sbin/policy-rc.d")
    added = not policy.exists()
    if added:
        policy.write_text("#!/bin/sh\n# whosaid tests: no service starts while installing\nexit 101\n")
        policy.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", VIRTUOSO_PACKAGE]
    try:
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:  # an old package list: update it once and try again
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True, env=env,
                           timeout=600)
            done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    finally:
        if added:
            policy.unlink()
    if done.returncode != 0 or not shutil.which("virtuoso-t"):
        pytest.fail(f"could not install {VIRTUOSO_PACKAGE} with apt-get:\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """The package's virtuoso.ini with every file in `folder`, both ports on loopback, and a
    low row cap. Edited line by line: the file repeats keys, which configparser refuses."""
    import re
    template = next((p for p in VIRTUOSO_INI if p.exists()), None)
    if template is None:
        pytest.fail(f"no virtuoso.ini template at {' or '.join(map(str, VIRTUOSO_INI))}")
    changes = {
        "Database": {"DatabaseFile": folder / "virtuoso.db", "ErrorLogFile": folder / "virtuoso.log",
                     "LockFile": folder / "virtuoso.lck", "TransactionFile": folder / "virtuoso.trx",
                     "xa_persistent_file": folder / "virtuoso.pxa"},
        "TempDatabase": {"DatabaseFile": folder / "virtuoso-temp.db",
                         "TransactionFile": folder / "virtuoso-temp.trx"},
        "Parameters": {"ServerPort": f"127.0.0.1:{sql_port}",
                       "DirsAllowed": f"., {folder}, /usr/share/virtuoso-opensource-7/vad"},
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
        "SPARQL": {"ResultSetMaxRows": VIRTUOSO_MAX_ROWS},
    }
    lines, section, seen = [], None, set()
    for line in template.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"\s*\[(.+)\]", line):
            section = m.group(1)
        elif (k := re.match(r"\s*([A-Za-z_0-9]+)\s*=", line)) and k.group(1) in changes.get(section, {}):
            line = f"{k.group(1)} = {changes[section][k.group(1)]}"
            seen.add((section, k.group(1)))
        lines.append(line)
    missing = {(s, k) for s, keys in changes.items() for k in keys} - seen
    if missing:
        pytest.fail(f"{template} lacks settings the tests change: {sorted(missing)}")
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


class VirtuosoServer:
    """virtuoso-t in the foreground on its own folder and ini; start, kill -9, restart, stop.
    The dba password is changed to a random one at the first start; the writer account is the
    only one granted SPARQL_UPDATE."""

    WRITER = "whosaid_writer"

    def __init__(self, folder: Path):
        import secrets
        _install_virtuoso()
        self.folder = folder
        self.sql_port, self.http_port = free_port(), free_port()
        self.ini = _virtuoso_ini(folder, self.sql_port, self.http_port)
        self.endpoint = f"http://127.0.0.1:{self.http_port}/sparql"
        self.dba_password = "dba"
        self.password = secrets.token_hex(12)
        self.process: subprocess.Popen | None = None
        self.output = folder / "virtuoso-t.out"

    def log(self) -> str:
        text = ""
        for f in (self.folder / "virtuoso.log", self.output):
            if f.exists():
                text += f"--- {f}\n" + f.read_text(encoding="utf-8", errors="replace")[-4000:]
        return text

    def start(self, timeout: float = 90) -> None:
        with open(self.output, "a", encoding="utf-8") as out:
            self.process = subprocess.Popen(["virtuoso-t", "+configfile", str(self.ini), "+foreground"],
                                            cwd=self.folder, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.post(self.endpoint, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}):\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"Virtuoso did not answer at {self.endpoint} within "
                                   f"{timeout:g} s:\n{self.log()}")
            time.sleep(0.2)

    def isql(self, sql: str) -> str:
        """Run SQL statements as dba through isql-vt; fail on any error."""
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.dba_password],
                              input=sql, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    def setup_accounts(self) -> None:
        import secrets
        dba = "p" + secrets.token_hex(12)  # SET PASSWORD takes a name: no leading digit
        self.isql(f"DB.DBA.USER_CREATE ('{self.WRITER}', '{self.password}');\n"
                  f'GRANT SPARQL_UPDATE TO "{self.WRITER}";\n'
                  f"SET PASSWORD dba {dba};\n")
        self.dba_password = dba
        self.isql("checkpoint;\n")

    def env(self) -> dict[str, str]:
        """What whosaid needs to write to this server."""
        return {"WHOSAID_STORE_USER": self.WRITER, "WHOSAID_STORE_PASSWORD": self.password}

    def kill(self) -> None:
        """kill -9: no shutdown, no checkpoint."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def virtuoso_server():
    """A fresh Virtuoso in a temporary folder, started, with the writer account; stopped after."""
    with tempfile.TemporaryDirectory(prefix="whosaid-virtuoso-") as d:
        server = VirtuosoServer(Path(d))
        try:
            server.start()
            server.setup_accounts()
            yield server
        finally:
            server.stop()


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
