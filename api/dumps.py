"""GET /dump.{ttl,nt,trig,nq,jsonld,rdf}: the whole dataset, streamed as the store is read.

The bytes are those of `whosaid export` (both call graph.export.export). Oxigraph serialises by
writing to a file-like object, so the export runs in a thread of its own and hands its output,
a chunk at a time, through a small bounded queue to the response on the event loop: a dump never
sits whole in memory, and a slow client slows the serialiser down. A client that goes away stops
the serialiser: the thread waits for room in the queue only while the response still wants its
chunks, so an abandoned download leaves no thread behind.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from graph.export import FORMATS, export

router = APIRouter()

CHUNK = 64 * 1024   # bytes handed over at a time (Oxigraph writes 8 KiB at a time)
QUEUED = 4          # chunks that may wait for the client
POLL = 0.2          # seconds between checks, by a blocked serialiser, that it is still wanted
_DONE = object()


class DumpCancelled(Exception):
    """Raised inside the serialiser when the response no longer wants its output."""


class _Handoff:
    """The serialiser's output file: gathers writes into chunks and puts each on the response's
    asyncio queue, waiting while the queue is full, unless the response has gone."""

    def __init__(self, loop: asyncio.AbstractEventLoop, chunks: asyncio.Queue,
                 cancelled: threading.Event):
        self.loop, self.chunks, self.cancelled = loop, chunks, cancelled
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.put(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def put(self, item) -> None:
        if self.cancelled.is_set():
            raise DumpCancelled()
        try:
            pending = asyncio.run_coroutine_threadsafe(self.chunks.put(item), self.loop)
        except RuntimeError:  # the event loop is closed: the server is stopping
            raise DumpCancelled() from None
        while True:
            try:
                pending.result(timeout=POLL)
                return
            except concurrent.futures.TimeoutError:
                if self.cancelled.is_set():
                    pending.cancel()
                    raise DumpCancelled() from None
            except concurrent.futures.CancelledError:
                raise DumpCancelled() from None

    def close(self, failure: BaseException | None) -> None:
        if self.buffer and failure is None:
            self.put(bytes(self.buffer))
        self.put(failure or _DONE)


async def stream_export(store, fmt: str) -> AsyncIterator[bytes]:
    """The export of `store` in `fmt`, chunk by chunk. Closing this generator (the response does
    when its client goes) stops the serialiser thread within POLL seconds."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue = asyncio.Queue(maxsize=QUEUED)
    cancelled = threading.Event()
    output = _Handoff(loop, chunks, cancelled)

    def produce() -> None:
        failure = None
        try:
            export(store, fmt, output)
        except DumpCancelled:
            return
        except Exception as exc:  # reported by the consumer, which ends the response
            failure = exc
        try:
            output.close(failure)
        except DumpCancelled:
            pass

    producer = threading.Thread(target=produce, daemon=True, name=f"dump-{fmt}")
    producer.start()
    try:
        while (chunk := await chunks.get()) is not _DONE:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
    finally:
        cancelled.set()


class DumpResponse(StreamingResponse):
    """A streamed response that closes its body iterator however the sending ends (a client
    that disconnects included), rather than leaving it to the garbage collector."""

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield


@router.api_route("/dump.{ext}", methods=["GET", "HEAD"], include_in_schema=False)
async def dump(ext: str, request: Request) -> Response:
    """The whole dataset in the format its extension names."""
    by_extension = {f.extension: f for f in FORMATS.values()}
    f = by_extension.get(ext)
    if f is None:
        return Response(f"no dump in .{ext[:40]}; there are " +
                        ", ".join(f"/dump.{e}" for e in sorted(by_extension)) + "\n",
                        status_code=404, media_type="text/plain")
    # HEAD: the same headers, and no serialiser started.
    body = _nothing() if request.method == "HEAD" else \
        stream_export(request.app.state.store, f.name)
    return DumpResponse(body, media_type=f.media_type,
                        headers={"Content-Disposition": f'inline; filename="whosaid.{ext}"'})
