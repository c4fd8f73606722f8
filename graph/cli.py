"""The `whosaid` command: build, validate, stats, export, add, remove, history, reindex and serve.

Every failure a user can cause (a bad file, a missing store, a wrong setting) ends in a short
message and exit code 1, never a traceback. Output that is not going to a terminal is not
wrapped, so that a long IRI stays on one line for grep and scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from .config import Settings
from .corpus import CorpusError

app = typer.Typer(help="whosaid: a who-said-what knowledge graph of news reporting.",
                  no_args_is_help=True, add_completion=False)
out = Console(emoji=False, soft_wrap=not sys.stdout.isatty())
err = Console(stderr=True, emoji=False, soft_wrap=not sys.stderr.isatty())

StoreOption = typer.Option(None, "--store", help="Store folder, or the URL of an external SPARQL 1.1 "
                                                  "endpoint (default: $WHOSAID_STORE or ./var/store).")


def _settings(store: Optional[str]) -> Settings:
    try:
        return Settings.from_env(store=store)
    except ValueError as exc:
        _fail("A setting is wrong:", [str(exc)])


def _reasons(exc: Exception) -> list[str]:
    """One line per reason of a refusal: corpus problems or SHACL violations."""
    return [str(r) for r in getattr(exc, "problems", None) or getattr(exc, "violations", [])]


def _os_error(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


def _fail(title: str, lines: list[str]) -> None:
    err.print(f"[bold red]{title}[/]")
    for line in lines:
        err.print(f"  - {line}", markup=False, highlight=False)
    raise typer.Exit(1)


JobsOption = typer.Option(None, "--jobs", "-j", min=1,
                          help="Processes that check articles in parallel (default: one per core).")
TABLE_LIMIT = 1000  # articles listed one per row; past that, the totals only (see `whosaid stats`)


@app.command()
def build(store: Optional[str] = StoreOption, jobs: Optional[int] = JobsOption) -> None:
    """Build the graph from corpus/ into the store, validate it, and print what it holds.

    Each article is checked and validated on its own, in parallel; an article unchanged since
    the last build (same YAML, text, entities, ontology, shapes and code) is not checked again,
    and only the changed articles' graphs are replaced in the store."""
    from rich.progress import Progress
    from .build import ValidationFailed, build as run_build
    from .store import StoreError
    settings = _settings(store)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Reading the corpus ...", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=f"{stage} {total} changed article(s)",
                            completed=done, total=total or None)

        try:
            result = run_build(settings, jobs=jobs, progress=report)
        except (CorpusError, ValidationFailed) as exc:
            progress.stop()
            _fail(f"The corpus was refused ({len(_reasons(exc))} problem(s)); nothing was written:",
                  _reasons(exc))
        except (StoreError, OSError) as exc:
            progress.stop()
            _fail("Could not write the store; the old one, if any, is as it was:", [_os_error(exc)])
    if len(result.articles) <= TABLE_LIMIT:
        table = Table(title=f"Built {result.store}")
        for col in ("article", "claims", "triples"):
            table.add_column(col, justify="left" if col == "article" else "right")
        for a in result.articles:
            table.add_row(a.id, str(a.claims), str(a.triples))
        out.print(table)
    else:
        out.print(f"Built {result.store}: {len(result.articles)} articles "
                  "(`whosaid stats` lists them one by one)")
    what = {"full": "store loaded whole", "incremental": "changed articles replaced",
            "unchanged": "store unchanged"}[result.mode]
    out.print(f"{result.checked} article(s) checked, {result.cached} unchanged since the last "
              f"build; {what}")
    out.print(f"{result.triples} triples, {result.entities} entities, {result.claims} claims "
              f"in {result.seconds:.2f} s")
    out.print("by stage: " + ", ".join(f"{name} {s:.2f} s" for name, s in result.stages.items()))


