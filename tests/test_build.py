"""`whosaid build`, `validate`, `stats` and `export`, run as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import RDF, Dataset, Graph
from rdflib.compare import isomorphic

from graph.build import build
from graph.export import FORMATS
from graph.iris import WS
from graph.store import Store

from .conftest import run_cli, settings_for


def quads(store_path: Path) -> set[str]:
    store = Store.open(store_path, read_only=True)
    from pyoxigraph import RdfFormat
    return set(store.dump(RdfFormat.N_QUADS).decode("utf-8").splitlines())


def test_build_is_deterministic(tmp_path, built_store_path):
    again = tmp_path / "again"
    build(settings_for(again))
    assert quads(again) == quads(built_store_path)


def test_build_keeps_a_named_graph_per_article_and_claim_plus_entities_and_ontology(store, compiled):
    corpus, _ = compiled
    graphs = store.named_graphs()
    base = settings_for(Path("x")).base_iri
    assert f"{base}graph/entities" in graphs
    assert "https://w3id.org/whosaid/ontology" in graphs
    for article_id in corpus.articles:
        assert f"{base}graph/article/{article_id}" in graphs
    for claim_id in corpus.claims:
        assert f"{base}graph/claim/{claim_id}" in graphs
    assert len(graphs) == len(corpus.articles) + len(corpus.claims) + 2


def test_no_triple_is_in_two_graphs(store):
    """Oxigraph's union default graph counts a triple once per graph holding it."""
    from pyoxigraph import RdfFormat
    lines = store.dump(RdfFormat.N_QUADS).decode("utf-8").splitlines()
    triples = [line.rsplit(" ", 2)[0] for line in lines]
    assert len(triples) == len(set(triples))


def test_cli_build_prints_counts_per_article(tmp_path, compiled):
    corpus, _ = compiled
    result = run_cli("build", store=tmp_path / "store", check=True)
    for article in corpus.articles.values():
        assert article.id in result.stdout
    assert f"{len(corpus.claims)} claims" in result.stdout
    assert f"{len(corpus.entities)} entities" in result.stdout


def test_cli_stats_counts_claims(built_store_path, compiled):
    corpus, _ = compiled
    result = run_cli("stats", store=built_store_path, check=True)
    assert f"{len(corpus.claims)} claims" in result.stdout
    total_reports = sum(len(c.reports) for c in corpus.claims.values())
    assert f"{total_reports} reports" in result.stdout


def test_validate_passes_on_the_built_store(built_store_path):
    result = run_cli("validate", store=built_store_path)
    assert result.returncode == 0, result.stderr
    assert "conforms" in result.stdout


def test_validate_fails_on_an_export_missing_one_claimant_and_names_the_claim(tmp_path,
                                                                              built_store_path):
    broken, claim = broken_export(tmp_path, built_store_path)
    result = run_cli("validate", str(broken), store=built_store_path)
    assert result.returncode == 1
    assert str(claim) in result.stderr
    assert "claimant" in result.stderr
    assert "@prefix" not in result.stderr  # a readable report, not a Turtle dump


