"""Sort and top-k paging against the hand-written Python equivalents.

For each record count, each scenario is timed as ``compile_sort(spec)`` plus ``.top``/``.sorted``
against the plain Python a programmer would write for records known to hold one type per field
(``heapq.nsmallest``/``nlargest`` or ``sorted`` with a ``lambda`` key). Runs alternate between
the two and the best of ``--repeat`` runs counts, so a busy machine slows both alike. Results
must be identical lists; the target is at most 2x the hand-written time at 100,000 records.

    python benchmarks/bench_sort.py             # 10,000 and 100,000 records (well under 60 s)
    python benchmarks/bench_sort.py --large     # adds 1,000,000 records
    python benchmarks/bench_sort.py --markdown  # the table for docs/performance.md

Reports and exits 0; with ``--check`` it exits 1 when a scenario misses the target at 100,000
records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import heapq
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from integrations_core.mql.sort import compile_sort

PAGE = 50
TARGET = 2.0
TARGET_SIZE = 100_000

Record = dict[str, Any]


def make_records(n: int, seed: int = 7) -> list[Record]:
    """Integration-like records: ids, a two-word name, a type, dates, a creator, channels."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    alnum = letters + letters.upper() + "0123456789"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))

    start = dt.datetime(2019, 1, 1)
    users = [("u" + "".join(rng.choice(alnum) for _ in range(16)), word()) for _ in range(200)]
    records = []
    for _ in range(n):
        uid, uname = rng.choice(users)
        created = start + dt.timedelta(seconds=rng.randrange(200_000_000))
        records.append({
            "_id": "".join(rng.choice(alnum) for _ in range(17)),
            "type": rng.choice(("webhook-incoming", "webhook-outgoing")),
            "name": f"{word().capitalize()} {word()}",
            "enabled": rng.random() < 0.8,
            "channel": [f"#{word()}"],
            "username": uname,
            "_createdAt": created,
            "_createdBy": {"_id": uid, "username": uname},
            "_updatedAt": created + dt.timedelta(seconds=rng.randrange(1_000_000)),
        })
    return records


def _by_name(r: Record) -> Any:
    return r["name"]


def _by_type(r: Record) -> Any:
    return r["type"]


def _by_created(r: Record) -> Any:
    return r["_createdAt"]


Run = Callable[[list[Record]], list[Any]]
Scenario = tuple[str, Run, Run]

SCENARIOS: list[Scenario] = [
    ("first page by name",
     lambda rs: compile_sort({"name": 1}).top(rs, PAGE),
     lambda rs: heapq.nsmallest(PAGE, rs, key=_by_name)),
    ("first page by _createdAt desc",
     lambda rs: compile_sort({"_createdAt": -1}).top(rs, PAGE),
     lambda rs: heapq.nlargest(PAGE, rs, key=_by_created)),
    ("first page by (type asc, name desc)",
     lambda rs: compile_sort({"type": 1, "name": -1}).top(rs, PAGE),
     lambda rs: sorted(sorted(rs, key=_by_name, reverse=True), key=_by_type)[:PAGE]),
    ("full sort by name",
     lambda rs: compile_sort({"name": 1}).sorted(rs),
     lambda rs: sorted(rs, key=_by_name)),
]


def _best(fn: Callable[[], object], times: list[float]) -> None:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    times.append(time.perf_counter() - t0)


def run(sizes: Sequence[int], repeat: int) -> list[tuple[int, str, float, float]]:
    rows = []
    for n in sizes:
        records = make_records(n)
        for name, ours, ref in SCENARIOS:
            if ours(records) != ref(records):
                raise SystemExit(f"{name} at {n}: results differ from the hand-written version")
            t_ours: list[float] = []
            t_ref: list[float] = []
            for _ in range(repeat if n <= TARGET_SIZE else max(2, repeat // 2)):
                _best(lambda: ours(records), t_ours)  # noqa: B023 - called at once
                _best(lambda: ref(records), t_ref)  # noqa: B023
            rows.append((n, name, min(t_ours), min(t_ref)))
            print(f"{n:>9,}  {name:<38} ours {min(t_ours) * 1e3:8.1f} ms   "
                  f"hand-written {min(t_ref) * 1e3:8.1f} ms   "
                  f"ratio {min(t_ours) / min(t_ref):4.2f}", file=sys.stderr)
    return rows


def markdown(rows: list[tuple[int, str, float, float]]) -> str:
    lines = ["| records | scenario | integrations_core | hand-written | ratio |",
             "|---:|---|---:|---:|---:|"]
    for n, name, ours, ref in rows:
        lines.append(f"| {n:,} | {name} | {ours * 1e3:.1f} ms | {ref * 1e3:.1f} ms | "
                     f"{ours / ref:.2f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run 1,000,000 records")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per scenario")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--check", action="store_true", help="exit 1 past the target")
    args = parser.parse_args(argv)
    sizes = [10_000, TARGET_SIZE] + ([1_000_000] if args.large else [])
    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"page size {PAGE}", file=sys.stderr)
    rows = run(sizes, args.repeat)
    if args.markdown:
        print(markdown(rows))
    missed = [name for n, name, ours, ref in rows if n == TARGET_SIZE and ours > TARGET * ref]
    for name in missed:
        print(f"MISSED the {TARGET}x target at {TARGET_SIZE:,} records: {name}", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
