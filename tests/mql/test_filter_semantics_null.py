"""MQL filter semantics, part 2: null and missing fields, $exists.

MongoDB 8.0: ``{a: null}`` matches null, a missing ``a`` and arrays holding null; a dotted path
through an array matches null only where an element is a document lacking the field (or holding
null). Arrays of scalars and empty arrays do not (that changed again in 9.0).
"""

from __future__ import annotations

import pytest
from semantics_cases import (
    ABSENT,
    NULL_SEMANTICS_80,
    NULL_TUTORIAL,
    PARSER_CPP,
    PATH_CPP,
    Case,
    jstest,
    op,
    rows,
    run_case,
)

EXISTS_JS = jstest("query/exists/exists.js")
EXISTS9_JS = jstest("query/exists/exists9.js")
EXISTSA_JS = jstest("query/exists/existsa.js")
EXISTSB_JS = jstest("query/exists/existsb.js")

# The document shapes of null_query_semantics.js (undefined has no Python counterpart).
SHAPES = [
    {"_id": 1, "a": None},
    {"_id": 2},
    {"_id": 3, "a": 4},
    {"_id": 4, "a": {}},
    {"_id": 5, "a": {"b": "hi"}},
    {"_id": 6, "a": {"b": None}},
    {"_id": 7, "a": []},
    {"_id": 8, "a": [[]]},
    {"_id": 9, "a": [None, None]},
    {"_id": 10, "a": [1, "string", 4]},
    {"_id": 11, "a": [1, "string", None, 4]},
    {"_id": 12, "a": [{"b": None}, {"b": 3}]},
    {"_id": 13, "a": [{"b": 1}, {"b": 3}, {"b": "string"}]},
    {"_id": 14, "a": [{"b": 3}, {}]},
]
ALL_IDS = [d["_id"] for d in SHAPES]
NULLISH = [1, 2, 9, 11]
NOT_NULLISH = [i for i in ALL_IDS if i not in NULLISH]
DOTTED_NULLISH = [1, 2, 3, 4, 6, 12, 14]
NOT_DOTTED_NULLISH = [i for i in ALL_IDS if i not in DOTTED_NULLISH]
STR_PREFIX = {"$regularExpression": {"pattern": "^str", "options": ""}}

