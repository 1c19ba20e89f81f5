"""Bounds on what one text may cost: tokeniser pieces of bounded length, and a CPU budget.

**Pieces.** spaCy's tokenizer strips prefixes and suffixes from a stretch of text without
whitespace one character at a time, searching the rest of the stretch each time: quadratic in
the stretch's length. 8,000 ``$`` or ``(`` or emoji in a row took 4 to 19 seconds. The text is
therefore handed to the tokenizer in pieces (:func:`pieces`), and the pieces' documents are joined
into one whose text is the input, character for character, so every offset stays exact:

* a stretch without whitespace longer than :data:`MAX_RUN` characters is cut into pieces of at most
  that length, where possible between a letter or digit and a sign (where the tokenizer splits
  anyway), so every piece costs at most ``MAX_RUN`` squared and the whole text stays linear;
* ordinary text is cut about every :data:`SEGMENT` characters where whitespace ends, which leaves
  its tokens as they were (the tokenizer splits at whitespace first) and bounds how long one call
  into the tokenizer holds the interpreter lock.

No stretch in the annotated, blind or vignette texts comes near ``MAX_RUN`` (the longest is 29
characters, "salbutamol/lithium/valproate,"), so their reading is unchanged.

**Budget.** :func:`budget` sets a CPU-time allowance for the reading done in the current thread;
:func:`checkpoint`, called between stages, raises :class:`ReadingTooLong` once it is spent, so a
text that would take too long stops instead of running on. Time is the thread's own CPU time,
so waiting for the processor behind other requests does not count against a text.

**Scans.** A regular expression holds the interpreter lock for its whole search: one ``finditer``
step over 20,000 characters of hostile text took up to 0.2 s, during which the event loop (and
``/healthz``) could not run. :func:`scan` searches a long text in windows of :data:`SCAN_WINDOW`
characters, each read :data:`SCAN_OVERLAP` characters further so that a match begun in the window
is found whole, and yields the same matches as ``finditer`` over the whole text.

**Quick starts.** Python's regular expressions skip ahead to where a match can begin only when the
pattern opens with a literal or a character set; ours open with ``\b`` or a look-behind, so every
position was tried in full (a tenth of the reading time). :func:`scan` searches with the pattern
behind a look-ahead for the characters a match can begin with (:func:`quick`), which turns those
positions down at once and finds the same matches. Which characters those are is read from the
pattern's parse by ``re``'s own parser: a private module, reached only through :func:`_syntax`, which
gives it up (and every pattern is searched as it is, with the same matches) when it is missing or no
longer reads a known pattern as expected.
"""

from __future__ import annotations

import importlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, NamedTuple

MAX_RUN = 32
SEGMENT = 1000
# The slowest pattern takes 2-5 us a character on hostile text, so a window holds the lock for a few
# milliseconds; the longest match of a time phrase is about 60 characters, so the overlap leaves
# room for it and what it looks at (and costs a fifth more searching on long texts only).
SCAN_WINDOW = 1000
SCAN_OVERLAP = 200

_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")
_SEGMENT_START = re.compile(r"(?<=\s)\S")


