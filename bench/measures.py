"""Measures at scale: synthetic PHQ-9/GAD-7 history, submit-and-score throughput, chart p95.

    ALLIANCE_DATABASE_URL=sqlite:////tmp/bench.sqlite3 ALLIANCE_VAR_DIR=/tmp/bench-var \\
        .venv/bin/python bench/measures.py [--responses 1000000] [--submits 300] [--requests 200]

Run it on a database filled by ``bench/generate.py``. It does three things:

1. **Fill** (skipped when the database already holds administrations): ``--responses``
   PHQ-9 and GAD-7 administrations go in with ``bulk_create``. They are spread over all
   clients, a few visits 14 days apart per client, each visit a PHQ-9 and a GAD-7 along an
   improving trajectory with noise. One client on ``bench.therapist``'s caseload gets 200
   administrations (100 of each, weekly). The answers are drawn from a pool of patterns. Each
   pattern is scored once by ``alliance.instruments.score``, and its QuestionnaireResponse is
   built and validated once by ``alliance.assessments.fhir.questionnaire_response``; each row
   copies it with its own subject and ``authored`` time. The fill writes no audit rows and no
   alerts, the way imported history would be stored, so the audit chain is unchanged.
2. **Submit-and-score throughput**, one process, one request after another: ``POST
   /clients/<id>/measures/give/phq9/`` as ``bench.therapist`` for half of the caseload,
   and ``POST /q/<token>/`` without a session, on links made beforehand with
   ``alliance.assessments.services.link_create``. The link creation is not timed. Both paths
   go through the whole stack: scoring, FHIR validation, insert, and audit write. About 3 % of
   the answer patterns are critical (PHQ-9 item 9), so some requests raise alerts, as in a
   clinic.
3. **The chart page** (``GET /clients/<id>/``) of the client with 200 administrations:
   p50 and p95, with the SQL query count. The issue's target for p95 is 50 ms. For
   comparison, the chart of other clients on the caseload is timed too. They are the half of
   the caseload that receives no submits, so they keep the filled history (about 10
   administrations each at 1M responses over 100k clients).

Requests use ``django.test.Client`` in this process, as ``bench/chart.py`` does, with
``ALLIANCE_REQUIRE_MFA=0`` and ``force_login``. SQL queries are counted on warm-up requests
only.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

THERAPIST = "bench.therapist"
INSTRUMENTS = ("phq9", "gad7")
HEAVY_CLIENT_ADMINISTRATIONS = 200
VISIT_EVERY = timedelta(days=14)
BATCH_ROWS = 5000
# Answer patterns per instrument: LEVELS severity levels x PATTERNS_PER_LEVEL each.
LEVELS = 31
PATTERNS_PER_LEVEL = 24
CRITICAL_SHARE = 0.03
TARGET_CHART_P95_MS = 50.0


@dataclass(frozen=True)
class Pattern:
    """One answer pattern, scored and turned into a validated QuestionnaireResponse once."""

    answers: dict[str, int]
    item_scores: dict[str, Any]
    total: float | None
    severity: str
    critical_flags: list[str]
    extras: dict[str, Any]
    response: dict[str, Any]


@dataclass
class Timed:
    name: str
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    wall_s: float = 0.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, as ``bench/chart.py`` computes it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def authored(when: datetime) -> str:
    """``authored`` as ``fhir.resources`` writes a UTC time with whole seconds."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def draw_answers(code: str, level: float, rng: random.Random) -> dict[str, int]:
    """Answers around ``level`` (0-3 per item). Item 9 of the PHQ-9 is rarely positive."""
    from alliance import instruments

    answers: dict[str, int] = {}
    for item in instruments.get(code).items:
        values = sorted(option.value for option in item.options)
        value = min(max(round(level + rng.gauss(0, 0.7)), values[0]), values[-1])
        if code == "phq9" and item.id == "9":
            value = rng.choice((1, 1, 2, 3)) if rng.random() < CRITICAL_SHARE else 0
        answers[item.id] = int(value)
    return answers


def build_patterns(rng: random.Random) -> dict[str, list[list[Pattern]]]:
    """Per instrument, LEVELS lists of patterns from no symptoms (0) to the most (LEVELS-1)."""
    from alliance import instruments
    from alliance.assessments.fhir import questionnaire_response
    from alliance.assessments.services import _canonical
    from alliance.clients.models import Client

    placeholder = Client(pk=0)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    pools: dict[str, list[list[Pattern]]] = {}
    for code in INSTRUMENTS:
        canonical = _canonical(code)
        pools[code] = []
        for level in range(LEVELS):
            patterns = []
            for _ in range(PATTERNS_PER_LEVEL):
                answers = draw_answers(code, 3 * level / (LEVELS - 1), rng)
                result = instruments.score(code, answers)
                response = questionnaire_response(
                    client=placeholder,
                    instrument=code,
                    canonical=canonical,
                    answers=answers,
                    authored=when,
                )
                # Each row replaces these two values; the rest of the resource is shared.
                assert response["authored"] == authored(when), response["authored"]
                patterns.append(
                    Pattern(
                        answers=answers,
                        item_scores=dict(result.item_scores),
                        total=result.total,
                        severity=result.severity or "",
                        critical_flags=list(result.critical_flags),
                        extras=_jsonable(result.extras),
                        response=response,
                    )
                )
            pools[code].append(patterns)
    return pools


