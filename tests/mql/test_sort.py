"""Sort semantics, table-driven: each case is a collection, a sort pattern and the ``_id`` order
MongoDB returns, with the manual page or server jstest it comes from.

jstest collections holding ``undefined`` (which Python has no value for) are used without those
documents: dropping documents from a sorted result does not change the order of the others.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from bson import Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Timestamp
from bson import Regex as BsonRegex

from integrations_core.mql.errors import LimitError, QueryError
from integrations_core.mql.limits import Limits
from integrations_core.mql.sort import Sort, compile_sort

MANUAL = "https://www.mongodb.com/docs/manual/reference/"
CURSOR_SORT = MANUAL + "method/cursor.sort/"
AGG_SORT = MANUAL + "operator/aggregation/sort/"
ORDER = MANUAL + "bson-type-comparison-order/"
JS = "mongodb/mongo jstests/core/query/sort/"
DOTTED = JS + "sort_dotted_paths.js"
NUMERIC = JS + "sort_dotted_paths_numeric.js"
PARALLEL = JS + "sort_dotted_paths_parallel_arrays.js"
ARRAY_JS = JS + "sort_array.js"


@dataclass(frozen=True)
class SortCase:
    name: str
    docs: Sequence[Mapping[str, Any]]
    spec: Any
    expected: Sequence[Any]
    source: str


def ids(docs: Sequence[Mapping[str, Any]]) -> list[Any]:
    return [d["_id"] for d in docs]


def cases(name: str, docs: Sequence[Mapping[str, Any]], source: str,
          table: Sequence[tuple[Any, Sequence[Any]]]) -> list[SortCase]:
    return [SortCase(f"{name} {spec}", docs, spec, expected, source) for spec, expected in table]


# --- sort_dotted_paths.js -------------------------------------------------------------------

MIXED = [  # _id 2 (a: undefined) and _id 9 (a: [undefined]) left out
    {"_id": 1, "a": 1}, {"_id": 3, "a": None}, {"_id": 4, "a": {}}, {"_id": 5, "a": []},
    {"_id": 6, "a": [1]}, {"_id": 7, "a": [[1]]}, {"_id": 8},
]
TWO_FIELDS = [
    {"_id": 1, "a": 1, "b": [2]}, {"_id": 2, "a": 2, "b": []}, {"_id": 3, "a": [], "b": 4},
    {"_id": 4, "a": [1], "b": 4}, {"_id": 5, "a": [2, 3], "b": 2}, {"_id": 6, "a": 2, "b": [3, 5]},
    {"_id": 7, "a": 1, "b": [1, 3]}, {"_id": 8, "a": [1, 2], "b": 3}, {"_id": 9, "a": 2, "b": 3},
]
LENGTH_TWO = [
    {"_id": 1, "a": {"b": 2}}, {"_id": 2, "a": {"b": []}}, {"_id": 3, "a": {"b": [2, 3]}},
    {"_id": 4, "a": {"c": 1}}, {"_id": 5, "a": []}, {"_id": 6, "a": [{"b": [5]}]},
    {"_id": 7, "a": [{"b": [4, 5]}, {"b": 7}]}, {"_id": 8, "a": [{"b": [1, 3]}, {"b": [2, 5]}]},
    {"_id": 9, "a": [{"b": []}, {"b": [1, 3]}]},
]
COMMON_PREFIX = [
    {"_id": i, "a": [{"b": b1, "c": c1}, {"b": b2, "c": c2}]}
    for i, b1, c1, b2, c2 in [(1, 4, 1, 1, 2), (2, 2, 1, 4, 2), (3, 6, 1, 9, 2), (4, 4, 1, 5, 3),
                              (5, 2, 1, 7, 3), (6, 5, 1, 3, 3), (7, 7, 2, 2, 3), (8, 3, 2, 8, 3),
                              (9, 8, 2, 6, 3)]
]
COMMON_PREFIX_ARRAYS = [
    {"_id": 1, "a": [{"b": [4, 1], "c": 1}, {"b": [1, 5], "c": 2}]},
    {"_id": 2, "a": [{"b": 2, "c": [1, 3]}, {"b": 4, "c": [2, 4]}]},
    {"_id": 3, "a": [{"b": [6, 4], "c": 1}, {"b": [9, 7], "c": 2}]},
    {"_id": 4, "a": [{"b": 4, "c": [1, 2]}, {"b": 5, "c": [3, 2]}]},
    {"_id": 5, "a": [{"b": [2, 3], "c": 1}, {"b": [7, 6], "c": 3}]},
    {"_id": 6, "a": [{"b": 5, "c": []}, {"b": 3, "c": 3}]},
    {"_id": 7, "a": [{"b": [], "c": 2}, {"b": 2, "c": 3}]},
    {"_id": 8, "a": [{"b": 3, "c": [2]}, {"b": 8, "c": [3]}]},
    {"_id": 9, "a": [{"b": [8], "c": 2}, {"b": [6], "c": 3}]},
]
NO_COMMON_PREFIX = [
    {"_id": 1, "a": {"b": 1}, "c": [{"d": [4, 1]}, {"d": [1, 5]}]},
    {"_id": 2, "a": [{"b": [1, 3]}, {"b": [2, 4]}], "c": {"d": 2}},
    {"_id": 3, "a": {"b": 1}, "c": [{"d": [6, 4]}, {"d": [9, 7]}]},
    {"_id": 4, "a": [{"b": [2]}, {"b": [3, 2]}], "c": {"d": 4}},
    {"_id": 5, "a": {"b": 1}, "c": [{"d": [2, 3]}, {"d": [7, 6]}]},
    {"_id": 6, "a": [{"b": []}, {"b": 3}], "c": {"d": 4}},
    {"_id": 7, "a": {"b": 2}, "c": [{"d": []}, {"d": 2}]},
    {"_id": 8, "a": [{"b": [2]}, {"b": [3]}], "c": {"d": 3}},
    {"_id": 9, "a": {"b": 3}, "c": [{"d": [8]}, {"d": [6]}]},
]
LENGTH_THREE = [
    {"_id": 1, "a": {"b": {"c": 2}}}, {"_id": 2, "a": {"b": {"c": []}}},
    {"_id": 3, "a": [{"b": []}, {"b": {"c": []}}]}, {"_id": 4, "a": [{"b": {"c": 1}}]},
    {"_id": 5, "a": {"b": [{"c": 3}, {"d": 1}]}}, {"_id": 6, "a": {"b": [{"c": [5]}]}},
    {"_id": 7, "a": []}, {"_id": 8, "a": {"b": [{"c": [1, 3]}, {"c": [2, 5]}]}},
    {"_id": 9, "a": [{"b": [{"c": []}, {"c": [1, 3]}]}]},
]

DOTTED_CASES = [
    *cases("mixed types", MIXED, DOTTED, [
        ({"a": 1, "_id": 1}, [5, 3, 8, 1, 6, 4, 7]),
        ({"a": -1, "_id": 1}, [7, 4, 1, 6, 3, 8, 5]),
        ({"a.0": 1, "_id": 1}, [1, 3, 4, 5, 8, 6, 7]),
        ({"a.0": -1, "_id": 1}, [7, 6, 1, 3, 4, 5, 8]),
    ]),
    *cases("arrays in a or b", TWO_FIELDS, DOTTED, [
        ({"a": 1, "b": 1, "_id": 1}, [3, 7, 1, 8, 4, 2, 5, 6, 9]),
        ({"a": 1, "b": -1, "_id": 1}, [3, 4, 7, 8, 1, 6, 9, 5, 2]),
        ({"a": -1, "b": 1, "_id": 1}, [5, 2, 6, 8, 9, 7, 1, 4, 3]),
        ({"a": -1, "b": -1, "_id": 1}, [5, 6, 8, 9, 2, 4, 7, 1, 3]),
    ]),
    *cases("parallel arrays filtered out", [{"_id": 1, "a": [], "b": 1},
                                            {"_id": 2, "a": 1, "b": []}], DOTTED, [
        ({"a": 1, "b": 1}, [1, 2]),
        ({"_id": 1, "a": 1, "b": 1}, [1, 2]),
        ({"a": 1, "_id": 1, "b": 1}, [1, 2]),
        ({"a": 1, "b": 1, "_id": 1}, [1, 2]),
    ]),
    *cases("path of length 2", LENGTH_TWO, DOTTED, [
        ({"a.b": 1, "_id": 1}, [2, 9, 4, 5, 8, 1, 3, 7, 6]),
        ({"a.b": 1, "_id": -1}, [9, 2, 5, 4, 8, 3, 1, 7, 6]),
        ({"a.b": -1, "_id": 1}, [7, 6, 8, 3, 9, 1, 4, 5, 2]),
        ({"a.b": -1, "_id": -1}, [7, 8, 6, 9, 3, 1, 5, 4, 2]),
    ]),
    *cases("common prefix", COMMON_PREFIX, DOTTED, [
        ({"a.c": 1, "a.b": 1, "_id": 1}, [2, 5, 1, 4, 6, 3, 8, 7, 9]),
        ({"a.c": 1, "a.b": -1, "_id": 1}, [3, 6, 1, 4, 2, 5, 9, 7, 8]),
        ({"a.c": -1, "a.b": 1, "_id": 1}, [7, 6, 4, 9, 5, 8, 1, 2, 3]),
        ({"a.c": -1, "a.b": -1, "_id": 1}, [8, 5, 9, 4, 6, 7, 3, 2, 1]),
        ({"a.c": 1, "a": 1, "_id": 1}, [2, 5, 1, 4, 6, 3, 8, 7, 9]),
        ({"a.c": 1, "a": -1, "_id": 1}, [3, 6, 1, 4, 2, 5, 9, 7, 8]),
        ({"a.c": -1, "a": 1, "_id": 1}, [7, 6, 4, 9, 5, 8, 1, 2, 3]),
        ({"a.c": -1, "a": -1, "_id": 1}, [8, 5, 9, 4, 6, 7, 3, 2, 1]),
    ]),
    *cases("common prefix with inner arrays", COMMON_PREFIX_ARRAYS, DOTTED, [
        ({"a.c": 1, "a.b": 1, "_id": 1}, [6, 1, 2, 5, 3, 4, 7, 8, 9]),
        ({"a.c": 1, "a.b": -1, "_id": 1}, [6, 3, 1, 4, 5, 2, 9, 8, 7]),
        ({"a.c": -1, "a.b": 1, "_id": 1}, [2, 7, 6, 4, 5, 9, 8, 1, 3]),
        ({"a.c": -1, "a.b": -1, "_id": 1}, [2, 8, 5, 9, 4, 6, 7, 3, 1]),
        ({"a.b": 1, "a": 1, "_id": 1}, [7, 1, 2, 5, 6, 8, 4, 3, 9]),
        ({"a.b": 1, "a": -1, "_id": 1}, [7, 1, 5, 2, 8, 6, 3, 4, 9]),
        ({"a.b": -1, "a": 1, "_id": 1}, [3, 8, 9, 5, 6, 4, 1, 2, 7]),
        ({"a.b": -1, "a": -1, "_id": 1}, [3, 9, 8, 5, 1, 4, 6, 2, 7]),
        ({"a.0.b": 1, "_id": 1}, [7, 1, 2, 5, 8, 3, 4, 6, 9]),
        ({"a.0.b": 1, "_id": -1}, [7, 1, 5, 2, 8, 4, 3, 6, 9]),
        ({"a.0.b": -1, "_id": 1}, [9, 3, 6, 1, 4, 5, 8, 2, 7]),
        ({"a.0.b": -1, "_id": -1}, [9, 3, 6, 4, 1, 8, 5, 2, 7]),
    ]),
    *cases("no common prefix", NO_COMMON_PREFIX, DOTTED, [
        ({"a.b": 1, "c.d": 1, "_id": 1}, [6, 1, 2, 5, 3, 7, 8, 4, 9]),
        ({"a.b": 1, "c.d": -1, "_id": 1}, [6, 3, 5, 1, 2, 4, 8, 7, 9]),
        ({"a.b": -1, "c.d": 1, "_id": 1}, [2, 8, 4, 6, 9, 7, 1, 5, 3]),
        ({"a.b": -1, "c.d": -1, "_id": 1}, [2, 9, 4, 6, 8, 7, 3, 5, 1]),
    ]),
    *cases("path of length 3", LENGTH_THREE, DOTTED, [
        ({"a.b.c": 1, "_id": 1}, [2, 3, 9, 5, 7, 4, 8, 1, 6]),
        ({"a.b.c": 1, "_id": -1}, [9, 3, 2, 7, 5, 8, 4, 1, 6]),
        ({"a.b.c": -1, "_id": 1}, [6, 8, 5, 9, 1, 4, 3, 7, 2]),
        ({"a.b.c": -1, "_id": -1}, [8, 6, 9, 5, 1, 4, 7, 3, 2]),
    ]),
    *cases("numeric component", COMMON_PREFIX_ARRAYS, NUMERIC, [
        ({"a.0.b": 1, "_id": 1}, [7, 1, 2, 5, 8, 3, 4, 6, 9]),
        ({"a.0.b": -1, "_id": -1}, [9, 3, 6, 4, 1, 8, 5, 2, 7]),
    ]),
]

# --- sort_array.js, sorta.js ----------------------------------------------------------------

ARRAY_CASES = [
    SortCase("ascending uses the smallest element", [{"_id": 0, "a": [3, 0, 1]},
                                                     {"_id": 1, "a": [8, 4, -1]}],
             {"a": 1}, [1, 0], ARRAY_JS),
    SortCase("descending uses the largest element", [{"_id": 0, "a": [3, 0, 1]},
                                                     {"_id": 1, "a": [0, 4, -1]}],
             {"a": -1}, [1, 0], ARRAY_JS),
    SortCase("ascending on the same arrays", [{"_id": 0, "a": [3, 0, 1]},
                                              {"_id": 1, "a": [0, 4, -1]}],
             {"a": 1}, [1, 0], ARRAY_JS),
    *cases("x.y/x.z", [{"_id": 0, "x": [{"y": [4, 0, 1], "z": 7}, {"y": 0, "z": 9}]},
                       {"_id": 1, "x": [{"y": 1, "z": 7}, {"y": 0, "z": [8, 6]}]}], ARRAY_JS, [
        ({"x.y": 1, "x.z": -1}, [0, 1]),
        ({"x.y": -1, "x.z": 1}, [0, 1]),
        ({"x.z": -1}, [0, 1]),
        ({"x.y": -1}, [0, 1]),
        ({"x": -1}, [0, 1]),
    ]),
    SortCase("d.e.g through arrays of documents",
             [{"_id": 0, "a": 1, "b": {"c": 1}, "d": [{"e": {"f": 1, "g": [6, 5, 4]}},
                                                      {"e": {"g": [3, 2, 1]}}]},
              {"_id": 1, "a": 2, "b": {"c": 2}, "d": [{"e": {"f": 2, "g": [5, 4, 3]}},
                                                      {"e": {"g": [2, 1, 0]}}]}],
             {"d.e.g": 1}, [1, 0], ARRAY_JS),
    SortCase("trailing field of a shared prefix (SERVER-31858)",
             [{"_id": 2, "a": [{"b": 1, "c": 2}, {"b": 2, "c": 3}]},
              {"_id": 0, "a": [{"b": 2, "c": 0}, {"b": 1, "c": 4}]},
              {"_id": 1, "a": [{"b": 1, "c": 5}, {"b": 2, "c": 1}]}],
             {"a.c": 1}, [0, 1, 2], ARRAY_JS),
    SortCase("a.x through one-element arrays",
             [{"_id": 0, "a": [{"x": 2}]}, {"_id": 1, "a": [{"x": 1}]}, {"_id": 2, "a": [{"x": 3}]}],
             {"a.x": 1}, [1, 0, 2], ARRAY_JS),
    SortCase("a.x through two-element arrays",
             [{"_id": 0, "a": [{"x": 2}, {"x": 3}]}, {"_id": 1, "a": [{"x": 1}, {"x": 4}]},
              {"_id": 2, "a": [{"x": 3}, {"x": 4}]}],
             {"a.x": 1}, [1, 0, 2], ARRAY_JS),
    SortCase("MinKey, [], null and missing, numbers, arrays, MaxKey",
             [{"_id": 8, "a": MaxKey()}, {"_id": 7, "a": [2]}, {"_id": 6, "a": 1},
              {"_id": 5, "a": None}, {"_id": 4}, {"_id": 3, "a": None}, {"_id": 2, "a": []},
              {"_id": 1, "a": []}, {"_id": 0, "a": MinKey()}],
             {"a": 1, "_id": 1}, [0, 1, 2, 3, 4, 5, 6, 7, 8], JS + "sorta.js"),
]

# --- the manual -----------------------------------------------------------------------------

ORDERS = [
    {"_id": 1, "item": {"category": "cake", "type": "chiffon"}, "amount": 10},
    {"_id": 2, "item": {"category": "cookies", "type": "chocolate chip"}, "amount": 50},
    {"_id": 3, "item": {"category": "cookies", "type": "chocolate chip"}, "amount": 15},
    {"_id": 4, "item": {"category": "cake", "type": "lemon"}, "amount": 30},
    {"_id": 5, "item": {"category": "cake", "type": "carrot"}, "amount": 20},
    {"_id": 6, "item": {"category": "brownies", "type": "blondie"}, "amount": 10},
]
RESTAURANTS = [
    {"_id": 1, "name": "Central Park Cafe", "borough": "Manhattan"},
    {"_id": 2, "name": "Rock A Feller Bar and Grill", "borough": "Queens"},
    {"_id": 3, "name": "Empire State Pub", "borough": "Brooklyn"},
    {"_id": 4, "name": "Stan's Pizzaria", "borough": "Manhattan"},
    {"_id": 5, "name": "Jane's Deli", "borough": "Brooklyn"},
]
DAY = dt.datetime(2024, 1, 1)
TYPE_ORDER = [  # one value per BSON type, lowest first
    MinKey(), None, 1, "a", {"x": 1}, [[1]], Binary(b"x"), ObjectId("0" * 24), True, DAY,
    Timestamp(1, 1), BsonRegex("a"), MaxKey(),
]

MANUAL_CASES = [
    SortCase("amount descending", ORDERS, {"amount": -1}, [2, 4, 5, 3, 1, 6], CURSOR_SORT),
    SortCase("embedded fields", ORDERS, {"item.category": 1, "item.type": 1},
             [6, 5, 1, 4, 2, 3], CURSOR_SORT),
    SortCase("consistent sort with _id", RESTAURANTS, {"borough": 1, "_id": 1},
             [3, 5, 1, 4, 2], CURSOR_SORT),
    SortCase("pairs list form", RESTAURANTS, [("borough", 1), ("_id", -1)],
             [5, 3, 4, 1, 2], CURSOR_SORT),
    SortCase("type order ascending",
             [{"_id": i, "a": v} for i, v in reversed(list(enumerate(TYPE_ORDER)))],
             {"a": 1}, list(range(len(TYPE_ORDER))), ORDER),
    SortCase("type order descending",
             [{"_id": i, "a": v} for i, v in enumerate(TYPE_ORDER)],
             {"a": -1}, list(reversed(range(len(TYPE_ORDER)))), ORDER),
    SortCase("numbers compare across int, long, double, decimal",
             [{"_id": 1, "a": 2.5}, {"_id": 2, "a": Int64(2)}, {"_id": 3, "a": Decimal128("1.5")},
              {"_id": 4, "a": -1}, {"_id": 5, "a": Decimal("3")}, {"_id": 6, "a": float("-inf")},
              {"_id": 7, "a": float("nan")}, {"_id": 8, "a": 2.0}],
             {"a": 1}, [7, 6, 4, 3, 2, 8, 1, 5], ORDER),
    SortCase("strings by binary comparison", [{"_id": 1, "a": "b"}, {"_id": 2, "a": "B"},
                                              {"_id": 3, "a": "é"}, {"_id": 4, "a": "a"},
                                              {"_id": 5, "a": "ab"}, {"_id": 6, "a": "Z"}],
             {"a": 1}, [2, 6, 4, 5, 1, 3], ORDER),
    SortCase("one-element array compares its element", [{"_id": 1, "a": 2}, {"_id": 2, "a": [1]}],
             {"a": 1}, [2, 1], ORDER),
    SortCase("empty array before null and missing", [{"_id": 1}, {"_id": 2, "a": None},
                                                     {"_id": 3, "a": []}],
             {"a": 1}, [3, 1, 2], ORDER),
    SortCase("missing sorts as null", [{"_id": 1, "a": None}, {"_id": 2}, {"_id": 3, "a": None},
                                       {"_id": 4, "a": 0}],
             {"a": -1}, [4, 1, 2, 3], ORDER),
    SortCase("arrays of mixed types use the smallest element (DOCS-15307)",
             [{"_id": 1, "a": [2, {"x": 1}]}, {"_id": 2, "a": [{"x": 3}, 1]}],
             {"a": 1}, [2, 1], "https://jira.mongodb.org/browse/DOCS-15307"),
    SortCase("objects: field types, then names, then values, shorter first",
             [{"_id": 1, "a": {"b": 1, "c": 1}}, {"_id": 2, "a": {"b": "x"}},
              {"_id": 3, "a": {"b": 1}}, {"_id": 4, "a": {"c": 0}}, {"_id": 5, "a": {}},
              {"_id": 6, "a": {"b": 0, "z": 9}}],
             {"a": 1}, [5, 6, 3, 1, 4, 2], ORDER),
    SortCase("nested arrays compare element by element",
             [{"_id": 1, "a": [[1, 2, 3]]}, {"_id": 2, "a": [[1, 2]]}, {"_id": 3, "a": [[0, 9]]},
              {"_id": 4, "a": [[]]}],
             {"a": 1}, [4, 3, 2, 1], ORDER),
    SortCase("binData by length, then subtype, then bytes",
             [{"_id": 1, "a": Binary(b"ab", 0)}, {"_id": 2, "a": Binary(b"b", 5)},
              {"_id": 3, "a": Binary(b"c", 0)}, {"_id": 4, "a": b"aa"}],
             {"a": 1}, [3, 2, 4, 1], ORDER),
    SortCase("dates before timestamps, dates by instant",
             [{"_id": 1, "a": Timestamp(0, 1)},
              {"_id": 2, "a": dt.datetime(2024, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=5)))},
              {"_id": 3, "a": dt.datetime(2023, 12, 31, 22)}],
             {"a": 1}, [2, 3, 1], ORDER),
    SortCase("regular expressions after timestamps",
             [{"_id": 1, "a": re.compile("b")}, {"_id": 2, "a": Timestamp(5, 5)},
              {"_id": 3, "a": BsonRegex("a")}],
             {"a": 1}, [2, 3, 1], ORDER),
    SortCase("ties keep input order", [{"_id": 3, "a": 1}, {"_id": 1, "a": 1.0},
                                       {"_id": 2, "a": Decimal("1.00")}],
             {"a": -1}, [3, 1, 2], "DESIGN.md 4.3 (MongoDB leaves ties unordered: " + CURSOR_SORT
             + "#sort-consistency)"),
]

ALL_CASES = DOTTED_CASES + ARRAY_CASES + MANUAL_CASES


def test_case_names_are_unique() -> None:
    names = [c.name for c in ALL_CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_sort_order(case: SortCase) -> None:
    docs_before = copy.deepcopy(list(case.docs))
    order = compile_sort(case.spec)
    got = ids(order.sorted(case.docs))
    assert got == list(case.expected), f"{case.name}: MongoDB returns {case.expected} ({case.source})"
    for k in range(len(case.docs) + 2):
        assert ids(order.top(case.docs, k)) == list(case.expected)[:k], f"top({k})"
    assert repr(list(case.docs)) == repr(docs_before), "a document was mutated"


@pytest.mark.parametrize("case", [c for c in ALL_CASES if "_id" in dict(c.spec)],
                         ids=lambda c: c.name)
def test_total_patterns_do_not_depend_on_input_order(case: SortCase) -> None:
    order = compile_sort(case.spec)
    assert ids(order.sorted(list(reversed(case.docs)))) == list(case.expected)


# --- errors at sort time --------------------------------------------------------------------

PARALLEL_DOCS = [{"_id": 1, "a": [], "b": 1}, {"_id": 2, "a": 1, "b": []},
                 {"_id": 3, "a": [], "b": []}]


@pytest.mark.parametrize(("docs", "spec", "path"), [
    (PARALLEL_DOCS, {"a": 1, "b": 1}, "b"),
    (PARALLEL_DOCS, {"_id": 1, "a": 1, "b": 1}, "b"),
    (PARALLEL_DOCS, {"a": 1, "_id": 1, "b": 1}, "b"),
    (PARALLEL_DOCS, {"a": 1, "b": 1, "_id": 1}, "b"),
    ([{"_id": 1, "a": {"b": [1, 2], "c": [3, 4]}}], {"a.b": 1, "a.c": 1}, "a.c"),
    ([{"a": {"b": [1, 2]}, "c": {"d": [3, 4]}}], {"a.b": 1, "c.d": 1}, "c.d"),
    ([{"a": [{"b": [1]}, {"b": [2]}], "c": [5]}], {"a.b": -1, "c": 1}, "c"),
], ids=str)
def test_parallel_arrays_are_an_error(docs: list[dict[str, Any]], spec: dict[str, int],
                                      path: str) -> None:
    """Source: sort_dotted_paths_parallel_arrays.js ("cannot sort with keys that are parallel
    arrays"); the server's error is per document, so one such document fails the sort."""
    order = compile_sort(spec)
    with pytest.raises(QueryError, match="parallel arrays") as info:
        order.sorted(docs)
    assert info.value.path == path
    with pytest.raises(QueryError, match="parallel arrays"):
        order.top(docs, 1)


def test_one_array_on_two_paths_is_not_parallel() -> None:
    """Source: sort_dotted_paths.js ({"a.c": 1, "a": 1} over arrays of documents)."""
    docs = [{"_id": 1, "a": [{"c": 2}, {"c": 1}]}, {"_id": 2, "a": [{"c": 1, "d": 0}]}]
    assert ids(compile_sort({"a": 1, "a.c": 1}).sorted(docs)) == [1, 2]


def test_ambiguous_numeric_field_in_array_is_an_error() -> None:
    """btree_key_generator.cpp error 16746: "a.0" names both element 0 and a field "0"."""
    docs = [{"_id": 1, "a": [{"0": 5}, {"0": 1}]}]
    with pytest.raises(QueryError, match="ambiguous") as info:
        compile_sort({"a.0.x": 1, "_id": 1}).sorted([*docs, {"_id": 2, "a": [{"0": {"x": 1}}]}])
    assert info.value.path == "a.0.x"


def test_numeric_component_past_the_end_is_a_field_name() -> None:
    """btree_key_generator.cpp: with no element at the index, "5" is looked up as a field."""
    docs = [{"_id": 1, "a": [{"5": 3}]}, {"_id": 2, "a": [{"5": 1}, {"5": 4}]}]
    assert ids(compile_sort({"a.5": 1}).sorted(docs)) == [2, 1]
    assert ids(compile_sort({"a.5": -1}).sorted(docs)) == [2, 1]


def test_positional_nested_empty_array_is_undefined() -> None:
    """btree_key_generator.cpp: an empty array reached by index yields undefined (below null),
    a non-empty one is kept whole (sort_dotted_paths.js, {"a.0": 1} over {a: [[1]]})."""
    docs = [{"_id": 1, "a": None}, {"_id": 2, "a": [[]]}, {"_id": 3, "a": [[0]]},
            {"_id": 4, "a": [5]}]
    assert ids(compile_sort({"a.0": 1}).sorted(docs)) == [2, 1, 4, 3]


# --- compile-time rejections ----------------------------------------------------------------


@pytest.mark.parametrize(("spec", "path", "error"), [
    ({"a": 0}, "a", QueryError),
    ({"a.b": 2}, "a.b", QueryError),
    ({"a": "1"}, "a", QueryError),
    ({"a": True}, "a", QueryError),
    ({"a": None}, "a", QueryError),
    ({"a": 1.5}, "a", QueryError),
    ({"a": float("nan")}, "a", QueryError),
    ({"score": {"$meta": "textScore"}}, "score", QueryError),
    ({"a": 1, "b": [1]}, "b", QueryError),
    ({"": 1}, "[0]", QueryError),
    ({"a": 1, "a..b": 1}, "a..b", QueryError),
    ({".a": 1}, ".a", QueryError),
    ({"a.": -1}, "a.", QueryError),
    ({"$natural": 1}, "$natural", QueryError),
    ({"a.$b": 1}, "a.$b", QueryError),
    ({"a\x00b": 1}, "a\x00b", QueryError),
    ([("a", 1), (2, 1)], "[1]", QueryError),
    ([("a", 1), ("a", -1)], "a", QueryError),
    ([("a", 1), ("b",)], "[1]", QueryError),
    ([("a", 1), "b"], "[1]", QueryError),
    ("name", "", QueryError),
    (None, "", QueryError),
    ({f"k{i}": 1 for i in range(33)}, "", LimitError),
    ({".".join("a" * 33): 1}, ".".join("a" * 33), LimitError),
], ids=repr)
def test_rejected_sort_specs(spec: Any, path: str, error: type[QueryError]) -> None:
    """Sources: cursor.sort() ("1 or -1", "at most 32 keys", "duplicate fields causes an error");
    FieldPath rules (empty and "$"-prefixed field names)."""
    with pytest.raises(error) as info:
        compile_sort(spec)
    assert type(info.value) is error
    assert info.value.path == path


def test_direction_may_be_a_float_one() -> None:
    assert compile_sort({"a": 1.0, "b": -1.0}).spec == (("a", 1), ("b", -1))


def test_path_depth_follows_limits() -> None:
    compile_sort({"a.b.c": 1}, limits=Limits(max_depth=3))
    with pytest.raises(LimitError):
        compile_sort({"a.b.c.d": 1}, limits=Limits(max_depth=3))


def test_sort_exposes_spec_and_paths() -> None:
    order = compile_sort({"name": 1, "_createdBy._id": -1})
    assert isinstance(order, Sort)
    assert order.spec == (("name", 1), ("_createdBy._id", -1))
    assert order.paths == frozenset({"name", "_createdBy._id"})


def test_top_rejects_a_negative_or_non_integer_k() -> None:
    order = compile_sort({"a": 1})
    for k in (-1, 1.0, True, None):
        with pytest.raises(QueryError):
            order.top([{"a": 1}], k)  # type: ignore[arg-type]


def test_empty_pattern_keeps_input_order() -> None:
    docs = [{"_id": 2}, {"_id": 1}]
    assert ids(compile_sort({}).sorted(docs)) == [2, 1]
    assert ids(compile_sort([]).top(iter(docs), 1)) == [2]


def test_sorted_accepts_any_iterable_and_returns_the_same_documents() -> None:
    docs = [{"_id": 2, "a": 2}, {"_id": 1, "a": 1}]
    out = compile_sort({"a": 1}).sorted(d for d in docs)
    assert out == [docs[1], docs[0]]
    assert out[0] is docs[1]


def test_naive_and_aware_datetimes_sort_together() -> None:
    """Naive datetimes are UTC (DESIGN 4.3); an aware one sorts by its instant."""
    utc = dt.timezone.utc
    docs = [{"_id": 1, "d": dt.datetime(2024, 1, 1, 12)},
            {"_id": 2, "d": dt.datetime(2024, 1, 1, 11, tzinfo=utc)},
            {"_id": 3, "d": dt.datetime(2024, 1, 1, 12, 30)}]
    assert ids(compile_sort({"d": 1}).sorted(docs)) == [2, 1, 3]
    assert ids(compile_sort({"d": -1}).top(docs * 4, 2)) == [3, 3]


def test_mixed_naive_and_aware_inside_arrays() -> None:
    utc = dt.timezone.utc
    docs = [{"_id": 1, "d": [dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 1, tzinfo=utc)]},
            {"_id": 2, "d": [dt.datetime(2024, 1, 1, 12)]}]
    assert ids(compile_sort({"d": 1}).sorted(docs)) == [1, 2]
    assert ids(compile_sort({"d": -1}).sorted(docs)) == [1, 2]


def test_documents_that_are_mappings_but_not_dicts() -> None:
    from types import MappingProxyType
    docs = [MappingProxyType({"_id": 1, "a": MappingProxyType({"b": 2})}),
            MappingProxyType({"_id": 2, "a": {"b": 1}}), MappingProxyType({"_id": 3})]
    assert ids(compile_sort({"a.b": 1}).sorted(docs)) == [3, 2, 1]


def test_sorting_never_writes_into_the_documents() -> None:
    from collections import defaultdict
    docs = [defaultdict(list, {"_id": 1, "a": {"b": 2}}), defaultdict(list, {"_id": 2})]
    assert ids(compile_sort({"x": 1, "a.b": -1, "_id": 1}).sorted(docs)) == [1, 2]
    assert [dict(d) for d in docs] == [{"_id": 1, "a": {"b": 2}}, {"_id": 2}]
