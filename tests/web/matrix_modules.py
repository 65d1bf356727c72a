"""Finds the per-domain access-matrix modules (``tests/web/matrix_<domain>.py``).

Each such module holds ``EXPECTED`` (rows for its pages) and ``census_objects(clinic)`` (the ids
its URLs need). Finding them by name lets a new clinical domain add its pages' rows without
editing the matrix test itself; a page without a row still fails the census.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import tests.web

MATRIX_MODULES: tuple[ModuleType, ...] = tuple(
    importlib.import_module(f"tests.web.{info.name}")
    for info in sorted(pkgutil.iter_modules(tests.web.__path__), key=lambda i: i.name)
    if info.name.startswith("matrix_") and info.name != "matrix_modules"
)
