"""Limits on the expensive things a logged-in person can ask for: the PDF report, exports and imports.

A PDF takes seconds of CPU, and an import reads every new note (tens of milliseconds each), so a
few people (or one script) could keep every core busy. Two limits, each answered with 429 and
``Retry-After``:

* **per person**: at most ``per_user[kind]`` of each kind started in a window, counted in the
  database (keyed hash of kind and user id), so every worker process shares the count;
* **at once**, in this process: one expensive operation per person, and ``slots`` for everyone
  (a request waits up to ``queue_seconds`` for a free slot before it is refused).

What one import may hold is bounded as well (``twitchcheck.diary.exports.IMPORT_LIMITS``: 413).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
from starlette.exceptions import HTTPException

KINDS = ("report", "export", "import")
# (how many, in how many seconds) per person; generous for a person, small for a script.
PER_USER: dict[str, tuple[int, float]] = {
    "report": (10, 600.0),
    "export": (20, 600.0),
    "import": (10, 600.0),
}
WHAT = {"report": "PDF reports", "export": "exports", "import": "imports"}
POLL_SECONDS = 0.05


def default_slots() -> int:
    """Half the machine's cores, at least two: the rest stay free for everyone else's requests."""
    return max(2, (os.cpu_count() or 2) // 2)


def too_many(detail: str, retry_after: float) -> HTTPException:
    seconds = max(1, int(retry_after + 0.999))
    return HTTPException(429, detail.format(seconds=seconds), headers={"Retry-After": str(seconds)})


@dataclass
class HeavyWork:
    """The limits and this process's count of what is running."""

    per_user: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(PER_USER))
    slots: int = field(default_factory=default_slots)
    queue_seconds: float = 5.0
    busy_retry_after: float = 10.0
    _running: int = 0
    _users: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _try_enter(self, user_id: int) -> str | None:
        """None when a slot was taken for ``user_id``; else 'user' or 'full'."""
        with self._lock:
            if user_id in self._users:
                return "user"
            if self._running >= self.slots:
                return "full"
            self._running += 1
            self._users.add(user_id)
            return None

    def _leave(self, user_id: int) -> None:
        with self._lock:
            self._running -= 1
            self._users.discard(user_id)

    @property
    def running(self) -> int:
        return self._running

    @asynccontextmanager
    async def slot(self, user_id: int) -> AsyncIterator[None]:
        """Hold one of the process's slots (and the person's only one) while the work runs."""
        deadline = time.monotonic() + self.queue_seconds
        while (refused := self._try_enter(user_id)) is not None:
            if refused == "user":
                raise too_many(
                    "You already have a report, export or import being made; try again when it is done "
                    "(in about {seconds} seconds).",
                    5,
                )
            if time.monotonic() >= deadline:
                raise too_many(
                    "The server is busy making other reports and exports; try again in {seconds} seconds.",
                    self.busy_retry_after,
                )
            await anyio.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            self._leave(user_id)
