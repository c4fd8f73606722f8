"""Shared fixtures: the real corpus built once into a temporary store, and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
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


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A copy of the corpus that a test may tamper with."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
