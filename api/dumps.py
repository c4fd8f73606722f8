"""GET /dump.{ttl,nt,trig,nq,jsonld,rdf}: the whole dataset, streamed as the store is read.

The bytes are those of `whosaid export` (both call graph.export.export). The serialiser writes
into a bounded queue from a worker thread while the response sends what it has written, so a dump
never sits whole in memory.
"""

from __future__ import annotations

import queue
import threading
from typing import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from graph.export import FORMATS, export

router = APIRouter()
_DONE = object()


class _QueueWriter:
    """The write end of a pipe made of a bounded queue (blocks the serialiser when it is full)."""

    def __init__(self, chunks: queue.Queue):
        self.chunks = chunks

    def write(self, data) -> int:
        self.chunks.put(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def stream_export(store, fmt: str) -> Iterator[bytes]:
    chunks: queue.Queue = queue.Queue(maxsize=64)
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            export(store, fmt, _QueueWriter(chunks))
        except BaseException as exc:  # reported below, in the consumer
            failure.append(exc)
        finally:
            chunks.put(_DONE)

    threading.Thread(target=produce, daemon=True, name=f"dump-{fmt}").start()
    while (chunk := chunks.get()) is not _DONE:
        yield chunk
    if failure:
        raise failure[0]


@router.get("/dump.{ext}", include_in_schema=False)
def dump(ext: str, request: Request) -> Response:
    """The whole dataset in the format its extension names."""
    by_extension = {f.extension: f for f in FORMATS.values()}
    f = by_extension.get(ext)
    if f is None:
        return Response(f"no dump in .{ext}; there are " +
                        ", ".join(f"/dump.{e}" for e in sorted(by_extension)) + "\n",
                        status_code=404, media_type="text/plain")
    return StreamingResponse(stream_export(request.app.state.store, f.name), media_type=f.media_type,
                             headers={"Content-Disposition": f'inline; filename="whosaid.{ext}"'})
