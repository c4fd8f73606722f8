"""WHOSAID_SERVE_WORKERS: `whosaid serve` as several worker processes on one port (read-only
servers only), tested on real servers and real processes, read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from graph.config import Settings

from .conftest import PROJECT_ROOT, GraphQLClient, free_port, proc_status, running_server

QUERY = "{ claims(first: 5) { totalCount nodes { id } } }"
CLIENTS = 16   # at once: under one process's WHOSAID_READ_WORKERS + WHOSAID_READ_QUEUE, so
REQUESTS = 3   # each, on one kept-alive connection   # no answer may be a 503 refusal


# -- processes, from /proc ---------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == pid and stat[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def descendants(pid: int) -> set[int]:
    found = set()
    for child in children(pid):
        found |= {child} | descendants(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has exited, whoever reaps it


def server_workers(pid: int) -> list[int]:
    """The server's worker processes: its children started by multiprocessing's spawn (its other
    child, multiprocessing's resource tracker, is left out)."""
    return [c for c in children(pid) if "spawn_main" in cmdline(c)]


def connections_held(pids: list[int], port: int) -> dict[int, int]:
    """How many established TCP connections to `port` each process holds open."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            f = line.split()
            if f[3] == "01" and int(f[1].rsplit(":", 1)[1], 16) == port:
                established.add(f"socket:[{f[9]}]")
    held = {}
    for pid in pids:
        count = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                count += os.readlink(fd) in established
            except OSError:
                pass
        held[pid] = count
    return held


def open_files_under(pid: int, folder: Path) -> list[str]:
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def serve(store: Path, **env: str) -> subprocess.CompletedProcess:
    """`whosaid serve` expected to refuse to start: its result (a server that starts instead
    fails the test by its timeout)."""
    return subprocess.run([sys.executable, "-m", "graph", "serve", "--port", str(free_port()),
                           "--store", str(store)], capture_output=True, text=True, timeout=60,
                          cwd=PROJECT_ROOT, env=dict(os.environ, COLUMNS="200", **env))


# -- the store, opened read-only by several processes at once ------------------------------------

def test_several_processes_can_read_one_store_at_once(store, built_store_path):
    """What the workers rely on: RocksDB lets any number of processes open a store read-only,
    while this one holds it open too."""
    quads = len(store._inner)
    reader = ("import sys, time; from graph.store import Store; s = Store.open(sys.argv[1], "
              "read_only=True); time.sleep(1); print(len(s._inner))")
    processes = [subprocess.Popen([sys.executable, "-c", reader, str(built_store_path)],
                                  cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
    for p in processes:
        out, errors = p.communicate(timeout=60)
        assert p.returncode == 0, errors
        assert int(out) == quads > 0


# -- a server of two workers ---------------------------------------------------------------------

def test_two_workers_share_the_port_and_answer_as_one_server_does(built_store_path, embedded_server):
    expected = GraphQLClient(embedded_server).data(QUERY)
    everything: set[int] = set()
    try:
        with running_server(built_store_path, WHOSAID_SERVE_WORKERS="2") as base:
            port = int(base.rsplit(":", 1)[1])
            assert "(2 worker processes)" in base.log.read_text(encoding="utf-8")
            deadline = time.monotonic() + 30
            while len(workers := server_workers(base.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(workers) == 2, cmdline(base.pid)
            # The supervising process checked that the app can be built, then let go of it.
            assert open_files_under(base.pid, built_store_path) == []

            held: dict[int, int] = {}
            asked = threading.Barrier(CLIENTS + 1, timeout=120)
            release = threading.Event()

            def client() -> list[tuple[int, dict]]:
                with httpx.Client(timeout=60) as http:
                    answers = []
                    for _ in range(REQUESTS):
                        r = http.post(f"{base}/graphql", json={"query": QUERY},
                                      headers={"accept": "application/graphql-response+json"})
                        answers.append((r.status_code, r.json()))
                    asked.wait()          # hold the connection while its owner is read
                    release.wait(120)
                    return answers

            with ThreadPoolExecutor(CLIENTS) as pool:
                futures = [pool.submit(client) for _ in range(CLIENTS)]
                try:
                    asked.wait()
                    held = connections_held(workers, port)
                finally:
                    release.set()
                answers = [a for f in futures for a in f.result()]

            assert len(answers) == CLIENTS * REQUESTS
            assert all(status == 200 for status, _ in answers), {s for s, _ in answers}
            assert all(body == {"data": expected} for _, body in answers)
            assert sum(held.values()) == CLIENTS, held
            print(f"connections per worker: {held}")

            # Both take SPARQL too, each with its own pool (started on first use).
            for _ in range(4):
                r = httpx.post(f"{base}/sparql", data={"query": "ASK { ?s ?p ?o }"},
                               headers={"accept": "application/sparql-results+json"}, timeout=30)
                assert r.status_code == 200 and r.json()["boolean"] is True

            everything = descendants(base.pid) | {base.pid}
            memory = {pid: proc_status(pid)["VmRSS"] // 1024 for pid in [base.pid, *workers]}
            print(f"resident MB (supervisor first, then the workers): {memory}")
            assert set(workers) <= everything and len(everything) >= 3
        # running_server sent SIGTERM to the supervisor only: it stops its workers, and they
        # their SPARQL workers.
        deadline = time.monotonic() + 15
        while any(alive(p) for p in everything) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in everything if alive(p)] == []
    finally:
        for pid in everything:  # only ever this test's own processes, if any was left
            if alive(pid):
                os.kill(pid, 9)


def test_the_connections_of_many_clients_are_spread_over_both_workers(built_store_path):
    """Both workers serve: connections made one after another land on each of them."""
    with running_server(built_store_path, WHOSAID_SERVE_WORKERS="2") as base:
        port = int(base.rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while len(workers := server_workers(base.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        clients: list[httpx.Client] = []
        try:
            held: dict[int, int] = {}
            while time.monotonic() < deadline + 30:
                http = httpx.Client(timeout=30)
                clients.append(http)
                assert http.get(f"{base}/healthz").status_code == 200
                held = connections_held(workers, port)
                if all(held.values()):
                    break
            assert len(held) == 2 and all(held.values()), held
        finally:
            for http in clients:
                http.close()


def test_an_external_store_can_be_served_by_two_workers(oxigraph_endpoint, embedded_server):
    """Reads through HTTP own nothing: two workers over an Oxigraph server are allowed."""
    expected = GraphQLClient(embedded_server).data(QUERY)
    with running_server(oxigraph_endpoint, WHOSAID_SERVE_WORKERS="2") as base:
        assert "(2 worker processes)" in base.log.read_text(encoding="utf-8")
        assert GraphQLClient(base).data(QUERY) == expected


# -- refusals ----------------------------------------------------------------------------------

def test_a_server_with_write_tokens_refuses_several_workers(built_store_path):
    result = serve(built_store_path, WHOSAID_SERVE_WORKERS="2",
                   WHOSAID_WRITE_TOKENS="t:" + "s3cr3t-0123456789abcdef0123456789")
    assert result.returncode == 1
    assert "Cannot serve" in result.stderr and "WHOSAID_SERVE_WORKERS=2" in result.stderr
    assert "owns its store" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["0", "x", "-3"])
def test_a_bad_number_of_workers_is_refused_naming_the_variable(built_store_path, value):
    result = serve(built_store_path, WHOSAID_SERVE_WORKERS=value)
    assert result.returncode == 1
    assert "A setting is wrong" in result.stderr and "WHOSAID_SERVE_WORKERS" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_workers_get_the_settings_the_command_was_given():
    """Options (--store) reach the workers, which read their settings from the environment."""
    environ = {"WHOSAID_SERVE_WORKERS": "2", "WHOSAID_SPARQL_TIMEOUT": "2.5"}
    settings = Settings.from_env(environ, store="/elsewhere/store")
    settings.export(environ)
    assert environ["WHOSAID_STORE"] == "/elsewhere/store"
    assert Settings.from_env(environ) == settings
    assert Settings.from_env(environ).serve_workers == 2


def test_the_workers_shared_socket_gives_connections_without_nagle_delays():
    """uvicorn binds the workers' socket with protocol 0, and asyncio sets TCP_NODELAY only on
    connections accepted from a socket that reads as TCP: every keep-alive answer then waited
    for the client's delayed ACK (about 40 ms). The socket `whosaid serve` hands its workers
    must give connections with TCP_NODELAY on, as a one-process server's have."""
    import asyncio
    import socket

    import uvicorn

    from graph.cli import _tcp_socket

    config = uvicorn.Config("api.app:create_app", factory=True, workers=2, host="127.0.0.1", port=0)
    sock = _tcp_socket(config.bind_socket())
    seen: list[int] = []

    async def main() -> None:
        def accepted(reader, writer):
            conn = writer.get_extra_info("socket")
            seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen and seen[0] != 0, seen
