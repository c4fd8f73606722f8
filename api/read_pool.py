"""The threads that read the store for GraphQL, apart from SPARQL's workers and the writer.

asyncio.to_thread would share the event loop's default pool with everything else that blocks;
here reads have their own WHOSAID_READ_WORKERS threads, and a bounded number of requests may be
in flight at once (WHOSAID_READ_WORKERS running plus WHOSAID_READ_QUEUE waiting). A request past
that is answered 503 with Retry-After at once rather than queued behind work it cannot overtake.

Each job runs in a copy of the caller's context, so the request's read Deadline
(graph/store.py) travels with it into the thread and stops its store reads when time is up.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")


class ReadPool:
    def __init__(self, workers: int, queue: int):
        self.workers, self.queue = workers, queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="whosaid-read")
        self.in_flight = 0  # requests admitted and not yet answered (only touched on the loop)

    @property
    def capacity(self) -> int:
        return self.workers + self.queue

    def try_admit(self) -> bool:
        """Take a place for one request, if there is one; release it with leave()."""
        if self.in_flight >= self.capacity:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """fn(*args, **kwargs) on a read thread, in a copy of the caller's context."""
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def read_pool(app) -> ReadPool:
    """The app's read pool, made on first use from its settings."""
    pool = getattr(app.state, "read_pool", None)
    if pool is None:
        settings = app.state.settings
        pool = app.state.read_pool = ReadPool(settings.read_workers, settings.read_queue)
    return pool
