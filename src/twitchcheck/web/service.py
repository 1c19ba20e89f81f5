"""The one place where web input meets the pipeline, shared by the API and the pages.

It turns the engine's input errors into field-named 4xx errors and checks interview state that
came back from a client (a hidden form field or a JSON body) before the engine sees it: the
state is the client's copy, so it may have been edited, and a bad copy must fail as bad input.

Reading free text is the one expensive step, so it never runs on the event loop: requests with
text (:func:`assess_text`, :func:`start_text`) go to :class:`TextWorkers`, a thread pool sized for
the machine (one thread fewer than cores, at least one). Each request may use
:data:`TEXT_CPU_SECONDS` of processor time for its text (the reader stops at its next checkpoint
once it is spent: 422 with a message, never a run-on); requests that find too many ahead of them,
or waited too long for a worker, get 503 with ``Retry-After``. ``/healthz`` and every other route
stay responsive meanwhile.

The workers and the queue belong to one process (``twitchcheck serve`` runs one; it says how many
of each at start-up): P server processes on one machine read up to P times as many texts at once,
so set ``TWITCHCHECK_TEXT_WORKERS`` so that P times it stays below the cores.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from pydantic import ValidationError
from starlette.exceptions import HTTPException

from twitchcheck import pipeline
from twitchcheck.engine import evidence as ev
from twitchcheck.engine import interview
from twitchcheck.engine.assessment import Assessment
from twitchcheck.engine.interview import InterviewState as EngineState
from twitchcheck.engine.interview import Mode
from twitchcheck.knowledge import KnowledgeBase
from twitchcheck.text.guard import ReadingTooLong, budget
from twitchcheck.web import schemas
from twitchcheck.web.errors import InputError, describe_validation, from_evidence_error

T = TypeVar("T")

# Text work runs on its own threads, one fewer than the machine has cores (at least one): the
# interpreter lock lets one thread compute at a time anyway (spaCy and the reader are mostly
# Python), and every extra thread computing is one more the event loop must wait behind.
TEXT_WORKERS = int(os.environ.get("TWITCHCHECK_TEXT_WORKERS", "0")) or max(
    1, min(8, (os.cpu_count() or 1) - 1)
)
# Processor time one request may spend reading its text. The slowest text of the maximum length
# takes about 0.5 s on a 2-core machine (benchmarks/bench_text_bounds.py); this leaves room for
# a machine several times slower and stops anything unforeseen.
TEXT_CPU_SECONDS = float(os.environ.get("TWITCHCHECK_TEXT_CPU_SECONDS", "3"))
# Requests with text that may wait or run at once (a text at the limit takes 0.05-0.5 s), and how
# long one may wait for a worker.
TEXT_QUEUE = 32
TEXT_WAIT_SECONDS = 20.0
RETRY_AFTER_SECONDS = 5
# While text workers compute, the event loop waits for the interpreter lock up to this long before
# asking for it back (Python's default is 5 ms; a waiting request may wait several such turns).
SWITCH_INTERVAL_SECONDS = 0.001


class Busy(Exception):
    """Too many texts ahead of this one (see :class:`TextWorkers`)."""


class TextWorkers:
    """A bounded thread pool for text work, with a CPU budget per request and a bounded queue."""

    def __init__(
        self,
        workers: int = TEXT_WORKERS,
        cpu_seconds: float | None = TEXT_CPU_SECONDS,
        queue: int = TEXT_QUEUE,
        wait_seconds: float = TEXT_WAIT_SECONDS,
    ) -> None:
        self.workers = workers
        self.cpu_seconds = cpu_seconds
        self.queue = queue
        self.wait_seconds = wait_seconds
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="twitchcheck-text")
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_SECONDS))
        self._lock = threading.Lock()
        self._pending = 0

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` on a worker within the budget; raises :class:`Busy` or ``ReadingTooLong``."""
        with self._lock:
            if self._pending >= self.queue:
                raise Busy
            self._pending += 1
        queued = time.monotonic()

        def job() -> T:
            if time.monotonic() - queued > self.wait_seconds:
                raise Busy
            with budget(self.cpu_seconds):
                return fn()

        try:
            return await asyncio.wrap_future(self._executor.submit(job))
        finally:
            with self._lock:
                self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


_workers: TextWorkers | None = None
_workers_lock = threading.Lock()


def text_workers() -> TextWorkers:
    """The process's text workers, started on first use."""
    global _workers
    with _workers_lock:
        if _workers is None:
            _workers = TextWorkers()
        return _workers