@app.command()
def validate(files: List[Path] = typer.Argument(None, help="RDF files in any format rdflib reads; "
                                                           "none means the store."),
             fmt: str = typer.Option("text", "--format", help="text, or json: one object with "
                                     "conforms, source, triples and violations [{focus, path, "
                                     "message, shape, value}]."),
             store: Optional[str] = StoreOption) -> None:
    """Validate the store, or RDF files, against the SHACL shapes. Exit 1 on any violation."""
    from rdflib import Dataset
    from .build import union_graph
    from .rdf import ontology_graph
    from .store import StoreError, open_store_for
    from .validate import validate_graph
    if fmt not in ("text", "json"):
        _fail(f"Unknown format {fmt!r}:", ["use text or json"])
    settings = _settings(store)
    ds = Dataset()
    if files:
        for f in files:
            try:
                ds.parse(f)
            except Exception as exc:  # rdflib raises many types; all mean "cannot read"
                _fail(f"Cannot read {f}:", [str(exc).splitlines()[0] if str(exc) else type(exc).__name__])
        source = ", ".join(str(f) for f in files)
    else:
        try:
            ds = open_store_for(settings).dataset()
        except StoreError as exc:
            _fail("Cannot validate the store:", [str(exc)])
        source = settings.store
    data = union_graph(ds) + ontology_graph()
    with out.status(f"Validating {source} ..."):
        violations = validate_graph(data)
    if fmt == "json":
        import json
        from dataclasses import asdict
        report = {"conforms": not violations, "source": str(source), "triples": len(data),
                  "violations": [asdict(v) for v in violations]}
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        raise typer.Exit(1 if violations else 0)
    if violations:
        _fail(f"{source} does not conform: {len(violations)} violation(s)",
              [str(v) for v in violations])
    out.print(f"[green]{source} conforms[/] ({len(data)} triples checked)")


@app.command()
def stats(store: Optional[str] = StoreOption) -> None:
    """Counts of what the store holds: triples, entities, claims, reports, per article."""
    from .queries import named
    from .store import StoreError, open_store_for
    settings = _settings(store)
    try:
        s = open_store_for(settings)
    except StoreError as exc:
        _fail("Cannot read the store:", [str(exc)])
    totals = s.select(named("totals"))[0]
    entities = s.select(named("entity_count"))[0]
    out.print(f"{len(s)} quads in {len(s.named_graphs())} named graphs; "
              f"{entities['entities'].value} entities; {totals['claims'].value} claims with "
              f"{totals['reports'].value} reports by {totals['claimants'].value} claimants "
              f"on {totals['topics'].value} topics")
    table = Table()
    for col in ("article", "claims", "claimants"):
        table.add_column(col)
    for row in s.select_all(named("stats")):
        table.add_row(row["id"].value, row["claims"].value, row["claimants"].value)
    out.print(table)


