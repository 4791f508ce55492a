"""The slowest requests the default Settings allow, per dataset, on 10,000 records (issue 9).

Each scenario builds the most expensive request of one kind that ``Settings()`` compiles (the
longest ``$in``, the most conditions or regular expressions of the slowest kinds, the deepest
nesting, the largest sort and projection, every match at once) plus the attack shapes of issue
9 (written-out repetitions, nested bounds, case-insensitive non-ASCII literals, regexes over
100-element arrays, a 4-key sort over arrays, the 8,192-character ``name``). Each request must
be answered (200) or refused by name (a 400 naming ``Settings.max_work`` or the cost per
record); the table gives its time, the work it was charged, and the real time per work unit.
The caller holds all four permissions, so every record is in scope. Queries get a fresh
``$comment`` per run so that each is compiled afresh, as an attacker's new request would be.

Datasets: ``realistic`` (integration-like records, a 24-character token, one channel and URL),
``long-names`` (names of 1,000 characters of words), ``e-acute`` (names of 1,000 ``é``),
``random-ab`` (names and tokens of 1,000 random ``a``/``b``), ``arrays`` (100-element
``channel`` and ``urls``). Amplification is the worst time over the time of a plain request
(no parameters) on the same records.

    python benchmarks/bench_worst_case.py                    # every dataset (a few minutes)
    python benchmarks/bench_worst_case.py --dataset realistic
    python benchmarks/bench_worst_case.py --markdown         # the tables for docs/security.md
    python benchmarks/bench_worst_case.py --check            # exit 1 past the targets

Targets (issue 9): worst request <= 0.25 s on the realistic dataset and <= 1 s on the others.
It reports and exits 0 unless ``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import platform
import random
import string
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_sort import make_records  # benchmarks/ is sys.path[0] when run as a script

from integrations_core import (
    Caller,
    Permission,
    Settings,
    list_integrations,
    listing,
    parse_list_params,
)
from integrations_core.mql import InputError, budget

TARGETS = {"realistic": 0.25}
ADVERSARIAL_TARGET = 1.0
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
        # The attack shapes of issue 9.
        "$nor of 8 regexes of 48 classes on token": with_query({"$nor": [
            {"token": {"$regex": "[A-Za-z]" + "[ -~]" * 47 + f"#{i}"}} for i in range(regexes)]}),
        "(?s)a + 250 '.' + c": with_query({"name": {"$regex": "(?s)a" + "." * 250 + "c"}}),
        "\\w x 240": with_query({"name": {"$regex": "\\w" * 240}}),
        "[a-m] + 198 [ -~]": with_query({"name": {"$regex": "[a-m]" + "[ -~]" * 198}}),
        "([a-z]{1,12}){12}": with_query({"name": {"$regex": "([a-z]{1,12}){12}"}}),
        "é x 970 with i": with_query({"name": {"$regex": "é" * 970, "$options": "i"}}),
        "8 trivial regexes over channel": with_query({"$and": [
            {"channel": {"$regex": f"^#c{i}x"}} for i in range(regexes)]}),
    }
    return table


def datasets() -> dict[str, Callable[[int], list[dict[str, Any]]]]:
    """Dataset name -> a function building ``n`` records of that kind."""
    def realistic(n: int) -> list[dict[str, Any]]:
        rng = random.Random(1)
        records = make_records(n)
        for record in records:
            record["token"] = "".join(rng.choices(string.ascii_letters + string.digits, k=24))
            record["urls"] = [f"https://{record['username']}.example/hook"]
        return records

    def names(make: Callable[[random.Random], str], tokens: bool = False) -> Callable[
            [int], list[dict[str, Any]]]:
        def build(n: int) -> list[dict[str, Any]]:
            rng = random.Random(2)
            records = realistic(n)
            for record in records:
                record["name"] = make(rng)
                if tokens:
                    record["token"] = "".join(rng.choices("ab", k=1000))
            return records
        return build

    def words(rng: random.Random) -> str:
        text = ""
        while len(text) < 1000:
            text += "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) + " "
        return text[:1000]

    def arrays(n: int) -> list[dict[str, Any]]:
        records = realistic(n)
        for i, record in enumerate(records):
            record["channel"] = [f"#c{(i + j) % 997}" for j in range(100)]
            record["urls"] = [f"https://h{j}.example/{i}" for j in range(100)]
        return records

    return {
        "realistic": realistic,
        "long-names": names(words),
        "e-acute": names(lambda rng: "é" * 1000),
        "random-ab": names(lambda rng: "".join(rng.choices("ab", k=1000)), tokens=True),
        "arrays": arrays,
    }


class _Counted(budget.Meter):
    """The listing's meter, remembered so that the benchmark can read what it was charged."""

    last: budget.Meter | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _Counted.last = self