def set_text_workers(workers: TextWorkers | None) -> TextWorkers | None:
    """Replace the process's text workers (tests, benchmarks); returns the previous ones."""
    global _workers
    with _workers_lock:
        previous, _workers = _workers, workers
    return previous


async def _off_loop(fn: Callable[[], T]) -> T:
    try:
        return await text_workers().run(fn)
    except Busy:
        raise HTTPException(
            503,
            "The server is busy reading other descriptions. Please try again in a few seconds.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
    except ReadingTooLong as exc:
        raise InputError(
            f"text: this description took too long to read (more than {exc.seconds:g} s of "
            "processing). Please shorten it, or send it in parts.",
            "text",
        ) from None


async def _reading(text: str | None, run: Callable[[], T]) -> T:
    """``run`` at once when there is no text to read, else on a text worker, within budget."""
    if not text:
        return run()
    return await _off_loop(run)


def assess(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    assessment_id: str | None = None,
) -> Assessment:
    try:
        return pipeline.assess(text, evidence, age, sex, id=assessment_id, kb=kb)
    except ev.EvidenceError as exc:
        raise from_evidence_error(exc, "evidence") from None


async def assess_text(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    assessment_id: str | None = None,
) -> Assessment:
    """:func:`assess` for a request handler: any text is read on a text worker, within budget."""
    return await _reading(text, lambda: assess(kb, text, evidence, age, sex, assessment_id))


def check_state(kb: KnowledgeBase, state: schemas.InterviewState, field: str = "state") -> EngineState:
    """Every finding and state in a returned interview state must exist in the knowledge base."""
    for part in ("answers", "seeded"):
        try:
            ev.from_answers(kb, getattr(state, part))
        except ev.EvidenceError as exc:
            raise InputError(f"{field}.{part}: {exc}", f"{field}.{part}") from None
    checklist = kb.checklist
    questions = set(kb.findings) | ({checklist.id} if checklist else set())
    for i, finding in enumerate(state.asked):
        if finding not in questions:
            raise InputError(f"{field}.asked[{i}]: unknown finding id {finding!r}", f"{field}.asked")
    items = {item.finding for item in checklist.all_items} if checklist else set()
    for i, finding in enumerate(state.ticked or ()):
        if finding not in items:
            raise InputError(f"{field}.ticked[{i}]: {finding!r} is not on the checklist", f"{field}.ticked")
    return EngineState.model_validate(state.model_dump())


def parse_state(kb: KnowledgeBase, raw: str, field: str = "state") -> EngineState:
    """Read interview state sent back as JSON text (the pages' hidden field or query parameter)."""
    try:
        return check_state(kb, schemas.InterviewState.model_validate_json(raw), field)
    except ValidationError as exc:
        problem = describe_validation(exc.errors(include_input=False))
    except InputError as exc:
        problem = exc
    raise InputError(
        f"The saved answers in this page's address were changed or damaged ({problem.detail}). "
        "Please start the questions again.",
        problem.field or field,
        400,
    )


def start(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    mode: Mode = "lay",
) -> pipeline.InterviewStep:
    try:
        return pipeline.start_interview(text, age, sex, evidence=evidence, mode=mode, kb=kb)
    except ev.EvidenceError as exc:
        raise from_evidence_error(exc, "evidence") from None


async def start_text(
    kb: KnowledgeBase,
    text: str | None,
    evidence: Mapping[str, str] | None,
    age: float | None,
    sex: str | None,
    mode: Mode = "lay",
) -> pipeline.InterviewStep:
    """:func:`start` for a request handler: any text is read on a text worker, within budget."""
    return await _reading(text, lambda: start(kb, text, evidence, age, sex, mode))


def answer(
    kb: KnowledgeBase, state: EngineState, finding: str, value: str | list[str]
) -> pipeline.InterviewStep:
    try:
        return pipeline.answer_interview(state, finding, value, kb=kb)
    except ev.EvidenceError as exc:
        checklist = kb.checklist.id if kb.checklist else None
        field = "finding" if finding not in kb.findings and finding != checklist else "value"
        raise InputError(f"{field}: {exc}", field) from None


def back(kb: KnowledgeBase, state: EngineState) -> pipeline.InterviewStep:
    return pipeline.back_interview(state, kb=kb)


def resume(kb: KnowledgeBase, state: EngineState) -> pipeline.InterviewStep:
    return pipeline.resume_interview(state, kb=kb)


def finish_now(kb: KnowledgeBase, state: EngineState) -> Assessment:
    """The assessment from the answers so far, for someone who stops the questions early."""
    return assess(kb, None, interview.evidence(state), None, None)
