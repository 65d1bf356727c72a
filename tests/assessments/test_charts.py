"""The outcome chart is plain SVG made on the server: accessible, escaped, no inline style."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from alliance.assessments.charts import ChartBand, ChartPoint, measure_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def chart(points: list[ChartPoint]) -> ElementTree.Element:
    svg = measure_chart_svg(
        chart_id="c1",
        title="PHQ-9 totals over time",
        points=points,
        bands=[ChartBand("minimal", 0, 4), ChartBand("mild", 5, 9), ChartBand("severe", 20, 27)],
        y_min=0,
        y_max=27,
    )
    assert "style=" not in svg  # CSP forbids inline style (SEC-34)
    return ElementTree.fromstring(svg)


def test_each_administration_is_a_point_and_each_band_is_shaded() -> None:
    root = chart(
        [
            ChartPoint(date(2026, 9, 1), 19, "2026-09-01: 19"),
            ChartPoint(date(2026, 10, 1), 12, "2026-10-01: 12", "improvement"),
            ChartPoint(date(2026, 11, 1), 21, "2026-11-01: 21", "deterioration"),
        ]
    )
    assert root.get("role") == "img"
    assert len(root.findall(f"{SVG}circle")) == 3
    assert len(root.findall(f"{SVG}rect")) == 3
    marks = [t.text for t in root.findall(f"{SVG}text") if (t.get("class") or "").startswith("rc-")]
    assert marks == ["▲", "▼"]
    assert root.find(f"{SVG}title").text == "PHQ-9 totals over time"  # type: ignore[union-attr]


def test_higher_totals_are_drawn_higher() -> None:
    root = chart(
        [ChartPoint(date(2026, 9, 1), 3, "low"), ChartPoint(date(2026, 10, 1), 24, "high")]
    )
    low, high = (float(c.get("cy", "0")) for c in root.findall(f"{SVG}circle"))
    assert high < low  # SVG y grows downwards


def test_labels_are_escaped() -> None:
    svg = measure_chart_svg(
        chart_id="c2",
        title="<script>alert(1)</script>",
        points=[ChartPoint(date(2026, 9, 1), 3, '"><script>x</script>')],
        bands=[],
        y_min=0,
        y_max=27,
    )
    assert "<script>" not in svg
    ElementTree.fromstring(svg)  # still well-formed


def test_an_empty_chart_says_so() -> None:
    root = chart([])
    assert root.find(f"{SVG}desc").text == "No administrations yet."  # type: ignore[union-attr]
