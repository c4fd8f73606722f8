"""Adding, replacing and removing articles: CLI and GraphQL, validated, atomic, durable."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml
from pyoxigraph import RdfFormat

from graph.store import Store

from .conftest import CORPUS, PROJECT_ROOT, GraphQLClient, free_port, run_cli, running_server

HISTORY = "graph/history>"
TOKEN = "editor:editor-secret-42"
AUTH = {"authorization": "Bearer editor-secret-42"}
A002 = "002_394fee5181a7713e"


def quads(store_path: Path, history: bool = False) -> set[str]:
    store = Store.open(store_path, read_only=True)
    lines = store.dump(RdfFormat.N_QUADS).decode("utf-8").splitlines()
    return {line for line in lines if history or not line.rstrip(" .").endswith(HISTORY)}


def store_bytes(store_path: Path) -> bytes:
    return Store.open(store_path, read_only=True).dump(RdfFormat.N_QUADS)


def new_article(tmp_path: Path, article_id: str = "new-article", claims: int = 1) -> Path:
    """A new article: the text of 002, a claim by a known entity and one about a new entity."""
    text = (CORPUS / "articles" / f"{A002}.txt").read_text(encoding="utf-8")
    sentence = "The military intelligence chief, Kyrylo Budanov, said he expects Pyongyang to dispatch additional reinforcements to Russia, namely artillery units."
    start = text.index(sentence)
    doc = {
        "id": article_id, "title": "A test article", "outlet": "Kyiv Independent",
        "published": "2025-02-01", "body": {"start": 429, "end": 2229},
        "entities": [{"id": "north-korean-artillery", "type": "MilitaryUnit",
                      "label": "North Korean artillery units", "partOf": "north-korean-force-kursk"}],
        "claims": [{
            "id": f"{article_id}-claim-{i}", "claimant": "Budanov", "via": [],
            "statement": f"Budanov expects North Korean artillery units to be sent to Russia ({i}).",
            "topic": "reinforcements", "about": ["north-korean-artillery", "Russia"],
            "evidence": {"start": start, "end": start + len(sentence), "exact": sentence},
        } for i in range(claims)],
    }
    path = tmp_path / f"{article_id}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path.with_suffix(".txt").write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def seed_store(tmp_path, built_store_path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built_store_path, target)
    return target


# ---------------------------------------------------------------------------------------------
# The CLI
# ---------------------------------------------------------------------------------------------

def test_adding_the_seed_articles_one_by_one_gives_the_built_graph(tmp_path, built_store_path):
    store = tmp_path / "one-by-one"
    run_cli("add", str(CORPUS / "entities.yaml"), store=store, check=True)
    for article in sorted((CORPUS / "articles").glob("*.yaml")):
        result = run_cli("add", str(article), store=store, check=True)
        assert "added" in result.stdout
    assert quads(store) == quads(built_store_path)


def test_a_folder_adds_all_it_holds(tmp_path, built_store_path):
    store = tmp_path / "folder"
    result = run_cli("add", str(CORPUS), store=store, check=True)
    assert result.stdout.count("added") == 5
    assert quads(store) == quads(built_store_path)


def test_adding_the_same_article_twice_is_byte_for_byte_idempotent(tmp_path, seed_store):
    path = new_article(tmp_path)
    run_cli("add", str(path), store=seed_store, check=True)
    once = store_bytes(seed_store)
    again = run_cli("add", str(path), store=seed_store, check=True)
    assert "unchanged" in again.stdout
    assert store_bytes(seed_store) == once


def test_replacing_an_article_replaces_its_changed_claims_rather_than_adding_to_them(tmp_path, seed_store):
    """A claim only this article reports may change when the article is replaced: its old
    claimant and topic must go, not stay beside the new ones."""
    path = new_article(tmp_path)
    run_cli("add", str(path), store=seed_store, check=True)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["claims"][0].update(claimant="zelenskyy", topic="casualties")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert "replaced" in run_cli("add", str(path), store=seed_store, check=True).stdout
    claim = "<https://w3id.org/whosaid/claim/new-article-claim-0>"
    kept = {q for q in quads(seed_store) if q.startswith(claim)}
    assert any("zelenskyy" in q for q in kept) and not any("budanov" in q for q in kept)
    assert any("topic/casualties" in q for q in kept) and not any("topic/reinforcements" in q for q in kept)


def test_a_new_article_referencing_known_and_new_entities_shows_up_at_once(tmp_path, seed_store):
    run_cli("add", str(new_article(tmp_path)), store=seed_store, check=True)
    with running_server(seed_store) as base:
        data = GraphQLClient(base).data("""{ claims(claimant: "budanov", about: "North Korean artillery units") {
            totalCount nodes { about { id } reports { article { id outlet { id } } } } } }""")
    assert data["claims"]["totalCount"] == 1
    node = data["claims"]["nodes"][0]
    assert {a["id"] for a in node["about"]} == {"entity/north-korean-artillery", "entity/russia"}
    assert node["reports"][0]["article"]["outlet"]["id"] == "entity/kyiv-independent"


def test_a_write_says_whether_readers_must_reload_entities(tmp_path, seed_store):
    """Readers carry their entities over a write that added none (api/app.py publish); a write
    that adds one must say so, or the new entity would stay unknown to the API."""
    from graph.config import Settings
    from graph.ingest import Ingest, read_submission
    from graph.read import Reader
    ingest = Ingest(Store.open(seed_store), Settings.from_env().base_iri)
    first = ingest.add(read_submission(new_article(tmp_path, "carry-1")), "test")
    assert first.kind == "added" and first.references_changed  # north-korean-artillery is new
    second = ingest.add(read_submission(new_article(tmp_path, "carry-2")), "test")
    assert second.kind == "added" and not second.references_changed  # it exists now
    assert not ingest.remove("carry-2", "test").references_changed
    entities = tmp_path / "entities.yaml"
    entities.write_text(yaml.safe_dump([{"id": "carry-person", "type": "Person", "label": "Carry Person"}]),
                        encoding="utf-8")
    assert ingest.add_entities(entities, "test").references_changed
    fresh = Reader(ingest.store, ingest.mint.base)
    carried = Reader(ingest.store, ingest.mint.base, references=fresh)
    assert carried.resolve_entity("Carry Person") == fresh.resolve_entity("Carry Person") != []


def test_replacing_an_article_and_removing_it(tmp_path, seed_store):
    before = quads(seed_store)
    path = new_article(tmp_path, claims=2)
    run_cli("add", str(path), store=seed_store, check=True)
    path = new_article(tmp_path, claims=1)  # the same id, one claim fewer
    assert "replaced" in run_cli("add", str(path), store=seed_store, check=True).stdout
    ids = {line for line in quads(seed_store) if "new-article-claim-1" in line}
    assert not ids  # the dropped claim's graph went with the old version
    run_cli("remove", "new-article", store=seed_store, check=True)
    after = quads(seed_store)
    entity_lines = {line for line in after - before if "north-korean-artillery" in line}
    assert after - before == entity_lines  # only the new entity stays (entities outlive articles)
    history = run_cli("history", "--article", "new-article", store=seed_store, check=True).stdout
    assert history.index("removed") < history.index("replaced") < history.index("added")


def test_removing_an_article_keeps_claims_other_articles_report(seed_store):
    # 003 notes that its "halved" may be 002's "roughly half": removing 002 would leave that
    # link dangling, so it is refused, naming the claim that refers to it.
    before = store_bytes(seed_store)
    refused = run_cli("remove", A002, store=seed_store)
    assert refused.returncode == 1
    assert "syrskyi-north-korean-numbers-halved-in-three-months" in refused.stderr, refused.stderr
    assert store_bytes(seed_store) == before
    run_cli("remove", "003_34f8a63c56b95bbf", store=seed_store, check=True)
    run_cli("remove", A002, store=seed_store, check=True)
    rows = Store.open(seed_store, read_only=True).select(
        "PREFIX schema: <https://schema.org/> SELECT ?a WHERE { "
        "<https://w3id.org/whosaid/claim/nyt-north-koreans-withdrawn-after-heavy-casualties> schema:appearance ?a }")
    assert len(rows) == 2  # reported by 000 and 001 still
    assert run_cli("validate", store=seed_store).returncode == 0


def _refusal(tmp_path, seed_store, change, expected: str, name="bad"):
    path = new_article(tmp_path, article_id=name)
    if change is not None:
        change(path)
    before = store_bytes(seed_store)
    result = run_cli("add", str(path), store=seed_store)
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr, result.stderr
    assert "nothing of it was written" in result.stderr
    assert store_bytes(seed_store) == before


def _edit(mutate):
    def change(path: Path):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        mutate(doc)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return change


REFUSALS = {
    "malformed YAML": (lambda p: p.write_text("id: [unclosed\n", encoding="utf-8"), "malformed YAML"),
    "text not UTF-8": (lambda p: p.with_suffix(".txt").write_bytes(b"caf\xe9"), "not UTF-8"),
    "missing claims field": (_edit(lambda d: d["claims"][0].pop("statement")), "needs a statement"),
    "offsets outside the text": (_edit(lambda d: d["claims"][0]["evidence"].update(start=10**6, end=10**6 + 5)), "outside the text"),
    "no claimant": (_edit(lambda d: d["claims"][0].pop("claimant")), "has no claimant"),
    "not a date": (_edit(lambda d: d.update(published="31/01/2025")), "is not a date"),
    "range upside down": (_edit(lambda d: d["claims"][0].update(value={"min": 10, "max": 2})), "upside down"),
    "unknown reference": (_edit(lambda d: d["claims"][0].update(claimant="Napoleon")), "'Napoleon' is not a known entity"),
    "evidence not verbatim": (_edit(lambda d: d["claims"][0]["evidence"].update(exact="Budanov said nothing.")), "not verbatim"),
    "a changed shared claim": (_edit(lambda d: d["claims"][0].update(id="syrskyi-half-of-contingent-killed-or-wounded")), "one claim id must mean one statement"),
    "an existing entity redefined": (_edit(lambda d: d["entities"].append({"id": "nis", "type": "Person", "label": "Nis"})), "different definition"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_bad_submissions_are_refused_and_change_nothing(tmp_path, seed_store, case):
    change, expected = REFUSALS[case]
    _refusal(tmp_path, seed_store, change, expected)


def test_an_ambiguous_reference_names_its_candidates(tmp_path, seed_store):
    def two_oleksandrs(path):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["entities"] += [{"id": "o1", "type": "Person", "label": "Oleksandr Petrenko", "aliases": ["Oleksandr P."]},
                            {"id": "o2", "type": "Person", "label": "Oleksandr Pavlenko", "aliases": ["Oleksandr P."]}]
        doc["claims"][0]["claimant"] = "Oleksandr P."
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _refusal(tmp_path, seed_store, two_oleksandrs, "ambiguous: it matches o1, o2")


def test_a_submission_over_the_size_limit_is_refused_before_parsing(tmp_path, seed_store, monkeypatch):
    path = new_article(tmp_path)
    path.with_suffix(".txt").write_text("x" * 2000, encoding="utf-8")
    before = store_bytes(seed_store)
    env = dict(os.environ, WHOSAID_MAX_SUBMISSION_BYTES="1000", WHOSAID_STORE=str(seed_store))
    result = subprocess.run([sys.executable, "-m", "graph", "add", str(path)], env=env, cwd=PROJECT_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "over the 1,000-byte limit" in result.stderr
    assert store_bytes(seed_store) == before


def test_the_cli_cannot_write_a_store_a_writing_server_holds(tmp_path, seed_store):
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN):
        result = run_cli("add", str(new_article(tmp_path)), store=seed_store)
    assert result.returncode == 1 and "addArticle" in result.stderr


# ---------------------------------------------------------------------------------------------
# GraphQL mutations and tokens
# ---------------------------------------------------------------------------------------------

ADD = """mutation($input: ArticleInput!) { addArticle(input: $input) {
  change { kind article by } article { id claims { totalCount } } } }"""


def graphql_input(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["text"] = path.with_suffix(".txt").read_text(encoding="utf-8")
    if isinstance(doc.get("published"), str):  # a plain date in YAML is {date: ...} in GraphQL
        doc["published"] = {"date": doc["published"]}
    return doc


def test_mutations_add_and_remove_with_a_token(tmp_path, seed_store):
    ask = {"format": "json", "query": "ASK { <https://w3id.org/whosaid/claim/new-article-claim-0> ?p ?o }"}
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)
        # The SPARQL workers are running on the snapshot before the write: they must move on.
        assert httpx.get(f"{base}/sparql", params=ask).json()["boolean"] is False
        response = client.post(ADD, {"input": graphql_input(new_article(tmp_path))}, **AUTH).json()
        assert response["data"]["addArticle"]["change"] == {"kind": "added", "article": "article/new-article", "by": "editor"}
        assert response["data"]["addArticle"]["article"]["claims"]["totalCount"] == 1
        seen = client.data('{ claims(claimant: "budanov", topic: "reinforcements") { totalCount } }')
        assert seen["claims"]["totalCount"] == 2  # the seed claim and the new one, at once
        assert httpx.get(f"{base}/sparql", params=ask).json()["boolean"] is True  # the workers see it too
        again = client.post(ADD, {"input": graphql_input(new_article(tmp_path))}, **AUTH).json()
        assert again["data"]["addArticle"]["change"]["kind"] == "unchanged"
        removed = client.post('mutation { removeArticle(id: "article/new-article") { change { kind by } } }', **AUTH).json()
        assert removed["data"]["removeArticle"]["change"] == {"kind": "removed", "by": "editor"}
        assert httpx.get(f"{base}/sparql", params=ask).json()["boolean"] is False


def test_the_same_article_through_graphql_and_the_cli_gives_the_same_graph(tmp_path, built_store_path):
    via_api, via_cli = tmp_path / "api", tmp_path / "cli"
    shutil.copytree(built_store_path, via_api)
    shutil.copytree(built_store_path, via_cli)
    path = new_article(tmp_path)
    run_cli("add", str(path), store=via_cli, check=True)
    with running_server(via_api, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        GraphQLClient(base).post(ADD, {"input": graphql_input(path)}, **AUTH).raise_for_status()
    assert quads(via_api) == quads(via_cli)


def test_writes_need_a_valid_token(tmp_path, seed_store):
    payload = {"input": graphql_input(new_article(tmp_path))}
    before = store_bytes(seed_store)
    with running_server(seed_store) as base:  # no token configured: writes are off
        error = GraphQLClient(base).post(ADD, payload, **AUTH).json()["errors"][0]
        assert error["extensions"]["code"] == "WRITES_DISABLED" and "WHOSAID_WRITE_TOKENS" in error["message"]
        assert GraphQLClient(base).data("{ topics { id } }")  # reads stay open
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        for headers in ({}, {"authorization": "Bearer wrong-secret"}, {"authorization": "Basic editor-secret-42"}):
            error = GraphQLClient(base).post(ADD, payload, **headers).json()["errors"][0]
            assert error["extensions"]["code"] == "UNAUTHENTICATED"
        response = GraphQLClient(base).post(
            ADD, {"input": {**payload["input"], "claims": [{**payload["input"]["claims"][0], "claimant": None}]}}, **AUTH)
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "REFUSED" and "has no claimant" in error["message"]
        assert error["extensions"]["problems"][0]["where"].startswith("addArticle input: claim")
    assert quads(seed_store) == {line for line in before.decode().splitlines() if not line.rstrip(" .").endswith(HISTORY)}


def test_a_mutation_over_the_size_limit_is_413(tmp_path, seed_store):
    payload = {"input": graphql_input(new_article(tmp_path))}
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN, WHOSAID_MAX_SUBMISSION_BYTES="2000") as base:
        response = GraphQLClient(base).post(ADD, payload, **AUTH)
    assert response.status_code == 413 and "2,000 bytes" in response.json()["errors"][0]["message"]


# ---------------------------------------------------------------------------------------------
# Atomic and durable
# ---------------------------------------------------------------------------------------------

def test_readers_never_see_half_an_article(tmp_path, seed_store):
    """A reader hammers GraphQL while articles of ten claims are added and removed: every claim it
    sees has its report, and an article has all its claims or is not there. The reader must
    really read, and see both states; its failures fail the test (not just warn)."""
    path = new_article(tmp_path, article_id="churn", claims=10)
    payload = {"input": graphql_input(path)}
    problems, seen_states, reads, errors, stop = [], set(), [0], [], threading.Event()
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)

        def read():
            try:
                reader = GraphQLClient(base)
                while not stop.is_set():
                    data = reader.data("""{ article(id: "article/churn") { claims(first: 100) { totalCount } }
                        claims(claimant: "budanov", first: 100) { nodes { id reports { article { id } } } } }""")
                    reads[0] += 1
                    article = data["article"]
                    count = article["claims"]["totalCount"] if article else 0
                    seen_states.add(count)
                    if count not in (0, 10):
                        problems.append(f"article with {count} of 10 claims")
                    churn = [c for c in data["claims"]["nodes"] if c["id"].startswith("claim/churn")]
                    if len(churn) not in (0, 10):
                        problems.append(f"{len(churn)} of the article's claims visible")
                    problems.extend(f"{c['id']} without reports" for c in data["claims"]["nodes"] if not c["reports"])
            except BaseException as exc:  # re-raised in the test's thread below
                errors.append(exc)

        thread = threading.Thread(target=read)
        thread.start()
        try:
            for _ in range(8):
                assert client.post(ADD, payload, **AUTH).json()["data"]["addArticle"]["change"]["kind"] == "added"
                time.sleep(0.05)  # let the reader see the added state as well as the removed one
                removed = client.post('mutation { removeArticle(id: "article/churn") { change { kind } } }', **AUTH)
                assert removed.json()["data"]["removeArticle"]["change"]["kind"] == "removed", removed.text
        finally:
            stop.set()
            thread.join(timeout=30)
    if errors:
        raise errors[0]
    assert not thread.is_alive()
    assert not problems, problems[:5]
    assert reads[0] >= 16, f"only {reads[0]} reads: the reader did not run alongside the writes"
    assert seen_states == {0, 10}, seen_states


def test_two_writers_are_serialised(tmp_path, seed_store):
    inputs = [graphql_input(new_article(tmp_path, article_id=f"parallel-{i}")) for i in range(4)]
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(
            GraphQLClient(base).post(ADD, {"input": i}, **AUTH).json())) for i in inputs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(r["data"]["addArticle"]["change"]["kind"] == "added" for r in results), results
        total = GraphQLClient(base).data("{ articles { totalCount } }")["articles"]["totalCount"]
    assert total == 5 + 4
    assert run_cli("validate", store=seed_store).returncode == 0


@contextlib.contextmanager
def logged_server(store: Path, **env: str):
    """`whosaid serve` with writes on; yields (base URL, process, lines), where lines is a queue
    of what the server logs (e.g. "whosaid: writing <article>"), read as it is written."""
    with running_server(store, WHOSAID_WRITE_TOKENS=TOKEN, **env) as base:
        lines: queue.Queue[str] = queue.Queue()

        def follow() -> None:
            with open(base.log, encoding="utf-8") as log:
                while base.process.poll() is None:
                    line = log.readline()
                    if line:
                        lines.put(line)
                    else:
                        time.sleep(0.01)
        threading.Thread(target=follow, daemon=True).start()
        yield base, base.process, lines


def wait_for_line(lines: queue.Queue, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if text in line:
            return line
    raise AssertionError(f"the server never logged {text!r} within {timeout} s")


def article_quads(lines: set[str], article_id: str) -> set[str]:
    """Every quad a write of `article_id` (from new_article) adds, history aside: the article,
    its claims and the entity it defines."""
    return {line for line in lines
            if f"/{article_id}>" in line or f"/{article_id}-claim-" in line
            or "/north-korean-artillery>" in line}


def test_an_added_article_survives_kill_9(tmp_path, seed_store):
    small = graphql_input(new_article(tmp_path, article_id="durable"))
    with logged_server(seed_store) as (base, process, _):
        response = GraphQLClient(base).post(ADD, {"input": small}, **AUTH)
        assert response.json()["data"]["addArticle"]["change"]["kind"] == "added", response.text
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert article_quads(quads(seed_store), "durable")
    assert run_cli("validate", store=seed_store).returncode == 0


def test_kill_9_during_the_write_transaction_leaves_all_of_the_article_or_none(tmp_path, seed_store,
                                                                                 built_store_path):
    """The kill lands while the transaction runs: the server logs "writing large" right before
    it, and the test kills on that line. An unanswered add must then be wholly absent or wholly
    present (every quad of it), and the store must validate."""
    large_path = new_article(tmp_path, article_id="large", claims=150)
    expected_store = tmp_path / "expected"
    shutil.copytree(built_store_path, expected_store)
    run_cli("add", str(large_path), store=expected_store, check=True)
    whole = article_quads(quads(expected_store), "large")
    before = quads(seed_store)
    assert len(whole) > 1000 and not article_quads(before, "large")

    answers: list = []
    with logged_server(seed_store) as (base, process, lines):
        def send():
            try:
                answers.append(httpx.post(f"{base}/graphql", json={"query": ADD, "variables": {
                    "input": graphql_input(large_path)}}, headers=AUTH, timeout=60))
            except httpx.TransportError as exc:  # the kill cut the connection: unanswered
                answers.append(exc)
        sender = threading.Thread(target=send)
        sender.start()
        wait_for_line(lines, "writing large", timeout=60)
        process.send_signal(signal.SIGKILL)
        process.wait()
        sender.join(timeout=30)
    assert len(answers) == 1
    after = quads(seed_store)
    got = article_quads(after, "large")
    if isinstance(answers[0], httpx.Response):  # answered before the kill: it must be there
        assert answers[0].json()["data"]["addArticle"]["change"]["kind"] == "added"
        assert got == whole
    else:
        assert got in (set(), whole), f"{len(got)} of {len(whole)} quads of the article survived"
    assert after - got == before  # nothing else changed
    assert run_cli("validate", store=seed_store).returncode == 0


def test_an_article_added_by_the_cli_survives_kill_9(tmp_path, seed_store):
    """`whosaid add` in a process that is SIGKILLed the moment the command returns: no close, no
    flush at exit, and the article is there."""
    path = new_article(tmp_path, article_id="cli-durable")
    script = ("import os, signal, sys\n"
              "from graph.cli import app\n"
              "try:\n"
              f"    app(['add', {str(path)!r}, '--store', {str(seed_store)!r}], prog_name='whosaid')\n"
              "except SystemExit as exc:\n"
              "    print('exit', exc.code, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert "added" in result.stdout and "exit 0" in result.stdout, result.stdout + result.stderr
    assert article_quads(quads(seed_store), "cli-durable")


def test_an_entity_defined_again_identically_is_accepted_and_differently_refused(tmp_path, seed_store):
    nis = next(e for e in yaml.safe_load((CORPUS / "entities.yaml").read_text(encoding="utf-8"))
               if e["id"] == "nis")
    same = {**nis, "aliases": list(reversed(nis["aliases"]))}  # order does not matter
    path = new_article(tmp_path, article_id="same-nis")
    _edit(lambda d: d["entities"].append(same))(path)
    assert run_cli("add", str(path), store=seed_store).returncode == 0
    changed = {**nis, "description": "Something else."}
    _refusal(tmp_path, seed_store, _edit(lambda d: d["entities"].append(changed)),
             "'nis': already exists with a different definition", name="other-nis")


def test_the_history_is_queryable_through_graphql(tmp_path, seed_store):
    with running_server(seed_store, WHOSAID_WRITE_TOKENS=TOKEN) as base:
        client = GraphQLClient(base)
        client.post(ADD, {"input": graphql_input(new_article(tmp_path))}, **AUTH).raise_for_status()
        client.post('mutation { removeArticle(id: "article/new-article") { id } }', **AUTH).raise_for_status()
        changes = client.data('{ changes(article: "article/new-article") { kind article by at } }')["changes"]
        assert [c["kind"] for c in changes] == ["removed", "added"]
        assert {c["by"] for c in changes} == {"editor"} and changes[0]["at"] > changes[1]["at"]
        assert client.data('{ changes(article: "article/never-added") { kind } }')["changes"] == []


@pytest.mark.parametrize("content, expected", [
    ("- id: x\n  label: [unclosed\n", "malformed YAML at line"),
    ("id: not-a-list\n", "must be a list of entities"),
    ("- id: Not A Slug\n  type: Person\n  label: X\n", "must be a slug"),
    ("- &a {id: x}\n- *a\n", "the alias *'a' is not allowed"),
])
def test_a_malformed_entities_file_is_refused_clearly(tmp_path, seed_store, content, expected):
    path = tmp_path / "entities.yaml"
    path.write_text(content, encoding="utf-8")
    before = store_bytes(seed_store)
    result = run_cli("add", str(path), store=seed_store)
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr and "entities.yaml" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert store_bytes(seed_store) == before


def test_write_tokens_from_a_file(tmp_path, seed_store):
    tokens = tmp_path / "tokens"
    tokens.write_text("# editors\nfiler:a-secret-from-a-file\n", encoding="utf-8")
    payload = {"input": graphql_input(new_article(tmp_path))}
    with running_server(seed_store, WHOSAID_TOKENS_FILE=str(tokens)) as base:
        client = GraphQLClient(base)
        denied = client.post(ADD, payload, authorization="Bearer editor-secret-42").json()
        assert denied["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        added = client.post(ADD, payload, authorization="Bearer a-secret-from-a-file").json()
        assert added["data"]["addArticle"]["change"] == {"kind": "added", "article": "article/new-article",
                                                          "by": "filer"}


@pytest.mark.parametrize("env", [
    {"WHOSAID_WRITE_TOKENS": "editor:fifteen-chars-x"},
    {"WHOSAID_TOKENS_FILE": "FILE"},
])
def test_a_short_secret_stops_the_server_with_a_clear_message(tmp_path, seed_store, env):
    tokens = tmp_path / "tokens"
    tokens.write_text("editor:too-short\n", encoding="utf-8")
    environ = dict(os.environ, **{k: str(tokens) if v == "FILE" else v for k, v in env.items()})
    assert len("fifteen-chars-x") == 15
    result = subprocess.run([sys.executable, "-m", "graph", "serve", "--port", str(free_port()),
                             "--store", str(seed_store)], cwd=PROJECT_ROOT, env=environ,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Cannot serve" in result.stderr and "'editor'" in result.stderr
    assert "at least 16 characters" in result.stderr and "Traceback" not in result.stderr


def test_shacl_still_refuses_what_the_quick_check_cannot_pass(tmp_path, seed_store):
    """A write is validated by the quick check, and by pyshacl when the quick check does not
    pass it: data that breaks a shape must still be refused, with pyshacl's report. The parser
    refuses every such article earlier, so the graphs of a prepared article are broken here."""
    from graph.build import ValidationFailed
    from graph.config import Settings
    from graph.ingest import Ingest, read_submission
    from graph.iris import WS
    ingest = Ingest(Store.open(seed_store), Settings.from_env().base_iri)
    sub = read_submission(new_article(tmp_path, "broken-claimant"))
    prepared = ingest.prepare(sub)  # passes as written
    claim = ingest.mint.claim("broken-claimant-claim-0")
    graph = prepared.graphs[str(ingest.mint.claim_graph("broken-claimant-claim-0"))]
    graph.remove((claim, WS.claimant, None))
    with pytest.raises(ValidationFailed) as refused:
        ingest._validate(prepared, {})
    assert any(v.focus == str(claim) and v.path == "ws:claimant"
               for v in refused.value.violations), refused.value.violations
    quick, base = ingest._quick_check()
    assert quick is not None, "the shapes compile for the quick check"
    assert not quick.passes(base, [t for g in prepared.graphs.values() for t in g], {claim})


def test_adding_several_files_finds_an_order_that_works(tmp_path, seed_store):
    """A file may depend on one listed after it (here: a claim confirming a claim of the next
    file). `whosaid add` tries a refused file again once the others are in; a file that can
    never go in is reported, with what was written."""
    first, second = new_article(tmp_path, "aaa-first"), new_article(tmp_path, "zzz-second")
    doc = yaml.safe_load(first.read_text(encoding="utf-8"))
    doc["claims"][0]["confirms"] = ["zzz-second-claim-0"]
    first.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run_cli("add", str(first), str(second), store=seed_store, check=True)
    assert result.stdout.count("added") == 2
    assert result.stdout.index("zzz-second") < result.stdout.index("aaa-first")
    broken = new_article(tmp_path, "bbb-broken")
    doc = yaml.safe_load(broken.read_text(encoding="utf-8"))
    doc["claims"][0]["confirms"] = ["no-such-claim"]
    broken.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    third = new_article(tmp_path, "ccc-third")
    refused = run_cli("add", str(broken), str(third), store=seed_store)
    assert refused.returncode == 1
    assert "Refused" in refused.stdout + refused.stderr and "no-such-claim" in refused.stdout + refused.stderr
    assert "1 other file(s) were" in refused.stdout + refused.stderr
