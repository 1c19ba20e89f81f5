"""Web app and JSON API (FastAPI): ``create_app()`` builds it, ``twitchcheck serve`` runs it."""

from twitchcheck.web.app import create_app

__all__ = ["create_app"]
