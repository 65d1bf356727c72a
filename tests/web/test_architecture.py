"""The web layer's shape, as tests (issue 13, STYLE "Architecture as a test"): pages by domain,
views that read through selectors, and the import contracts ``make test`` checks with
import-linter (``pyproject.toml``)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

import alliance

ROOT = Path(alliance.__file__).parent
CLINICAL_APPS = (
    "access",
    "assessments",
    "clients",
    "crisis",
    "diagnoses",
    "disclosures",
    "notes",
    "plans",
    "records",
    "safety",
)


def _contract(name_start: str) -> dict[str, object]:
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_start))


def _views(patterns: list[URLPattern | URLResolver]) -> set[str]:
    found = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found |= _views(pattern.url_patterns)
        else:
            found.add(pattern.callback.__module__)
    return found


def test_every_view_module_is_in_the_no_view_imports_another_contract() -> None:
    """A new page module must be listed, or import-linter would not check it."""
    listed = set(_contract("No view module imports another")["modules"])  # type: ignore[arg-type]
    web_views = {m for m in _views(get_resolver().url_patterns) if m.startswith("alliance.web.")}
    assert web_views - {"alliance.web.errors"} <= listed, web_views - listed


def test_every_page_lives_in_its_domains_package() -> None:
    """``web/<domain>/``: views, forms and urls of one domain side by side."""
    for module in _views(get_resolver().url_patterns):
        if module.startswith("alliance.web.") and module != "alliance.web.errors":
            assert module.count(".") == 3, module


def _clinical_model_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            is_models = parts[0] == "alliance" and parts[2:3] == ["models"]
            if is_models and parts[1] in CLINICAL_APPS:
                names |= {alias.asname or alias.name for alias in node.names}
    return names


def test_the_web_layer_never_queries_a_clinical_model_itself() -> None:
    """Reads go through selectors (which apply the access policy and audit); a page or form
    that wrote ``Model.objects`` of a clinical model would skip both."""
    offences = []
    for path in sorted((ROOT / "web").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        models = _clinical_model_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("objects", "all_kinds")
                and isinstance(node.value, ast.Name)
                and node.value.id in models
            ):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}")
    assert offences == []
