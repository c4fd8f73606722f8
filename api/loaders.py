"""Per-request context: the read model and the DataLoaders that batch store access.

Each loader gathers the keys asked for within one tick of the event loop and answers them with
one named query, so resolvers can ask for one claim's reports at a time while the store sees one
query per kind of field per page. Store work runs on the read pool's threads (api/read_pool.py),
never on the event loop; the request's Deadline goes with it and stops it when time is up.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from graphql import DocumentNode, GraphQLError
from strawberry.dataloader import DataLoader

from graph.config import SETTINGS
from graph.read import Reader, empty_claim_links

from .read_pool import ReadPool


def _batch(run: Callable, reader_method: Callable[[list[str]], dict], default: Any = None):
    async def load(keys: list[str]) -> list:
        found = await run(reader_method, list(keys))
        return [found.get(k, default) for k in keys]
    return load


@dataclass
class Context:
    reader: Reader
    writer: str | None = None          # the name of the request's valid write token, if any
    writes: Any = None                 # the app's Writes (api/app.py); None: a read-only server
    pool: ReadPool | None = None       # where store reads run; None: the default thread pool
    document: DocumentNode | None = None  # the request, parsed once by api/graphql_http.py
    max_query_cost: int = SETTINGS["max_query_cost"].default
    arrived: float | None = None       # time.monotonic() at the request's arrival (write limit)
    claims: DataLoader = field(init=False)
    links: DataLoader = field(init=False)
    reports: DataLoader = field(init=False)
    articles: DataLoader = field(init=False)
    texts: DataLoader = field(init=False)
    inferences: DataLoader = field(init=False)
    report_links: DataLoader = field(init=False)
    curations: DataLoader = field(init=False)

    def __post_init__(self) -> None:
        r, run = self.reader, self.run
        self.claims = DataLoader(load_fn=_batch(run, r.claims))
        self.links = DataLoader(load_fn=_batch(run, r.claim_links, empty_claim_links()))
        self.reports = DataLoader(load_fn=_batch(run, r.reports, []))
        self.articles = DataLoader(load_fn=_batch(run, r.articles))
        self.texts = DataLoader(load_fn=_batch(run, r.article_texts, ""))
        self.inferences = DataLoader(load_fn=_batch(run, r.inferences, []))
        self.report_links = DataLoader(load_fn=_batch(run, r.report_links, []))
        self.curations = DataLoader(load_fn=_batch(run, r.curations))

    def require_writer(self) -> None:
        if self.writes is None:
            raise GraphQLError("writes are disabled on this server: start it with WHOSAID_WRITE_TOKENS="
                               "name:secret (or WHOSAID_TOKENS_FILE) to enable them",
                               extensions={"code": "WRITES_DISABLED"})
        if self.writer is None:
            raise GraphQLError("this mutation needs a valid token: send Authorization: Bearer <secret>",
                               extensions={"code": "UNAUTHENTICATED"})

    async def write(self, action: Callable):
        """Run action(ingest, writer, window) on the writes' own thread, within the write time
        limit counted from the request's arrival. At the limit, a write still being checked is
        abandoned and refused (WriteTimedOut: nothing is or will be written); one that has begun
        its transaction is waited for and answered as done. What the mutation answers afterwards
        is read from the snapshot published by this write."""
        from graph.ingest import WriteTimedOut, WriteWindow
        limit = self.writes.settings.write_timeout
        deadline = (self.arrived or time.monotonic()) + limit
        window = WriteWindow(deadline, limit, on_write=self.writes.log_write(self.writer))
        job = asyncio.get_running_loop().run_in_executor(
            self.writes.executor, self.writes.apply, action, self.writer, window)
        job.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved
        try:
            change = await asyncio.wait_for(asyncio.shield(job), max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            if window.abandon():
                window.check("being checked")  # raises WriteTimedOut
            change = await job  # the transaction has begun: finish it and say so
        except asyncio.CancelledError:
            window.abandon()  # nobody will hear the answer: do not start writing
            raise
        self.reader = self.writes.state.reader
        self.__post_init__()  # fresh loaders: nothing cached from before the write
        return change

    async def run(self, fn: Callable, *args, **kwargs):
        """Run read-model work off the event loop, on the read pool."""
        if self.pool is None:
            return await asyncio.to_thread(fn, *args, **kwargs)
        return await self.pool.run(fn, *args, **kwargs)
