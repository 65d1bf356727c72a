"""``alliance serve`` supervises the worker (issue 15 part 1): restarted when it ends, with
a backoff that keeps a crash loop from spinning, and stopped with the server.

Tiny Python commands stand in for the worker; waits are tenths of a second.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import override_settings

from alliance import cli
from alliance.operations import supervisor as supervision
from alliance.operations.supervisor import Supervisor

EXITS = [sys.executable, "-c", "raise SystemExit(3)"]
RUNS = [sys.executable, "-c", "import time; time.sleep(30)"]


def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_worker_that_exits_is_started_again_with_a_growing_backoff() -> None:
    """A crash loop backs off (doubling to the cap), rather than spinning."""
    watched = Supervisor(EXITS, min_backoff=0.05, max_backoff=0.2)
    watched.start()
    try:
        until(lambda: watched.starts >= 5)
    finally:
        watched.stop()
    assert watched.waits[:4] == [0.05, 0.1, 0.2, 0.2]


def test_a_worker_that_ran_steadily_is_restarted_after_the_shortest_wait() -> None:
    watched = Supervisor(EXITS, min_backoff=0.05, max_backoff=0.2, steady_after=0.0)
    watched.start()
    try:
        until(lambda: watched.starts >= 3)
    finally:
        watched.stop()
    assert set(watched.waits) == {0.05}


def test_a_killed_worker_is_replaced() -> None:
    """Issue 15: kill -9 of the worker; serve starts another."""
    watched = Supervisor(RUNS, min_backoff=0.05)
    watched.start()
    try:
        until(lambda: watched.pid is not None)
        first = watched.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        until(lambda: watched.pid not in (None, first))
        assert watched.starts == 2
    finally:
        watched.stop()


def test_stop_ends_the_worker_and_starts_no_other() -> None:
    watched = Supervisor(RUNS, min_backoff=0.05)
    watched.start()
    until(lambda: watched.pid is not None)
    pid = watched.pid
    assert pid is not None
    watched.stop()
    assert gone(pid)
    time.sleep(0.2)
    assert watched.starts == 1 and watched.pid is None


def test_a_forked_copy_of_serve_does_not_stop_the_worker() -> None:
    """gunicorn forks its workers from ``serve``; one that exits unwinds through ``serve``'s
    ``finally``, and must leave the background worker to the process that started it."""
    watched = Supervisor(RUNS, min_backoff=0.05)
    watched.start()
    try:
        until(lambda: watched.pid is not None)
        owner, watched._owner = watched._owner, -1  # as seen from a forked process
        watched.stop()
        assert watched.pid is not None
        watched._owner = owner
    finally:
        watched.stop()
    assert watched.pid is None


def test_serve_starts_the_worker_and_stops_it_on_shutdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``alliance serve`` runs gunicorn with a supervised worker beside it, and stops the
    worker when gunicorn returns."""
    marker = tmp_path / "worker.pid"
    fake_worker = [
        sys.executable,
        "-c",
        "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(30)",
        str(marker),
    ]
    seen: dict[str, int] = {}

    def gunicorn_run() -> None:
        until(lambda: marker.exists() and marker.read_text())
        seen["worker"] = int(marker.read_text())

    monkeypatch.setattr(supervision, "worker_command", lambda: fake_worker)
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", gunicorn_run)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    args = argparse.Namespace(host="127.0.0.1", port=8999, workers=1, dev=False, no_worker=False)
    with override_settings(VAR_DIR=tmp_path / "var"):
        assert cli.cmd_serve(args) == 0
    assert gone(seen["worker"])
