"""Printable documents: a Django template rendered to PDF with WeasyPrint.

Plans and safety plans are printed and handed to clients, so the PDF must never reach out to
the network: the URL fetcher refuses everything except ``data:`` URLs, and templates carry their
own CSS inline. WeasyPrint is imported lazily because it needs Pango from the operating system
(``make system-deps``); without it only the print buttons fail, with a message, not the app.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the Pango library it needs is not installed on this server."""


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Only ``data:`` URLs may be embedded; a PDF of a clinical record fetches nothing."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        result: dict[str, Any] = default_url_fetcher(url)
        return result
    raise ValueError("external resources are not fetched when printing")


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """The template rendered as HTML, then laid out as PDF bytes."""
    html = render_to_string(template_name, context, request=request)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library is missing
        raise PdfUnavailable(
            "Printing needs WeasyPrint and Pango on the server (make system-deps)."
        ) from exc
    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def pdf_response(pdf: bytes, *, filename: str) -> HttpResponse:
    """A PDF download. ``filename`` must hold no PHI (use record ids, not names)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
