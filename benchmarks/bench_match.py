"""Per-document matching cost of compiled filters against hand-written predicates and other engines.

Run: ``.venv/bin/python benchmarks/bench_match.py [--records N] [--repeat R] [--check]``. For each
typical integration query it prints the time to filter N records and the ratios

* ``engine / hand``: this library's compiled filter against a hand-written Python predicate for the
  same query (with the type checks MongoDB's semantics need); target: every query within
  ``TARGET`` (1.3x). The date range runs again over records whose dates are timezone-aware, as
  ``datetime.timezone.utc``, pymongo's ``tz_aware`` decoding (``bson.tz_util.utc``) and
  ``zoneinfo`` give them; its hand-written predicate then compares with aware UTC constants;
* ``mongoquery / engine`` and ``mongomock / engine`` (how many times faster this library is).

It reports and exits 0; with ``--check`` it exits 1 when a query misses the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from bson.tz_util import utc as bson_utc
from timing import best, best_alternating  # benchmarks/ is sys.path[0] when run as a script

from integrations_core.mql import compile_filter

Doc = Mapping[str, Any]
USERS = [f"u{i}" for i in range(20)]
WORDS = ["!deploy", "!status", "!help", "gif+", "guggy", "!build", "!ping", "!weather"]
CHANNELS = ["#general", "#random", "#ops", "#dev", "#alerts", "@rocket.cat"]
EPOCH = dt.datetime(2023, 1, 1)
TARGET = 1.3
ZONES: dict[str, dt.tzinfo] = {
    "timezone.utc": dt.timezone.utc,
    "bson tz_aware": bson_utc,
    "zoneinfo": zoneinfo.ZoneInfo("Europe/Paris"),
}
"""How records may hold aware dates: the label of each date-range variant and its zone."""


def make_records(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        outgoing = rng.random() < 0.5
        user = rng.choice(USERS)
        record: dict[str, Any] = {
            "_id": f"id{i:07d}",
            "type": "webhook-outgoing" if outgoing else "webhook-incoming",
            "name": rng.choice(["Bot", "bot", "Alert", "Deploy", "GitLab", "Jira"]) + f" {i}",
            "enabled": rng.random() < 0.7,
            "channel": rng.sample(CHANNELS, rng.randint(0, 2)),
            "_createdBy": {"_id": user, "username": user},
            "_createdAt": EPOCH + dt.timedelta(minutes=rng.randrange(1_000_000)),
            "scriptEnabled": rng.random() < 0.5,
        }
        if outgoing:
            record["triggerWords"] = rng.sample(WORDS, rng.randint(0, 3))
            record["retryCount"] = rng.randint(0, 6)
            if rng.random() < 0.5:
                record["targetRoom"] = rng.choice(CHANNELS)
        records.append(record)
    return records


def _values(doc: Doc, key: str) -> list[Any]:
    value = doc.get(key)
    return value if isinstance(value, list) else [value]


def in_zone(records: list[dict[str, Any]], zone: dt.tzinfo) -> list[dict[str, Any]]:
    """The records with ``_createdAt`` as the same instant, aware, in ``zone``."""
    utc = dt.timezone.utc
    return [{**r, "_createdAt": r["_createdAt"].replace(tzinfo=utc).astimezone(zone)}
            for r in records]


_NAME = re.compile("^bot", re.IGNORECASE)
_START, _END = dt.datetime(2024, 1, 1), dt.datetime(2024, 7, 1)
_START_UTC, _END_UTC = (d.replace(tzinfo=dt.timezone.utc) for d in (_START, _END))

# (label, query, hand-written predicate with the type checks MongoDB's semantics need)
CASES: list[tuple[str, dict[str, Any], Callable[[Doc], bool]]] = [
    (
        "type and enabled",
        {"type": "webhook-incoming", "enabled": True},
        lambda d: d.get("type") == "webhook-incoming" and d.get("enabled") is True,
    ),
    (
        "anchored case-insensitive regex on name",
        {"name": {"$regex": "^bot", "$options": "i"}},
        lambda d: isinstance(n := d.get("name"), str) and _NAME.search(n) is not None,
    ),
    (
        "$or over _createdBy._id and an array field",
        {"$or": [{"_createdBy._id": "u3"}, {"channel": "#ops"}]},
        lambda d: (isinstance(c := d.get("_createdBy"), dict) and c.get("_id") == "u3")
        or "#ops" in _values(d, "channel"),
    ),
    (
        "$in on an array field with $exists",
        {"triggerWords": {"$in": ["!deploy", "!status"]}, "targetRoom": {"$exists": True}},
        lambda d: any(w in ("!deploy", "!status") for w in _values(d, "triggerWords")
                      if isinstance(w, str)) and "targetRoom" in d,
    ),
    (
        "date range",
        {"_createdAt": {"$gte": _START, "$lt": _END}},
        lambda d: isinstance(t := d.get("_createdAt"), dt.datetime) and _START <= t < _END,
    ),
    (
        "$ne with $gt",
        {"scriptEnabled": {"$ne": True}, "retryCount": {"$gt": 2}},
        lambda d: d.get("scriptEnabled") is not True
        and type(r := d.get("retryCount")) in (int, float) and r > 2,
    ),
]


DATE_RANGE = CASES[4][1]


def aware_hand(d: Doc) -> bool:
    """The date range by hand for aware dates (Python cannot order naive and aware datetimes)."""
    return isinstance(t := d.get("_createdAt"), dt.datetime) and _START_UTC <= t < _END_UTC


MONGOQUERY_FORM = {
    "anchored case-insensitive regex on name": {"name": {"$regex": re.compile("^bot", re.I)}},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-others", action="store_true", help="skip mongoquery/mongomock")
    parser.add_argument("--check", action="store_true", help="exit 1 when a query misses TARGET")
    args = parser.parse_args()
    records = make_records(args.records)
    others = not args.no_others
    if others:
        import mongomock
        import mongoquery

        collection = mongomock.MongoClient().bench.integrations
        collection.insert_many([dict(r) for r in records])
    runs = [(label, query, hand, records) for label, query, hand in CASES]
    runs += [(f"date range, {name}", DATE_RANGE, aware_hand, in_zone(records, zone))
             for name, zone in ZONES.items()]
    print(f"{args.records:,} records, best of {args.repeat}")
    print(f"{'query':44} {'engine':>9} {'hand':>9} {'eng/hand':>9} {'mq/eng':>8} {'mm/eng':>8}")
    ratios = []
    for label, query, hand, docs in runs:
        match = compile_filter(query)
        expected = [r["_id"] for r in docs if hand(r)]
        got = [r["_id"] for r in docs if match(r)]
        assert got == expected, f"{label}: engine and hand-written predicate disagree"
        engine, baseline = best_alternating(lambda m=match, d=docs: [r for r in d if m(r)],
                                            lambda h=hand, d=docs: [r for r in d if h(r)],
                                            args.repeat)
        ratios.append(engine / baseline)
        line = f"{label:44} {engine * 1e3:7.1f}ms {baseline * 1e3:7.1f}ms {engine / baseline:9.2f}"
        if others and docs is records:
            # mongoquery has no $options: it gets the same pattern as a compiled Python regex.
            mq = mongoquery.Query(MONGOQUERY_FORM.get(label, query))
            slow = best(lambda q=mq: [r for r in records if q.match(r)], 1)
            mock = best(lambda q=query: list(collection.find(q)), 1)
            line += f" {slow / engine:8.1f} {mock / engine:8.1f}"
        print(line)
    worst = max(ratios)
    print(f"median engine/hand ratio: {statistics.median(ratios):.2f}, worst {worst:.2f}"
          f" (target: every query <= {TARGET})")
    return 1 if args.check and worst > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
