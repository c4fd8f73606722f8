"""The extractor end to end: an article it has never seen, as text or as a saved page, becomes
claims in the curated format that pass the build's checks and `whosaid add`; `whosaid eval`
scores it against the curated claims. The article below is written for this test."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from graph.extract.evaluate import LEVELS, evaluate_corpus, format_table
from graph.extract.pipeline import extract_article

from .conftest import CORPUS, run_cli

WIRE = (
    "Seoul says more North Korean troops sent to Russia\n\n"
    "South Korea's National Intelligence Service said on Monday that about 3,000 more North Korean "
    "soldiers had been sent to Russia in January and February.\n"
    "Ukrainian President Volodymyr Zelenskyy told The Associated Press that up to 4,000 North Korean "
    "troops had been killed or wounded.\n"
    "The agency said the troops could be deployed to the front by mid-April.\n"
    "Read also:\n- Another story\n"
)


def by_claimant(doc: dict) -> dict[str, dict]:
    return {c["claimant"]: c for c in doc["claims"]}


def test_an_unseen_article_gives_who_said_what_through_whom_when_and_how_much():
    doc = extract_article(WIRE, article_id="wire-test", published="2025-03-04")
    assert doc["body"]["start"] == WIRE.index("South Korea's") and WIRE[doc["body"]["end"] - 1] == "."
    claims = doc["claims"]
    assert len(claims) == 3
    first, zelenskyy, agency = claims
    assert (first["claimant"], first["via"], first["topic"]) == ("nis", [], "deployed-strength")
    assert first["value"] == {"amount": 3000, "approximate": True, "unit": "soldiers"}
    # "on Monday", worked out from the publication day, and marked so.
    assert first["stated"]["date"] == "2025-03-03" and first["stated"]["inferred"]
    assert "on Monday" in first["stated"]["basis"]
    # "told The Associated Press": the AP relays it.
    assert (zelenskyy["claimant"], zelenskyy["via"]) == ("zelenskyy", ["associated-press"])
    assert zelenskyy["value"] == {"max": 4000, "unit": "soldiers"} and zelenskyy["topic"] == "casualties"
    # "The agency" refers back to the NIS; "could" hedges the claim.
    assert agency["claimant"] == "nis" and "could" in agency["hedges"]
    assert agency["modality"] in ("hedged", "predicted")
    for c in claims:
        assert WIRE[c["evidence"]["start"]:c["evidence"]["end"]] == c["evidence"]["exact"]
    assert doc["curation"]["method"] == "extracted" and doc["curation"]["review"]["status"] == "unreviewed"
    assert doc["published"]["inferred"]  # given by the caller, not printed: marked


def test_extracted_articles_pass_the_build_checks_and_whosaid_add(tmp_path, built_store_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "wire-test.txt").write_text(WIRE, encoding="utf-8")
    for text in sorted((CORPUS / "articles").glob("*.txt")):  # the seeds, under new ids
        shutil.copy(text, source / f"x-{text.name}")
    out = tmp_path / "out"
    result = run_cli("extract", *map(str, sorted(source.glob("*.txt"))), "-o", str(out), "--jobs", "2",
                     "--published", "2025-03-04", check=True)
    assert "6 article(s) written" in result.stderr
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    added = run_cli("add", str(out), store=store, check=True)
    assert added.stdout.count("added") == 6, added.stdout
    doc = yaml.safe_load((out / "wire-test.yaml").read_text(encoding="utf-8"))
    assert len(doc["claims"]) == 3


def test_a_saved_page_is_read_for_its_body_and_metadata(tmp_path):
    page = tmp_path / "page.html"
    body = "".join(f"<p>{line}</p>" for line in WIRE.splitlines()[2:5])
    page.write_text("<!doctype html><html><head><title>Seoul says more troops sent</title>"
                    '<meta property="article:published_time" content="2025-03-04T09:00:00Z"></head>'
                    f"<body><nav>Home | World</nav><article><h1>Seoul says more troops sent</h1>{body}"
                    "</article><footer>Read also: other stories</footer></body></html>", encoding="utf-8")
    result = run_cli("extract", str(page), check=True)
    doc = yaml.safe_load(result.stdout)
    assert doc["title"] == "Seoul says more troops sent"
    assert doc["published"]["date"] == "2025-03-04" and "metadata" in doc["published"]["basis"]
    assert {c["claimant"] for c in doc["claims"]} == {"nis", "zelenskyy"}


def test_eval_prints_the_scores_it_computes():
    result = evaluate_corpus(CORPUS)
    # The bar on the seed articles (in-sample: see the README); a rule that breaks a
    # stage shows here first.
    assert result.levels["claimant+topic+value"].f1 >= 0.8, format_table(result)
    printed = run_cli("eval", check=True).stdout
    for level in LEVELS:
        score = result.levels[level]
        assert f"| {level} | {score.precision:.3f} | {score.recall:.3f} | {score.f1:.3f} |" in printed
    assert result.curated == sum(len(a.claims) for a in _articles())


def _articles():
    from graph.build import topic_ids
    from graph.corpus import load_corpus
    from graph.rdf import ontology_graph
    return load_corpus(Path(CORPUS), topic_ids(ontology_graph())).articles.values()


EXTRACT = """mutation($input: ExtractInput!, $add: Boolean!) { extractArticle(input: $input, add: $add) {
  proposal claims text change { kind article } article { id claims { totalCount } } } }"""


def test_the_extraction_mutation_needs_a_token_proposes_and_adds_on_request(tmp_path, built_store_path):
    from .conftest import GraphQLClient, running_server
    from .test_ingest import AUTH, TOKEN
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    given = {"input": {"id": "wire-test", "text": WIRE, "published": "2025-03-04"}, "add": False}
    with running_server(store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)
        anonymous = client.post(EXTRACT, given).json()
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        proposed = client.post(EXTRACT, given, **AUTH).json()["data"]["extractArticle"]
        assert proposed["claims"] == 3 and proposed["change"] is None and proposed["text"] == WIRE
        assert yaml.safe_load(proposed["proposal"])["claims"][1]["via"] == ["associated-press"]
        assert client.data("{ claims(curation: EXTRACTED) { totalCount } }")["claims"]["totalCount"] == 0
        added = client.post(EXTRACT, {**given, "add": True}, **AUTH).json()["data"]["extractArticle"]
        assert added["change"] == {"kind": "added", "article": "article/wire-test"}
        assert added["article"]["claims"]["totalCount"] == 3
        waiting = client.data("{ claims(curation: EXTRACTED, reviewStatus: UNREVIEWED) { totalCount } }")
        assert waiting["claims"]["totalCount"] == 3
        bad = client.post(EXTRACT, {"input": {"id": "Not A Slug"}, "add": False}, **AUTH).json()
        assert bad["errors"][0]["extensions"]["code"] == "REFUSED"


def test_a_folder_is_extracted_and_added_in_one_command(tmp_path, built_store_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "wire-one.txt").write_text(WIRE, encoding="utf-8")
    (folder / "wire-two.txt").write_text(WIRE.replace("Monday", "Tuesday"), encoding="utf-8")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")   # left alone
    store = tmp_path / "store"
    shutil.copytree(built_store_path, store)
    result = run_cli("extract", str(folder), "-o", str(tmp_path / "out"), "--add",
                     "--published", "2025-03-05", store=store, check=True)
    assert result.stdout.count("added") == 2, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "wire-one.txt", "wire-one.yaml", "wire-two.txt", "wire-two.yaml"]
    refused = run_cli("extract", str(folder), "--add", store=store)
    assert refused.returncode == 1 and "--add needs -o FOLDER" in refused.stderr