def test_validate_refuses_a_file_it_cannot_read(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    result = run_cli("validate", str(bad))
    assert result.returncode == 1
    assert "Cannot read" in result.stderr and "bad.ttl" in result.stderr


def test_commands_on_a_missing_store_say_to_build_first(tmp_path):
    result = run_cli("stats", store=tmp_path / "nowhere")
    assert result.returncode == 1
    assert "whosaid build" in result.stderr


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_then_import_is_isomorphic(fmt, tmp_path, built_store_path, store):
    target = tmp_path / f"dump.{FORMATS[fmt].extension}"
    run_cli("export", "--format", fmt, "-o", str(target), store=built_store_path, check=True)
    rdflib_format = {"ttl": "turtle", "nt": "nt", "xml": "xml", "trig": "trig", "nq": "nquads",
                     "jsonld": "json-ld"}[fmt]
    expected = store.dataset()
    if FORMATS[fmt].has_graphs:
        got = Dataset()
        got.parse(target, format=rdflib_format)
        names = {c.identifier for c in expected.graphs() if len(c)}
        assert {c.identifier for c in got.graphs() if len(c)} == names
        for name in names:
            assert isomorphic(got.graph(name), expected.graph(name)), name
    else:
        got = Graph().parse(target, format=rdflib_format)
        union = Graph()
        for s, p, o, _ in expected.quads((None, None, None, None)):
            union.add((s, p, o))
        assert isomorphic(got, union)


def test_export_to_stdout_is_the_same_bytes_as_to_a_file(tmp_path, built_store_path):
    target = tmp_path / "dump.nt"
    run_cli("export", "--format", "nt", "-o", str(target), store=built_store_path, check=True)
    stdout = run_cli("export", "--format", "nt", store=built_store_path, check=True).stdout
    assert stdout.encode("utf-8") == target.read_bytes()


def test_export_refuses_an_unknown_format(built_store_path):
    result = run_cli("export", "--format", "docx", store=built_store_path)
    assert result.returncode == 1 and "docx" in result.stderr


def test_every_claim_has_iri_under_the_configured_base(tmp_path, monkeypatch):
    monkeypatch.setenv("WHOSAID_BASE_IRI", "http://localhost:9999/kg/")
    from graph.config import Settings
    settings = Settings.from_env()
    build(Settings(settings.base_iri, str(tmp_path / "s"), settings.corpus))
    s = Store.open(tmp_path / "s", read_only=True)
    rows = s.select("PREFIX ws: <https://w3id.org/whosaid/ontology#> "
                    "SELECT ?c WHERE { ?c a ws:Claim }")
    assert rows and all(r["c"].value.startswith("http://localhost:9999/kg/claim/") for r in rows)


def broken_export(tmp_path: Path, built_store_path: Path) -> tuple[Path, str]:
    """An N-Quads export with one claim's claimant removed; returns (file, claim IRI)."""
    exported = tmp_path / "graph.trig"
    run_cli("export", "--format", "trig", "-o", str(exported), store=built_store_path, check=True)
    ds = Dataset()
    ds.parse(exported, format="trig")
    claim = next(ds.quads((None, WS.claimant, None, None)))[0]
    for g in ds.graphs():
        g.remove((claim, WS.claimant, None))
    broken = tmp_path / "broken.nq"
    ds.serialize(broken, format="nquads")
    return broken, str(claim)


def run_piped(*args: str) -> "subprocess.CompletedProcess":
    """The CLI with its output piped and no COLUMNS set, as in `whosaid validate | grep`."""
    import os
    import subprocess
    import sys
    from graph.config import PROJECT_ROOT
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, timeout=300)


def test_validate_output_is_not_wrapped_when_piped(tmp_path, built_store_path):
    broken, claim = broken_export(tmp_path, built_store_path)
    result = run_piped("validate", str(broken), "--store", str(built_store_path))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if claim in line]
    assert lines and any("claimant" in line for line in lines), result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) > 80  # one violation, one line


def test_validate_json_for_scripts(tmp_path, built_store_path):
    import json
    broken, claim = broken_export(tmp_path, built_store_path)
    result = run_piped("validate", str(broken), "--format", "json", "--store", str(built_store_path))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False and report["triples"] > 0
    assert {"focus", "path", "message", "shape", "value"} <= set(report["violations"][0])
    assert any(v["focus"] == claim and v["path"] == "ws:claimant" for v in report["violations"]), report
    ok = run_piped("validate", "--format", "json", "--store", str(built_store_path))
    assert ok.returncode == 0 and json.loads(ok.stdout)["conforms"] is True
    assert json.loads(ok.stdout)["violations"] == []


