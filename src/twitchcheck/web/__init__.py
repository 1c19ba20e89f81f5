"""Web app and JSON API (FastAPI): ``create_app()`` builds it, ``twitchcheck serve`` runs it.

``create_app`` loads on first use, so importing one web module (``twitchcheck.web.errors``) does not
build the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twitchcheck.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from twitchcheck.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
