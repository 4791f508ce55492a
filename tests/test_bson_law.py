"""Laws over random BSON values: pymongo's values and the engine's are the same BSON values.

Rule (docs/semantics.md "BSON values"): a record built from pymongo's ``bson`` values and the
same record built from the engine's native values (``Decimal`` for ``Decimal128``,
``values.ObjectId`` for ``bson.ObjectId``, a ``uuid.UUID`` for a subtype-4 ``Binary``, a
``datetime`` for a ``DatetimeMS`` in range, a ``{$ref, $id}`` document for a ``DBRef``, ...)
answer every query the same way, whichever of the two forms the query's values take, and sort
the same. And no record of bson values makes ``list_integrations`` raise, whatever it is asked.

``BSON_LAW_EXAMPLES`` sets the number of examples (default 150).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from decimal import Decimal
from typing import Any

from bson import json_util
from bson.binary import Binary as BsonBinary
from bson.code import Code as BsonCode
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64 as BsonInt64
from bson.max_key import MaxKey as BsonMaxKey
from bson.min_key import MinKey as BsonMinKey
from bson.objectid import ObjectId as BsonObjectId
from bson.regex import Regex as BsonRegex
from bson.son import SON
from bson.timestamp import Timestamp as BsonTimestamp
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from integrations_core import Caller, list_integrations
from integrations_core.mql import QueryError, compile_filter, compile_sort
from integrations_core.mql import values as v

EXAMPLES = hsettings(max_examples=int(os.environ.get("BSON_LAW_EXAMPLES", "150")),
                     deadline=None, suppress_health_check=[HealthCheck.too_slow])
EPOCH = dt.datetime(1970, 1, 1)
DECIMALS = ["0", "-0", "1", "1.0", "2.00", "-1", "0.1", "0.3", "1E+3", "NaN", "Infinity",
            "-Infinity", "12345678901234567890.12345678901234"]

Spec = tuple[Any, ...]

scalars: st.SearchStrategy[Spec] = st.one_of(
    st.tuples(st.just("int"), st.integers(-5, 5)),
    st.tuples(st.just("long"), st.integers(-(2**63), 2**63 - 1) | st.integers(-5, 5)),
    st.tuples(st.just("double"), st.sampled_from([0.0, -0.0, 1.0, 0.5, 0.1, 0.3, -1.0, 2.0,
                                                  float("nan"), float("inf"), 1e300])),
    st.tuples(st.just("decimal"), st.sampled_from(DECIMALS)),
    st.tuples(st.just("str"), st.sampled_from(["", "a", "b", "ab", "é"])),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("null")),
    st.tuples(st.just("oid"), st.binary(min_size=12, max_size=12)),
    st.tuples(st.just("bin"), st.sampled_from([0, 3, 5, 0x80]), st.binary(max_size=3)),
    st.tuples(st.just("uuid"), st.sampled_from([uuid.UUID(int=1), uuid.UUID(int=2)])),
    st.tuples(st.just("date"), st.integers(-(10**12), 10**13)),
    st.tuples(st.just("ts"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("minkey")), st.tuples(st.just("maxkey")),
    st.tuples(st.just("regex"), st.sampled_from(["^a", "b"]), st.sampled_from(["", "i"])),
    st.tuples(st.just("dbref"), st.sampled_from(["c", "d"]), st.integers(0, 2)),
)
values: st.SearchStrategy[Spec] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.tuples(st.just("array"), st.lists(inner, max_size=3)),
        st.tuples(st.just("doc"), st.dictionaries(st.sampled_from(["a", "b", "0"]), inner,
                                                  max_size=3)),
    ),
    max_leaves=6,
)
codes = st.tuples(st.just("code"), st.sampled_from(["f()", "g()"]),
                  st.none() | st.just({"x": 1}))


def render(spec: Spec, pymongo: bool) -> Any:
    """The value ``spec`` stands for, as pymongo holds it or as the engine does."""
    kind, *args = spec
    if kind in ("int", "str", "bool"):
        return args[0]
    if kind == "null":
        return None
    if kind == "double":
        return float(args[0])
    if kind == "long":
        return BsonInt64(args[0]) if pymongo else v.Int64(args[0])
    if kind == "decimal":
        return Decimal128(args[0]) if pymongo else Decimal(args[0])
    if kind == "oid":
        return BsonObjectId(args[0]) if pymongo else v.ObjectId(args[0])
    if kind == "bin":
        subtype, data = args
        if pymongo:
            return BsonBinary(data, subtype)
        return data if subtype == 0 else v.Binary(data, subtype)
    if kind == "uuid":
        return BsonBinary(args[0].bytes, 4) if pymongo else args[0]
    if kind == "date":
        return DatetimeMS(args[0]) if pymongo else EPOCH + dt.timedelta(milliseconds=args[0])
    if kind == "ts":
        return BsonTimestamp(*args) if pymongo else v.Timestamp(*args)
    if kind == "minkey":
        return BsonMinKey() if pymongo else v.MinKey()
    if kind == "maxkey":
        return BsonMaxKey() if pymongo else v.MaxKey()
    if kind == "regex":
        return BsonRegex(*args) if pymongo else v.Regex(*args)
    if kind == "code":
        return BsonCode(args[0], args[1]) if pymongo else v.Code(args[0], args[1])
    if kind == "dbref":
        return DBRef(args[0], args[1]) if pymongo else {"$ref": args[0], "$id": args[1]}
    if kind == "array":
        return [render(item, pymongo) for item in args[0]]
    items = [(key, render(item, pymongo)) for key, item in args[0].items()]
    return SON(items) if pymongo else dict(items)


PATHS = ["a", "a.b", "a.0", "a.$id", "b"]
COMPARISONS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]


@st.composite
def queries(draw: st.DrawFn) -> tuple[Spec, ...]:
    """A query as specs: (path, operator, operand spec or argument)."""
    path = draw(st.sampled_from(PATHS))
    op = draw(st.sampled_from([*COMPARISONS, "$in", "$nin", "$all", "$type", "$exists",
                               "$mod", "$size", "$elemMatch", "$not", "implicit"]))
    no_regex = scalars.filter(lambda s: s[0] != "regex")
    if op in COMPARISONS:
        return (path, op, draw(no_regex if op in ("$ne", "$gt", "$gte", "$lt", "$lte")
                               else values))
    if op in ("$in", "$nin", "$all"):
        return (path, op, ("array", draw(st.lists(scalars, min_size=1, max_size=3))))
    if op == "$type":
        return (path, op, draw(st.sampled_from(["number", "long", "decimal", "binData", "date",
                                                "object", "regex", "javascript", "minKey"])))
    if op == "$exists":
        return (path, op, draw(st.booleans()))
    if op == "$mod":
        return (path, op, draw(st.sampled_from([2, 3])), draw(st.sampled_from([0, 1])))
    if op == "$size":
        return (path, op, draw(st.integers(0, 2)))
    if op == "$elemMatch":
        return (path, op, draw(no_regex))
    if op == "$not":
        return (path, op, draw(no_regex))
    return (path, op, draw(values))


def query_of(spec: tuple[Any, ...], pymongo: bool) -> dict[str, Any]:
    path, op, *args = spec
    if op in ("$type", "$exists", "$size"):
        return {path: {op: args[0]}}
    if op == "$mod":
        return {path: {"$mod": [BsonInt64(args[0]) if pymongo else args[0], args[1]]}}
    operand = render(args[0], pymongo)
    if op == "implicit":
        return {path: operand}
    if op == "$elemMatch":
        return {path: {"$elemMatch": {"$gte": operand}}}
    if op == "$not":
        return {path: {"$not": {"$lte": operand}}}
    return {path: {op: operand}}


def compile_or_none(query: dict[str, Any]) -> Any:
    try:
        return compile_filter(query)
    except QueryError:
        return None


@EXAMPLES
@given(st.lists(values, min_size=1, max_size=4), queries())
def test_bson_and_native_records_answer_alike(docs: list[Spec], query: tuple[Any, ...]) -> None:
    native = [{"_id": i, "a": render(d, False)} for i, d in enumerate(docs)]
    pymongo = [{"_id": i, "a": render(d, True)} for i, d in enumerate(docs)]
    native_query = compile_or_none(query_of(query, False))
    pymongo_query = compile_or_none(query_of(query, True))
    assert (native_query is None) == (pymongo_query is None)
    if native_query is None:
        return
    answers = {tuple(m(r) for r in records)
               for m in (native_query, pymongo_query) for records in (native, pymongo)}
    assert len(answers) == 1, answers


@EXAMPLES
@given(st.lists(values, min_size=1, max_size=5))
def test_bson_and_native_records_sort_alike(docs: list[Spec]) -> None:
    order = compile_sort([("a", 1), ("_id", 1)])
    native = [{"_id": i, "a": render(d, False)} for i, d in enumerate(docs)]
    pymongo = [{"_id": i, "a": render(d, True)} for i, d in enumerate(docs)]
    assert [r["_id"] for r in order.sorted(native)] == [r["_id"] for r in order.sorted(pymongo)]


@EXAMPLES
@given(st.lists(st.one_of(values, codes), min_size=1, max_size=4), queries(),
       st.sampled_from([None, '{"a": 1}', '{"a": -1}', '{"a.b": 1}']),
       st.sampled_from([None, '{"a": 1}', '{"a.b": 0}', '{"c": 0}']), st.booleans())
def test_no_bson_record_makes_the_listing_raise(docs: list[Spec], query: tuple[Any, ...],
                                                sort: str | None, fields: str | None,
                                                pymongo: bool) -> None:
    code = BsonCode("x", {"s": 1}) if pymongo else v.Code("x", {"s": 1})
    records = [{"_id": i, "type": "webhook-incoming", "a": render(d, pymongo), "c": code}
               for i, d in enumerate(docs)]
    params = {"query": json_util.dumps(query_of(query, True))}
    if sort:
        params["sort"] = sort
    if fields:
        params["fields"] = fields
    response = list_integrations(records, Caller("u", {"manage-incoming-integrations"}), params)
    assert response.status in (200, 400)
    json.loads(response.json())
