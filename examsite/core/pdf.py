"""Printed documents as PDF: a page rendered by Jinja becomes an A4 PDF through WeasyPrint,
with Debian's CJK fonts. The PDF fetches nothing from the network: only the site's own
static files may be linked (a stored text with an <img src="http://..."> loads nothing)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from flask import Response, current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from examsite.core.exports import attachment

PDF_MIMETYPE = "application/pdf"
# The documents' base URL: a name that resolves nowhere, mapped onto the static folder.
_STATIC_BASE = "https://printed.invalid/static/"


def _static_file(url: str) -> Path:
    """The static file ``url`` names, or ValueError for anything else."""
    static = Path(current_app.static_folder or "").resolve()
    if not url.startswith(_STATIC_BASE):
        raise ValueError(f"not fetched in a printed document: {url[:80]}")
    path = (static / url.removeprefix(_STATIC_BASE).split("?")[0]).resolve()
    if static not in path.parents or not path.is_file():
        raise ValueError(f"not fetched in a printed document: {url[:80]}")
    return path


class StaticOnlyFetcher(URLFetcher):
    """Serves the site's static files to WeasyPrint and refuses every other URL."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = _static_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(html: str) -> bytes:
    """The PDF of a whole HTML document (see core/document.html for the page set-up)."""
    pdf: bytes = HTML(
        string=html, base_url=_STATIC_BASE, url_fetcher=StaticOnlyFetcher()
    ).write_pdf()
    return pdf


def pdf_response(html: str, filename: str) -> Response:
    """A PDF download named ``<filename>.pdf`` (Chinese allowed)."""
    return Response(
        render_pdf(html),
        mimetype=PDF_MIMETYPE,
        headers={"Content-Disposition": attachment(f"{filename}.pdf")},
    )
