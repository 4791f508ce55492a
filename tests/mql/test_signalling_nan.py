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
        ({"a": {"$gt": {"$numberDecimal": "sNaN"}}}, [False, False, False, False, False, False]),
        ({"a": {"$gte": {"$numberDecimal": "sNaN"}}}, [True, True, False, True, True, False]),
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
