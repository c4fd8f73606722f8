"""`whosaid extract`: files in, proposed articles out, in parallel with a progress bar."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the texts and pages in it."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in (".txt", ".html", ".htm"))
        else:
            out.append(p)
    return out


def article_id_of(path: Path) -> str:
    from .pipeline import slug
    return slug(path.stem) or "article"


def read_article(path: Path) -> tuple[str, dict]:
    """The article's text and what the page itself says of it (HTML: title, author, date, site,
    found by trafilatura in the page's markup and marked as such)."""
    raw = path.read_bytes()
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 (byte {exc.start})") from None
    if path.suffix.lower() not in (".html", ".htm"):
        return page, {}
    return read_page(page, str(path))


def read_page(page: str, where: str = "the page") -> tuple[str, dict]:
    """A saved HTML page's article text and metadata (trafilatura), as read_article gives them."""
    import trafilatura
    found = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False)
    if not found or not getattr(found, "text", None):
        raise ValueError(f"{where}: no article text found in the page")
    title = getattr(found, "title", None)
    text = f"{title}\n\n{found.text}\n" if title else f"{found.text}\n"
    meta = {"title": title, "authors": [a.strip() for a in (getattr(found, "author", None) or "").split(";") if a.strip()],
            "published": getattr(found, "date", None), "site": getattr(found, "sitename", None)}
    return text, meta


def extract_one(path: str, published: str | None, outlet: str | None) -> tuple[str, str, dict]:
    p = Path(path)
    text, meta = read_article(p)
    aid = article_id_of(p)
    return aid, text, proposal(text, meta, aid, published, outlet)


def proposal(text: str, meta: dict, aid: str, published: str | None, outlet: str | None,
             corpus=None) -> dict:
    """The extracted article's YAML document, with what the page's metadata says (marked)."""
    from .pipeline import extract_article
    doc = extract_article(text, article_id=aid, published=published or meta.get("published"),
                          outlet=outlet, corpus=corpus)
    if meta.get("title"):
        doc = {"id": doc.pop("id"), "title": meta["title"], **doc}
    if meta.get("authors"):
        doc["authors"] = meta["authors"]
    if meta.get("published") and not published:
        doc["published"] = {"date": meta["published"], "inferred": True,
                            "basis": "The page's own metadata, as trafilatura found it."}
    return doc


class _Plain(yaml.SafeDumper):
    """No anchors or aliases: the corpus format refuses them (a claim's lists are shared objects)."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(doc: dict) -> str:
    return yaml.dump(doc, Dumper=_Plain, allow_unicode=True, sort_keys=False, width=100)


def extract_files(files: list[Path], *, published, outlet, output, jobs, console, out) -> None:
    from rich.progress import Progress
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise ValueError(f"no such file: {', '.join(missing)}")
    if output is None and len(files) > 1:
        raise ValueError("several files need -o FOLDER for their YAML and text")
    if output is None:
        out.print(dump(extract_one(str(files[0]), published, outlet)[2]), markup=False,
                  highlight=False, end="")
        return
    output.mkdir(parents=True, exist_ok=True)
    with Progress(console=console, transient=True) as progress, \
            ProcessPoolExecutor(max_workers=jobs or None) as pool:
        task = progress.add_task("Extracting ...", total=len(files))
        for aid, text, doc in pool.map(extract_one, map(str, files), [published] * len(files),
                                       [outlet] * len(files)):
            (output / f"{aid}.txt").write_text(text, encoding="utf-8")
            (output / f"{aid}.yaml").write_text(dump(doc), encoding="utf-8")
            progress.advance(task)
    console.print(f"{len(files)} article(s) written to {output}: review them, then `whosaid add {output}`")
