"""The dumps, against a real server: the same bytes as `whosaid export` in all six formats, HEAD
without a serialiser, and downloads abandoned half way that leave no thread behind."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.export import FORMATS

from .conftest import run_cli, running_server


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_dump_is_the_same_bytes_as_whosaid_export(embedded_server, built_store_path, tmp_path, fmt):
    f = FORMATS[fmt]
    target = tmp_path / f"export.{f.extension}"
    run_cli("export", "--format", fmt, "-o", str(target), store=built_store_path, check=True)
    response = httpx.get(f"{embedded_server}/dump.{f.extension}", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == f.media_type
    assert len(response.content) > 100_000
    assert response.content == target.read_bytes()


@pytest.mark.parametrize("ext", sorted(f.extension for f in FORMATS.values()))
def test_head_on_a_dump_gives_the_headers_of_get_and_no_body(embedded_server, ext):
    head = httpx.head(f"{embedded_server}/dump.{ext}")
    assert head.status_code == 200 and head.content == b""
    with httpx.stream("GET", f"{embedded_server}/dump.{ext}") as get:
        for name in ("content-type", "content-disposition"):
            assert head.headers[name] == get.headers[name]


def test_an_unknown_dump_is_404_for_get_and_head(embedded_server):
    response = httpx.get(f"{embedded_server}/dump.docx")
    assert response.status_code == 404 and "/dump.nt" in response.text
    assert httpx.head(f"{embedded_server}/dump.docx").status_code == 404


# ---------------------------------------------------------------------------------------------
# Abandoned downloads (issue 9, defect 11)
# ---------------------------------------------------------------------------------------------

def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise AssertionError(f"no thread count for process {pid}")


@pytest.fixture(scope="module")
def large_store(built_store_path, tmp_path_factory) -> Path:
    """The seed store plus a padding graph, so that a dump (about 10 MB of N-Triples) is larger
    than everything that can sit between the serialiser and a client that stopped reading (the
    hand-over queue, the transport and both socket buffers)."""
    path = tmp_path_factory.mktemp("large") / "store"
    shutil.copytree(built_store_path, path)
    store = ox.Store(str(path))
    padding = ox.NamedNode("urn:whosaid:test:padding")
    store.bulk_extend(ox.Quad(ox.NamedNode(f"urn:whosaid:test:s{i}"),
                              ox.NamedNode("urn:whosaid:test:text"),
                              ox.Literal(f"padding {i} " + "x" * 100), padding)
                      for i in range(80_000))
    store.flush()
    del store
    return path


def start_and_drop(base: str, path: str, count: int) -> None:
    """Start `count` downloads at once, read their first bytes, then go away."""
    host, port = base.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        s = socket.create_connection((host, int(port)), timeout=10)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        sockets.append(s)
    for s in sockets:
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
    for s in sockets:
        s.close()


def test_abandoned_dump_downloads_leave_no_thread_behind(large_store):
    with running_server(large_store) as base:
        with httpx.Client(base_url=base, timeout=30) as http:
            for _ in range(3):  # let the server reach its resting number of threads
                assert http.get("/healthz").status_code == 200
            at_rest = threads_of(base.pid)
            for batch in range(2):
                start_and_drop(base, "/dump.nt", 40)
                deadline = time.monotonic() + 5
                while threads_of(base.pid) > at_rest + 2 and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert threads_of(base.pid) <= at_rest + 2, \
                    f"batch {batch + 1}: {threads_of(base.pid)} threads, {at_rest} at rest"
            # and the server still answers, dumps included
            assert http.get("/healthz").status_code == 200
            assert http.get("/dump.nq").content.count(b"\n") > 80_000
