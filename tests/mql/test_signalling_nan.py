"""Decimal's signalling NaN raises on comparison in Python; MongoDB treats any NaN as NaN.

Regression: compile_filter and compiled predicates raised decimal.InvalidOperation.
NaN semantics: jstests/core/nan.js (NaN equals NaN, other comparisons with it are false).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from integrations_core.mql import compile_filter

SNAN = Decimal("sNaN")
VALUES = [SNAN, Decimal("NaN"), 1, float("nan"), [SNAN], {"b": SNAN}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Extended JSON has no signalling NaN ("sNaN" is not a $numberDecimal string: BSON
        # corpus decimal128-7 "0sNaN"), so the Python value stands in the query.
        ({"a": {"$gt": SNAN}}, [False, False, False, False, False, False]),
        ({"a": {"$gte": SNAN}}, [True, True, False, True, True, False]),
        ({"a": {"$eq": SNAN}}, [True, True, False, True, True, False]),
        ({"a": 1}, [False, False, True, False, False, False]),
        ({"a": {"$in": [1, "x"]}}, [False, False, True, False, False, False]),
        ({"a": {"$mod": [2, 1]}}, [False, False, True, False, False, False]),
        ({"a": {"$exists": SNAN}}, [True] * 6),
        ({"a": {"b": SNAN}}, [False, False, False, False, False, True]),
    ],
)
def test_signalling_nan_never_raises(query: dict[str, Any], expected: list[bool]) -> None:
    match = compile_filter(query)
    assert [match({"a": v}) for v in VALUES] == expected


def test_float_nan_against_decimal_operand() -> None:
    """Python raises when ordering Decimal against NaN; MongoDB: comparisons with NaN are false."""
    match = compile_filter({"a": {"$gt": {"$numberDecimal": "1"}}})
    assert [match({"a": v}) for v in (float("nan"), 2, 0.5, Decimal("1.5"))] == [False, True, False, True]


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ({"a": {"$mod": [10**400, 1]}}, "a.$mod[0]"),
        ({"a": {"$size": 10**400}}, "a.$size"),
        ({"a": {"$type": 10**400}}, "a.$type"),
        ({"a": {"$mod": [Decimal("1e400"), 1]}}, "a.$mod[0]"),
    ],
)
def test_huge_numeric_operands_are_query_errors(query: dict[str, Any], path: str) -> None:
    from integrations_core.mql import QueryError

    with pytest.raises(QueryError) as info:
        compile_filter(query)
    assert info.value.path == path


def test_aware_datetimes_at_the_edge_of_the_range() -> None:
    import datetime as dt

    east = dt.timezone(dt.timedelta(hours=5))
    match = compile_filter({"d": {"$lt": dt.datetime(2000, 1, 1)}})
    assert match({"d": dt.datetime(1, 1, 1, tzinfo=east)})
