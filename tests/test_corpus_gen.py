"""The synthetic corpus generator (bench/corpus_gen): its output loads by the real build, and it is
deterministic from its seed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from bench.corpus_gen import generate
from bench.corpus_gen.articles import Generator
from bench.corpus_gen.emit import dump_list
from graph.build import build
from graph.config import Settings
from graph.names import normalize_name

REAL_ENTITIES = Path(__file__).resolve().parent.parent / "corpus" / "entities.yaml"


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("gen") / "c"
    return out, generate(out, 20, seed=1)


def test_generated_corpus_builds(corpus, tmp_path):
    out, made = corpus
    # The build checks every evidence span verbatim at its offsets, every reference, date, range,
    # quote and shared claim, then SHACL: a successful build is the proof that they hold.
    result = build(Settings.from_env(store=str(tmp_path / "s"), corpus=out))
    docs = [yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((out / "articles").glob("*.yaml"))]
    ids = [c["id"] for d in docs for c in d["claims"]]
    assert len(result.articles) == len(docs) == 20
    assert result.claims == len(set(ids)) == made.unique_claims
    assert len(ids) == made.claims
    assert result.entities == made.entities
    assert sum(a.claims for a in result.articles) == len(ids)


def test_generated_corpus_has_every_feature(corpus):
    out, _ = corpus
    entities = yaml.safe_load((out / "entities.yaml").read_text(encoding="utf-8"))
    docs = [yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((out / "articles").glob("*.yaml"))]
    claims = [c for d in docs for c in d["claims"]]
    assert {e["type"] for e in entities} == {
        "Person", "Organization", "GovernmentAgency", "ArmedForce", "MilitaryUnit", "NewsOutlet",
        "ThinkTank", "Country", "Place", "UnnamedSource"}
    assert all(1 <= len(e["aliases"]) <= 3 for e in entities)
    # every id, label and alias names one entity only, and none of the real corpus's
    names = [normalize_name(n) for e in entities for n in {normalize_name(e["id"]): e["id"],
             normalize_name(e["label"]): e["label"], **{normalize_name(a): a for a in e["aliases"]}}.values()]
    assert len(names) == len(set(names))
    real = yaml.safe_load(REAL_ENTITIES.read_text(encoding="utf-8"))
    assert not {e["id"] for e in real} & {e["id"] for e in entities}
    assert any("partOf" in e for e in entities) and any("locatedIn" in e for e in entities)
    assert any(c.get("via") for c in claims) and any(c.get("quote") for c in claims)
    assert any(c.get("period") for c in claims) and any(c.get("revises") or c.get("confirms") for c in claims)
    assert any(isinstance(c.get("stated"), dict) for c in claims)
    assert {len(c["stated"]) for c in claims if isinstance(c.get("stated"), str)} == {4, 7, 10}
    assert {k for c in claims for k in c.get("value") or {}} >= {"amount", "min", "max", "approximate",
                                                               "exclusive_min", "unit"}
    for d in docs:
        text = (out / "articles" / f"{d['id']}.txt").read_text(encoding="utf-8")
        assert 0 < d["body"]["start"] and d["body"]["end"] < len(text)  # furniture on both sides
        for c in d["claims"]:
            ev = c["evidence"]
            assert text[ev["start"]:ev["end"]] == ev["exact"]
            if c["quote"]:
                assert c["quote"] in ev["exact"]


def test_yaml_writer_round_trips():
    """The fast writer's output is read back by yaml.safe_load as exactly the document written."""
    gen = Generator(8, seed=3)
    entities = [e.doc() for e in gen.world.entities]
    assert yaml.safe_load(dump_list(entities)) == entities
    for i in range(8):
        _, _, doc = gen.article_doc(i)
        assert yaml.safe_load(gen.yaml(doc, i)) == doc


def test_generation_is_deterministic(corpus, tmp_path):
    out, _ = corpus
    generate(tmp_path / "same", 20, seed=1)
    generate(tmp_path / "other", 20, seed=2)
    assert digest(tmp_path / "same") == digest(out)
    assert digest(tmp_path / "other") != digest(out)
