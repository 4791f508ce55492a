"""The work budget: what each step of a request costs, and the meter it is charged to.

Costs are counted in deterministic units, each about a nanosecond of work on the reference
machine (2 cores, CPython 3.11): the same request over the same records always costs the same,
whatever the load, so it is always answered or always refused. The unit costs below are upper
bounds measured by ``benchmarks/bench_worst_case.py`` (which prints units per real second).

Who charges what:

* the listing, per record offered to the filter: :data:`RECORD` plus the filter's static cost
  (:data:`VALUE` for every condition on a value), in chunks, before the chunk is matched;
* the closures for arrays and deep paths (:mod:`.paths`), per value they visit and test;
* every regex call, before it runs: :data:`REGEX_CALL` (:data:`LITERAL_CALL` for an
  engine-free literal) plus the pattern's bound per character (its ``unit_cost``, already in
  these units: for RE2, 8 per program instruction, the NFA bound) times the subject's length,
  so a call whose bound does not fit in what is left is never made;
* the sort, per key generated (:data:`SORT_KEY`, array elements included) and per comparison;
* the page, per value copied into the response.

A breach raises :class:`WorkLimitError`. Outside a metered call (``compile_filter(q)(doc)`` in
user code) nothing is counted.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import LimitError

RECORD = 500
"""One record offered to the filter (the call and the loop around it)."""
VALUE = 120
"""One value fetched on a path and tested by one condition."""
CLOSURE_CALL = 2_000
"""Entering the closures that walk a dotted path (the generated code's slow path)."""
DEEP_COMPARE = 1_500
"""Comparing a value with a document or an array (a Python-level BSON comparison), on top of
:data:`VALUE` per value the operand holds."""
REGEX_CALL = 2_500
"""The fixed part of one RE2 call (encoding the subject, entering the engine)."""
LITERAL_CALL = 400
"""The fixed part of one call of an engine-free literal test."""
SORT_KEY = 150
"""One sort key generated for one record (per array element for a multikey sort)."""
SORT_COMPARE = 60
"""One comparison while sorting or selecting a page."""
MULTIKEY_STEP = 5_000
"""One step of the multikey key generator, per sort path (a document or array element it
enters): it runs for sort paths that meet arrays other than at their end."""
COPY_VALUE = 1_200
"""One value copied into the response page."""


class WorkLimitError(LimitError):
    """A request that needs more work than its budget allows."""


class Meter:
    """The work one request may still do, and what it has done (``spent``)."""

    __slots__ = ("allowance", "deadline", "limit_name", "max_time_ms", "spent")

    def __init__(self, allowance: int, *, limit_name: str = "max_work",
                 max_time_ms: int | None = None) -> None:
        self.allowance = allowance
        self.spent = 0
        self.limit_name = limit_name
        self.max_time_ms = max_time_ms
        self.deadline = None if max_time_ms is None else time.monotonic() + max_time_ms / 1000

    def grant(self, units: int) -> None:
        """Raise the allowance (the per-record part of a budget grows as records are read)."""
        self.allowance += units

    def charge(self, units: int) -> None:
        """Count ``units`` of work about to be done; refuse it if it does not fit."""
        self.spent += units
        if self.spent > self.allowance:
            raise WorkLimitError(
                f"needs more work than {self.limit_name} allows ({self.allowance:,} units)")

    def check_time(self) -> None:
        """Refuse to go on past the wall-clock deadline, if there is one."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise WorkLimitError(f"took longer than Settings.max_time_ms ({self.max_time_ms} ms)")


class _ThreadMeter(threading.local):
    # A class default: reading an attribute a thread never set raises (and catches) an
    # AttributeError inside getattr(..., None), which made every charge cost ~0.4 µs.
    meter: Meter | None = None


class _Current:
    """How many metered blocks are open in any thread (``blocks``), and this thread's meter
    (``local.meter``). Generated code tests ``blocks`` first: a slot read costs a fifth of a
    thread-local one, and while it is 0 no thread has a meter."""

    __slots__ = ("blocks", "local")

    def __init__(self) -> None:
        self.blocks = 0
        self.local = _ThreadMeter()


current = _Current()
"""The meters' register: generated code reads it directly, so that nothing is called where
nothing is counted."""
_BLOCKS = threading.Lock()


_READ = "({0}.blocks and (_m := {0}.local.meter) is not None and _m.charge("
"""The head of an :func:`inline_charge` form for the meter holder ``{0}``."""
_HOISTED = "(_m_{0} is not None and _m_{0}.charge("
"""That head in a loop, where ``_m_{0}`` holds the meter read before it."""
_GATE = re.compile(re.escape(_READ).replace(re.escape("{0}"), r"(\w+)", 1)
                   .replace(re.escape("{0}"), r"\1"))


def inline_charge(meter_holder: str, units: str) -> str:
    """:func:`charge` as a Python expression for generated code: ``meter_holder`` names
    :data:`current` (or a stand-in), ``units`` is an expression; the result is always false,
    and nothing is called outside a metered block."""
    return f"{_READ.format(meter_holder)}{units}))"


def hoist_charges(code: str) -> tuple[str, str]:
    """Generated ``code`` whose :func:`inline_charge` forms read, instead, a local variable set
    once before a loop: the statements that set them, and the rewritten code. Inside the loop
    the thread's meter cannot change."""
    holders = sorted(set(_GATE.findall(code)))
    prelude = "".join(f"    _m_{h} = {h}.local.meter\n" for h in holders)
    return prelude, _GATE.sub(lambda m: _HOISTED.format(m[1]), code)


def charge(units: int) -> None:
    """Charge ``units`` to the meter of the request running in this thread, if any."""
    if current.blocks:
        meter = current.local.meter
        if meter is not None:
            meter.charge(units)


@contextmanager
def metered(meter: Meter) -> Iterator[Meter]:
    """Charge the work done in this thread, inside the ``with`` block, to ``meter``."""
    local = current.local
    outer = local.meter
    with _BLOCKS:
        current.blocks += 1
    local.meter = meter
    try:
        yield meter
    finally:
        local.meter = outer
        with _BLOCKS:
            current.blocks -= 1
