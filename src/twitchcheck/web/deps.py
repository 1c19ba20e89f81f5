"""FastAPI dependencies the routers share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from twitchcheck.knowledge import KnowledgeBase


async def app_kb(request: Request) -> KnowledgeBase:
    """The knowledge base the app was built around (``create_app(kb)``): every page, route and diary
    service of one app uses this one, never the packaged base by default."""
    kb: KnowledgeBase = request.app.state.kb
    return kb


KB = Annotated[KnowledgeBase, Depends(app_kb)]
