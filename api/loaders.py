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

from graphql import GraphQLError
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
    writer: str | None = None          # the name of the request's valid write token, if any
    writes: Any = None                 # the app's Writes (api/app.py); None: a read-only server
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

    def require_writer(self) -> None:
        if self.writes is None:
            raise GraphQLError("writes are disabled on this server: start it with WHOSAID_WRITE_TOKENS="
                               "name:secret (or WHOSAID_TOKENS_FILE) to enable them",
                               extensions={"code": "WRITES_DISABLED"})
        if self.writer is None:
            raise GraphQLError("this mutation needs a valid token: send Authorization: Bearer <secret>",
                               extensions={"code": "UNAUTHENTICATED"})

    async def write(self, action: Callable):
        """Run action(ingest, writer) off the event loop. What the mutation answers afterwards
        is read from the snapshot published by this write."""
        change = await asyncio.to_thread(self.writes.apply, action, self.writer)
        self.reader = self.writes.state.reader
        self.__post_init__()  # fresh loaders: nothing cached from before the write
        return change

    async def run(self, fn: Callable, *args, **kwargs):
        """Run read-model work off the event loop."""
        return await asyncio.to_thread(fn, *args, **kwargs)