def _jsonable(extras: dict[str, Any]) -> dict[str, Any]:
    import json

    return dict(json.loads(json.dumps(extras, default=str)))


def administration(
    pattern: Pattern,
    *,
    client_id: int,
    code: str,
    when: datetime,
    mode: str,
    entered_by_id: int | None,
) -> Any:
    from alliance.assessments.models import Administration

    response = dict(pattern.response)
    response["subject"] = {"reference": f"Patient/{client_id}"}
    response["authored"] = authored(when)
    return Administration(
        client_id=client_id,
        instrument=code,
        mode=mode,
        completed_at=when,
        entered_by_id=entered_by_id,
        questionnaire_response=response,
        answers=pattern.answers,
        item_scores=pattern.item_scores,
        total=pattern.total,
        severity=pattern.severity,
        critical_flags=pattern.critical_flags,
        extras=pattern.extras,
    )


def visit_rows(
    pools: dict[str, list[list[Pattern]]],
    *,
    client_id: int,
    count: int,
    last: datetime,
    every: timedelta,
    clinician_id: int,
    rng: random.Random,
) -> list[Any]:
    """``count`` administrations, a PHQ-9 and a GAD-7 per visit, the last visit at ``last``.

    The client starts somewhere between mild and severe and improves, with noise, so the
    charts have bands, points and reliable-change markers to draw.
    """
    visits = (count + 1) // 2
    start_level = rng.uniform(0.4, 0.95)
    end_level = start_level * rng.uniform(0.2, 1.1)
    rows = []
    for visit in range(visits):
        share = visit / max(visits - 1, 1)
        level = start_level + (end_level - start_level) * share + rng.gauss(0, 0.06)
        index = min(max(round(level * (LEVELS - 1)), 0), LEVELS - 1)
        when = (last - every * (visits - 1 - visit)).replace(microsecond=0)
        in_session = rng.random() < 0.6
        mode = "in_session" if in_session else "self_completion"
        for offset, code in enumerate(INSTRUMENTS):
            if len(rows) == count:
                break
            rows.append(
                administration(
                    rng.choice(pools[code][index]),
                    client_id=client_id,
                    code=code,
                    when=when + timedelta(minutes=offset),
                    mode=mode,
                    entered_by_id=clinician_id if in_session else None,
                )
            )
    return rows


