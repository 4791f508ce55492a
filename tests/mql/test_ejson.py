"""Extended JSON decoding: https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/"""

from __future__ import annotations

import copy
import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

from integrations_core.mql import QueryError, compile_filter
from integrations_core.mql.bson import Regex
from integrations_core.mql.ejson import decode, format_date

EJSON = "https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/"
METEOR = "https://docs.meteor.com/api/ejson.html"


@pytest.mark.parametrize(
    ("value", "expected", "source"),
    [
        ({"$date": "2024-01-01T00:00:00Z"}, dt.datetime(2024, 1, 1), EJSON),
        ({"$date": "2024-01-01T01:30:00.250+01:30"}, dt.datetime(2024, 1, 1, 0, 0, 0, 250000), EJSON),
        ({"$date": {"$numberLong": "1704067200000"}}, dt.datetime(2024, 1, 1), EJSON),
        ({"$date": 1704067200000}, dt.datetime(2024, 1, 1), METEOR),
        ({"$date": -1000}, dt.datetime(1969, 12, 31, 23, 59, 59), EJSON),
        ({"$numberInt": "-7"}, -7, EJSON),
        ({"$numberLong": "9223372036854775807"}, 2**63 - 1, EJSON),
        ({"$numberDouble": "1.5"}, 1.5, EJSON),
        ({"$numberDouble": "-Infinity"}, -math.inf, EJSON),
        ({"$numberDecimal": "1.10"}, Decimal("1.10"), EJSON),
        ({"$regularExpression": {"pattern": "^a", "options": "i"}}, Regex("^a", "i"), EJSON),
        ({"$regexp": "^a", "$flags": "im"}, Regex("^a", "im"), METEOR),
        ({"$regexp": "^a"}, Regex("^a", ""), METEOR),
        ({"a": [{"$numberInt": "1"}, {"b": {"$numberLong": "2"}}]}, {"a": [1, {"b": 2}]}, EJSON),
    ],
)
def test_decode(value: Any, expected: Any, source: str) -> None:
    before = copy.deepcopy(value)
    assert decode(value) == expected, source
    assert value == before


def test_nan() -> None:
    assert math.isnan(decode({"$numberDouble": "NaN"}))


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"$date": "yesterday"}, "$date"),
        ({"$date": True}, "$date"),
        ({"$date": 10**20}, "$date"),
        ({"$date": "2024-13-01T00:00:00Z"}, "$date"),
        ({"$numberInt": "2147483648"}, "$numberInt"),
        ({"$numberInt": 5}, "$numberInt"),
        ({"$numberLong": "1e3"}, "$numberLong"),
        ({"$numberDouble": "nan"}, "$numberDouble"),
        ({"$numberDecimal": "abc"}, "$numberDecimal"),
        ({"$regularExpression": {"pattern": "a"}}, "$regularExpression"),
        ({"$regularExpression": {"pattern": "a", "options": "q"}}, "$regularExpression.options"),
        ({"a": [{"$regexp": 1}]}, "a[0].$regexp"),
        # bson-corpus top.json "Bad $date (extra field)": a wrapper has exactly its own keys
        ({"$date": "2024-01-01T00:00:00Z", "x": 1}, "$date"),
    ],
)
def test_decode_rejects(value: Any, path: str) -> None:
    with pytest.raises(QueryError) as info:
        decode(value)
    assert info.value.path == path


def test_query_dates_compare_with_datetimes() -> None:
    match = compile_filter({"_createdAt": {"$gt": {"$date": "2024-01-01T00:00:00Z"}}})
    assert match({"_createdAt": dt.datetime(2024, 1, 2)})
    assert match({"_createdAt": dt.datetime(2024, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-1)))})
    assert not match({"_createdAt": dt.datetime(2023, 12, 31)})
    assert not match({"_createdAt": "2024-06-01T00:00:00Z"})


def test_format_date() -> None:
    aware = dt.datetime(2024, 1, 1, 2, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_date(aware) == "2024-01-01T00:00:00.123Z"
    assert format_date(dt.datetime(2017, 1, 5, 17, 6, 5, 660000)) == "2017-01-05T17:06:05.660Z"


def test_format_date_pads_early_years() -> None:
    assert format_date(dt.datetime(999, 1, 2, 3, 4, 5, 6000)) == "0999-01-02T03:04:05.006Z"