def pieces(text: str) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` pieces covering ``text`` (see the module docstring)."""
    cuts: set[int] = set()
    for run in _LONG_RUN.finditer(text):
        cuts.update(_run_cuts(text, run.start(), run.end()))
    position = SEGMENT
    while position < len(text):
        found = _SEGMENT_START.search(text, position)
        if found is None:
            break
        cuts.add(found.start())
        position = found.start() + SEGMENT
    bounds = [0, *sorted(cuts), len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if a < b]


def _run_cuts(text: str, start: int, end: int) -> Iterator[int]:
    """Cut points inside one stretch without whitespace, at most ``MAX_RUN`` apart."""
    position = start
    while end - position > MAX_RUN:
        limit = position + MAX_RUN
        cut = limit
        for candidate in range(limit, position + MAX_RUN // 2, -1):
            if text[candidate - 1].isalnum() != text[candidate].isalnum():
                cut = candidate
                break
        yield cut
        position = cut


class ReadingTooLong(Exception):
    """The text used up its CPU budget before it was read (see :func:`budget`)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"reading the text took more than {seconds:g} s of processor time")
        self.seconds = seconds


_local = threading.local()


@contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Allow the reading in this thread at most ``seconds`` of its CPU time (None: no limit)."""
    previous = getattr(_local, "limit", None)
    _local.limit = None if seconds is None else (time.thread_time() + seconds, seconds)
    try:
        yield
    finally:
        _local.limit = previous


def checkpoint() -> None:
    """Raise :class:`ReadingTooLong` if this thread's reading budget is spent."""
    limit = getattr(_local, "limit", None)
    if limit is not None and time.thread_time() > limit[0]:
        raise ReadingTooLong(limit[1])


def scan(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, searched in bounded windows so no one search holds the
    interpreter lock for long.

    A window's matches are kept only if they start in it (they may end in the overlap); the next
    window starts where the last kept match ended, or at the window's end, which is where
    ``finditer`` would go on searching. Look-behinds and ``\\b`` see the characters before a window
    (the search starts at ``pos``, the text is whole). The result is ``finditer``'s unless a match
    attempt reads more than :data:`SCAN_OVERLAP` characters past its start window's end (only
    hundreds of spaces or digits in a row, which no person's message has). ``pattern`` must not
    match the empty string (``finditer`` treats an empty match at a window's start differently).
    """
    pattern = quick(pattern)
    if len(text) <= SCAN_WINDOW + SCAN_OVERLAP:
        yield from pattern.finditer(text)
        return
    position = 0
    while True:
        window_end = position + SCAN_WINDOW
        if window_end + SCAN_OVERLAP >= len(text):
            yield from pattern.finditer(text, position)
            return
        following = window_end
        for match in pattern.finditer(text, position, window_end + SCAN_OVERLAP):
            if match.start() >= window_end:
                break
            yield match
            following = max(following, match.end())
        position = following


_QUICK: dict[re.Pattern[str], re.Pattern[str]] = {}
_QUICK_LIMIT = 512  # like re's own cache: the patterns are the modules' own, a few dozen


class _Anywhere(Exception):
    """The pattern can begin with any character (or the analysis does not know it)."""


class _Syntax(NamedTuple):
    """``re``'s own parser and its opcodes (see :func:`_syntax`)."""

    parse: Callable[[str, int], Any]  # (pattern, flags) -> the parsed pattern; its .data the items
    ops: Any  # the opcode constants: LITERAL, IN, BRANCH, ...
    class_escapes: Mapping[Any, str]  # category -> the escape that stands for it inside [...]


# A pattern the parser must read as expected before it is trusted: its first characters and whether
# it can match nothing at all.
_PROBE = r"(?<!x)\b(?:ab|[c-e\d]f|(?:g)*h|(?>i)|j++)"
_PROBE_FIRST = (["a", "c-e", r"\d", "g", "h", "i", "j"], False)
# What a parser of another shape than expected may raise while its parse is read.
_SHAPE_ERRORS = (AttributeError, LookupError, TypeError, ValueError)


@cache
def _syntax() -> _Syntax | None:
    """``re``'s own parser, or None where it cannot be used (then :func:`quick` changes no pattern).

    The one use of regular-expression internals. ``re._parser`` and ``re._constants`` are private
    (``sre_parse`` and ``sre_constants``, their old public names, are deprecated since Python 3.11 and
    warn on import), so nothing about their shape is promised: they are used only if they exist and
    read :data:`_PROBE` as expected. Without them every pattern is searched as it is: the same
    matches, without the quick starts.
    """
    try:
        parser = importlib.import_module("re._parser")
        ops = importlib.import_module("re._constants")
        class_escapes = {
            ops.CATEGORY_DIGIT: r"\d",
            ops.CATEGORY_NOT_DIGIT: r"\D",
            ops.CATEGORY_SPACE: r"\s",
            ops.CATEGORY_NOT_SPACE: r"\S",
            ops.CATEGORY_WORD: r"\w",
            ops.CATEGORY_NOT_WORD: r"\W",
        }
        syntax = _Syntax(parser.parse, ops, class_escapes)
        if _first(syntax.parse(_PROBE, 0).data, syntax) == _PROBE_FIRST:
            return syntax
    except (ImportError, _Anywhere, *_SHAPE_ERRORS):
        pass
    return None


def quick(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` behind a look-ahead for the characters a match can begin with: the same matches
    wherever it searches (a match begins with one of them), found without trying every position in
    full. The pattern itself where that set is unknown or a match can be empty."""
    found = _QUICK.get(pattern)
    if found is None and not isinstance(pattern, re.Pattern):
        return pattern  # something that searches like a pattern (a test's)
    if found is None:
        found = pattern
        syntax = _syntax()
        if syntax is not None:
            try:
                items, empty = _first(syntax.parse(pattern.pattern, pattern.flags).data, syntax)
                if items and not empty:
                    ahead = "".join(dict.fromkeys(items))
                    found = re.compile(f"(?=[{ahead}])(?:{pattern.pattern})", pattern.flags)
            except (_Anywhere, re.error, *_SHAPE_ERRORS):
                found = pattern
        if len(_QUICK) >= _QUICK_LIMIT:
            _QUICK.clear()
        _QUICK[pattern] = found
    return found


def _first(sequence: Sequence[tuple[Any, Any]], syntax: _Syntax) -> tuple[list[str], bool]:
    """The character-set items a match of ``sequence`` can begin with, and whether it can be empty."""
    out: list[str] = []
    for op, av in sequence:
        items, empty = _first_of(op, av, syntax)
        out += items
        if not empty:
            return out, False
    return out, True


def _first_of(op: Any, av: Any, syntax: _Syntax) -> tuple[list[str], bool]:
    sc = syntax.ops
    if op is sc.LITERAL:
        return [_class_char(av)], False
    if op is sc.IN:
        items = []
        for item, value in av:
            if item is sc.LITERAL:
                items.append(_class_char(value))
            elif item is sc.RANGE:
                items.append(f"{_class_char(value[0])}-{_class_char(value[1])}")
            elif item is sc.CATEGORY and value in syntax.class_escapes:
                items.append(syntax.class_escapes[value])
            else:
                raise _Anywhere  # a negated set, among others
        return items, False
    if op in (sc.AT, sc.ASSERT, sc.ASSERT_NOT):
        return [], True  # takes no character
    if op is sc.SUBPATTERN:
        _, add_flags, del_flags, inner = av
        if add_flags or del_flags:
            raise _Anywhere  # flags of its own: the look-ahead would read it otherwise
        return _first(inner.data, syntax)
    if op is sc.BRANCH:
        out: list[str] = []
        can_be_empty = False
        for alternative in av[1]:
            items, empty = _first(alternative.data, syntax)
            out += items
            can_be_empty = can_be_empty or empty
        return out, can_be_empty
    if op in (sc.MAX_REPEAT, sc.MIN_REPEAT, sc.POSSESSIVE_REPEAT):
        low, _, inner = av
        items, empty = _first(inner.data, syntax)
        return items, empty or low == 0
    if op is sc.ATOMIC_GROUP:
        return _first(av.data, syntax)
    raise _Anywhere


def _class_char(code: int) -> str:
    """One character, written to stand for itself inside ``[...]``."""
    char = chr(code)
    return "\\" + char if char in "]\\^-[" else re.escape(char)