def fill(*, responses: int, heavy_client: int, therapist_id: int, seed: int) -> tuple[int, float]:
    """Insert the synthetic history; returns (rows, seconds)."""
    from django.db import transaction

    from alliance.access.models import CareTeamMember
    from alliance.assessments.models import Administration
    from alliance.clients.models import Client

    rng = random.Random(seed)
    started = time.perf_counter()
    pools = build_patterns(rng)
    print(
        f"built {sum(len(p) for levels in pools.values() for p in levels)} answer patterns "
        f"in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    now = datetime.now(UTC) - timedelta(hours=1)
    heavy = visit_rows(
        pools,
        client_id=heavy_client,
        count=min(HEAVY_CLIENT_ADMINISTRATIONS, responses),
        last=now,
        every=timedelta(days=7),
        clinician_id=therapist_id,
        rng=rng,
    )
    Administration.objects.bulk_create(heavy)

    # The rest goes to every other client: Poisson-like counts with the right total.
    client_ids = list(Client.objects.exclude(pk=heavy_client).order_by("pk").values_list("pk"))
    ids = [pk for (pk,) in client_ids]
    remaining = max(responses - len(heavy), 0)
    counts: dict[int, int] = {}
    for pk in rng.choices(ids, k=remaining):
        counts[pk] = counts.get(pk, 0) + 1
    primary = dict(
        CareTeamMember.objects.filter(role="primary_clinician")
        .order_by("client_id", "start_on")
        .values_list("client_id", "staff_id")
    )
    span = timedelta(days=365 * 5)
    written = len(heavy)
    batch: list[Any] = []
    progress_every = max(remaining // 50, 1)
    next_report = progress_every

    def flush() -> None:
        nonlocal batch
        with transaction.atomic():
            Administration.objects.bulk_create(batch)
        batch = []

    for pk in ids:
        count = counts.get(pk, 0)
        if not count:
            continue
        visits = (count + 1) // 2
        latest = now - span + (span - VISIT_EVERY * visits) * rng.random() + VISIT_EVERY * visits
        batch.extend(
            visit_rows(
                pools,
                client_id=pk,
                count=count,
                last=min(latest, now),
                every=VISIT_EVERY,
                clinician_id=primary.get(pk, therapist_id),
                rng=rng,
            )
        )
        if len(batch) >= BATCH_ROWS:
            written += len(batch)
            flush()
            if written >= next_report:
                elapsed = time.perf_counter() - started
                sys.stderr.write(
                    f"\r{written}/{responses} administrations {elapsed:.0f}s "
                    f"({written / elapsed:.0f} rows/s)"
                )
                next_report += progress_every
    written += len(batch)
    if batch:
        flush()
    sys.stderr.write("\n")
    return written, time.perf_counter() - started


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE) assessments_administration")


def time_requests(
    timed: Timed, request: Callable[[], Any], *, warmup: int, count: int, expect: int
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        with CaptureQueriesContext(connection) as captured:
            response = request()
        check(timed.name, response, expect)
        timed.queries.append(len(captured.captured_queries))
    wall = time.perf_counter()
    for _ in range(count):
        started, cpu = time.perf_counter(), time.process_time()
        response = request()
        timed.times_ms.append((time.perf_counter() - started) * 1000)
        timed.cpu_ms.append((time.process_time() - cpu) * 1000)
        check(timed.name, response, expect)
    timed.wall_s = time.perf_counter() - wall


def check(name: str, response: Any, expect: int) -> None:
    if response.status_code != expect:
        body = response.content[:400].decode(errors="replace")
        raise SystemExit(f"{name}: HTTP {response.status_code}, expected {expect}\n{body}")


def post_data(answers: dict[str, int]) -> dict[str, str]:
    return {f"item_{item}": str(value) for item, value in answers.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--responses",
        type=int,
        default=1_000_000,
        help="administrations to insert when the database has none yet",
    )
    parser.add_argument("--submits", type=int, default=300, help="timed submits per path")
    parser.add_argument("--requests", type=int, default=200, help="timed chart requests")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first, each")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if min(args.submits, args.requests, args.warmup) < 1 or args.responses < 0:
        parser.error("--submits, --requests and --warmup must be at least 1")

    os.environ["ALLIANCE_REQUIRE_MFA"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client as HttpClient
    from django.utils import timezone

    from alliance.access.models import CareTeamMember
    from alliance.assessments.models import Administration, CriticalAlert
    from alliance.assessments.services import link_create
    from alliance.clients.models import Client
    from alliance.notes.models import Note
    from alliance.staff.models import User
    from bench.chart import cpu_probe, database_version, signed_in

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("applying new migrations first", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)

    therapist = User.objects.filter(username=THERAPIST).first()
    if therapist is None:
        raise SystemExit("no bench staff here: run bench/generate.py on this database first")
    caseload = sorted(
        CareTeamMember.objects.filter(
            CareTeamMember.active_q(timezone.localdate()), staff=therapist
        ).values_list("client_id", flat=True)
    )
    if len(caseload) < 2:
        raise SystemExit(f"{THERAPIST} needs at least two clients in care")

    # The client whose chart is timed: one without notes, so that its weight is its 200
    # administrations and not the 500 sessions of ``generate.py``'s heavy client (that chart is
    # ``chart.py``'s). ``generate.py`` gives its heavy client a few dozen scores: fill up to
    # ``--responses`` unless a fill (or a larger history) is here already.
    with_notes = set(
        Note.all_kinds.filter(client_id__in=caseload).values_list("client_id", flat=True)
    )
    measured = next(pk for pk in caseload if pk not in with_notes)
    existing = Administration.objects.count()
    fill_note = f"{existing} administrations already here: fill skipped"
    if existing < args.responses:
        rows, seconds = fill(
            responses=args.responses - existing,
            heavy_client=measured,
            therapist_id=therapist.pk,
            seed=args.seed,
        )
        started = time.perf_counter()
        analyse()
        fill_note = (
            f"inserted {rows} administrations in {seconds:.0f}s ({rows / seconds:.0f} rows/s), "
            f"then {time.perf_counter() - started:.0f}s of VACUUM ANALYZE (PostgreSQL only)"
        )
    print(fill_note, file=sys.stderr)
    heavy = measured
    heavy_count = Administration.objects.filter(client_id=heavy).count()
    if heavy_count < HEAVY_CLIENT_ADMINISTRATIONS:
        # A database filled before the measured client was chosen this way: top it up.
        rng = random.Random(args.seed)
        Administration.objects.bulk_create(
            visit_rows(
                build_patterns(rng),
                client_id=heavy,
                count=HEAVY_CLIENT_ADMINISTRATIONS - heavy_count,
                last=datetime.now(UTC) - timedelta(days=7 * heavy_count + 1),
                every=timedelta(days=7),
                clinician_id=therapist.pk,
                rng=rng,
            )
        )
        heavy_count = HEAVY_CLIENT_ADMINISTRATIONS
    others = [pk for pk in caseload if pk != heavy]
    # Submits go to half of the caseload; the other half keeps the filled history, so that
    # the comparison chart shows the same clients, run after run.
    submit_to, compare = others[0::2], others[1::2]
    total_rows, clients = Administration.objects.count(), Client.objects.count()
    alerts_before = CriticalAlert.objects.count()

    rng = random.Random(args.seed)
    patterns = {
        code: [draw_answers(code, rng.uniform(0, 3), rng) for _ in range(500)]
        for code in INSTRUMENTS
    }
    as_therapist = signed_in(therapist)
    anonymous = HttpClient()

    give = Timed("POST /clients/<id>/measures/give/phq9/ (in session)")
    print(f"timing {give.name} ...", file=sys.stderr)
    time_requests(
        give,
        lambda: as_therapist.post(
            f"/clients/{rng.choice(submit_to)}/measures/give/phq9/",
            post_data(rng.choice(patterns["phq9"])),
        ),
        warmup=args.warmup,
        count=args.submits,
        expect=302,
    )

    link = Timed("POST /q/<token>/ (self-completion link)")
    print(f"creating {args.warmup + args.submits} links ...", file=sys.stderr)
    started = time.perf_counter()
    tokens = []
    by_pk = Client.objects.in_bulk(submit_to)
    for _ in range(args.warmup + args.submits):
        code = rng.choice(INSTRUMENTS)
        client = by_pk[rng.choice(submit_to)]
        tokens.append((code, link_create(actor=therapist, client=client, instrument=code)[1]))
    link_seconds = time.perf_counter() - started
    print(f"timing {link.name} ...", file=sys.stderr)
    pending = iter(tokens)

    def submit_link() -> Any:
        code, token = next(pending)
        return anonymous.post(f"/q/{token}/", post_data(rng.choice(patterns[code])))

    time_requests(link, submit_link, warmup=args.warmup, count=args.submits, expect=200)

    chart = Timed(f"GET /clients/<id>/ ({heavy_count} administrations)")
    print(f"timing {chart.name} ...", file=sys.stderr)
    load_before, probe_before = os.getloadavg(), cpu_probe()
    time_requests(
        chart,
        lambda: as_therapist.get(f"/clients/{heavy}/"),
        warmup=args.warmup,
        count=args.requests,
        expect=200,
    )
    typical = Timed("GET /clients/<id>/ (half of the caseload, for comparison)")
    print(f"timing {typical.name} ...", file=sys.stderr)
    time_requests(
        typical,
        lambda: as_therapist.get(f"/clients/{rng.choice(compare)}/"),
        warmup=args.warmup,
        count=args.requests,
        expect=200,
    )
    load_after, probe_after = os.getloadavg(), cpu_probe()
    size = len(as_therapist.get(f"/clients/{heavy}/").content)
    typical_count = Administration.objects.filter(client_id__in=compare).count() / len(compare)
    alerts = CriticalAlert.objects.count() - alerts_before

    print(
        f"{database_version()}: {clients} clients, {total_rows} administrations "
        f"before the submits; chart client {heavy} has {heavy_count}"
    )
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Django {django.get_version()}, load average "
        f"{load_before[0]:.1f} -> {load_after[0]:.1f}, CPU probe {probe_before:.0f} -> "
        f"{probe_after:.0f} ms; {args.submits} timed submits per path and {args.requests} "
        f"chart requests after {args.warmup} warm-up each; {alerts} alerts raised; "
        f"link_create {len(tokens) / link_seconds:.0f}/s (not timed below); "
        f"chart page {size / 1024:.0f} KiB; the comparison clients have "
        f"{typical_count:.1f} administrations on average"
    )
    print()
    print("| request | req/s | p50 ms | p95 ms | max ms | CPU p50 ms | SQL queries | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for timed in (give, link, chart, typical):
        low, high = min(timed.queries), max(timed.queries)
        queries = str(low) if low == high else f"{low}-{high}"
        p95 = percentile(timed.times_ms, 0.95)
        target = "—"
        if timed is chart:
            met = "met" if p95 <= TARGET_CHART_P95_MS else "MISSED"
            target = f"p95 ≤ {TARGET_CHART_P95_MS:.0f} ms {met}"
        print(
            f"| {timed.name} | {len(timed.times_ms) / timed.wall_s:.1f} "
            f"| {statistics.median(timed.times_ms):.1f} | {p95:.1f} "
            f"| {max(timed.times_ms):.1f} | {statistics.median(timed.cpu_ms):.1f} "
            f"| {queries} | {target} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
