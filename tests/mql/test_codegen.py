"""Generated predicates are an optimisation only: they must agree with the closure tree."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from bson.tz_util import FixedOffset
from bson.tz_util import utc as bson_utc
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core.mql.budget import VALUE, Meter, metered
from integrations_core.mql.codegen import generate
from integrations_core.mql.filter import Compiler
from integrations_core.mql.limits import DEFAULT_LIMITS
from integrations_core.mql.tree import to_closure

KEYS = ["a", "b", "a.b", "a.0", "b.c"]
scalars = st.sampled_from(
    [None, True, False, 0, 1, 1.0, 2.5, float("nan"), "x", "y", "", "Xy", "éx", "ÉX", "sK",
     "\u212a", "ſx", dt.datetime(2024, 1, 1),
     dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), b"x"]
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "0"]), inner, max_size=3),
    max_leaves=8,
)
docs = st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3)
operand = scalars | st.lists(scalars, max_size=2)
ops = st.one_of(
    st.tuples(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), operand),
    st.tuples(st.sampled_from(["$in", "$nin"]), st.lists(scalars, max_size=3)),
    st.tuples(st.just("$exists"), st.booleans()),
    st.tuples(st.just("$size"), st.integers(0, 2)),
    st.tuples(st.just("$type"), st.sampled_from(["string", "number", "array", "null", "bool"])),
    st.tuples(st.just("$regex"), st.sampled_from(["^x", "x$", "y", "^X", "."])),
)
conditions = st.one_of(
    operand,
    st.lists(ops, min_size=1, max_size=2).map(dict),
    # Literal regexes (the engine-free forms: prefixes and substrings, caseless or not).
    st.builds(lambda pattern, options: {"$regex": pattern, "$options": options},
              st.sampled_from(["^x", "x", "^X", "é", "^É", "xy", "^ſ", "k"]),
              st.sampled_from(["", "i", "m"])),
)
queries: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), conditions, min_size=1, max_size=2),
    lambda inner: st.builds(lambda op, qs: {op: qs}, st.sampled_from(["$and", "$or", "$nor"]),
                            st.lists(inner, min_size=1, max_size=3)),
    max_leaves=4,
)


def assert_generated_agrees(query: dict[str, Any], batch: list[dict[str, Any]]) -> None:
    """The generated code answers as the closures do (the reference semantics) on ``batch``."""
    plan = Compiler(DEFAULT_LIMITS).plan(query, "")
    generated = generate(plan)
    assert generated is not None
    reference = to_closure(plan)
    for doc in batch:
        assert generated(doc) == reference(doc), (query, doc)


@settings(max_examples=400, deadline=None)
@given(query=queries, batch=st.lists(docs, min_size=1, max_size=6))
def test_generated_code_agrees_with_closures(query: dict[str, Any], batch: list[dict[str, Any]]) -> None:
    assert_generated_agrees(query, batch)


def _spent(pred: Any, doc: dict[str, Any]) -> int:
    meter = Meter(10**15)
    with metered(meter):
        pred(doc)
    return meter.spent


@settings(max_examples=300, deadline=None)
@given(query=queries, doc=docs)
def test_generated_code_charges_no_more_than_the_closures(query: dict[str, Any],
                                                          doc: dict[str, Any]) -> None:
    # Generated code may settle an array by testing it whole, where the closures also visit
    # its elements; it never does (or charges) more.
    plan = Compiler(DEFAULT_LIMITS).plan(query, "")
    generated = generate(plan)
    assert generated is not None
    assert _spent(generated, doc) <= _spent(to_closure(plan), doc), (query, doc)


# The budget's cost model (docs/security.md, "Work budget"): every value a test visits beyond
# a path's first is charged VALUE as it is visited, by generated code as by the closures.
ELEMENTS = [f"e{i}" for i in range(100)]


@pytest.mark.parametrize(("query", "doc"), [
    ({"a": "e99"}, {"a": ELEMENTS}),
    ({"a": "absent"}, {"a": ELEMENTS}),
    ({"a": {"$in": ["absent", "e50"]}}, {"a": ELEMENTS}),
    ({"a": True}, {"a": [False] * 100}),
    ({"a": 7}, {"a": list(range(100))}),
])
def test_an_array_tested_element_by_element_is_charged_per_element(
        query: dict[str, Any], doc: dict[str, Any]) -> None:
    plan = Compiler(DEFAULT_LIMITS).plan(query, "")
    generated = generate(plan)
    assert generated is not None
    charged = _spent(generated, doc)
    assert charged == _spent(to_closure(plan), doc)
    assert charged >= VALUE * len(doc["a"])


PARIS, NEW_YORK = zoneinfo.ZoneInfo("Europe/Paris"), zoneinfo.ZoneInfo("America/New_York")
ZONES = (dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)), bson_utc,
         FixedOffset(330, "+05:30"), PARIS, NEW_YORK)
"""The tzinfo kinds records hold: datetime's own, pymongo's ``tz_aware`` and ``zoneinfo``."""
INSTANTS = (
    dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 0, 0, 1), dt.datetime(2024, 1, 1, 0, 0, 0, 999),
    dt.datetime(2024, 1, 1, 0, 0, 0, 1000), dt.datetime(2023, 10, 29, 0, 30),
    dt.datetime(2023, 10, 29, 1, 30), dt.datetime(2024, 3, 31, 0, 30), dt.datetime(2024, 3, 31, 1, 30),
    dt.datetime.min, dt.datetime.max, dt.datetime.max - dt.timedelta(microseconds=1),
)
"""Naive UTC instants close to each other (a microsecond, a millisecond apart), on both sides of
Paris's DST changes (its fold and gap at 02:30 local time) and at datetime's ends."""
EDGE_DATES = (
    dt.datetime(2023, 10, 29, 2, 30, tzinfo=PARIS),  # in the fold: UTC 00:30 ...
    dt.datetime(2023, 10, 29, 2, 30, fold=1, tzinfo=PARIS),  # ... or 01:30
    dt.datetime(2024, 3, 31, 2, 30, tzinfo=PARIS),  # in the gap: UTC 01:30 ...
    dt.datetime(2024, 3, 31, 2, 30, fold=1, tzinfo=PARIS),  # ... or 00:30
    # Past datetime's range once in UTC: the engine clamps them to datetime.max / datetime.min.
    dt.datetime.max.replace(tzinfo=dt.timezone(-dt.timedelta(hours=1))),
    dt.datetime.max.replace(tzinfo=FixedOffset(-60, "-01:00")),
    dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.datetime.min.replace(tzinfo=PARIS),
)


def _in_zone(instant: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    if zone is None:
        return instant
    try:
        return instant.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    except OverflowError:
        return instant.replace(tzinfo=zone)


dates = st.one_of(
    st.builds(_in_zone, st.sampled_from(INSTANTS), st.sampled_from((None, *ZONES))),
    st.sampled_from(EDGE_DATES),
)
date_conditions = st.one_of(
    dates,
    st.dictionaries(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), dates,
                    min_size=1, max_size=2),
    st.builds(lambda op, ds: {op: ds}, st.sampled_from(["$in", "$nin"]), st.lists(dates, max_size=3)),
    st.builds(lambda low, a, high, b: {low: a, high: b}, st.sampled_from(["$gt", "$gte"]), dates,
              st.sampled_from(["$lt", "$lte"]), dates),  # a range
)
date_ranges = st.builds(lambda ops, a, b: dict(zip(ops, (a, b), strict=True)),
                        st.permutations(["$gt", "$gte", "$lt", "$lte"]).map(lambda ops: ops[:2]),
                        dates, dates)
date_values = dates | st.lists(dates, max_size=2) | st.sampled_from([None, "x", 1])


@settings(max_examples=400, deadline=None)
@given(query=st.dictionaries(st.sampled_from(["a", "a.b"]), date_conditions, min_size=1, max_size=2),
       batch=st.lists(st.fixed_dictionaries({"a": date_values})
                      | st.fixed_dictionaries({"a": st.fixed_dictionaries({"b": date_values})})
                      | st.just({}), min_size=1, max_size=6))
def test_generated_date_tests_agree_with_closures_in_every_zone(
        query: dict[str, Any], batch: list[dict[str, Any]]) -> None:
    assert_generated_agrees(query, batch)


@settings(max_examples=200, deadline=None)
@given(condition=date_ranges, values=st.lists(dates, min_size=1, max_size=8))
def test_generated_date_ranges_agree_with_closures_in_every_zone(
        condition: dict[str, Any], values: list[dt.datetime]) -> None:
    plan = Compiler(DEFAULT_LIMITS).plan({"a": condition}, "")
    generated = generate(plan)
    assert generated is not None
    reference = to_closure(plan)
    for value in values:
        assert generated({"a": value}) == reference({"a": value}), (condition, value)


def test_large_queries_are_not_cached_small_ones_are() -> None:
    from integrations_core.mql import compile_filter
    from integrations_core.mql.filter import CACHED_MAX_NODES

    small = {"a": {"$in": ["x", "y"]}}
    assert compile_filter(small).__code__ is compile_filter(dict(small)).__code__
    large = {"a": {"$in": [str(i) for i in range(CACHED_MAX_NODES)]}}
    first, second = compile_filter(large), compile_filter(large)
    assert first.__code__ is not second.__code__
    assert first({"a": "7"}) and second({"a": "7"}) and not first({"a": "x"})


@pytest.mark.parametrize(("pattern", "options"), [("x$", ""), ("^X", "i"), ("a.c", ""), ("é", "i")])
def test_a_regex_call_is_charged_as_the_closures_charge_it(pattern: str, options: str) -> None:
    # docs/security.md: each regex call is charged its fixed part plus its bound per character
    # of the subject, before it runs; the inline form reads the meter itself.
    plan = Compiler(DEFAULT_LIMITS).plan({"a": {"$regex": pattern, "$options": options}}, "")
    generated = generate(plan)
    assert generated is not None
    for subject in ("", "x" * 10, "abc" * 100):
        charged = _spent(generated, {"a": subject})
        assert charged == _spent(to_closure(plan), {"a": subject}) > 0


# The engine-free literal forms written inline (regex.literal): caseless matching is PCRE2's
# Unicode simple folding (docs/semantics.md, "$regex"), KELVIN SIGN and LONG S included.
@pytest.mark.parametrize(("pattern", "options", "subject", "expected"), [
    ("^x", "i", "Xy", True), ("^x", "i", "yX", False), ("x", "i", "aX", True),
    ("^é", "i", "Éa", True), ("k", "i", "\u212a", True), ("^s", "i", "ſ", True),
    ("^x", "", "Xy", False), ("^x", "", "xy", True), ("y", "", "xy", True), ("y", "", "Y", False),
    ("^É", "i", "éa", True), ("^ß", "i", "SS", False),
])
def test_inline_literal_regexes_match_as_their_functions(pattern: str, options: str,
                                                         subject: str, expected: bool) -> None:
    plan = Compiler(DEFAULT_LIMITS).plan({"a": {"$regex": pattern, "$options": options}}, "")
    generated = generate(plan)
    assert generated is not None
    assert generated({"a": subject}) is to_closure(plan)({"a": subject}) is expected
