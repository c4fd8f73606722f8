"""The browser front ends, served from this package: GraphiQL at /graphql, Swagger UI at /docs,
ReDoc at /redoc. Their scripts and styles are vendored under api/static/ (tools/vendor-assets.sh
says which versions, from npm, with their licences), so the pages load nothing from another host,
work offline, and pass the Content-Security-Policy of api/protection.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import jinja2
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .protection import content_security_policy

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC = "/static"
FAVICON = f"{STATIC}/swagger-ui/favicon-32x32.png"

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"), autoescape=True)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(_TEMPLATES.get_template("graphiql.html").render(static=STATIC))


def _with_inline_scripts_allowed(page: HTMLResponse) -> HTMLResponse:
    """The page, with a policy admitting its own inline scripts by hash (and no others)."""
    hashes = ["sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
              for s in _INLINE_SCRIPT.findall(page.body.decode("utf-8"))]
    page.headers["Content-Security-Policy"] = content_security_policy(hashes)
    return page


def install(app: FastAPI) -> None:
    """Mount the static files and add /docs and /redoc (create the app with docs_url=None and
    redoc_url=None, so that FastAPI's CDN-loading pages are not there too)."""
    app.mount(STATIC, StaticFiles(directory=STATIC_DIR), name="static")
    title = f"{app.title} HTTP API"

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return _with_inline_scripts_allowed(get_swagger_ui_html(
            openapi_url=app.openapi_url, title=title, swagger_favicon_url=FAVICON,
            swagger_js_url=f"{STATIC}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui/swagger-ui.css"))

    @app.api_route("/redoc", methods=["GET", "HEAD"], include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url, title=title, redoc_favicon_url=FAVICON,
                              redoc_js_url=f"{STATIC}/redoc/redoc.standalone.js",
                              with_google_fonts=False)
