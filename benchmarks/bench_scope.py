"""The endpoint for a caller with both "own" permissions, against a hand-written pipeline.

Scenario (issue 12, item 3): ``manage-own-incoming-integrations`` and
``manage-own-outgoing-integrations``, ``sort={"name":1}``, first page of 50. The caller's scope
is an ``$or`` of two ``{type, _createdBy._id}`` branches, which the filter compiler factors to
``{"_createdBy._id": user, "type": {"$in": [...]}}``; it is compiled once for every user (the
id is bound per request). The hand-written pipeline tests the creator and the type, then
``heapq.nsmallest`` on ``(name, _id)`` and ``copy.deepcopy`` of the page. Runs alternate and the
best of ``--repeat`` counts; users change from one request to the next.

    python benchmarks/bench_scope.py [--repeat R] [--check]   # 10,000 and 100,000 records

Prints the ratios. Issue 12 sets no target for this scenario, so nothing can be missed:
``--check`` (which ``make bench BENCH_FLAGS=--check`` passes to every benchmark) is accepted and
it exits 0 either way.
"""

from __future__ import annotations

import argparse
import copy
import heapq
import itertools
import platform
from typing import Any

from bench_sort import make_records  # benchmarks/ is sys.path[0] when run as a script
from timing import best_alternating

from integrations_core import Caller, Permission, list_integrations

PAGE = 50
OWN = [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING]
PARAMS = {"sort": '{"name": 1}', "count": str(PAGE)}
TYPES = ("webhook-incoming", "webhook-outgoing")

Record = dict[str, Any]


def by_hand(records: list[Record], user: str) -> tuple[list[Record], int]:
    """The request written out for records known to hold a creator document."""
    mine = [r for r in records if r["_createdBy"]["_id"] == user and r["type"] in TYPES]
    page = heapq.nsmallest(PAGE, mine, key=lambda r: (r["name"], r["_id"]))
    return [copy.deepcopy(r) for r in page], len(mine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="accepted; there is no target")
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {args.repeat}, "
          f"both own permissions, sort={{\"name\": 1}}, first page of {PAGE}")
    for n in (10_000, 100_000):
        records = make_records(n)
        users = sorted({r["_createdBy"]["_id"] for r in records})[:args.repeat]
        for user in users:  # the same page and total as the hand-written pipeline
            body = list_integrations(records, Caller(user, OWN), PARAMS).body
            page, total = by_hand(records, user)
            assert body["total"] == total
            assert [r["_id"] for r in body["integrations"]] == [r["_id"] for r in page]
        # Each run asks for the next user's page: no two requests in a row share a caller.
        callers = itertools.cycle([Caller(user, OWN) for user in users])
        owners = itertools.cycle(users)
        ours, theirs = best_alternating(
            lambda r=records, c=callers: list_integrations(r, next(c), PARAMS),
            lambda r=records, o=owners: by_hand(r, next(o)), args.repeat, collect=True)
        print(f"{n:>9,} records: endpoint {ours * 1e3:7.1f} ms, by hand {theirs * 1e3:7.1f} ms, "
              f"ratio {ours / theirs:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
