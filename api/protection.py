"""The HTTP shell around every route: arrival time, request body limits, security headers.

A pure ASGI middleware rather than Starlette's BaseHTTPMiddleware, which would buffer streamed
responses (the dumps) and run the app in another task.

- The arrival time (time.monotonic()) goes into the request state as `arrived`: every time limit
  counts from it, not from when a worker picked the request up.
- A request body over its limit is refused with 413 before the app sees it: from Content-Length
  before reading anything, or by counting the bytes of a chunked body as they arrive. Reads are
  held to WHOSAID_MAX_QUERY_BYTES; POST /graphql, which carries article submissions, to
  WHOSAID_MAX_SUBMISSION_BYTES (the endpoint itself holds requests without a write token to the
  smaller limit).
- Every response carries the security headers below, unless its route set its own
  Content-Security-Policy (the API documentation pages add hashes of their inline scripts).
"""

from __future__ import annotations

import json
import time
from typing import Iterable

from graph.config import SETTINGS, Settings

# Everything a page loads comes from this server: the vendored front-end assets are in
# api/static/. Styles allow 'unsafe-inline' because GraphiQL, Swagger UI and ReDoc set styles from
# script (style attributes and injected <style> elements); scripts never run inline unless their
# hash is listed. ReDoc runs its search index in a worker made from a blob: URL.
_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The policy every response carries; `script_hashes` ('sha256-...') admit inline scripts."""
    policy = dict(_POLICY, **{"script-src": _POLICY["script-src"] +
                              [f"'{h}'" for h in script_hashes]})
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


SECURITY_HEADERS = [
    (b"content-security-policy", content_security_policy().encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class Protection:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    def body_limit(self, scope) -> tuple[int, str]:
        """The largest body this request may carry, and the setting that says so."""
        if scope["method"] == "POST" and scope["path"].rstrip("/") == "/graphql":
            return self.settings.max_submission_bytes, "max_submission_bytes"
        return self.settings.max_query_bytes, "max_query_bytes"

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["arrived"] = time.monotonic()
        send = _with_security_headers(send)

        headers = dict(_header_pairs(scope))
        declared = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        limit, setting = self.body_limit(scope)
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(scope, send, 400, "the Content-Length header is not a number")
                return
            if int(declared) > limit:
                await _refuse(scope, send, 413, _over(limit, setting))
                return
        if not chunked:
            await self.app(scope, receive, send)
            return
        # A chunked body declares no size: read it here, counting, and hand it on whole.
        # It is at most `limit` bytes, which the endpoint would read whole anyway.
        body, over = bytearray(), False
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before finishing its request
            body += message.get("body", b"")
            if len(body) > limit:
                over = True
                break
            if not message.get("more_body", False):
                break
        if over:
            await _refuse(scope, send, 413, _over(limit, setting))
            return
        await self.app(scope, _replay(bytes(body), receive), send)


def _header_pairs(scope):
    for name, value in scope.get("headers", []):
        yield name.lower(), value


def _over(limit: int, setting: str) -> str:
    return f"the request body is over {limit:,} bytes ({SETTINGS[setting].env})"


def _replay(body: bytes, receive):
    """A receive that gives the body already read, then passes through (to see a disconnect)."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replayed


def _with_security_headers(send):
    async def sending(message):
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
            message = dict(message, headers=list(message.get("headers", [])) + extra)
        await send(message)
    return sending


async def _refuse(scope, send, status: int, message: str) -> None:
    """A refusal sent before the app saw the request, in the form its route answers errors: a
    GraphQL error list on /graphql, a plain sentence elsewhere. The connection is closed after it,
    since the body was not read."""
    if scope["path"].rstrip("/") == "/graphql":
        body = json.dumps({"errors": [{"message": message}]}).encode("utf-8")
        media = b"application/json"
    else:
        body = (message + "\n").encode("utf-8")
        media = b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body",
                "body": b"" if scope["method"] == "HEAD" else body})