@pytest.mark.parametrize("args, env, expected", [
    (("build",), {"store": "FILE/store"}, "Could not write the store"),
    (("export", "--format", "nt", "-o", "DIR"), {"store": "BUILT"}, "Cannot write"),
    (("stats",), {"WHOSAID_QUERY_TIMEOUT": "soon"}, "WHOSAID_QUERY_TIMEOUT"),
    (("validate", "MISSING.ttl"), {}, "Cannot read"),
    (("validate", "--format", "yaml"), {}, "Unknown format"),
    (("add", "MISSING.yaml"), {"store": "BUILT"}, "No such file"),
    (("remove", "nothing-here"), {"store": "BUILT"}, "is not in the store"),
    (("history",), {"store": "NOWHERE"}, "whosaid build"),
    (("serve",), {"WHOSAID_WRITE_TOKENS": "editor:short"}, "at least 16 characters"),
    (("serve",), {"WHOSAID_TOKENS_FILE": "MISSING.tokens", "store": "BUILT"}, "cannot read it"),
])
def test_every_command_refuses_bad_input_without_a_traceback(tmp_path, built_store_path, args, env, expected):
    import os
    import shutil
    import subprocess
    import sys
    from graph.config import PROJECT_ROOT
    (tmp_path / "FILE").write_text("not a folder", encoding="utf-8")
    (tmp_path / "DIR").mkdir()
    built = tmp_path / "built"
    shutil.copytree(built_store_path, built)
    places = {"FILE/store": str(tmp_path / "FILE" / "store"), "DIR": str(tmp_path / "DIR"),
              "BUILT": str(built), "NOWHERE": str(tmp_path / "nowhere"),
              "MISSING.ttl": str(tmp_path / "missing.ttl"), "MISSING.yaml": str(tmp_path / "missing.yaml"),
              "MISSING.tokens": str(tmp_path / "missing.tokens")}
    environ = dict(os.environ, COLUMNS="200", WHOSAID_STORE=str(built))
    for key, value in env.items():
        environ["WHOSAID_STORE" if key == "store" else key] = places.get(value, value)
    argv = [places.get(a, a) for a in args]
    result = subprocess.run([sys.executable, "-m", "graph", *argv], capture_output=True, text=True,
                            env=environ, cwd=PROJECT_ROOT, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr.split("\n")[0]


# ---------------------------------------------------------------------------------------------
# Validation: the quick check passes what surely conforms, pyshacl says what does not
# ---------------------------------------------------------------------------------------------

def _pyshacl_only(monkeypatch) -> None:
    """Every article to pyshacl, as the build validated before the quick check."""
    import graph.build as build_module
    from graph.quick_check import Unsupported

    def refuse(*_args, **_kwargs):
        raise Unsupported("disabled by the test")
    monkeypatch.setattr(build_module, "QuickCheck", refuse)


def test_the_quick_check_passes_the_corpus_and_the_store_is_the_one_pyshacl_gives(
        tmp_path, built_store_path, monkeypatch):
    result = build(settings_for(tmp_path / "quick"), jobs=1)
    assert result.checked == 5 and result.pyshacl == 0
    _pyshacl_only(monkeypatch)
    slow = build(settings_for(tmp_path / "slow"), jobs=1)
    assert slow.pyshacl == 5
    assert quads(tmp_path / "quick") == quads(tmp_path / "slow") == quads(built_store_path)


def test_the_build_writes_the_triples_rdf_py_makes(compiled):
    """The build fills plain triple sets through rdf.py's add_* functions, not rdflib Graphs."""
    from graph.build import article_triples, claim_triples
    from graph.iris import Minter
    from graph.rdf import article_graph, claim_graph, ontology_graph, topic_measures
    corpus, _ = compiled
    mint = Minter(settings_for(Path("x")).base_iri)
    measures = topic_measures(ontology_graph())
    for article in corpus.articles.values():
        assert set(article_triples(article, mint)) == set(article_graph(article, mint))
    for claim in corpus.claims.values():
        assert set(claim_triples(claim, mint, measures)) == set(claim_graph(claim, mint, measures))


def test_one_article_with_a_shacl_violation_is_the_only_one_named(tmp_path, monkeypatch):
    """Articles are validated in parallel and mostly by the quick check; a violation is still
    reported for its own article, with pyshacl's report, and for no other."""
    import graph.rdf as rdf_module
    from bench.corpus_gen import generate
    from graph.build import ValidationFailed
    from graph.iris import OA, Minter
    corpus = tmp_path / "gen"
    generate(corpus, 12, seed=5)
    stems = sorted(p.stem for p in (corpus / "articles").glob("*.yaml"))
    bad = stems[7]
    mint = Minter(settings_for(Path("x")).base_iri)
    real_add_report = rdf_module.add_report

    def add_report(g, claim, article, m):
        node = real_add_report(g, claim, article, m)
        if article.id == bad:  # a second source: SHACL's maxCount and sh:class say no
            g.add((node, OA.hasSource, mint.article("nowhere")))
        return node
    monkeypatch.setattr(rdf_module, "add_report", add_report)

    def refused(store: str, jobs: int) -> ValidationFailed:
        with pytest.raises(ValidationFailed) as info:
            build(settings_for(tmp_path / store, corpus), jobs=jobs)
        return info.value

    quick = refused("quick", jobs=2)
    assert quick.violations
    doc = yaml.safe_load((corpus / "articles" / f"{bad}.yaml").read_text(encoding="utf-8"))
    bad_claims = {str(mint.claim(c["id"])) for c in doc["claims"]}
    for v in quick.violations:
        assert bad in v.focus or v.focus in bad_claims, v
    assert any("a report is in exactly one described article" in v.message
               for v in quick.violations)
    assert bad in str(quick)
    assert not any(stem in str(quick) for stem in stems if stem != bad)
    # nothing written: no store, and no staging copy of one (the build cache may stay)
    assert not (tmp_path / "quick").exists() and not (tmp_path / "quick.new").exists()

    _pyshacl_only(monkeypatch)
    assert refused("slow", jobs=2).violations == quick.violations


def test_the_quick_check_refuses_every_minimal_bad_graph(compiled):
    """Each case of tests/test_shapes.py, validated as the build validates an article (its nodes
    as focus nodes): where pyshacl finds a violation, the quick check must not pass the data."""
    from graph.build import CROSS_ARTICLE_RULES
    from graph.quick_check import QuickBase, QuickCheck
    from graph.validate import shapes_graph, validate_graph
    from graph.rdf import ontology_graph
    from rdflib import URIRef
    from .test_shapes import ARTICLE, CASES
    corpus, ds = compiled
    ontology = ontology_graph()
    wanted = {"graph/entities", f"graph/article/{ARTICLE}"} | \
        {f"graph/claim/{c.id}" for c in corpus.articles[ARTICLE].claims}
    valid = Graph()
    for g in ds.graphs():
        if any(str(g.identifier).endswith(w) for w in wanted):
            for t in g:
                valid.add(t)
    # Claims of other articles that this one's claims and links refer to are known as claims,
    # as the build gives them (context, not focus).
    own = {s for s in valid.subjects() if isinstance(s, URIRef)}
    context = {o for prop in (WS.confirms, WS.caveats, WS.source, WS.target) for o in valid.objects(None, prop)
               if o not in own}
    for o in context:
        valid.add((o, RDF.type, WS.Claim))
    quick, base = QuickCheck(shapes_graph(), CROSS_ARTICLE_RULES), QuickBase(ontology)
    checked = 0
    for case, (breaks, _expected) in sorted(CASES.items()):
        g = Graph()
        for t in valid:
            g.add(t)
        breaks(g)
        focus = {s for s in g.subjects() if isinstance(s, URIRef)} - context
        data = Graph()
        for t in (*ontology, *g):
            data.add(t)
        found = [v for v in validate_graph(data, focus_nodes=sorted(focus))
                 if v.message not in CROSS_ARTICLE_RULES]
        if found:
            checked += 1
            assert not quick.passes(base, list(g), focus), f"{case}: {found[0]}"
    assert quick.passes(base, list(valid), own)
    assert checked >= 20, checked


@pytest.mark.parametrize("feature", [
    "sh:not [ sh:class ws:Place ]",
    "sh:xone ( [ sh:class ws:Place ] [ sh:class ws:Person ] )",
    "sh:closed true",
    "sh:severity sh:Warning",
    "sh:deactivated true",
])
def test_shapes_the_quick_check_does_not_mirror_leave_validation_to_pyshacl(feature):
    from graph.quick_check import QuickCheck, Unsupported
    from graph.validate import shapes_graph
    extra = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ws: <https://w3id.org/whosaid/ontology#> .
        <urn:x:shape> a sh:NodeShape ; sh:targetClass ws:Claim ; {feature} .""", format="turtle")
    with pytest.raises(Unsupported):
        QuickCheck(shapes_graph() + extra)
