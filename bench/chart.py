"""Time the pages clinicians wait on, against a database filled by ``bench/generate.py``.

    ALLIANCE_DATABASE_URL=sqlite:////tmp/bench.sqlite3 ALLIANCE_VAR_DIR=/tmp/bench-var \\
        .venv/bin/python bench/chart.py [--requests 200] [--warmup 20]

Requests go through the whole Django stack in this process (``django.test.Client``: URL
routing, every middleware, the access policy, the audit write, template rendering), so a
figure is server time without the network. ``bench.therapist`` and ``bench.frontdesk`` are
signed in with ``force_login`` and fresh session clocks, as ``tests/conftest.py`` does;
second-factor checks are off (``ALLIANCE_REQUIRE_MFA=0``). Each page is warmed up, then timed
``--requests`` times; SQL queries are counted on the warm-up requests only, so that counting
does not slow the timed ones. "CPU" is the CPU time of this process alone (Django and the
driver, not the database server): other processes do not add to it, but a shared virtual CPU
that slows down does, so the run also prints a CPU probe (a fixed loop) before and after.
"Listed" is the median number of client links on the page (rows of a caseload or search).
A search is timed as its results page, ``GET /clients/search/?s=<token>``, which runs the
search; the form's POST before it (the words kept in the session, a redirect) is not timed.

Missing migrations are applied first (a newer app only adds empty tables). The pages write
audit events as they would in production (chart views, searches, caseload reads), so run it
with the ``ALLIANCE_VAR_DIR`` the database was generated with and ``alliance audit verify``
keeps passing.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

THERAPIST = "bench.therapist"
FRONT_DESK = "bench.frontdesk"
# Targets from the issue, for PostgreSQL (p95, milliseconds).
TARGETS = {"chart": 50.0, "search": 30.0}
CLIENT_LINK = re.compile(rb'href="/clients/\d+/"')


@dataclass
class Page:
    name: str
    target: float | None
    request: Callable[[Any], Any]  # takes what ``prepare`` returned
    prepare: Callable[[], Any] = lambda: None  # untimed, before each request
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    lists_clients: bool = True
    rows: list[int] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with ``share`` of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def typed_part(last_name: str, rng: random.Random, length: int = 4) -> str:
    """A piece of a last name as someone would type it: ``length`` letters, random offset."""
    from alliance.core.text import fold

    word = max(re.split(r"[^a-z]+", fold(last_name)), key=len)
    if len(word) <= length:
        return word
    start = rng.randint(0, len(word) - length)
    return word[start : start + length]


def signed_in(user: Any) -> Any:
    """A test client signed in as ``user`` with the session clocks started now."""
    from django.test import Client as HttpClient

    from alliance.web.session import AUTH_AT, SEEN_AT

    http = HttpClient()
    http.force_login(user)
    session = http.session
    session[AUTH_AT] = session[SEEN_AT] = time.time()
    session.save()
    return http


def run(page: Page, *, warmup: int, requests: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        prepared = page.prepare()
        with CaptureQueriesContext(connection) as captured:
            response = page.request(prepared)
        check(page, response)
        page.queries.append(len(captured.captured_queries))
    for _ in range(requests):
        prepared = page.prepare()
        started, cpu = time.perf_counter(), time.process_time()
        response = page.request(prepared)
        page.times_ms.append((time.perf_counter() - started) * 1000)
        page.cpu_ms.append((time.process_time() - cpu) * 1000)
        check(page, response)
        page.rows.append(len(CLIENT_LINK.findall(response.content)))


def check(page: Page, response: Any) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{page.name}: HTTP {response.status_code} (is the database generated?)")


def searched(http: Any, words: str) -> str:
    """POST the search form (untimed): the URL of the results page, ``?s=<token>``, which runs
    the search (the words stay in the session, never in a URL)."""
    response = http.post("/clients/search/", {"q": words})
    if response.status_code not in (302, 303):
        raise SystemExit(f"search POST: HTTP {response.status_code} (is the database generated?)")
    return str(response["Location"])


def cpu_probe() -> float:
    """Milliseconds for a fixed pure-Python loop: how fast this machine is right now.

    Shared and virtual machines change speed from minute to minute; compare figures from runs
    whose probes agree, or scale by the probe.
    """
    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i
    return (time.perf_counter() - started) * 1000


def heavy_client_of(therapist: Any) -> tuple[int, int, int] | None:
    """(client id, notes, objectives) of the therapist's client with the largest active plan
    (``bench/generate.py --heavy-notes``), or None when the database has none."""
    from django.db.models import Count
    from django.utils import timezone

    from alliance.access.models import CareTeamMember
    from alliance.notes.models import Note
    from alliance.plans.models import Objective, TreatmentPlan

    in_care = CareTeamMember.objects.filter(
        CareTeamMember.active_q(timezone.localdate()), staff=therapist
    ).values("client_id")
    active = TreatmentPlan.objects.filter(status="active", client_id__in=in_care)
    largest = (
        Objective.objects.filter(plan__in=active)
        .values("plan__client_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if largest is None:
        return None
    client_id = largest["plan__client_id"]
    return client_id, Note.objects.filter(client_id=client_id).count(), largest["n"]


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 1:
        parser.error("--requests and --warmup must be at least 1")

    # The benchmark signs in without a second factor; everything else is the product's.
    os.environ["ALLIANCE_REQUIRE_MFA"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from alliance.access.models import CareTeamMember
    from alliance.audit.models import AuditEvent
    from alliance.clients.models import Client
    from alliance.demo.people import LAST_NAMES
    from alliance.staff.models import User

    # A database generated before newer migrations only lacks empty tables: add them.
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        print(f"applying {len(pending)} new migrations first", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)

    rng = random.Random(args.seed)
    users = {u.username: u for u in User.objects.filter(username__in=[THERAPIST, FRONT_DESK])}
    if len(users) != 2:
        raise SystemExit("no bench staff here: run bench/generate.py on this database first")
    therapist, desk = users[THERAPIST], users[FRONT_DESK]
    caseload = list(
        Client.objects.filter(
            pk__in=CareTeamMember.objects.filter(
                CareTeamMember.active_q(timezone.localdate()), staff=therapist
            ).values("client_id")
        ).values_list("pk", "legal_last_name")
    )
    if not caseload:
        raise SystemExit(f"{THERAPIST} has no clients in care")
    heavy = heavy_client_of(therapist)
    clients, events = Client.objects.count(), AuditEvent.objects.count()
    as_therapist, as_desk = signed_in(therapist), signed_in(desk)
    pages = [
        Page(
            "chart (therapist, own client)",
            TARGETS["chart"],
            lambda _: as_therapist.get(f"/clients/{rng.choice(caseload)[0]}/"),
            lists_clients=False,
        ),
        *(
            [
                Page(
                    f"chart (therapist, {heavy[1]} notes, {heavy[2]} plan objectives)",
                    TARGETS["chart"],
                    lambda _: as_therapist.get(f"/clients/{heavy[0]}/"),
                    lists_clients=False,
                )
            ]
            if heavy
            else []
        ),
        Page("caseload / (therapist)", None, lambda _: as_therapist.get("/")),
        Page(
            "search (therapist)",
            TARGETS["search"],
            as_therapist.get,
            lambda: searched(as_therapist, typed_part(rng.choice(caseload)[1], rng)),
        ),
        Page(
            "search (front desk, registry-wide)",
            TARGETS["search"],
            as_desk.get,
            lambda: searched(as_desk, typed_part(rng.choice(LAST_NAMES), rng)),
        ),
    ]
    load_before, probe_before = os.getloadavg(), cpu_probe()
    started = datetime.now(UTC)
    for page in pages:
        print(f"timing {page.name} ...", file=sys.stderr)
        run(page, warmup=args.warmup, requests=args.requests)
    load_after, probe_after = os.getloadavg(), cpu_probe()

    print(
        f"{database_version()}: {clients} clients, {events} audit events before the run; "
        f"{THERAPIST} has {len(caseload)} clients in care"
    )
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"Django {django.get_version()}, load average {load_before[0]:.1f} -> {load_after[0]:.1f}; "
        f"{args.requests} timed requests per page after {args.warmup} warm-up; "
        f"CPU probe {probe_before:.0f} -> {probe_after:.0f} ms"
    )
    print()
    print("| page | p50 ms | p95 ms | max ms | CPU p50 ms | SQL queries | listed | p95 target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for page in pages:
        low, high = min(page.queries), max(page.queries)
        queries = str(low) if low == high else f"{low}-{high}"
        rows = f"{statistics.median(page.rows):.0f}" if page.lists_clients else "—"
        target = "—"
        if page.target is not None:
            p95 = percentile(page.times_ms, 0.95)
            target = f"≤ {page.target:.0f} ms " + ("met" if p95 <= page.target else "MISSED")
        print(
            f"| {page.name} | {statistics.median(page.times_ms):.1f} "
            f"| {percentile(page.times_ms, 0.95):.1f} | {max(page.times_ms):.1f} "
            f"| {statistics.median(page.cpu_ms):.1f} | {queries} "
            f"| {rows} | {target} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
