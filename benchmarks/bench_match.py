"""Per-document matching cost of compiled filters against hand-written predicates and other engines.

Run: ``.venv/bin/python benchmarks/bench_match.py [--records N] [--repeat R]``. For each typical
integration query it prints the time to filter N records and the ratios

* ``engine / hand``: this library's compiled filter against a hand-written Python predicate for the
  same query (with the type checks MongoDB's semantics need); target: median <= 1.5;
* ``mongoquery / engine`` and ``mongomock / engine`` (how many times faster this library is).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any

from integrations_core.mql import compile_filter

Doc = Mapping[str, Any]
USERS = [f"u{i}" for i in range(20)]
WORDS = ["!deploy", "!status", "!help", "gif+", "guggy", "!build", "!ping", "!weather"]
CHANNELS = ["#general", "#random", "#ops", "#dev", "#alerts", "@rocket.cat"]
EPOCH = dt.datetime(2023, 1, 1)


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


_NAME = re.compile("^bot", re.IGNORECASE)
_START, _END = dt.datetime(2024, 1, 1), dt.datetime(2024, 7, 1)

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


MONGOQUERY_FORM = {
    "anchored case-insensitive regex on name": {"name": {"$regex": re.compile("^bot", re.I)}},
}


def best_time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-others", action="store_true", help="skip mongoquery/mongomock")
    args = parser.parse_args()
    records = make_records(args.records)
    others = not args.no_others
    if others:
        import mongomock
        import mongoquery

        collection = mongomock.MongoClient().bench.integrations
        collection.insert_many([dict(r) for r in records])
    print(f"{args.records:,} records, best of {args.repeat}")
    print(f"{'query':44} {'engine':>9} {'hand':>9} {'eng/hand':>9} {'mq/eng':>8} {'mm/eng':>8}")
    ratios = []
    for label, query, hand in CASES:
        match = compile_filter(query)
        expected = [r["_id"] for r in records if hand(r)]
        got = [r["_id"] for r in records if match(r)]
        assert got == expected, f"{label}: engine and hand-written predicate disagree"
        engine = best_time(lambda m=match: [r for r in records if m(r)], args.repeat)
        baseline = best_time(lambda h=hand: [r for r in records if h(r)], args.repeat)
        ratios.append(engine / baseline)
        line = f"{label:44} {engine * 1e3:7.1f}ms {baseline * 1e3:7.1f}ms {engine / baseline:9.2f}"
        if others:
            # mongoquery has no $options: it gets the same pattern as a compiled Python regex.
            mq = mongoquery.Query(MONGOQUERY_FORM.get(label, query))
            slow = best_time(lambda q=mq: [r for r in records if q.match(r)], 1)
            mock = best_time(lambda q=query: list(collection.find(q)), 1)
            line += f" {slow / engine:8.1f} {mock / engine:8.1f}"
        print(line)
    print(f"median engine/hand ratio: {statistics.median(ratios):.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
