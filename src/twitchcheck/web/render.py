"""Jinja2 templates (autoescaped) and the HTML error page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from twitchcheck.web.auth import CSRF_FIELD, csrf_token, set_cookies
from twitchcheck.wording import LEVEL_TITLES, likelihood_words

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals.update(LEVEL_TITLES=LEVEL_TITLES, CSRF_FIELD=CSRF_FIELD)
TEMPLATES.env.filters["likelihood_words"] = likelihood_words
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page; every page gets the CSRF token for its forms and the logged-in user, if known."""
    context.setdefault("csrf_token", csrf_token(request))
    context.setdefault("user", getattr(request.state, "user", None))
    response: HTMLResponse = TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
    set_cookies(request, response)
    return response


def render_text(request: Request, name: str, context: dict[str, Any]) -> str:
    """A page as a string (for a PDF): the same context as :func:`render`, no cookies set."""
    context = {"request": request, "csrf_token": "", "user": getattr(request.state, "user", None), **context}
    return TEMPLATES.get_template(name).render(context)


TITLES = {
    400: "Something in the request was damaged",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    429: "Too many attempts",
    503: "The diary is not available right now",
}


def render_error(request: Request, status_code: int, detail: str) -> HTMLResponse:
    title = TITLES.get(status_code, "Please check what you entered")
    return render(request, "error.html", {"title": title, "detail": detail}, status_code)


def download(content: str | bytes, media_type: str, filename: str) -> Response:
    """A response the browser saves as ``filename`` instead of showing it (exports, the PDF report)."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)
