"""The slowest requests the default limits allow, on 10,000 records (issue 6, docs/security.md).

Each scenario builds the most expensive request of one kind that ``Settings()`` still accepts
(it is checked to answer 200): the longest ``$in``, the most conditions or regular expressions
of the slowest kinds, the deepest nesting, the largest sort and projection, every match at once
(``count=0``), and all of those together. The caller holds all four permissions, so every record
is in scope and nothing is skipped early. Each run adds a different ``$comment`` to the query so
that it is compiled afresh, as an attacker's new request would be; the best of ``--repeat`` runs
counts.

Records come from ``bench_sort.make_records`` (integration-like: names of two short words, a
one-element ``channel`` array, a creator document, dates). ``--long-names`` pads every name to
1,000 characters, as a user allowed to create integrations could.

    python benchmarks/bench_worst_case.py                # < 60 s
    python benchmarks/bench_worst_case.py --markdown     # the table for docs/security.md
    python benchmarks/bench_worst_case.py --long-names   # names of 1,000 characters

Exits with status 1 when a request is refused or takes longer than the target (0.5 s).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_sort import make_records  # benchmarks/ is sys.path[0] when run as a script

from integrations_core import Caller, Permission, Settings, list_integrations, parse_list_params
from integrations_core.mql import InputError

TARGET = 0.5
RECORDS = 10_000
CALLER = Caller("u-admin", [p.value for p in Permission])
SETTINGS = Settings()
_run = itertools.count()

Query = dict[str, Any]
Params = dict[str, str]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _fill(make: Callable[[int], Query], most: int, param: str = "query",
          settings: Settings = SETTINGS) -> Query:
    """``make(n)`` for the largest ``n <= most`` that ``settings`` accept as ``param`` (with
    room for a comment); acceptance must not come back once lost as ``n`` grows."""
    def accepted(n: int) -> bool:
        value = make(n)
        if param == "query":
            value = {**value, "$comment": "run 1000000"}
        try:
            parse_list_params({param: _dumps(value)}, settings)
        except InputError:
            return False
        return True

    low, high = 0, most + 1
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if accepted(middle) else (low, middle)
    return make(max(low, 1))


def scenarios(settings: Settings) -> dict[str, Callable[[], Params]]:
    """Scenario name -> a function building its parameters (queries get a fresh comment)."""
    def fill(make: Callable[[int], Query], most: int) -> Query:
        return _fill(make, most, "query", settings)

    conditions, regexes = settings.max_conditions, settings.max_regexes
    limits = settings.limits
    depth = limits.max_depth

    def in_strings(n: int) -> Query:
        return {"name": {"$in": [f"{i:05d}" for i in range(n)]}}

    def in_long_strings(n: int) -> Query:
        return {"name": {"$in": ["x" * 700 + f"{i:03d}" for i in range(n)]}}

    def ne_dotted(n: int) -> Query:  # all true: no conjunct ends the evaluation early
        paths = ("_createdBy.username", "_createdBy._id", "channel.0", "a.b.c.d")
        return {"$and": [{paths[i % 4]: {"$ne": f"v{i}"}} for i in range(n)]}

    def in_arrays(members: int, op: str = "$in") -> Query:  # compared one by one
        return {"channel": {op: [[f"#c{i}"] for i in range(members)]}}

    def in_documents(n: int) -> Query:
        members = [{"_id": f"u{i}", "username": "x"} for i in range(n)]
        return {"_createdBy": {"$in": members}}

    def nor_regex(pattern: str) -> Callable[[int], Query]:
        def make(n: int) -> Query:
            body = pattern * n  # whole copies: a valid pattern
            return {"$nor": [{"name": {"$regex": body + f"#{i}"}} for i in range(regexes)]}
        return make

    def nested(open_: str, inner: str, close: str, levels: int) -> Query:
        loaded: Query = json.loads(open_ * levels + inner + close * levels)
        return loaded

    # Paths through an array take the multikey sort path, the slowest one.
    sort = {f"channel.{i}": (-1) ** i for i in range(settings.max_sort_keys)}
    fields = _fill(lambda n: {f"field{i}.sub": 1 for i in range(n)}, limits.max_list_length,
                   "fields", settings)

    def with_query(query: Query, **extra: str) -> Callable[[], Params]:
        return lambda: {"query": _dumps({**query, "$comment": f"run {next(_run)}"}), **extra}

    # The slowest condition, and then one that lets every record through to the sort.
    def counted_regexes(n: int) -> Query:  # a counted repetition: a large RE2 program
        return {"$nor": [{"name": {"$regex": f"a.{{{n}}}{i}"}} for i in range(regexes)]}

    counted = fill(counted_regexes, 10_000)
    dots = counted["$nor"][0]["name"]["$regex"][3:-2]
    strings = fill(in_strings, limits.max_list_length)
    long_strings = fill(in_long_strings, limits.max_list_length)
    worst_query = {"$or": [in_arrays(conditions - 2), {"_id": {"$exists": True}}]}
    table: dict[str, Callable[[], Params]] = {
        "no parameters (first page)": lambda: {},
        "count=0 (every record)": lambda: {"count": "0"},
        f"$in of {len(strings['name']['$in']):,} strings": with_query(strings),
        f"$in of {len(long_strings['name']['$in'])} strings of 703 characters": with_query(
            long_strings),
        f"$and of {conditions} $ne on dotted paths": with_query(fill(ne_dotted, conditions)),
        f"$in of {conditions - 1} arrays": with_query(in_arrays(conditions - 1)),
        f"$nin of {conditions - 1} arrays": with_query(in_arrays(conditions - 1, "$nin")),
        f"$in of {conditions - 1} documents": with_query(fill(in_documents, conditions - 1)),
        # A literal ends each run of classes: Limits.max_regex_repeat weighs runs, so twelve
        # [a-z] positions and a digit class in a row would be refused.
        f"{regexes} regexes, [a-z]{{1,11}}[0-9]# repeated": with_query(
            fill(nor_regex("[a-z]{1,11}[0-9]#"), limits.max_regex_length // 17)),
        f"{regexes} regexes, (a|b|c|d|e)*x repeated": with_query(
            fill(nor_regex("(a|b|c|d|e)*x"), limits.max_regex_length // 13)),
        f"{regexes} regexes, a.{{{dots}}}": with_query(counted),
        f"$elemMatch nested {depth // 2 - 1} deep": with_query(nested(
            '{"channel":{"$elemMatch":', '{"x":1}', "}}", depth // 2 - 1)),
        f"$not nested {depth - 2} deep": with_query({"name": nested(
            '{"$not":', '{"$ne":"x"}', "}", depth - 2)}),
        f"$nor nested {depth // 2 - 1} deep": with_query(nested(
            '{"$nor":[', '{"name":"x"}', "]}", depth // 2 - 1)),
        "name of 8,192 non-ASCII characters": lambda: {"name": "é" * settings.max_param_length},
        f"sort on {settings.max_sort_keys} paths through an array, count=0": lambda: {
            "sort": _dumps(sort), "count": "0"},
        f"fields with {len(fields)} dotted paths, count=0": lambda: {
            "fields": _dumps(fields), "count": "0"},
        "all together: $in of arrays or $exists, sort, fields, count=0": with_query(
            worst_query, sort=_dumps(sort), fields=_dumps(fields), count="0"),
    }
    return table


def measure(records: list[dict[str, Any]], build: Callable[[], Params], repeat: int,
            settings: Settings) -> tuple[float, int]:
    best, status = float("inf"), 0
    for _ in range(repeat):
        params = build()
        gc.collect()
        start = time.perf_counter()
        response = list_integrations(records, CALLER, params, settings)
        best = min(best, time.perf_counter() - start)
        status = response.status
        if status != 200:
            print(f"refused: {json.dumps(response.body)[:300]}", file=sys.stderr)
            break
    return best, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--long-names", action="store_true",
                        help="pad every name to 1,000 characters")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", help="run the scenarios whose name contains this text")
    args = parser.parse_args(argv)

    records = make_records(RECORDS)
    if args.long_names:
        for record in records:
            record["name"] = (record["name"] + " ") * (1000 // (len(record["name"]) + 1))
    rows, ok = [], True
    for name, build in scenarios(SETTINGS).items():
        if args.only and args.only not in name:
            continue
        sizes = {k: len(v) for k, v in build().items() if k in ("query", "sort", "fields")}
        seconds, status = measure(records, build, args.repeat, SETTINGS)
        ok = ok and status == 200 and seconds < TARGET
        rows.append((name, status, seconds, sizes))
        if not args.markdown:
            print(f"{name:58s} {status} {seconds * 1e3:8.1f} ms  {sizes}", flush=True)

    print(f"Python {platform.python_version()} on {platform.machine()}, {RECORDS:,} records"
          f"{' with 1,000-character names' if args.long_names else ''}, best of {args.repeat}")
    if args.markdown:
        print("\n| request (Settings() defaults) | text sizes | time |")
        print("|---|---|---:|")
        for name, status, seconds, sizes in rows:
            size = ", ".join(f"{k} {v:,}" for k, v in sizes.items()) or "-"
            mark = "" if status == 200 else f" (refused: {status})"
            print(f"| {name} | {size} | {seconds * 1e3:.0f} ms{mark} |")
    worst = max(rows, key=lambda row: row[2])
    print(f"slowest: {worst[0]}: {worst[2] * 1e3:.0f} ms (target {TARGET * 1e3:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
