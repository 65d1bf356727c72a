"""ICD-10-CM search: what start-up costs, when the index is ready, and how fast a search is.

    .venv/bin/python bench/icd10.py [--runs 3] [--searches 200]

Each run is a fresh interpreter (the library and the index are built once per process):

- **cold, step by step**: importing ``simple-icd-10-cm`` (it parses the whole code set) and
  building the search index, each timed, with the resident memory they add;
- **web process start**: importing ``alliance.config.wsgi`` as a gunicorn worker does (Django
  set up, the warm-up thread started), then the wait until ``icd10.index_ready()``.

Then, in this process with the index built, each query in ``QUERIES`` is searched
``--searches`` times: median and slowest. Nothing here touches a database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "depression",
    "depress",
    "maj depress recur sev",
    "generalized anxiety",
    "F33",
    "homeless",
]

COLD = """
import json, time
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024
from alliance.diagnoses import icd10
before = rss(); t0 = time.perf_counter()
icd10._cm(); t1 = time.perf_counter(); after_import = rss()
icd10._index(); t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "index": t2 - t1,
                  "import_mb": after_import - before, "index_mb": rss() - after_import}))
"""

WEB = """
import json, os, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
t0 = time.perf_counter()
import alliance.config.wsgi
t1 = time.perf_counter()
from alliance.diagnoses import icd10
ready = icd10.index_ready(timeout=120)
t2 = time.perf_counter()
print(json.dumps({"app": t1 - t0, "ready": t2 - t0, "ok": ready}))
"""


def _fresh(code: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Only this file's own COLD and WEB scripts run here.
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _figures(label: str, values: list[float], unit: str = "s") -> str:
    shown = ", ".join(f"{v:.2f}" for v in values)
    return f"  {label:<34} median {statistics.median(values):6.2f} {unit}   ({shown})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args(argv)

    cold = [_fresh(COLD) for _ in range(args.runs)]
    print(f"Cold start, {args.runs} fresh processes (Python {sys.version.split()[0]}):")
    print(_figures("import simple-icd-10-cm", [c["import"] for c in cold]))
    print(_figures("build the search index", [c["index"] for c in cold]))
    print(_figures("memory added by the import", [c["import_mb"] for c in cold], "MB"))
    print(_figures("memory added by the index", [c["index_mb"] for c in cold], "MB"))

    web = [_fresh(WEB) for _ in range(args.runs)]
    assert all(w["ok"] for w in web), "the index was not ready within 120 s"
    print("Web process start (import alliance.config.wsgi):")
    print(_figures("application ready to serve", [w["app"] for w in web]))
    print(_figures("ICD-10 index ready (background)", [w["ready"] for w in web]))

    sys.path.insert(0, str(ROOT))
    from alliance.diagnoses import icd10

    icd10.warm_up().join()
    print(f"Search with the index built, {args.searches} times each (ms):")
    for query in QUERIES:
        times = []
        for _ in range(args.searches):
            start = time.perf_counter()
            icd10.search(query)
            times.append((time.perf_counter() - start) * 1000)
        print(f"  {query!r:<26} median {statistics.median(times):6.2f}   slowest {max(times):6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
