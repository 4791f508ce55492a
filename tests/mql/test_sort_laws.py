"""Laws of the sort: BSON comparison is a total order, native sort keys agree with it, and
``sorted``/``top`` order documents as a comparator-based reference does."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from bson import Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Timestamp
from bson import Regex as BsonRegex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from integrations_core.mql.bson import Regex, compare
from integrations_core.mql.errors import QueryError
from integrations_core.mql.sort import compile_sort
from integrations_core.mql.sortkeys import sort_key

SETTINGS = settings(max_examples=200, deadline=None)

_tz = st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=-5)),
                       dt.timezone(dt.timedelta(hours=9, minutes=30))])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.5, -0.0, 1.0, 2.0, float("nan")]),
    st.decimals(allow_nan=False).filter(lambda d: not d.is_snan()),
    st.sampled_from([Decimal("NaN"), Decimal("1"), Decimal("-Infinity")]),
    st.builds(Int64, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    st.builds(Decimal128, st.sampled_from(["1", "-2.5", "NaN", "Infinity", "0.1"])),
    st.text(max_size=4),
    st.sampled_from(["", "a", "B", "ab", "é", "\U0001f600"]),
    st.binary(max_size=3),
    st.builds(Binary, st.binary(max_size=3), st.sampled_from([0, 4, 5, 128])),
    st.builds(ObjectId, st.binary(min_size=12, max_size=12)),
    st.builds(lambda d, tz: d.replace(tzinfo=tz), st.datetimes(), _tz),
    st.builds(Timestamp, st.integers(0, 5), st.integers(0, 5)),
    st.builds(BsonRegex, st.sampled_from(["a", "b", "^x"]), st.sampled_from([0, "i", "im"])),
    st.builds(Regex, st.sampled_from(["a", "b"]), st.sampled_from(["", "i"])),
    st.builds(re.compile, st.sampled_from(["a", "c"])),
    st.builds(MinKey),
    st.builds(MaxKey),
)
FIELDS = st.sampled_from(["a", "b", "c", "0"])
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELDS, inner, max_size=3),
    max_leaves=8,
)


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def native_cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


@SETTINGS
@given(values, values)
def test_compare_is_antisymmetric_and_reflexive(a: Any, b: Any) -> None:
    assert compare(a, a) == 0
    assert compare(a, b) == -compare(b, a)


@SETTINGS
@given(values, values, values)
def test_compare_is_transitive(a: Any, b: Any, c: Any) -> None:
    x, y, z = sorted([a, b, c], key=functools.cmp_to_key(compare))
    assert compare(x, y) <= 0 and compare(y, z) <= 0 and compare(x, z) <= 0
    if compare(x, y) == 0 and compare(y, z) == 0:
        assert compare(x, z) == 0


@SETTINGS
@given(values, values)
def test_sort_keys_order_values_as_compare_does(a: Any, b: Any) -> None:
    assert native_cmp(sort_key(a), sort_key(b)) == compare(a, b)


@SETTINGS
@given(values, values, values)
def test_sort_keys_are_a_total_order(a: Any, b: Any, c: Any) -> None:
    ka, kb, kc = sort_key(a), sort_key(b), sort_key(c)
    assert native_cmp(ka, kb) == -native_cmp(kb, ka)
    if ka <= kb and kb <= kc:
        assert ka <= kc


# --- documents ------------------------------------------------------------------------------

PATHS = ["a", "b", "a.b", "a.0", "c.d"]
docs_strategy = st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3),
                         max_size=12).map(lambda ds: [{"_id": i, **d} for i, d in enumerate(ds)])
specs = st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from([1, -1])), min_size=1,
                 max_size=3, unique_by=lambda p: p[0])


def _ids(docs: list[Mapping[str, Any]]) -> list[Any]:
    return [d["_id"] for d in docs]


@SETTINGS
@given(docs_strategy, specs)
def test_sorted_is_a_permutation_and_top_is_its_prefix(docs: list[dict[str, Any]],
                                                       spec: list[tuple[str, int]]) -> None:
    order = compile_sort(spec)
    try:
        full = order.sorted(docs)
    except QueryError:
        for k in range(1, len(docs) + 1):
            with pytest.raises(QueryError):
                order.top(docs, k)
        return
    assert sorted(_ids(full)) == _ids(docs)
    assert all(a is b for a, b in zip(full, order.sorted(docs), strict=True))
    for k in range(len(docs) + 2):
        assert _ids(order.top(docs, k)) == _ids(full)[:k]


@SETTINGS
@given(docs_strategy, specs)
def test_sorted_keys_are_in_order_and_ties_keep_input_order(docs: list[dict[str, Any]],
                                                            spec: list[tuple[str, int]]) -> None:
    order = compile_sort(spec)
    try:
        full = order.sorted(docs)
    except QueryError:
        return
    for before, after in itertools.pairwise(full):
        kb, ka = order.key(before), order.key(after)
        for x, y, (_, direction) in zip(kb, ka, spec, strict=True):
            if x != y:
                assert (x < y) == (direction > 0)
                break
        else:
            assert before["_id"] < after["_id"], "ties must keep input order"


_UNDEF = object()


def _reference_value(value: Any, ascending: bool) -> Any:
    if not isinstance(value, (list, tuple)):
        return value
    if not value:
        return _UNDEF
    pick = min if ascending else max
    return pick(value, key=functools.cmp_to_key(compare))


def _reference_compare(a: Any, b: Any) -> int:
    if a is _UNDEF or b is _UNDEF:
        rank_a = 3 if a is _UNDEF else sort_key(a)[0]
        rank_b = 3 if b is _UNDEF else sort_key(b)[0]
        return sign(rank_a - rank_b)
    return compare(a, b)


@SETTINGS
@given(st.lists(values, max_size=14), st.sampled_from([1, -1]), st.integers(0, 15))
def test_single_key_sort_matches_a_comparator_reference(column: list[Any], direction: int,
                                                        k: int) -> None:
    """Reference: Python's stable sort with bson.compare, an array's key being its smallest
    element ascending and largest descending, ``[]`` just below null (cursor.sort(), BSON
    comparison order)."""
    docs = [{"_id": i, "v": v} for i, v in enumerate(column)]
    asc = direction > 0
    ref_keys = {d["_id"]: _reference_value(d["v"], asc) for d in docs}
    cmp = functools.cmp_to_key(lambda x, y: _reference_compare(ref_keys[x], ref_keys[y]))
    expected = sorted(ref_keys, key=cmp, reverse=not asc)
    order = compile_sort({"v": direction})
    assert _ids(order.sorted(docs)) == expected
    assert _ids(order.top(docs, k)) == expected[:k]


@SETTINGS
@given(st.lists(scalars, max_size=12))
def test_descending_is_reversed_ascending_when_keys_are_distinct(column: list[Any]) -> None:
    distinct: list[Any] = []
    for v in column:
        if all(compare(v, seen) != 0 for seen in distinct):
            distinct.append(v)
    assume(len(distinct) >= 2)
    docs = [{"_id": i, "v": v} for i, v in enumerate(distinct)]
    up = _ids(compile_sort({"v": 1}).sorted(docs))
    down = _ids(compile_sort({"v": -1}).sorted(docs))
    assert down == list(reversed(up))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["x", "y", "z"]), st.integers(0, 3),
                          st.sampled_from(["p", "q"])), max_size=40),
       st.lists(st.sampled_from([1, -1]), min_size=3, max_size=3), st.integers(0, 45))
def test_mixed_directions_match_stable_passes(rows: list[tuple[str, int, str]],
                                              directions: list[int], k: int) -> None:
    """Reference: Python's documented multi-pass stable sort, last key first."""
    docs = [{"_id": i, "s": s, "n": n, "t": t} for i, (s, n, t) in enumerate(rows)]
    fields = ["s", "n", "t"]
    expected = list(docs)
    for field, direction in reversed(list(zip(fields, directions, strict=True))):
        expected.sort(key=lambda d, f=field: d[f], reverse=direction < 0)
    order = compile_sort(list(zip(fields, directions, strict=True)))
    assert _ids(order.sorted(docs)) == _ids(expected)
    assert _ids(order.top(docs, k)) == _ids(expected)[:k]


