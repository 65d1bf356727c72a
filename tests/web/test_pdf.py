"""The PDF helper: templates become PDF bytes with no network fetch."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.template import engines

from alliance.web import pdf


def _text_of(pdf_bytes: bytes, tmp_path: Path) -> str:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf_bytes)
    result = subprocess.run(
        ["pdftotext", str(source), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def test_render_pdf_lays_out_the_template_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = engines["django"].from_string("<h1>Plan for {{ who }}</h1>")
    monkeypatch.setattr(
        pdf, "render_to_string", lambda name, ctx, request=None: template.render(ctx)
    )

    out = pdf.render_pdf("ignored.html", {"who": "Client 42"})

    assert out.startswith(b"%PDF-")
    assert "Plan for Client 42" in _text_of(out, tmp_path)


def test_print_css_applies_and_nothing_is_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stylesheet reaches the layout; an external image is skipped, never requested."""
    templates = {
        "page.html": '<p>Before</p><img src="http://127.0.0.1:9/tracker.png" alt=""><p>After</p>',
        "print.css": "p { font-size: 30pt } @page { size: A6 }",
    }
    monkeypatch.setattr(
        pdf,
        "render_to_string",
        lambda name, ctx, request=None: engines["django"].from_string(templates[name]).render(ctx),
    )
    fetched: list[str] = []
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: fetched.append(str(a)))

    out = pdf.render_pdf("page.html", {}, stylesheet="print.css")

    assert fetched == []
    text = _text_of(out, tmp_path)
    assert "Before" in text and "After" in text
    source = tmp_path / "styled.pdf"
    source.write_bytes(out)
    info = subprocess.run(["pdfinfo", str(source)], check=True, capture_output=True, text=True)
    assert "297.638 x 419.528 pts" in info.stdout  # the stylesheet's @page size applied


def test_pdf_response_is_inline_and_not_sniffed() -> None:
    response = pdf.pdf_response(b"%PDF-1.7", filename="plan-7.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="plan-7.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
