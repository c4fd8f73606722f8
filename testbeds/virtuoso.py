"""A throwaway Virtuoso (Debian's virtuoso-opensource 7) on free loopback ports, with its own
folder and ini: for the tests (tests/conftest.py, virtuoso_endpoint) and the benchmark
(bench/run.py --engines virtuoso).

    with virtuoso_server() as server:          # started, writer account and text index set up
        server.endpoint                        # http://127.0.0.1:PORT/sparql
        server.env()                           # what whosaid needs to write to it

The tests' instance caps answers at TEST_MAX_ROWS and keeps the package's small buffers; the
benchmark asks for the default row cap and buffers sized for its corpora (BENCH_BUFFERS)."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

PACKAGE = "virtuoso-opensource"
INI_TEMPLATES = (Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
                 Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"))
# The tests' row cap: below the seed graph's 3,942 quads, so that the dumps and validation must
# page through it.
TEST_MAX_ROWS = 2000
# Virtuoso's own default row cap (ResultSetMaxRows), which the benchmark keeps.
DEFAULT_MAX_ROWS = 10_000
# (NumberOfBuffers, MaxDirtyBuffers) of 8 kB pages: the package ini's line "for 4 GB of system
# memory free" (2.7 GB of buffers), enough to hold a store of 10^4 articles (4.5e6 quads) in
# memory. The tests keep the package's 10,000 / 6,000 (80 MB).
BENCH_BUFFERS = (340_000, 250_000)
TEXT_INDEX_SQL = Path(__file__).resolve().parent.parent / "tools" / "virtuoso-text-index.sql"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_virtuoso() -> None:
    """Install Debian's virtuoso-opensource when virtuoso-t is missing (as root, through apt-get),
    without letting the package start its system-wide service (on 0.0.0.0:8890 and :1111): a
    policy-rc.d that denies service starts is in place while it installs."""
    if shutil.which("virtuoso-t") and shutil.which("isql-vt"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RuntimeError(f"the Virtuoso tests need virtuoso-t and isql-vt: install Debian's "
                           f"{PACKAGE} (apt-get install {PACKAGE}), or run the tests "
                           "as root on Debian so that they install it")
    policy = Path("/usr/sbin/policy-rc.d")
    added = not policy.exists()
    if added:
        policy.write_text("#!/bin/sh\n# whosaid tests: no service starts while installing\nexit 101\n")
        policy.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", PACKAGE]
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
        raise RuntimeError(f"could not install {PACKAGE} with apt-get:\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def virtuoso_ini(folder: Path, sql_port: int, http_port: int, max_rows: int = TEST_MAX_ROWS,
                 buffers: tuple[int, int] | None = None) -> Path:
    """The package's virtuoso.ini with every file in `folder`, both ports on loopback, the row
    cap `max_rows` and, when given, (NumberOfBuffers, MaxDirtyBuffers). Edited line by line: the
    file repeats keys, which configparser refuses."""
    template = next((p for p in INI_TEMPLATES if p.exists()), None)
    if template is None:
        raise RuntimeError(f"no virtuoso.ini template at {' or '.join(map(str, INI_TEMPLATES))}")
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
        "SPARQL": {"ResultSetMaxRows": max_rows},
    }
    if buffers is not None:
        changes["Parameters"].update(NumberOfBuffers=buffers[0], MaxDirtyBuffers=buffers[1])
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
        raise RuntimeError(f"{template} lacks settings the tests change: {sorted(missing)}")
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ini


class VirtuosoServer:
    """virtuoso-t in the foreground on its own folder and ini; start, kill -9, restart, stop.
    The dba password is changed to a random one at the first start; the writer account is the
    only one granted SPARQL_UPDATE."""

    WRITER = "whosaid_writer"

    def __init__(self, folder: Path, max_rows: int = TEST_MAX_ROWS,
                 buffers: tuple[int, int] | None = None):
        install_virtuoso()
        self.folder = folder
        self.sql_port, self.http_port = free_port(), free_port()
        self.ini = virtuoso_ini(folder, self.sql_port, self.http_port, max_rows, buffers)
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

    def isql(self, sql: str, timeout: float = 120) -> str:
        """Run SQL statements as dba through isql-vt; fail on any error."""
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.dba_password],
                              input=sql, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    def setup_accounts(self, text_index_sql: Path = TEXT_INDEX_SQL) -> None:
        dba = "p" + secrets.token_hex(12)  # SET PASSWORD takes a name: no leading digit
        self.isql(f"DB.DBA.USER_CREATE ('{self.WRITER}', '{self.password}');\n"
                  f'GRANT SPARQL_UPDATE TO "{self.WRITER}";\n'
                  f"SET PASSWORD dba {dba};\n")
        self.dba_password = dba
        # The text index as the README sets it up, from the file it points to.
        self.isql(Path(text_index_sql).read_text(encoding="utf-8"))
        self.isql("checkpoint;\n")

    def env(self) -> dict[str, str]:
        """What whosaid needs to write to this server."""
        return {"WHOSAID_STORE_USER": self.WRITER, "WHOSAID_STORE_PASSWORD": self.password,
                "WHOSAID_STORE_TEXT_INDEX": "true"}

    def memory_mb(self) -> dict:
        """virtuoso-t's resident memory now (VmRSS) and at its peak (VmHWM), MB."""
        found = {}
        if self.process is None or self.process.poll() is not None:
            return found
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[{"VmRSS": "rss_mb", "VmHWM": "hwm_mb"}[key]] = int(value.split()[0]) / 1024
        except OSError:
            pass
        return found

    def disk_mb(self) -> float:
        """The size of its database files (virtuoso*.db, .trx), MB."""
        return sum(f.stat().st_size for f in self.folder.glob("virtuoso*.*")
                   if f.suffix in (".db", ".trx")) / 2**20

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
def virtuoso_server(max_rows: int = TEST_MAX_ROWS, buffers: tuple[int, int] | None = None,
                    text_index_sql: Path = TEXT_INDEX_SQL, parent: Path | None = None):
    """A fresh Virtuoso in a temporary folder (under `parent` when given), started, with the
    writer account and the text index; stopped and its folder deleted after."""
    with tempfile.TemporaryDirectory(prefix="whosaid-virtuoso-", dir=parent) as d:
        server = VirtuosoServer(Path(d), max_rows, buffers)
        try:
            server.start()
            server.setup_accounts(text_index_sql)
            yield server
        finally:
            server.stop()