NATIVE_COLUMNS = st.one_of(
    st.lists(st.integers(0, 30), min_size=16, max_size=150),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(-5, 5), st.just(float("nan"))),
             min_size=16, max_size=150),
    st.lists(st.text(alphabet="abAB", max_size=3), min_size=16, max_size=150),
    st.lists(st.booleans(), min_size=16, max_size=150),
    st.lists(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2020, 1, 3)),
             min_size=16, max_size=150),
)


@SETTINGS
@given(NATIVE_COLUMNS, st.sampled_from([1, -1]), st.data())
def test_top_k_on_columns_of_one_type(column: list[Any], direction: int,
                                      data: st.DataObject) -> None:
    """Large pages and small ones (heap and full sort) over a column of one native type agree
    with a stable sort under bson.compare; NaN sorts below every other number."""
    docs = [{"_id": i, "v": v} for i, v in enumerate(column)]
    cmp = functools.cmp_to_key(compare)
    expected = _ids(sorted(docs, key=lambda d: cmp(d["v"]), reverse=direction < 0))
    order = compile_sort({"v": direction})
    assert _ids(order.sorted(docs)) == expected
    for k in {0, 1, 2, 3, len(docs) // 8, len(docs) // 3, data.draw(st.integers(0, 160))}:
        assert _ids(order.top(docs, k)) == expected[:k], k
    two = compile_sort({"v": direction, "_id": direction})
    expected_two = _ids(sorted(docs, key=lambda d: (cmp(d["v"]), d["_id"]), reverse=direction < 0))
    assert _ids(two.top(docs, 5)) == expected_two[:5]
    mixed = compile_sort({"v": direction, "_id": -direction})
    expected_mixed = [d["_id"] for d in sorted(sorted(docs, key=lambda d: d["_id"],
                                                      reverse=direction > 0),
                                               key=lambda d: cmp(d["v"]), reverse=direction < 0)]
    nested = compile_sort({"w.v": direction})
    wrapped = [{"_id": d["_id"], "w": {"v": d["v"]}} for d in docs]
    for k in (1, 2, len(docs) // 8, len(docs)):
        assert _ids(mixed.top(docs, k)) == expected_mixed[:k]
        assert _ids(nested.top(wrapped, k)) == expected[:k]
