"""Pages as PDF documents (WeasyPrint), so a clinician gets a file rather than a browser print-out.

WeasyPrint fetches nothing from the network here: the stylesheet is read from our static folder,
the plots come from memory, and every other address is refused (and left out of the document).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATIC = Path(__file__).parent / "static"
BASE_URL = "http://twitchcheck.invalid/"
TYPES = {".css": "text/css", ".svg": "image/svg+xml"}


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are missing on this machine."""


def _fetcher(resources: dict[str, str]) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = urlsplit(url).path
            if path in resources:
                body = resources[path].encode()
            elif path.startswith("/static/"):
                file = (STATIC / path.removeprefix("/static/")).resolve()
                if STATIC.resolve() not in file.parents or not file.is_file():
                    raise ValueError(f"no such static file: {path}")
                body = file.read_bytes()
            else:
                raise ValueError(f"not fetched for a PDF: {url}")
            content_type = TYPES.get(Path(path).suffix, "application/octet-stream")
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return LocalFetcher()


def html_to_pdf(html: str, resources: dict[str, str] | None = None) -> bytes:
    """Render ``html``; ``resources`` maps a path such as ``/diary/plots/timeline.svg`` to its content."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango not installed
        raise PdfUnavailable(f"PDF output is not available on this server ({exc})") from None
    pdf: bytes = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher(resources or {})).write_pdf()
    return pdf