@app.command()
def export(fmt: str = typer.Option("ttl", "--format", "-f", help="ttl, nt, xml, trig, nq or jsonld."),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="File (default: stdout)."),
           store: Optional[str] = StoreOption) -> None:
    """Write the whole graph; trig, nq and jsonld keep the named graphs."""
    from .export import FORMATS, export as run_export
    from .store import StoreError, open_store_for
    if fmt not in FORMATS:
        _fail(f"Unknown format {fmt!r}:", [f"use one of {', '.join(FORMATS)}"])
    try:
        settings = _settings(store)
        s = open_store_for(settings)
    except StoreError as exc:
        _fail("Cannot read the store:", [str(exc)])
    if output is None:
        run_export(s, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        try:
            with open(output, "wb") as fh:
                run_export(s, fmt, fh)
        except OSError as exc:
            _fail(f"Cannot write {output}:", [_os_error(exc)])
        err.print(f"wrote {output}")


def _local_user() -> str:
    import getpass
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@app.command()
def add(paths: List[Path] = typer.Argument(..., help="Article YAML files (text beside them as .txt, "
                                                      "or inline as text:), entities.yaml files, or folders."),
        by: Optional[str] = typer.Option(None, help="Name recorded in the history (default cli:USER)."),
        store: Optional[str] = StoreOption) -> None:
    """Add articles (or replace them, by id), each in one transaction, after the build's checks."""
    from rich.progress import Progress
    from .build import ValidationFailed
    from .ingest import Ingest, read_submission, submission_files
    from .store import StoreError, open_store_for
    settings = _settings(store)
    try:
        files = [f for p in paths for f in submission_files(p)]
    except OSError as exc:
        _fail("Cannot read:", [_os_error(exc)])
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        _fail("No such file:", missing)
    try:
        target = open_store_for(settings, read_only=False)
    except StoreError as exc:
        _fail("Cannot write:", [str(exc)])
    ingest = Ingest(target, settings.base_iri, settings.max_submission_bytes)
    who = by or _local_user()
    done = []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("adding", total=len(files))
        # A file may depend on one after it: a claim it confirms, or a date that only the other
        # article of a shared claim prints. A refused file is tried again once the others are in,
        # for as long as each round adds something; what is still refused then is reported.
        todo: list[Path] = files
        refused: dict[Path, Exception] = {}
        while todo:
            refused = {}
            for f in todo:
                try:
                    change = ingest.add_entities(f, who) if f.name == "entities.yaml" else \
                        ingest.add(read_submission(f, settings.max_submission_bytes), who)
                except (CorpusError, ValidationFailed) as exc:
                    refused[f] = exc
                    continue
                except (StoreError, OSError) as exc:
                    _fail(f"Could not write {f}:", [_os_error(exc)])
                done.append(change)
                progress.advance(task)
            if len(refused) == len(todo):
                break
            todo = list(refused)
        if refused:
            f, exc = next(iter(refused.items()))
            others = f" and {len(refused) - 1} other file(s) refused" if len(refused) > 1 else ""
            _fail(f"Refused {f} (nothing of it was written; {len(done)} other file(s) were{others}):",
                  _reasons(exc))
    for change in done:
        what = change.article or f"{change.entities} entities"
        out.print(f"{change.kind:10} {what} ({change.claims} claims)" if change.article
                  else f"{change.kind:10} {what}")


@app.command()
def remove(article_id: str = typer.Argument(..., help="The article's id (its file stem)."),
           by: Optional[str] = typer.Option(None, help="Name recorded in the history."),
           store: Optional[str] = StoreOption) -> None:
    """Remove an article, and the claims no other article reports, in one transaction."""
    from .ingest import Ingest
    from .store import StoreError, open_store_for
    settings = _settings(store)
    try:
        target = open_store_for(settings, read_only=False)
        change = Ingest(target, settings.base_iri).remove(article_id, by or _local_user())
    except (CorpusError, StoreError) as exc:
        _fail("Cannot remove:", [str(p) for p in getattr(exc, "problems", [exc])])
    out.print(f"removed {change.article}")


@app.command()
def history(article: Optional[str] = typer.Option(None, help="Only changes to this article id."),
            store: Optional[str] = StoreOption) -> None:
    """Every change to the store, newest first: when, which article, what, by which token."""
    import pyoxigraph as ox
    from .iris import Minter
    from .queries import named
    from .store import StoreError, open_store_for
    settings = _settings(store)
    try:
        s = open_store_for(settings)
    except StoreError as exc:
        _fail("Cannot read the store:", [str(exc)])
    bound = ox.NamedNode(str(Minter(settings.base_iri).article(article))) if article else None
    table = Table()
    for col in ("when (UTC)", "change", "article", "by"):
        table.add_column(col)
    for row in s.select(named("history"), article=bound):
        table.add_row(row["at"].value, row["kind"].value,
                      row["changed"].value.rsplit("/", 1)[-1] if row.get("changed") else "-",
                      row["by"].value)
    out.print(table)


@app.command()
def reindex(store: Optional[str] = StoreOption) -> None:
    """Rebuild the claim index (the file that answers claim searches) from the store."""
    from .index import ClaimIndex, has_index, index_path
    from .store import StoreError, open_store_for
    settings = _settings(store)
    try:
        target = open_store_for(settings, read_only=False)
    except StoreError as exc:
        _fail("Cannot reindex:", [str(exc)])
    if not has_index(target):
        _fail("Nothing to reindex:", [f"{settings.store} is an external store: its claim searches "
                                      "are SPARQL queries, with no index"])
    index = ClaimIndex(index_path(target.path), settings.base_iri)
    done = index.rebuild(target)
    index.close()
    out.print(f"Reindexed {index.path}: {done['claims']:,} claims, {done['articles']:,} articles "
              f"in {done['seconds']:.2f} s")


def _tcp_socket(sock):
    """`sock` as a socket object that says it is TCP. uvicorn binds the socket its workers share
    with protocol 0, and asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections
    accepted from a socket whose protocol reads IPPROTO_TCP: on a keep-alive connection every
    answer then waited about 40 ms for the client's delayed ACK (measured: 48 ms against 4 ms
    for the same query). The kernel socket is TCP either way; only the object's field was wrong."""
    import socket
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    fixed = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    fixed.set_inheritable(True)
    return fixed


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8000, help="Port to listen on."),
          store: Optional[str] = StoreOption) -> None:
    """Serve the graph over HTTP: GraphQL at /graphql (GraphiQL in a browser).

    With WHOSAID_SERVE_WORKERS above 1 (read-only servers only), that many worker processes
    share the port, each a whole server over its own read-only handle on the store."""
    import uvicorn
    from api.app import create_app
    from .remote_store import is_remote
    from .store import StoreError
    settings = _settings(store)
    workers = settings.serve_workers
    if workers > 1:
        try:
            tokens = settings.write_token_table()
        except ValueError as exc:
            _fail("Cannot serve:", [str(exc)])
        if tokens:
            _fail("Cannot serve:", [
                f"WHOSAID_SERVE_WORKERS={workers}: a server with write tokens owns its store and "
                "runs as one process; set WHOSAID_SERVE_WORKERS=1, or serve read-only (no "
                "WHOSAID_WRITE_TOKENS or WHOSAID_TOKENS_FILE) to run several"])
    try:
        application = create_app(settings)
    except (StoreError, ValueError, OSError) as exc:
        _fail("Cannot serve:", [str(exc)])
    processes = "1 process" if workers == 1 else f"{workers} worker processes"
    err.print(f"whosaid: serving {settings.store} on http://{host}:{port}/graphql ({processes})")
    if workers == 1:
        uvicorn.run(application, host=host, port=port, log_level="warning")
        return
    # The app above only proved that the workers can start (settings, store, claim index, which
    # it brought up to date so that the workers do not race to rebuild it). Close what it opened:
    # the supervising process serves nothing; each worker builds its own from the environment.
    state = application.state
    state.query_runner.close()  # its SPARQL workers start on first use: none is running
    if getattr(state.reader, "index", None) is not None:
        state.reader.index.close()
    if is_remote(settings.store):
        state.store.close()
    # An embedded store closes when its last reference goes. FastAPI's caches keep the app
    # itself, so its state is emptied rather than left to the garbage collector.
    for name in ("reader", "store", "query_runner", "writes"):
        if hasattr(state, name):
            delattr(state, name)
    del application, state
    import gc
    gc.collect()
    settings.export()
    # What uvicorn.run does for workers, with the shared socket marked TCP (see _tcp_socket).
    from uvicorn.supervisors import Multiprocess
    config = uvicorn.Config("api.app:create_app", factory=True, workers=workers, host=host,
                            port=port, log_level="warning")
    Multiprocess(config, sockets=[_tcp_socket(config.bind_socket())]).run()


