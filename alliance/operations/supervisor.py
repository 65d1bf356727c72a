"""``alliance serve`` keeps the background worker running (issue 15).

A thread of the serving process starts ``alliance worker``, waits for it, and starts it again
whenever it ends, for whatever reason: a crash, a kill, an exit. Quick exits back off (1 s,
2 s, 4 s, ... up to a minute) so a worker that cannot start does not spin; a worker that ran
for a while is restarted after the shortest wait. ``stop()`` ends the worker (SIGTERM, then
SIGKILL after ``stop_timeout``) and the thread.

This module knows nothing of Django: it runs a command.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

logger = logging.getLogger("alliance.operations.supervisor")


def worker_command() -> list[str]:
    """The command the supervisor runs: ``alliance worker`` with this Python, told to end
    if this process ends without stopping it (killed with SIGKILL)."""
    return [sys.executable, "-m", "alliance.cli", "worker", "--parent", str(os.getpid())]


class Supervisor:
    """Run ``command`` until ``stop()``, restarting it each time it ends.

    ``starts`` counts the processes started and ``waits`` lists the backoffs slept between
    them (for tests and for the log).
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        min_backoff: float = 1.0,
        max_backoff: float = 60.0,
        steady_after: float = 60.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.command = list(command)
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.steady_after = steady_after
        self.stop_timeout = stop_timeout
        self.starts = 0
        self.waits: list[float] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        # gunicorn forks its workers from this process; a forked copy unwinding through
        # ``alliance serve``'s ``finally`` must not stop the one real worker.
        self._owner = os.getpid()

    @property
    def pid(self) -> int | None:
        """The running worker's process id, if one runs."""
        with self._lock:
            process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if os.getpid() != self._owner:
            return
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "background worker did not stop in %.0f s; killed", self.stop_timeout
                )
                process.kill()
                process.wait()
        if self._thread is not None:
            self._thread.join(timeout=self.stop_timeout)

    def _watch(self) -> None:
        backoff = self.min_backoff
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                began = time.monotonic()
                try:
                    # Its own session: Ctrl-C at the terminal reaches ``serve``, which stops
                    # the worker itself, rather than both at once (a restart in between).
                    process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603
                except OSError as error:
                    process = None
                    code: int | str = type(error).__name__
                self._process = process
                self.starts += 1
            if process is not None:
                # gunicorn's master reaps every child that ends; ``wait`` then reports 0
                # rather than the real status, but it still returns when the worker ends.
                code = process.wait()
            ran = time.monotonic() - began
            if self._stopping.is_set():
                return
            if ran >= self.steady_after:
                backoff = self.min_backoff
            logger.error(
                "background worker ended (status %s) after %.0f s; restarting it in %.1f s",
                code,
                ran,
                backoff,
            )
            self.waits.append(backoff)
            if self._stopping.wait(backoff):
                return
            backoff = min(self.max_backoff, backoff * 2)
