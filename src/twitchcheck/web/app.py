"""The web application: JSON API under /api/v1, HTML pages, static files and local API docs.

``create_app`` builds everything from one knowledge base (the packaged one by default), so
tests can serve a different base and the OpenAPI document always matches the data served.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from twitchcheck import __version__
from twitchcheck.knowledge import KnowledgeBase, load_kb
from twitchcheck.web import account_api, account_pages, api, auth, diary_api, diary_pages, pages
from twitchcheck.web.handlers import HANDLERS
from twitchcheck.web.limits import (
    DEFAULT_MAX_BODY,
    BodyLimitMiddleware,
    RequestHygieneMiddleware,
    SecurityHeadersMiddleware,
)
from twitchcheck.web.openapi import patch_openapi

STATIC = Path(__file__).parent / "static"
DOCS_STATIC = Path(fastapi_offline.__file__).parent / "static"
DESCRIPTION = """\
Evidence-based assessment and triage of muscle twitching and twitch-like symptoms.

* `POST /api/v1/assess`: free text and/or structured evidence in, ranked causes, triage and reasons out.
* `POST /api/v1/interview`, `/interview/answer`, `/interview/back`: a stateless adaptive interview;
  the client keeps the `state` object and sends it back.
* `GET /api/v1/conditions`, `/conditions/{id}`, `/findings`: the knowledge base, read-only.

Errors are JSON `{"detail": "...", "field": "..."}` with a 4xx status. Nothing you send is stored.
This is not a diagnosis and does not replace a clinician.
"""


class TwitchcheckApp(FastAPI):
    """FastAPI with the security headers outside everything, the server-error answer included
    (Starlette puts its ServerErrorMiddleware outside every middleware added to the app)."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def _warm_up(kb: KnowledgeBase) -> None:
    """Load the text pipeline and compile the model now, so the first person does not wait for it."""
    from twitchcheck.pipeline import assess

    assess("My calf has been twitching for a few days.", kb=kb)


def create_app(
    kb: KnowledgeBase | None = None,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    warm: bool = True,
    accounts: auth.Accounts | None = None,
) -> FastAPI:
    """Build the app around ``kb`` (default: the packaged knowledge base, validated on load).

    ``accounts`` holds the diary database and signing secret (default: ``$TWITCHCHECK_DATABASE_URL``
    or the local SQLite file, opened on first use, and the key in the data directory).
    """
    base = kb if kb is not None else load_kb()
    users = accounts if accounts is not None else auth.Accounts()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            await anyio.to_thread.run_sync(_warm_up, base)
            # The knowledge base and language pipeline are millions of long-lived objects; frozen,
            # the garbage collector stops re-scanning them, which removes 100 ms+ pauses under load.
            gc.collect()
            gc.freeze()
        yield
        users.close()

    app = TwitchcheckApp(
        title="twitchcheck",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        license_info={"name": "MIT"},
    )
    app.state.kb = base
    app.state.accounts = users
    for exc_type, handler in HANDLERS.items():
        app.add_exception_handler(exc_type, handler)
    app.add_middleware(BodyLimitMiddleware, max_body=max_body)
    app.add_middleware(RequestHygieneMiddleware)
    app.include_router(api.router)
    app.include_router(account_api.router)
    app.include_router(diary_api.router)
    app.include_router(api.health_router)
    app.include_router(pages.router)
    app.include_router(account_pages.router)
    app.include_router(diary_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/static-docs", StaticFiles(directory=DOCS_STATIC), name="static-docs")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="twitchcheck API",
            swagger_js_url="/static-docs/swagger-ui-bundle.js",
            swagger_css_url="/static-docs/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.openapi = _openapi_builder(app, base)  # type: ignore[method-assign]
    return app


def _openapi_builder(app: FastAPI, kb: KnowledgeBase) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                license_info=app.license_info,
            )
            app.openapi_schema = patch_openapi(schema, kb)
        return app.openapi_schema

    return build
