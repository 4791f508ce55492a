"""A small request, JSON text included, against a hand-written pipeline (issue 12).

Scenario: 100 records (``bench_sort.make_records``), a caller with both "all" permissions,
``sort={"name": 1}``, the first page of 50, and the response's JSON text
(``list_integrations(...).json()``). The hand-written pipeline is what a programmer would write
for that one request: a ``type`` membership test, ``heapq.nsmallest`` on ``(name, _id)``, a
JSON-ready copy of the page (dates as ISO strings in UTC with milliseconds, the creator document
and the channel list copied) and ``json.dumps``. Both must give the same text. The records'
dates are naive, then aware as ``datetime.timezone.utc``, pymongo's ``tz_aware`` decoding
(``bson.tz_util.utc``) and ``zoneinfo`` give them. Target: ``list_integrations`` no slower than
the hand-written pipeline (ratio <= 1.0). Runs alternate; the best of ``--repeat`` counts.

    python benchmarks/bench_page.py [--repeat R] [--markdown] [--check]

It reports and exits 0; with ``--check`` it exits 1 when a kind of date misses the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import platform
import sys
import zoneinfo
from typing import Any

from bench_sort import make_records  # benchmarks/ is sys.path[0] when run as a script
from bson.tz_util import utc as bson_utc
from timing import best_alternating

from integrations_core import Caller, Permission, list_integrations

RECORDS = 100
PAGE = 50
TARGET = 1.0
LOOPS = 200
CALLER = Caller("u-admin", [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING])
PARAMS = {"sort": '{"name": 1}', "count": str(PAGE)}
TYPES = ("webhook-incoming", "webhook-outgoing")
UTC = dt.timezone.utc
ZONES: dict[str, dt.tzinfo | None] = {
    "naive": None,
    "timezone.utc": UTC,
    "bson tz_aware": bson_utc,
    "zoneinfo": zoneinfo.ZoneInfo("Europe/Paris"),
}

Record = dict[str, Any]


def in_zone(records: list[Record], zone: dt.tzinfo | None) -> list[Record]:
    """The records with their dates as the same instants, aware in ``zone`` (if any)."""
    if zone is None:
        return records
    return [{k: v.replace(tzinfo=UTC).astimezone(zone) if isinstance(v, dt.datetime) else v
             for k, v in r.items()} for r in records]


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"


def _json_ready(record: Record) -> Record:
    return {k: _iso(v) if isinstance(v, dt.datetime) else dict(v) if isinstance(v, dict)
            else list(v) if isinstance(v, list) else v for k, v in record.items()}


def by_hand(records: list[Record]) -> str:
    """The request written out for records known to hold string names and ids."""
    visible = [r for r in records if r["type"] in TYPES]
    page = [_json_ready(r) for r in heapq.nsmallest(PAGE, visible,
                                                     key=lambda r: (r["name"], r["_id"]))]
    return json.dumps({"integrations": page, "offset": 0, "items": len(page),
                       "count": len(page), "total": len(visible), "success": True},
                      ensure_ascii=False, separators=(",", ":"))


def endpoint(records: list[Record]) -> str:
    return list_integrations(records, CALLER, PARAMS).json()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 past the target")
    args = parser.parse_args(argv)
    base = make_records(RECORDS)
    rows = []
    for name, zone in ZONES.items():
        records = in_zone(base, zone)
        assert endpoint(records) == by_hand(records), f"{name}: the two texts differ"
        ours, theirs = best_alternating(lambda r=records: endpoint(r),
                                        lambda r=records: by_hand(r), args.repeat, loops=LOOPS)
        rows.append((name, ours, theirs, ours / theirs))
    print(f"Python {platform.python_version()} on {platform.machine()}, best of {args.repeat}, "
          f"{RECORDS} records, sort={{\"name\": 1}}, first page of {PAGE}, JSON text included")
    if args.markdown:
        print("\n| dates | list_integrations + json() | hand-written + json.dumps | ratio |")
        print("|---|---:|---:|---:|")
        for name, ours, theirs, ratio in rows:
            print(f"| {name} | {ours * 1e6:.0f} µs | {theirs * 1e6:.0f} µs | {ratio:.2f}x |")
    else:
        for name, ours, theirs, ratio in rows:
            print(f"{name:14s} endpoint {ours * 1e6:7.1f} µs, by hand {theirs * 1e6:7.1f} µs, "
                  f"ratio {ratio:.2f}x")
    missed = [name for name, _, _, ratio in rows if ratio > TARGET]
    if missed:
        print(f"MISSED the {TARGET}x target: {', '.join(missed)}", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
