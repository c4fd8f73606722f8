"""One source of truth for settings: graph/config.py. The README lists exactly its settings, and no
other module reads the environment, so what an operator sets is what the server does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT, SETTINGS, Settings, Tokens, settings_markdown


def test_the_readme_lists_every_setting_with_its_default():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_markdown() in readme, (
        "README.md's settings table is out of date; paste the output of "
        "`.venv/bin/python -c 'from graph.config import settings_markdown; print(settings_markdown())'`")


def test_no_module_but_config_reads_the_environment():
    readers = []
    for path in sorted((PROJECT_ROOT / "graph").rglob("*.py")) + sorted((PROJECT_ROOT / "api").rglob("*.py")):
        if path.name == "config.py" and path.parent.name == "graph":
            continue
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8")):
            readers.append(str(path.relative_to(PROJECT_ROOT)))
    assert readers == []


def test_every_setting_is_read_from_its_variable():
    environ = {"WHOSAID_SPARQL_TIMEOUT": "2.5", "WHOSAID_SPARQL_MAX_ROWS": "7",
               "WHOSAID_FEDERATION_ALLOW": "http://a.example/sparql, http://b.example/sparql",
               "WHOSAID_BASE_IRI": "http://localhost:8000"}
    s = Settings.from_env(environ)
    assert (s.sparql_timeout, s.sparql_max_rows) == (2.5, 7)
    assert s.federation_allow == ("http://a.example/sparql", "http://b.example/sparql")
    assert s.base_iri == "http://localhost:8000/"
    assert Settings.from_env(environ, store="x").store == "x"
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize("variable,value", [("WHOSAID_SPARQL_TIMEOUT", "soon"),
                                            ("WHOSAID_SPARQL_MAX_ROWS", "0"),
                                            ("WHOSAID_QUERY_TIMEOUT", "-1")])
def test_a_bad_value_is_refused_naming_its_variable(variable, value):
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})


def test_tokens_need_a_name_and_a_long_secret(tmp_path: Path):
    assert Tokens.read(["alice:0123456789abcdef"]).name_of("0123456789abcdef") == "alice"
    assert Tokens.read(["alice:0123456789abcdef"]).name_of("0123456789abcdeg") is None
    for bad in ["alice:short", ":0123456789abcdef", "0123456789abcdef"]:
        with pytest.raises(ValueError, match="at least 16 characters"):
            Tokens.read([bad])
    file = tmp_path / "tokens"
    file.write_text("# editors\nbob:fedcba9876543210fedcba\n\n", encoding="utf-8")
    tokens = Tokens.read([], file)
    assert len(tokens) == 1 and tokens.name_of("fedcba9876543210fedcba") == "bob"
    with pytest.raises(ValueError, match="WHOSAID_TOKENS_FILE"):
        Tokens.read([], tmp_path / "missing")


def test_settings_and_their_table_agree():
    assert [s.env for s in SETTINGS.values()] == re.findall(r"^\| `(WHOSAID_\w+)`", settings_markdown(), re.M)
