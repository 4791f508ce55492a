"""Extended JSON decoding: https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/"""

from __future__ import annotations

import copy
import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest
from bson.tz_util import FixedOffset
from hypothesis import given
from hypothesis import strategies as st

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


_US = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1)
_ZONES = st.one_of(
    st.timezones(),  # zoneinfo
    st.builds(dt.timezone, st.timedeltas(dt.timedelta(hours=-23, minutes=-59),
                                         dt.timedelta(hours=23, minutes=59))),
    st.builds(FixedOffset, st.integers(-23 * 60, 23 * 60), st.just("bson")),  # pymongo tz_aware
)


@given(st.datetimes(timezones=_ZONES) | st.datetimes(timezones=_ZONES, allow_imaginary=False).map(
    lambda d: d.replace(fold=1)))
def test_format_date_writes_the_utc_instant_of_any_zone(value: dt.datetime) -> None:
    offset = value.utcoffset()
    assert offset is not None
    micros = (value.replace(tzinfo=None) - _EPOCH) // _US - offset // _US
    # An instant past datetime's range is written as the range's end.
    lowest, highest = (dt.datetime.min - _EPOCH) // _US, (dt.datetime.max - _EPOCH) // _US
    u = _EPOCH + _US * min(max(micros, lowest), highest)
    assert format_date(value) == (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:"
                                  f"{u.minute:02d}:{u.second:02d}.{u.microsecond // 1000:03d}Z")


def test_format_date_pads_early_years() -> None:
    assert format_date(dt.datetime(999, 1, 2, 3, 4, 5, 6000)) == "0999-01-02T03:04:05.006Z"
