"""IntegrationStore against the plain scan: build cost, index memory, and requests (issue 13).

Records come from ``bench_sort.make_records`` (half incoming, half outgoing, 200 creators),
with two creators made to own 1% and 0.1% of them. For each size, the store is built once
(time and memory per record) and each request is answered by ``list_integrations(store, ...)``
and by ``list_integrations(records, ...)`` over the same records in the same order; the two
bodies are checked to be equal, and the best of ``--repeat`` runs of each is compared.

Index memory is what the store holds beyond its copies of the records: ``tracemalloc`` measures
building the store and, separately, making the same copies the store makes; "records" is the
size of those copies (the records' own size).

    python benchmarks/bench_store.py             # 10,000, 100,000 and 200,000 records (~1 min)
    python benchmarks/bench_store.py --large     # adds 1,000,000 records
    python benchmarks/bench_store.py --check     # exit 1 past a target

Targets at 200,000 records: a manage-own request at least 50x faster than the scan, a first
page by name at least 100x faster, index memory at most 0.5x the records' own size.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench_sort import make_records  # benchmarks/ is sys.path[0] when run as a script
from timing import best

from integrations_core import Caller, IntegrationStore, Permission, list_integrations
from integrations_core.store import _copy

TARGET_SIZE = 200_000
OWN_TARGET = 50.0
FIRST_PAGE_TARGET = 100.0
MEMORY_TARGET = 0.5
OWN = (Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING)
ALL = (Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING)
OWNERS = {"u-one-percent": 100, "u-one-permille": 1000}
"""Creator id -> one record in this many is theirs."""


@dataclass(frozen=True)
class Scenario:
    name: str
    caller: Caller
    params: dict[str, str]
    target: float | None = None


def scenarios(n: int) -> list[Scenario]:
    own_1, own_01 = (Caller(user, OWN) for user in OWNERS)
    everyone = Caller("u-admin", ALL)
    query = '{"enabled": true}'
    return [
        Scenario("manage-own, 1% own, first page", own_1, {}, OWN_TARGET),
        Scenario("manage-own, 1% own, by name", own_1, {"sort": '{"name": 1}'}, OWN_TARGET),
        Scenario("manage-own, 0.1% own, first page", own_01, {}, OWN_TARGET),
        Scenario("manage-own, 0.1% own, by _createdAt", own_01, {"sort": '{"_createdAt": -1}'},
                 OWN_TARGET),
        Scenario("all, first page by name", everyone, {"sort": '{"name": 1}'},
                 FIRST_PAGE_TARGET),
        Scenario("all, first page by _updatedAt desc", everyone, {"sort": '{"_updatedAt": -1}'}),
        Scenario("all, incoming, first page by name", everyone,
                 {"sort": '{"name": 1}', "type": "webhook-incoming"}, FIRST_PAGE_TARGET),
        Scenario("all, by name, offset n/2", everyone,
                 {"sort": '{"name": 1}', "offset": str(n // 2)}),
        Scenario("all, unsorted first page", everyone, {}),
        Scenario("all, query, by name", everyone, {"sort": '{"name": 1}', "query": query}),
        Scenario("manage-own 1%, query, by name", own_1, {"sort": '{"name": 1}', "query": query}),
    ]


def records_for(n: int) -> list[dict[str, Any]]:
    records = make_records(n)
    for owner, every in OWNERS.items():
        for record in records[::every]:
            record["_createdBy"] = {"_id": owner, "username": owner}
    return records


def traced(build: Callable[[], object]) -> tuple[object, int, float]:
    """What ``build`` returns, the bytes it left allocated, and its time."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        out = build()
        elapsed = time.perf_counter() - start
        size = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return out, size, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="add 1,000,000 records")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 past a target")
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000, TARGET_SIZE] + ([1_000_000] if args.large else [])
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {args.repeat}")
    missed = []
    for n in sizes:
        records = records_for(n)
        start = time.perf_counter()
        store = IntegrationStore(records)
        build = time.perf_counter() - start
        del store
        store, total_bytes, _ = traced(lambda r=records: IntegrationStore(r))
        copies, copy_bytes, _ = traced(lambda r=records: [_copy(x, "") for x in r])
        del copies
        index_share = (total_bytes - copy_bytes) / copy_bytes
        assert isinstance(store, IntegrationStore)
        print(f"\n{n:,} records: build {build:.2f} s ({build / n * 1e6:.1f} µs/record), "
              f"records {copy_bytes / n:.0f} B/record, indexes "
              f"{(total_bytes - copy_bytes) / n:.0f} B/record ({index_share:.2f}x the records)")
        if n == TARGET_SIZE and index_share > MEMORY_TARGET:
            missed.append(f"index memory {index_share:.2f}x at {n:,} records")
        print(f"  {'request':<40} {'scan':>10} {'store':>10} {'speed-up':>9}  plan")
        for case in scenarios(n):
            ours = list_integrations(store, case.caller, case.params)
            theirs = list_integrations(records, case.caller, case.params)
            assert ours.status == 200 and ours.body == theirs.body, case.name
            stage = store.explain(case.caller, case.params)["stage"]
            scan = best(lambda c=case, r=records: list_integrations(r, c.caller, c.params),
                        max(1, args.repeat if n <= TARGET_SIZE else args.repeat // 2))
            indexed = best(lambda c=case, s=store: list_integrations(s, c.caller, c.params),
                           args.repeat)
            ratio = scan / indexed
            mark = ""
            if case.target is not None and n == TARGET_SIZE:
                mark = f"  (target {case.target:.0f}x)"
                if ratio < case.target:
                    missed.append(f"{case.name}: {ratio:.1f}x at {n:,} records")
            print(f"  {case.name:<40} {scan * 1e3:8.2f} ms {indexed * 1e3:7.3f} ms "
                  f"{ratio:8.1f}x  {stage}{mark}")
        del store, records
        gc.collect()
    for line in missed:
        print(f"MISSED: {line}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