def measure(records: list[dict[str, Any]], build: Callable[[], Params], repeat: int,
            settings: Settings) -> tuple[float, int, int, str]:
    """Best time, status, work units charged and (for a 400) the reason."""
    best, status, spent, reason = float("inf"), 0, 0, ""
    for _ in range(repeat):
        params = build()
        gc.collect()
        _Counted.last = None
        start = time.perf_counter()
        response = list_integrations(records, CALLER, params, settings)
        best = min(best, time.perf_counter() - start)
        status = response.status
        spent = _Counted.last.spent if _Counted.last is not None else 0
        if status != 200:
            body = response.body
            reason = str(body.get("details", {}).get("reason") or body.get("error", ""))
    return best, status, spent, reason


def _refused_by_name(reason: str) -> bool:
    return "Settings.max_work" in reason or "max_" in reason


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--dataset", action="append", choices=sorted(datasets()),
                        help="run only these datasets (repeatable)")
    parser.add_argument("--only", help="run the scenarios whose name contains this text")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 past a target")
    args = parser.parse_args(argv)

    listing.Meter = _Counted  # type: ignore[misc]
    ok, summary = True, []
    for dataset, make in datasets().items():
        if args.dataset and dataset not in args.dataset:
            continue
        records = make(args.records)
        plain, _, _, _ = measure(records, lambda: {}, 3, SETTINGS)
        rows = []
        for name, build in scenarios(SETTINGS).items():
            if args.only and args.only not in name:
                continue
            seconds, status, spent, reason = measure(records, build, args.repeat, SETTINGS)
            answered = status == 200 or (status == 400 and _refused_by_name(reason))
            ok = ok and answered
            rows.append((name, status, seconds, spent, reason))
            if not args.markdown:
                ns = seconds * 1e9 / spent if spent else 0.0
                print(f"{dataset:10s} {name[:52]:52s} {status} {seconds * 1e3:8.1f} ms "
                      f"{spent / 1e6:9.1f} Mu {ns:5.2f} ns/u {reason[:60]}", flush=True)
        worst = max(rows, key=lambda row: row[2])
        target = TARGETS.get(dataset, ADVERSARIAL_TARGET)
        ok = ok and worst[2] <= target
        summary.append((dataset, worst, plain, target, rows))
    print(f"Python {platform.python_version()} on {platform.machine()}, {args.records:,} records,"
          f" best of {args.repeat}")
    for dataset, worst, plain, target, rows in summary:
        refused = sum(1 for row in rows if row[1] != 200)
        print(f"{dataset:10s} worst {worst[2] * 1e3:7.1f} ms ({worst[0]}), amplification "
              f"{worst[2] / plain:6.1f}x over a plain request ({plain * 1e3:.1f} ms), "
              f"{refused} of {len(rows)} refused; target {target * 1e3:.0f} ms")
        if args.markdown:
            print(f"\n| {dataset}: request | status | time | work (M units) |")
            print("|---|---|---:|---:|")
            for name, status, seconds, spent, _ in rows:
                print(f"| {name} | {status} | {seconds * 1e3:.0f} ms | {spent / 1e6:.1f} |")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