@app.command()
def extract(files: List[Path] = typer.Argument(..., help="Article texts (.txt), saved pages (.html), "
                                                          "or folders of them."),
            published: Optional[str] = typer.Option(None, "--published", help="Publication date, "
                                                    "YYYY[-MM[-DD]], when the text does not say."),
            outlet: Optional[str] = typer.Option(None, "--outlet", help="The outlet: an entity id, "
                                                 "label or alias."),
            output: Optional[Path] = typer.Option(None, "-o", "--output", help="Folder for the "
                                                  "YAML and text files (default: print one YAML)."),
            jobs: Optional[int] = JobsOption,
            add_them: bool = typer.Option(False, "--add", help="Add the proposals to the store "
                                          "at once (they stay in -o FOLDER, marked unreviewed)."),
            store: Optional[str] = StoreOption) -> None:
    """Propose an article's claims in the curated format, each marked as extracted and
    unreviewed, for a person to review and `whosaid add`."""
    from .extract.cli import expand, extract_files
    if add_them and output is None:
        _fail("Cannot extract:", ["--add needs -o FOLDER: the proposals are kept there for review"])
    try:
        extract_files(expand(files), published=published, outlet=outlet, output=output, jobs=jobs,
                      console=err, out=out)
    except ValueError as exc:
        _fail("Cannot extract:", [str(exc)])
    if add_them:
        add([output], by=None, store=store)


@app.command("eval")
def evaluate(corpus: Optional[Path] = typer.Option(None, "--corpus", help="A corpus folder "
                                                   "(default: the project's corpus/).")) -> None:
    """Score the extractor against the curated claims: precision, recall and F1 for claimant,
    claimant and topic, claimant, topic and value; via-chain and date accuracy; per article the
    misses and the false claims."""
    from .extract.evaluate import evaluate_corpus, format_table
    out.print(format_table(evaluate_corpus(corpus or Path(__file__).resolve().parent.parent / "corpus")),
              markup=False, highlight=False)


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="whosaid")
