"""Every BSON type pymongo produces, and the engine's own, with MongoDB's query semantics.

Comparison tables come from the server's jstests (each row names its file):
jstests/decimal/decimal_find_mixed.js, decimal_find_query.js, decimal_find_basic.js and
jstests/core/query/compare_long_double.js. Every collection is run twice: with the engine's
values (Decimal, values.Int64, ...) and with pymongo's (Decimal128, bson.Int64, ...).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import bson
import pytest
from bson.binary import Binary as BsonBinary
from bson.code import Code as BsonCode
from bson.datetime_ms import DatetimeMS
from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.int64 import Int64 as BsonInt64
from bson.max_key import MaxKey as BsonMaxKey
from bson.min_key import MinKey as BsonMinKey
from bson.objectid import ObjectId as BsonObjectId
from bson.raw_bson import RawBSONDocument
from bson.regex import Regex as BsonRegex
from bson.son import SON
from bson.timestamp import Timestamp as BsonTimestamp

from integrations_core import Caller, list_integrations
from integrations_core.mql import QueryError, compile_filter, compile_sort
from integrations_core.mql import values as v

JSTESTS = "https://github.com/mongodb/mongo/blob/master/jstests/"
MIXED = JSTESTS + "decimal/decimal_find_mixed.js"
QUERY = JSTESTS + "decimal/decimal_find_query.js"
BASIC = JSTESTS + "decimal/decimal_find_basic.js"
LONG_DOUBLE = JSTESTS + "core/query/compare_long_double.js"
TYPE = "https://www.mongodb.com/docs/manual/reference/operator/query/type/"
ORDER = "https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/"
REGEX = "https://www.mongodb.com/docs/manual/reference/operator/query/regex/"
PARSER = "src/mongo/db/matcher/expression_parser.cpp"
NAN, INF = float("nan"), float("inf")

Maker = Callable[[str], Any]
ENGINE: dict[str, Maker] = {"decimal": Decimal, "long": lambda s: v.Int64(int(s))}
PYMONGO: dict[str, Maker] = {"decimal": Decimal128, "long": lambda s: BsonInt64(int(s))}


def dec(text: str) -> tuple[str, str]:
    return ("decimal", text)


def long(text: str) -> tuple[str, str]:
    return ("long", text)


def build(value: Any, kinds: dict[str, Maker]) -> Any:
    """A table value in one representation: ("decimal", "1.0") -> Decimal or Decimal128."""
    if isinstance(value, tuple):
        return kinds[value[0]](value[1])
    if isinstance(value, dict):
        return {key: build(item, kinds) for key, item in value.items()}
    if isinstance(value, list):
        return [build(item, kinds) for item in value]
    return value


def count(collection: list[Any], query: dict[str, Any], kinds: dict[str, Maker]) -> int:
    match = compile_filter(build(query, kinds))
    return sum(1 for a in collection if match({"a": build(a, kinds)}))


MIXED_DOCS = [-1, dec("-1"), long("-1"), -1, -0.3, dec("-0.3"), -0.1, dec("-0.1"), dec("0"), 0,
              dec("-0"), dec("0.00"), dec("0.1"), 0.1, dec("0.3"), 0.3, dec("0.5"), 0.5,
              dec("1.0"), long("1"), dec("1.00"), dec("2.00"),
              dec("12345678901234567890.12345678901234"), dec("NaN"), dec("-NaN"), NAN,
              dec("Infinity"), INF]
QUERY_DOCS = [dec("0"), dec("0.00"), dec("-0"), dec("1.0"), dec("1.00"), dec("2.00"),
              dec("12345678901234.56789012345678901234"), dec("NaN"), dec("-NaN"),
              dec("Infinity"), dec("-Infinity")]
BASIC_DOCS = [dec("0"), dec("0.00"), dec("-0"), dec("1.0"), dec("1.00"), dec("2.00"),
              dec("12345678901234567890.12345678901234"), dec("NaN"), dec("-NaN"),
              dec("-Infinity"), dec("Infinity")]

TABLE: list[tuple[str, list[Any], dict[str, Any], int]] = [
    (MIXED + " A1", MIXED_DOCS, {"a": -1}, 4),
    (MIXED + " A2", MIXED_DOCS, {"a": long("-1")}, 4),
    (MIXED + " A3", MIXED_DOCS, {"a": -1}, 4),
    (MIXED + " A4", MIXED_DOCS, {"a": dec("-1")}, 4),
    (MIXED + " B1", MIXED_DOCS, {"a": NAN}, 3),
    (MIXED + " B2", MIXED_DOCS, {"a": dec("NaN")}, 3),
    (MIXED + " B3", MIXED_DOCS, {"a": INF}, 2),
    (MIXED + " B4", MIXED_DOCS, {"a": dec("Infinity")}, 2),
    (MIXED + " C1", MIXED_DOCS, {"$and": [{"a": {"$gte": 0}}, {"a": {"$lte": 2}}]}, 14),
    (MIXED + " D1", [dec("0.3"), 0.3], {"a": {"$lt": dec("0.3")}}, 1),
    (MIXED + " D1", [dec("0.3"), 0.3], {"a": {"$gt": 0.3}}, 1),
    (MIXED + " E1", [dec("36028797018963967")], {"a": dec("36028797018963967")}, 1),
    (MIXED + " E2", [dec("36028797018963967")], {"a": float(36028797018963967)}, 0),
    (MIXED + " E3", [dec("36028797018963967")], {"a": long("36028797018963967")}, 1),
    (QUERY, QUERY_DOCS, {"a": {"$eq": dec("1")}}, 2),
    (QUERY, QUERY_DOCS, {"a": {"$lt": dec("1.00000000000001")}}, 6),
    (QUERY, QUERY_DOCS, {"a": {"$gt": dec("1.5")}}, 3),
    (QUERY, QUERY_DOCS, {"a": {"$gte": dec("2.000")}}, 3),
    (QUERY, QUERY_DOCS, {"a": {"$lte": dec("0.9999999999999999")}}, 4),
    (QUERY, QUERY_DOCS, {"a": {"$nin": [dec("Infinity"), dec("-Infinity")]}}, 9),
    (QUERY, QUERY_DOCS[:6], {"a": {"$mod": [2, 0]}}, 4),
    (BASIC, BASIC_DOCS, {"a": dec("0")}, 3),
    (BASIC, BASIC_DOCS, {"a": dec("NaN")}, 2),
    (BASIC, BASIC_DOCS, {"a": dec("Infinity")}, 1),
    (BASIC, BASIC_DOCS, {"a": dec("-Infinity")}, 1),
    (BASIC, BASIC_DOCS, {"a": dec("12345678901234567890.12345678901234")}, 1),
    (BASIC, [dec("9999999999999999999999999999999999E6111")],
     {"a": dec("9999999999999999999999999999999999E6111")}, 1),
    (BASIC, [dec("1E-6176")], {"a": dec("1E-6176")}, 1),
    # The reports: NaN is below every number and never $lt one.
    (MIXED + " (NaN rows)", MIXED_DOCS, {"a": {"$lt": 42.0}}, 22),
    (MIXED + " (NaN rows)", MIXED_DOCS, {"a": {"$gte": NAN}}, 3),
]


@pytest.mark.parametrize("kinds", [ENGINE, PYMONGO], ids=["engine", "pymongo"])
@pytest.mark.parametrize(("source", "docs", "query", "expected"), TABLE)
def test_decimal_tables(source: str, docs: list[Any], query: dict[str, Any], expected: int,
                        kinds: dict[str, Maker]) -> None:
    assert count(docs, query, kinds) == expected, source


# compare_long_double.js: (rank a, value c); equal ranks are equal values.
LONG_DOUBLE_VALUES: list[tuple[int, Any]] = [
    (0, -(2.0**63 + 2.0**11)), (1, long("-9223372036854775808")), (1, -(2.0**63)),
    (2, long("-9223372036854775807")), (3, long("-9223372036854773761")),
    (4, long("-9223372036854773760")), (4, -(2.0**63 - 2.0**11)),
    (5, long("-9223372036854773759")), (6, long("-9007199254740996")), (6, -9007199254740996.0),
    (7, long("-9007199254740995")), (8, long("-9007199254740994")), (8, -9007199254740994.0),
    (9, long("-9007199254740993")), (10, long("-9007199254740992")), (10, -9007199254740992.0),
    (11, long("-9007199254740991")), (11, -9007199254740991.0), (12, long("9007199254740991")),
    (12, 9007199254740991.0), (13, long("9007199254740992")), (13, 9007199254740992.0),
    (14, long("9007199254740993")), (15, long("9007199254740994")), (15, 9007199254740994.0),
    (16, long("9007199254740995")), (17, long("9007199254740996")), (17, 9007199254740996.0),
    (18, long("9223372036854773759")), (19, long("9223372036854773760")),
    (19, 2.0**63 - 2.0**11), (20, long("9223372036854773761")),
    (21, long("9223372036854775807")), (22, 2.0**63),
]
OPS: dict[str, Callable[[int, int], bool]] = {
    "$lt": lambda x, a: x < a, "$lte": lambda x, a: x <= a, "$eq": lambda x, a: x == a,
    "$gte": lambda x, a: x >= a, "$gt": lambda x, a: x > a,
}


@pytest.mark.parametrize("kinds", [ENGINE, PYMONGO], ids=["engine", "pymongo"])
@pytest.mark.parametrize("op", OPS)
def test_compare_long_double(op: str, kinds: dict[str, Maker]) -> None:
    docs = [{"a": a, "c": build(c, kinds)} for a, c in LONG_DOUBLE_VALUES]
    for a, c in LONG_DOUBLE_VALUES:
        match = compile_filter({"c": {op: build(c, kinds)}})
        got = sorted(d["a"] for d in docs if match(d))
        assert got == sorted(x for x, _ in LONG_DOUBLE_VALUES if OPS[op](x, a)), (LONG_DOUBLE, c)


@pytest.mark.parametrize("kinds", [ENGINE, PYMONGO], ids=["engine", "pymongo"])
def test_compare_long_double_sort(kinds: dict[str, Maker]) -> None:
    docs = [{"_id": i, "a": a, "b": i, "c": build(c, kinds)}
            for i, (a, c) in enumerate(LONG_DOUBLE_VALUES)]
    by_c = [d["_id"] for d in compile_sort([("c", 1), ("b", 1)]).sorted(docs)]
    by_a = [d["_id"] for d in compile_sort([("a", 1), ("b", 1)]).sorted(docs)]
    assert by_c == by_a, LONG_DOUBLE


OID = "56e1fc72e0c917e9c4714161"
UUID = uuid.UUID("73ffd264-44b3-4c69-90e8-e7d1dfc035d4")
# (value, its $type alias); source: the $type page's table of aliases.
TYPES: list[tuple[Any, str]] = [
    (1.5, "double"), ("s", "string"), ({"a": 1}, "object"), (SON([("a", 1)]), "object"),
    (RawBSONDocument(bson.encode({"a": 1})), "object"), (DBRef("c", 1), "object"),
    ([], "array"), (b"\x01", "binData"), (v.Binary(b"\x01", 0x80), "binData"),
    (BsonBinary(b"\x01", 3), "binData"), (UUID, "binData"), (v.ObjectId.from_hex(OID), "objectId"),
    (BsonObjectId(OID), "objectId"), (True, "bool"), (dt.datetime(2024, 1, 1), "date"),
    (v.DateMillis(253402300800000), "date"), (DatetimeMS(253402300800000), "date"),
    (None, "null"), (v.Regex("a", "i"), "regex"), (BsonRegex("a", "i"), "regex"),
    (re.compile("a"), "regex"), (v.Code("f()"), "javascript"), (BsonCode("f()"), "javascript"),
    (v.Code("f()", {"a": 1}), "javascriptWithScope"),
    (BsonCode("f()", {"a": 1}), "javascriptWithScope"), (7, "int"), (2**40, "long"),
    (v.Int64(7), "long"), (BsonInt64(7), "long"), (v.Timestamp(1, 2), "timestamp"),
    (BsonTimestamp(1, 2), "timestamp"), (Decimal("1.10"), "decimal"),
    (Decimal128("1.10"), "decimal"), (v.MinKey(), "minKey"), (BsonMinKey(), "minKey"),
    (v.MaxKey(), "maxKey"), (BsonMaxKey(), "maxKey"),
]
ALIASES = ["double", "string", "object", "array", "binData", "objectId", "bool", "date", "null",
           "regex", "javascript", "javascriptWithScope", "int", "timestamp", "long", "decimal",
           "minKey", "maxKey"]


@pytest.mark.parametrize(("value", "alias"), TYPES, ids=lambda x: type(x).__name__)
def test_type_of_every_value(value: Any, alias: str) -> None:
    matched = [name for name in ALIASES if compile_filter({"a": {"$type": name}})({"a": value})]
    assert matched == [alias], TYPE
    number = compile_filter({"a": {"$type": "number"}})({"a": value})
    assert number == (alias in ("double", "int", "long", "decimal")), TYPE


# One value per BSON type (but arrays, which sort and match by their elements), in order.
ORDERED = [v.MinKey(), None, 1, "s", {"a": 1}, b"\x01", v.ObjectId.from_hex(OID), True,
           dt.datetime(2024, 1, 1), v.Timestamp(1, 2), v.Regex("a"), v.Code("f()"),
           v.Code("f()", {}), v.MaxKey()]
PYMONGO_ORDERED = [BsonMinKey(), None, BsonInt64(1), "s", DBRef("c", 1), BsonBinary(b"\x01", 5),
                   BsonObjectId(OID), True, DatetimeMS(0), BsonTimestamp(1, 2), BsonRegex("a"),
                   BsonCode("f()"), BsonCode("f()", {}), BsonMaxKey()]


@pytest.mark.parametrize("values", [ORDERED, PYMONGO_ORDERED], ids=["engine", "pymongo"])
def test_type_order(values: list[Any]) -> None:
    docs = [{"_id": i, "a": value} for i, value in reversed(list(enumerate(values)))]
    assert [d["_id"] for d in compile_sort({"a": 1}).sorted(docs)] == list(range(len(values))), ORDER
    for i, value in enumerate(values):  # $gte within the type bracket (MinKey: of all values)
        if isinstance(value, (v.Regex, BsonRegex, v.Code, BsonCode)):
            continue  # refused as $gte operands (test_regex_refused..., test_code_is_refused...)
        above = sorted(d["_id"] for d in docs if compile_filter({"a": {"$gte": value}})(d))
        assert above == (list(range(len(values))) if i == 0 else [i]), ORDER


# (record value, query value): MongoDB holds them equal (the same BSON value, ORDER).
EQUAL: list[tuple[Any, Any]] = [
    (Decimal128("-1"), -1), (Decimal128("2.00"), 2.0), (Decimal128("NaN"), NAN),
    (Decimal128("-Infinity"), -INF), (BsonInt64(5), 5), (v.Int64(5), 5.0),
    (UUID, BsonBinary(UUID.bytes, 4)), (BsonBinary(UUID.bytes, 4), v.Binary(UUID.bytes, 4)),
    (b"\x01", BsonBinary(b"\x01", 0)), (BsonObjectId(OID), v.ObjectId.from_hex(OID)),
    (DatetimeMS(1704067200000), dt.datetime(2024, 1, 1)),
    (dt.datetime(2024, 1, 1), DatetimeMS(1704067200000)),
    (v.DateMillis(253402300800000), DatetimeMS(253402300800000)),
    (BsonTimestamp(1, 2), v.Timestamp(1, 2)), (BsonMinKey(), v.MinKey()),
    (BsonMaxKey(), v.MaxKey()), (DBRef("c", BsonObjectId(OID)), {"$ref": "c", "$id": BsonObjectId(OID)}),
    ({"$ref": "c", "$id": 1, "$db": "d"}, DBRef("c", 1, "d")),
    (SON([("a", 1), ("b", 2)]), {"a": 1, "b": 2}), (RawBSONDocument(bson.encode({"a": 1})), {"a": 1}),
]
UNEQUAL: list[tuple[Any, Any]] = [
    (BsonCode("x"), "x"), ("x", v.Regex("x")), (BsonBinary(b"\x01", 3), b"\x01"),
    (Decimal128("0.1"), 0.1), (Decimal128("1"), True), (SON([("b", 2), ("a", 1)]), {"a": 1, "b": 2}),
    (DBRef("c", 1), {"$ref": "c", "$id": 1, "$db": "d"}),
]


@pytest.mark.parametrize(("stored", "queried"), EQUAL, ids=lambda x: type(x).__name__)
def test_equal_values(stored: Any, queried: Any) -> None:
    assert compile_filter({"a": {"$eq": queried}})({"a": stored}), ORDER
    assert compile_filter({"a": {"$in": [queried]}})({"a": stored}), ORDER
    assert not compile_filter({"a": {"$ne": queried}})({"a": stored}), ORDER


@pytest.mark.parametrize(("stored", "queried"), UNEQUAL, ids=lambda x: type(x).__name__)
def test_unequal_values(stored: Any, queried: Any) -> None:
    if isinstance(queried, v.Regex):
        queried = {"$eq": queried}  # a literal regex, not a pattern
    assert not compile_filter({"a": queried})({"a": stored}), ORDER


def test_dbref_fields_are_paths() -> None:
    """A DBRef is stored as the document {$ref, $id, $db}: ``x.$id`` reaches its id."""
    oid = BsonObjectId(OID)
    record = {"x": DBRef("owners", oid, "db"), "xs": [DBRef("owners", oid)]}
    assert compile_filter({"x.$id": oid})(record)
    assert compile_filter({"x.$ref": "owners", "x.$db": "db"})(record)
    assert compile_filter({"xs.$id": v.ObjectId.from_hex(OID)})(record)
    assert not compile_filter({"x.$id": "other"})(record)


REGEX_QUERIES: list[tuple[str, dict[str, Any], list[str]]] = [
    (REGEX, {"name": BsonRegex("^[ab]$", "i")}, ["A", "b", "re"]),
    (REGEX, {"name": re.compile("^[ab]$", re.IGNORECASE)}, ["A", "b", "re"]),
    (REGEX, {"name": v.Regex("^[ab]$", "i")}, ["A", "b", "re"]),
    ("https://www.mongodb.com/docs/manual/reference/operator/query/in/",
     {"name": {"$in": [BsonRegex("^a", "i"), "cc"]}}, ["A", "cc"]),
    ("https://www.mongodb.com/docs/manual/reference/operator/query/nin/",
     {"name": {"$nin": [BsonRegex("^a", "i")]}}, ["b", "cc", "re"]),
    ("https://www.mongodb.com/docs/manual/reference/operator/query/all/",
     {"tags": {"$all": [BsonRegex("^x"), "y"]}}, ["A"]),
    ("https://www.mongodb.com/docs/manual/reference/operator/query/not/",
     {"name": {"$not": BsonRegex("^[ab]$", "i")}}, ["cc"]),
    # $eq with a regex compares regex values (the $eq page: "Regex Match Behaviour")
    ("https://www.mongodb.com/docs/manual/reference/operator/query/eq/",
     {"name": {"$eq": BsonRegex("^[ab]$", "i")}}, ["re"]),
]
REGEX_DOCS = [{"_id": "A", "name": "A", "tags": ["xa", "y"]}, {"_id": "b", "name": "b"},
              {"_id": "cc", "name": "cc"}, {"_id": "re", "name": v.Regex("^[ab]$", "i")}]


@pytest.mark.parametrize(("source", "query", "expected"), REGEX_QUERIES)
def test_regex_query_values_are_patterns(source: str, query: dict[str, Any],
                                         expected: list[str]) -> None:
    match = compile_filter(query)
    assert [d["_id"] for d in REGEX_DOCS if match(d)] == expected, source


@pytest.mark.parametrize("op", ["$ne", "$gt", "$lte"])
def test_regex_refused_where_mongodb_refuses_it(op: str) -> None:
    """expression_parser.cpp: "Can't have RegEx as arg to predicate over field"."""
    with pytest.raises(QueryError) as info:
        compile_filter({"name": {op: BsonRegex("^a")}})
    assert info.value.path == f"name.{op}", PARSER


@pytest.mark.parametrize(("query", "docs", "expected"), [
    ({"a": {"$mod": [Decimal128("2"), Decimal128("0")]}}, [Decimal128("2.00"), 3, 4.0], [0, 2]),
    ({"a": {"$mod": [2, 0]}}, [Decimal128("2.00"), Decimal128("-0"), Decimal128("NaN"),
                               Decimal128("1E+40"), Decimal("3")], [0, 1]),
    ({"a": {"$size": Decimal128("2")}}, [[1, 2], [1]], [0]),
    ({"a": {"$size": BsonInt64(1)}}, [[1, 2], [1]], [1]),
    ({"a": {"$type": Decimal128("19")}}, [Decimal128("1"), 1], [0]),
    ({"a": {"$exists": Decimal128("0")}}, [1], []),
])
def test_bson_number_operands(query: dict[str, Any], docs: list[Any], expected: list[int]) -> None:
    """$mod/$size/$type/$exists read a Decimal128 or Int64 operand as the number it holds
    (decimal_find_query.js $mod; https://www.mongodb.com/docs/manual/reference/operator/query/mod/)."""
    match = compile_filter(query)
    assert [i for i, a in enumerate(docs) if match({"a": a})] == expected


def test_mod_over_decimal128_is_a_200_not_a_crash() -> None:
    record = {"_id": "r", "type": "webhook-incoming", "a": Decimal128("2.00")}
    response = list_integrations([record], Caller("u", {"manage-incoming-integrations"}),
                                 {"query": '{"a": {"$mod": [2, 0]}}'})
    assert (response.status, response.body["total"]) == (200, 1)


@pytest.mark.parametrize("value", [BsonCode("f()"), v.Code("f()", {"a": 1})])
def test_code_is_refused_in_a_query(value: Any) -> None:
    """By design (docs/semantics.md): a query never carries JavaScript."""
    with pytest.raises(QueryError, match="JavaScript code"):
        compile_filter({"a": value})