NULL_CASES = [
    Case("null matches null missing and arrays holding null", SHAPES, {"a": None}, NULLISH,
         NULL_SEMANTICS_80),
    Case("null via $eq", SHAPES, {"a": {"$eq": None}}, NULLISH, NULL_SEMANTICS_80),
    Case("ne null is the complement of eq null", SHAPES, {"a": {"$ne": None}}, NOT_NULLISH,
         NULL_SEMANTICS_80),
    Case("not gte null is the complement of eq null", SHAPES, {"a": {"$not": {"$gte": None}}},
         NOT_NULLISH, NULL_SEMANTICS_80),
    Case("gte null over all shapes", SHAPES, {"a": {"$gte": None}}, NULLISH, NULL_SEMANTICS_80),
    Case("lte null over all shapes", SHAPES, {"a": {"$lte": None}}, NULLISH, NULL_SEMANTICS_80),
    Case("gt null over all shapes", SHAPES, {"a": {"$gt": None}}, [], NULL_SEMANTICS_80),
    Case("in null and number", SHAPES, {"a": {"$in": [None, 4]}}, [1, 2, 3, 9, 10, 11],
         NULL_SEMANTICS_80),
    Case("or of null and number", SHAPES, {"$or": [{"a": None}, {"a": 4}]},
         [1, 2, 3, 9, 10, 11], NULL_SEMANTICS_80),
    Case("nin null and number", SHAPES, {"a": {"$nin": [None, 4]}}, [4, 5, 6, 7, 8, 12, 13, 14],
         NULL_SEMANTICS_80),
    Case("nin null and empty array", SHAPES, {"a": {"$nin": [None, []]}},
         [3, 4, 5, 6, 10, 12, 13, 14], NULL_SEMANTICS_80),
    Case("nin null and regex", SHAPES, {"a": {"$nin": [None, STR_PREFIX]}},
         [3, 4, 5, 6, 7, 8, 12, 13, 14], NULL_SEMANTICS_80),
    Case("dotted null matches missing subfield but not arrays of scalars", SHAPES,
         {"a.b": None}, DOTTED_NULLISH, NULL_SEMANTICS_80),
    Case("dotted null via $eq", SHAPES, {"a.b": {"$eq": None}}, DOTTED_NULLISH,
         NULL_SEMANTICS_80),
    Case("dotted ne null is the complement", SHAPES, {"a.b": {"$ne": None}}, NOT_DOTTED_NULLISH,
         NULL_SEMANTICS_80),
    Case("dotted in null and number", SHAPES, {"a.b": {"$in": [None, 75]}}, DOTTED_NULLISH,
         NULL_SEMANTICS_80),
    Case("dotted or of null and number", SHAPES, {"$or": [{"a.b": None}, {"a.b": 75}]},
         DOTTED_NULLISH, NULL_SEMANTICS_80),
    Case("dotted nin null and number", SHAPES, {"a.b": {"$nin": [None, 75]}},
         NOT_DOTTED_NULLISH, NULL_SEMANTICS_80),
    Case("dotted nin null and regex", SHAPES, {"a.b": {"$nin": [None, STR_PREFIX]}},
         [5, 7, 8, 9, 10, 11], NULL_SEMANTICS_80),
    Case("dotted exists false", SHAPES, {"a.b": {"$exists": False}},
         [1, 2, 3, 4, 7, 8, 9, 10, 11], PATH_CPP),
    Case("exists true keeps null values", SHAPES, {"a": {"$exists": True}},
         [i for i in ALL_IDS if i != 2], NULL_SEMANTICS_80),
    Case("exists false only missing", SHAPES, {"a": {"$exists": False}}, [2], NULL_SEMANTICS_80),
    Case("elemMatch eq null needs a null element", SHAPES, {"a": {"$elemMatch": {"$eq": None}}},
         [9, 11], NULL_SEMANTICS_80),
    Case("elemMatch ne null needs a non-null element", SHAPES,
         {"a": {"$elemMatch": {"$ne": None}}}, [8, 10, 11, 12, 13, 14], NULL_SEMANTICS_80),
    Case("elemMatch field null", SHAPES, {"a": {"$elemMatch": {"b": None}}}, [8, 12, 14],
         NULL_SEMANTICS_80),
    Case("elemMatch field ne null", SHAPES, {"a": {"$elemMatch": {"b": {"$ne": None}}}},
         [12, 13, 14], NULL_SEMANTICS_80),
    Case("dotted elemMatch null needs an array at the path", SHAPES,
         {"a.b": {"$elemMatch": {"$eq": None}}}, [], NULL_SEMANTICS_80),
    Case("tutorial null equality", [{"_id": 1, "item": None}, {"_id": 2}], {"item": None},
         [1, 2], NULL_TUTORIAL),
    Case("tutorial type null excludes missing", [{"_id": 1, "item": None}, {"_id": 2}],
         {"item": {"$type": 10}}, [1], NULL_TUTORIAL),
    Case("tutorial exists false", [{"_id": 1, "item": None}, {"_id": 2}],
         {"item": {"$exists": False}}, [2], NULL_TUTORIAL),
    Case("null is not false zero or empty string", rows(None, False, 0, "", [], {}),
         {"a": None}, [1], NULL_TUTORIAL),
]

NESTED = [
    {"_id": 1},
    {"_id": 2, "a": 1},
    {"_id": 3, "a": {"b": 1}},
    {"_id": 4, "a": {"b": {"c": 1}}},
    {"_id": 5, "a": {"b": {"c": {"d": None}}}},
]
EXISTSB = [
    {"_id": 1},
    {"_id": 2, "a": 1},
    {"_id": 3, "b": 1},
    {"_id": 4, "a": 1, "b": None},
    {"_id": 5, "a": 1, "b": 1},
]
EXISTSA = [{"_id": 1}, {"_id": 2, "a": 1}, {"_id": 3, "a": {"x": 1}, "b": 1}]
EXISTSA_ELEM = [
    {"_id": 1, "a": [{}]},
    {"_id": 2, "a": [{"b": 1}]},
    {"_id": 3, "a": [{"b": [1]}]},
]

