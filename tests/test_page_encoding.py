"""A page written straight from the records to JSON text is the reference page, byte for byte.

The reference is the page as ``to_json_value`` copies it and ``Response.json`` encodes it; the
direct encoder (``responses.page``) must give the same text and the same body for every record,
charge the same work, and never change or alias the records.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pytest
from bson import SON, Binary, Decimal128, Int64, ObjectId
from bson.tz_util import FixedOffset
from bson.tz_util import utc as bson_utc
from hypothesis import given
from hypothesis import strategies as st
from mql.strategies import bson_documents  # tests/ is on sys.path, as for store_strategies
from store_strategies import records as odd_records

from integrations_core.mql import compile_projection
from integrations_core.mql.budget import COPY_VALUE, Meter, charge, metered
from integrations_core.mql.documents import RecordError, document_values
from integrations_core.responses import Response, page, success, to_json_value
from integrations_core.testing.strategies import integration_records


class Label(str):
    """A str subclass (a str Enum would be one)."""


class Alias(str):
    """A str subclass equal to no str: a dict may hold it beside the str it spells."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


_ZONES = (dt.timezone.utc, bson_utc, FixedOffset(-300, "-05:00"),
          zoneinfo.ZoneInfo("Europe/Paris"), dt.timezone(dt.timedelta(hours=5, minutes=30)))
_DATES = st.builds(lambda d, z: d.replace(tzinfo=z), st.datetimes(),
                   st.sampled_from((None, *_ZONES)))
def nested(depth: int, list_inside: bool = False) -> Any:
    """A value ``depth`` containers deep (a record takes at most MAX_NESTING levels), dicts and
    lists in turn, the innermost a list of scalars if ``list_inside``."""
    value: Any = 1
    for level in range(depth):
        value = [value] if level % 2 != list_inside else {"n": value}
    return value


CAREFUL = [
    1.0, -0.0, 1e21, 2.5, float("nan"), float("inf"), Decimal("1.5"), Decimal128("2.50"),
    Int64(7), 2**80, True, b"\x00\xff", Binary(b"ab", 5), ObjectId("65a1b2c3d4e5f60718293a4b"),
    uuid.UUID(int=5), Label("label"), "lone \ud800 surrogate", "\ud83d\ude00 pair", "é", (1, "a"),
    {"$ref": "users", "$id": 1, "$db": "rc", "x": 1}, {"$ref": 1}, {1: "int key"},
    {"a": 1, Alias("a"): 2}, {Label("b"): 3},
    SON([("a", 1)]), dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-1))),
    nested(97), nested(98), nested(99), nested(100),
    *(nested(depth, list_inside=True) for depth in (97, 98, 99, 100)),
]
"""Values that need care (and near misses): numbers JavaScript writes otherwise, bson types,
strings that are not plain str, surrogates, DBRef-like documents, keys that are not strings."""
_CAREFUL = st.sampled_from(CAREFUL)
_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=4),
              _DATES, _CAREFUL),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                  max_size=3),
    max_leaves=6,
)
_TWEAKED = st.builds(
    lambda record, key, value: {**record, key: value},
    integration_records(min_size=1, max_size=1).map(lambda rs: rs[0]),
    st.sampled_from(["name", "_createdAt", "extra", "_createdBy"]), _CAREFUL | _VALUES,
)
RECORDS = st.one_of(
    integration_records(max_size=6),
    st.lists(odd_records(), max_size=4),
    st.lists(bson_documents(), max_size=4),
    st.lists(_TWEAKED | integration_records(min_size=1, max_size=1).map(lambda rs: rs[0]),
             max_size=6),
    st.lists(st.dictionaries(st.text(max_size=3), _VALUES, max_size=4).map(SON), max_size=2),
)
SHAPES: list[Callable[[Mapping[str, Any]], Mapping[str, Any]] | None] = [
    None, compile_projection({"_createdBy": 0}), compile_projection({"name": 1, "extra": 1}),
]


def typed(value: Any) -> Any:
    """``value`` with every type spelled out (``1``, ``1.0`` and ``True`` differ)."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


def reference(records: list[Any], shape: Any, offset: int, total: int) -> Response:
    """The page as it was built before the direct encoder: charge, shape, copy."""
    docs = []
    for record in records:
        charge(COPY_VALUE * document_values(record))
        docs.append(to_json_value(shape(record) if shape else record))
    return success(docs, offset, total)


def _check(records: list[Any], shape: Any, offset: int, total: int) -> None:
    before = repr(records)
    with metered(Meter(10**12)) as theirs:
        try:
            expected = reference(records, shape, offset, total)
        except RecordError as exc:  # a key that is not a string: refused alike
            with pytest.raises(RecordError, match=re.escape(str(exc))):
                page(records, shape, offset, total)
            return
    with metered(Meter(10**12)) as ours:
        got = page(records, shape, offset, total)
    assert ours.spent == theirs.spent
    assert (got.status, got.headers) == (expected.status, expected.headers)
    try:
        text = expected.json()
    except ValueError:  # an int too long to write: the page must refuse it too, when asked
        with pytest.raises(ValueError):
            got.json()
    else:
        assert got.json() == text
    assert typed(got.body) == typed(expected.body)
    assert repr(records) == before  # never changed
    for record, doc in zip(records, got.body["integrations"], strict=True):
        assert doc is not record


@pytest.mark.parametrize("value", CAREFUL, ids=repr)
def test_each_value_that_needs_care_is_written_as_the_reference_writes_it(value: Any) -> None:
    plain = {"_id": "a", "name": "plain", "_createdAt": dt.datetime(2024, 1, 1)}
    for holder in (value, [1, value], {"x": value}):
        _check([plain, {**plain, "extra": holder}, plain], None, 0, 3)


@given(records=RECORDS, shape=st.sampled_from(SHAPES), offset=st.integers(0, 9),
       total=st.integers(0, 99))
def test_direct_page_is_the_reference_page(records: list[Any], shape: Any, offset: int,
                                           total: int) -> None:
    _check(records, shape, offset, total)


def test_a_written_page_behaves_as_any_response() -> None:
    records = [{"_id": "a", "name": "plain", "_createdAt": dt.datetime(2024, 1, 1)}]
    written, copied = page(records, None, 0, 1), reference(records, None, 0, 1)
    assert written == copied and pickle.loads(pickle.dumps(written)) == copied
    assert repr(written) == repr(copied)
    with pytest.raises(AttributeError):
        written.status = 500  # type: ignore[misc]
    assert written.body is written.body  # read back once
    written.body["total"] = 7  # a body is a dict a caller may change, and json() writes it
    assert written.json() == copied.json().replace('"total":1', '"total":7')
