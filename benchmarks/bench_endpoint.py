"""The whole endpoint against a hand-written pipeline, its growth, and its memory.

Scenario (issue 4): a caller with both "all" permissions asks for ``sort={"name":1}``, first page
of 50. The hand-written pipeline is what a programmer would write for this one request: the
visibility test as a ``type`` membership check, ``heapq.nsmallest`` on ``(name, _id)``, and a
``copy.deepcopy`` of the page. ``list_integrations`` does more (parameter validation, a compiled
MQL scope, BSON ordering, ISO dates in a JSON-ready copy); the target is at most 2x at 100,000
records. Runs alternate between the two and the best of ``--repeat`` counts.

Memory: with ``tracemalloc`` on the 100,000-record run, the peak of what one request allocates
beyond the records, for page sizes 1, 50 and 100 (the target is under 20 MB, growing only by
the copies of the page).

    python benchmarks/bench_endpoint.py              # 10 to 100,000 records (< 60 s)
    python benchmarks/bench_endpoint.py --large      # adds 1,000,000 records
    python benchmarks/bench_endpoint.py --markdown   # the tables for docs/performance.md

Reports and exits 0; with ``--check`` it exits 1 when the 100,000-record run misses the time or
memory target.
"""

from __future__ import annotations

import argparse
import copy
import gc
import heapq
import platform
import sys
import tracemalloc
from typing import Any

from bench_sort import make_records  # benchmarks/ is sys.path[0] when run as a script
from timing import best_alternating

from integrations_core import Caller, Permission, Response, list_integrations

PAGE = 50
TARGET = 2.0
TARGET_SIZE = 100_000
MEMORY_TARGET = 20 * 2**20
CALLER = Caller("u-admin", [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING])
PARAMS = {"sort": '{"name": 1}'}
TYPES = ("webhook-incoming", "webhook-outgoing")

Record = dict[str, Any]


def by_hand(records: list[Record], count: int = PAGE) -> tuple[list[Record], int]:
    """The request written out for records known to hold a string name and id."""
    visible = [r for r in records if r["type"] in TYPES]
    page = heapq.nsmallest(count, visible, key=lambda r: (r["name"], r["_id"]))
    return [copy.deepcopy(r) for r in page], len(visible)


def endpoint(records: list[Record], count: int = PAGE) -> Response:
    return list_integrations(records, CALLER, {**PARAMS, "count": str(count)})


def check_same(records: list[Record]) -> None:
    body = endpoint(records).body
    page, total = by_hand(records)
    assert body["total"] == total, (body["total"], total)
    assert [r["_id"] for r in body["integrations"]] == [r["_id"] for r in page]


def peak_extra(records: list[Record], count: int, sort: bool = True) -> int:
    """Peak bytes one request allocates while it runs (the records already exist); with
    ``sort=False``, of the unsorted page."""
    def run() -> Response:
        if sort:
            return endpoint(records, count)
        return list_integrations(records, CALLER, {"count": str(count)})

    run()  # compile caches are warm, as in a running server
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        response = run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del response
    return peak - base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="add 1,000,000 records")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 past a target")
    args = parser.parse_args(argv)
    sizes = [10, 100, 1_000, 10_000, 100_000] + ([1_000_000] if args.large else [])

    rows = []
    unsorted = []
    ok = True
    for n in sizes:
        records = make_records(n)
        check_same(records)
        repeat = args.repeat * 20 if n < 10_000 else args.repeat
        ours, theirs = best_alternating(
            lambda r=records: endpoint(r), lambda r=records: by_hand(r),
            repeat if n < 1_000_000 else max(1, args.repeat // 2), collect=True)
        if n >= 10_000:
            unsorted.append((n, peak_extra(records, PAGE, sort=False)))
        ratio = ours / theirs
        rows.append((n, ours, theirs, ratio))
        if n == TARGET_SIZE and ratio > TARGET:
            ok = False
        if n == TARGET_SIZE:
            memory = [(count, peak_extra(records, count)) for count in (1, PAGE, 100)]
            ok = ok and all(peak < MEMORY_TARGET for _, peak in memory)
        del records
        gc.collect()

    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"best of {args.repeat}, sort={{\"name\": 1}}, first page of {PAGE}")
    if args.markdown:
        print("\n| records | list_integrations | hand-written | ratio | µs per record |")
        print("|---:|---:|---:|---:|---:|")
        for n, ours, theirs, ratio in rows:
            print(f"| {n:,} | {ours * 1e3:.1f} ms | {theirs * 1e3:.1f} ms | {ratio:.2f}x "
                  f"| {ours / n * 1e6:.2f} |")
        print("\n| count | peak extra memory (100,000 records) |")
        print("|---:|---:|")
        for count, peak in memory:
            print(f"| {count} | {peak / 2**20:.2f} MB |")
        print(f"\n| records | peak extra memory, unsorted page of {PAGE} |")
        print("|---:|---:|")
        for n, peak in unsorted:
            print(f"| {n:,} | {peak / 2**20:.2f} MB |")
    else:
        for n, ours, theirs, ratio in rows:
            print(f"{n:>9,} records: endpoint {ours * 1e3:8.1f} ms, by hand {theirs * 1e3:8.1f}"
                  f" ms, ratio {ratio:.2f}x, {ours / n * 1e6:.2f} µs/record")
        for count, peak in memory:
            print(f"count={count:<3}: peak extra memory {peak / 2**20:.2f} MB "
                  f"(100,000 records)")
        for n, peak in unsorted:
            print(f"unsorted, count={PAGE}: peak extra memory {peak / 2**20:.2f} MB "
                  f"({n:,} records)")
    if not ok:
        print(f"MISSED: ratio over {TARGET}x or memory over {MEMORY_TARGET // 2**20} MB "
              f"at {TARGET_SIZE:,} records", file=sys.stderr)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
