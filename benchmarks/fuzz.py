"""Long fuzzing runs of list_integrations: the laws of tests/test_security_fuzz.py, for hours.

With atheris installed (``pip install atheris``; it is not a dependency of the project) the
inputs come from libFuzzer, coverage-guided over ``integrations_core``; the bytes are read as
choices of a small grammar of hostile parameters (operators, ``__proto__`` keys, deep nesting,
lone surrogates, huge numbers, damaged JSON). Otherwise Hypothesis runs the fuzz test's
strategies in batches of fresh random examples until the time is up.

    python benchmarks/fuzz.py --minutes 60                      # atheris if installed
    python benchmarks/fuzz.py --engine hypothesis --minutes 60
    python benchmarks/fuzz.py --engine atheris -- -jobs=2       # extra libFuzzer flags

A failure prints the input and the broken law and exits with status 1 (libFuzzer also writes
a ``crash-*`` file). Each finding becomes a regression test (docs/security.md lists them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [_ROOT, os.path.join(_ROOT, "tests")]


def _atheris() -> Any:
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        return None
    return atheris


# --- atheris: bytes -> hostile parameters ---------------------------------------------------------

TOKENS = ["$where", "$expr", "$function", "$accumulator", "$jsonSchema", "$text", "$or", "$and",
          "$nor", "$not", "$elemMatch", "$in", "$nin", "$all", "$regex", "$options", "$eq",
          "$ne", "$gt", "$lte", "$exists", "$type", "$size", "$mod", "$comment", "$date",
          "$numberLong", "$numberDecimal", "$numberDouble", "$regularExpression", "$regexp",
          "$flags", "__proto__", "constructor", "prototype", "name", "type", "_id", "token",
          "script", "scriptCompiled", "_createdBy._id", "channel.0", "a.b", "", ".", "\x00",
          "\ud800", "(a+)+$", "(a|aa)+$", "(.*a){25}", "a.{999}", "\\1", "(?=a)", "NaN",
          "Infinity", "webhook-incoming", "webhook-outgoing", "1e400", "9" * 30]
PARAMETERS = ("offset", "count", "sort", "fields", "query", "name", "type")


def _value(fdp: Any, depth: int) -> Any:
    kind = fdp.ConsumeIntInRange(0, 11 if depth < 12 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return fdp.ConsumeBool()
    if kind == 2:
        return fdp.ConsumeInt(fdp.ConsumeIntInRange(1, 12))
    if kind == 3:
        return fdp.ConsumeRegularFloat()
    if kind == 4:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 16))
    if kind in (5, 6):
        return TOKENS[fdp.ConsumeIntInRange(0, len(TOKENS) - 1)]
    if kind in (7, 8, 9):
        return {_key(fdp): _value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))}
    return [_value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]


def _key(fdp: Any) -> str:
    if fdp.ConsumeIntInRange(0, 3):
        return TOKENS[fdp.ConsumeIntInRange(0, len(TOKENS) - 1)]
    text: str = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 8))
    return text


def _text(fdp: Any) -> Any:
    kind = fdp.ConsumeIntInRange(0, 7)
    if kind <= 3:
        return json.dumps(_value(fdp, 0), ensure_ascii=fdp.ConsumeBool())
    if kind == 4:
        text = json.dumps(_value(fdp, 0))
        return text[: fdp.ConsumeIntInRange(0, len(text))]
    if kind == 5:
        opener = ["[", '{"a":', '{"$or":[', '{"a":{"$elemMatch":', '{"a":{"$not":'][
            fdp.ConsumeIntInRange(0, 4)]
        return opener * fdp.ConsumeIntInRange(0, 5000)
    if kind == 6:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 64))
    return _value(fdp, 10)  # not a string at all


def _params(fdp: Any) -> Any:
    pairs = []
    for _ in range(fdp.ConsumeIntInRange(0, 5)):
        key = (PARAMETERS[fdp.ConsumeIntInRange(0, 6)] if fdp.ConsumeIntInRange(0, 4)
               else _key(fdp))
        pairs.append((key, _text(fdp)))
    return pairs if fdp.ConsumeBool() else dict(pairs)


def run_atheris(atheris: Any, seconds: int, extra: list[str]) -> int:
    with atheris.instrument_imports():
        import test_security_fuzz as laws

        import integrations_core  # noqa: F401

    from integrations_core import Caller, Permission

    callers = [None, Caller("u-ann", [Permission.MANAGE_OWN_INCOMING]),
               Caller("u-ann", [p.value for p in Permission]),
               Caller("u-bob", [Permission.MANAGE_OUTGOING, Permission.MANAGE_OWN_INCOMING]),
               Caller("u-ann", ["unrelated"])]
    records = laws._with_secrets([
        {"_id": f"r{i}", "type": ("webhook-incoming", "webhook-outgoing")[i % 2],
         "name": f"Hook {i} (a+)+ aaaa", "channel": [f"#c{i}", "#general"],
         "_createdBy": None if i == 5 else {"_id": ("u-ann", "u-bob")[i % 3 == 0],
                                          "username": "x"},
         "enabled": bool(i % 3)} for i in range(8)
    ])

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        settings = laws.SETTINGS[fdp.ConsumeIntInRange(0, len(laws.SETTINGS) - 1)]
        caller = callers[fdp.ConsumeIntInRange(0, len(callers) - 1)]
        laws.check_request(records, caller, _params(fdp), settings)

    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", *extra], one_input)
    atheris.Fuzz()
    return 0


# --- Hypothesis: the fuzz test's strategies, in batches -----------------------------------------

def run_hypothesis(seconds: int, batch: int) -> int:
    import test_security_fuzz as laws
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from integrations_core.testing.strategies import callers

    config = settings(max_examples=batch, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
    def check(records: Any, caller: Any, params: Any, profile: Any) -> None:
        laws.check_request(records, caller, params, profile)

    broad = config(given(laws.RECORDS, callers(), laws.PARAMS, st.sampled_from(laws.SETTINGS))(
        check))
    soup = config(given(laws.RECORDS, laws.QUERY_TEXTS, st.none() | laws.json_texts(),
                        st.none() | laws.json_texts())(
        laws.test_operator_soup_in_query_sort_and_fields.hypothesis.inner_test))
    end, runs = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        broad()
        soup()
        runs += 2 * batch
        print(f"{runs:,} examples, {max(0, end - time.monotonic()) / 60:.1f} min left",
              flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--batch", type=int, default=2000, help="Hypothesis examples per batch")
    parser.add_argument("libfuzzer", nargs="*", help="extra libFuzzer flags (after --)")
    args = parser.parse_args(argv)
    seconds = max(1, int(args.minutes * 60))
    atheris = _atheris() if args.engine != "hypothesis" else None
    if args.engine == "atheris" and atheris is None:
        print("atheris is not installed (pip install atheris)", file=sys.stderr)
        return 2
    if atheris is not None:
        return run_atheris(atheris, seconds, args.libfuzzer)
    return run_hypothesis(seconds, args.batch)


if __name__ == "__main__":
    sys.exit(main())