EXISTS_CASES = [
    Case("exists deep null path counts every document", NESTED, {"a.b.c.d": None},
         [1, 2, 3, 4, 5], EXISTS_JS),
    Case("exists dotted null through scalars", NESTED, {"a.b": None}, [1, 2], EXISTS_JS),
    Case("exists dotted ne null", NESTED, {"a.b.c": {"$ne": None}}, [4, 5], EXISTS_JS),
    Case("exists deep ne null none", NESTED, {"a.b.c.d": {"$ne": None}}, [], EXISTS_JS),
    Case("exists true dotted", NESTED, {"a.b": {"$exists": True}}, [3, 4, 5], EXISTS_JS),
    Case("exists true on field holding null", NESTED, {"a.b.c.d": {"$exists": True}}, [5],
         EXISTS_JS),
    Case("exists false dotted", NESTED, {"a.b.c": {"$exists": False}}, [1, 2, 3], EXISTS_JS),
    Case("exists true through array of documents", [{"_id": 1, "r": [{"s": 1}]}],
         {"r.s": {"$exists": True}}, [1], EXISTS_JS),
    Case("exists false through array of documents", [{"_id": 1, "r": [{"s": 1}]}],
         {"r.s": {"$exists": False}}, [], EXISTS_JS),
    Case("exists true absent subfield in array of documents", [{"_id": 1, "r": [{"s": 1}]}],
         {"r.t": {"$exists": True}}, [], EXISTS_JS),
    Case("exists false absent subfield in array of documents", [{"_id": 1, "r": [{"s": 1}]}],
         {"r.t": {"$exists": False}}, [1], EXISTS_JS),
    Case("exists empty array exists", rows([], ABSENT), {"a": {"$exists": True}}, [1],
         EXISTS9_JS),
    Case("exists false empty array", rows([], ABSENT), {"a": {"$exists": False}}, [2],
         EXISTS9_JS),
    Case("exists index path on numeric key vs empty array", rows({"0": 1}, []),
         {"a.0": {"$exists": True}}, [1], EXISTS9_JS),
    Case("exists false index path on empty array", rows({"0": 1}, []),
         {"a.0": {"$exists": False}}, [2], EXISTS9_JS),
    Case("exists false in empty subdocument", rows({}), {"a.b": {"$exists": False}}, [1],
         EXISTS9_JS),
    Case("exists true matches null value", rows(None, ABSENT, 0), {"a": {"$exists": True}},
         [1, 3], op("exists")),
    Case("exists 1 is true", rows(None, ABSENT), {"a": {"$exists": 1}}, [1], PARSER_CPP),
    Case("exists -1 is true", rows(None, ABSENT), {"a": {"$exists": -1}}, [1], PARSER_CPP),
    Case("exists 0 is false", rows(None, ABSENT), {"a": {"$exists": 0}}, [2], PARSER_CPP),
    Case("exists 0.0 is false", rows(None, ABSENT), {"a": {"$exists": 0.0}}, [2], PARSER_CPP),
    Case("exists null is false", rows(None, ABSENT), {"a": {"$exists": None}}, [2], PARSER_CPP),
    Case("exists string is true", rows(None, ABSENT), {"a": {"$exists": "no"}}, [1],
         PARSER_CPP),
    Case("exists true other field", EXISTSB, {"b": {"$exists": True}}, [3, 4, 5], EXISTSB_JS),
    Case("exists not false", EXISTSB, {"b": {"$not": {"$exists": False}}}, [3, 4, 5],
         EXISTSB_JS),
    Case("exists not true", EXISTSB, {"a": {"$not": {"$exists": True}}}, [1, 3], EXISTSB_JS),
    Case("exists false with equality on another field", EXISTSB,
         {"a": 1, "b": {"$exists": False}}, [2], EXISTSB_JS),
    Case("exists false and exists true", EXISTSB,
         {"a": {"$exists": False}, "b": {"$exists": True}}, [3], EXISTSB_JS),
    Case("exists both false", EXISTSB, {"a": {"$exists": False}, "b": {"$exists": False}}, [1],
         EXISTSB_JS),
    Case("exists nor of exists true", EXISTSA, {"$nor": [{"a": {"$exists": True}}]}, [1],
         EXISTSA_JS),
    Case("exists inside and", EXISTSA, {"$and": [{"a": {"$exists": False}}]}, [1], EXISTSA_JS),
    Case("exists false dotted under scalar", EXISTSA, {"a.x": {"$exists": False}}, [1, 2],
         EXISTSA_JS),
    Case("exists nor of dotted exists false", EXISTSA, {"$nor": [{"a.x": {"$exists": False}}]},
         [3], EXISTSA_JS),
    Case("exists false inside elemMatch", EXISTSA_ELEM,
         {"a": {"$elemMatch": {"b": {"$exists": False}}}}, [1], EXISTSA_JS),
    Case("exists true inside elemMatch", EXISTSA_ELEM,
         {"a": {"$elemMatch": {"b": {"$exists": True}}}}, [2, 3], EXISTSA_JS),
    Case("exists not false inside value elemMatch", EXISTSA_ELEM,
         {"a.b": {"$elemMatch": {"$not": {"$exists": False}}}}, [3], EXISTSA_JS),
    Case("exists with range inside value elemMatch", EXISTSA_ELEM,
         {"a.b": {"$elemMatch": {"$gt": 0, "$not": {"$exists": False}}}}, [3], EXISTSA_JS),
    Case("exists true and nin", rows(5, 15, 7, ABSENT, key="qty"),
         {"qty": {"$exists": True, "$nin": [5, 15]}}, [3], op("exists")),
]

CASES = NULL_CASES + EXISTS_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_null_and_exists_semantics(case: Case) -> None:
    run_case(case)
