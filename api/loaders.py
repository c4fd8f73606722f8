"""Per-request context: the read model and the DataLoaders that batch store access.

Each loader gathers the keys asked for within one tick of the event loop and answers them with
one named query, so resolvers can ask for one claim's reports at a time while the store sees one
query per kind of field per page. Store work runs in a worker thread, so that the request's time
limit (api/graphql_http.py) can cut a slow query off without blocking the server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Callable

from strawberry.dataloader import DataLoader

from graph.read import Reader


def _batch(reader_method: Callable[[list[str]], dict], default: Any = None):
    async def load(keys: list[str]) -> list:
        found = await asyncio.to_thread(reader_method, list(keys))
        return [found.get(k, default) for k in keys]
    return load


@dataclass
class Context:
    reader: Reader
    claims: DataLoader = field(init=False)
    links: DataLoader = field(init=False)
    reports: DataLoader = field(init=False)
    articles: DataLoader = field(init=False)
    texts: DataLoader = field(init=False)

    def __post_init__(self) -> None:
        r = self.reader
        self.claims = DataLoader(load_fn=_batch(r.claims))
        self.links = DataLoader(load_fn=_batch(r.claim_links, {"about": [], "confirms": []}))
        self.reports = DataLoader(load_fn=_batch(r.reports, []))
        self.articles = DataLoader(load_fn=_batch(r.articles))
        self.texts = DataLoader(load_fn=_batch(r.article_texts, ""))

    async def run(self, fn: Callable, *args, **kwargs):
        """Run read-model work off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)
