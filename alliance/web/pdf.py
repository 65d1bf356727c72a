"""Printable documents: a Django template rendered to PDF with WeasyPrint.

Plans and safety plans are printed and handed to clients, so the PDF must never reach out to
the network: the URL fetcher refuses everything except ``data:`` URLs, and print CSS comes from
a template given as ``stylesheet``. WeasyPrint is imported lazily because it needs Pango from
the operating system (``make system-deps``); without it only the print buttons fail, with a
message, not the app.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the Pango library it needs is not installed on this server."""


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    stylesheet: str | None = None,
) -> bytes:
    """The template rendered as HTML, then laid out as PDF bytes.

    ``stylesheet`` names a CSS template for print. It is handed to WeasyPrint directly, so no
    template needs a ``<style>`` element (pages served to browsers must never have one).
    """
    html = render_to_string(template_name, context, request=request)
    css = render_to_string(stylesheet, context, request=request) if stylesheet else None
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: Pango's shared library is missing
        raise PdfUnavailable(
            "Printing needs WeasyPrint and Pango on the server (make system-deps)."
        ) from exc
    # Only data: URLs: a printed clinical record fetches nothing from anywhere.
    fetcher = URLFetcher(allowed_protocols={"data"})
    sheets = [CSS(string=css, url_fetcher=fetcher)] if css else []
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=sheets)
    return pdf


def pdf_response(pdf: bytes, *, filename: str) -> HttpResponse:
    """A PDF download. ``filename`` must hold no PHI (use record ids, not names)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
