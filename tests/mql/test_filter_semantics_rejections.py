"""MQL filter semantics, part 5: queries that must be rejected with a ``QueryError``.

Paths name the offending place: array indexes in brackets, keys joined by dots, the operator
last (``$or[1].name.$regex``). Operators MongoDB has but this library refuses by design
(DESIGN 4.3: ``$where``, ``$expr``, geo, text, schema...) are rejected by name.
"""

from __future__ import annotations

import pytest
from semantics_cases import (
    PARSER_CPP,
    Case,
    Rejection,
    check_unique_names,
    jstest,
    op,
    run_rejection,
)
from test_filter_semantics_arrays import CASES as ARRAY_CASES
from test_filter_semantics_comparison import CASES as COMPARISON_CASES
from test_filter_semantics_null import CASES as NULL_CASES
from test_filter_semantics_operators import CASES as OPERATOR_CASES

DESIGN = "DESIGN 4.3 (operators outside the supported set are rejected by name)"
MOD_JS = jstest("query/mod/mod.js")
MOD_SPECIAL_JS = jstest("query/mod/mod_special_values.js")
NOT2_JS = jstest("query/not/not2.js")
TYPE_ARRAY_JS = jstest("query/type/type_array.js")
REGEX_OPTIONS_JS = jstest("query/regex/regex_options.js")
UNSUPPORTED = "support"  # "unsupported" / "not supported"


def _re(pattern: str, options: str = "") -> dict[str, object]:
    return {"$regularExpression": {"pattern": pattern, "options": options}}


FORBIDDEN = [
    Rejection("where at top level", {"$where": "this.a > 1"}, "$where", DESIGN, "$where"),
    Rejection("where under a field", {"a": {"$where": "1"}}, "a.$where", PARSER_CPP, "$where"),
    Rejection("expr at top level", {"$expr": {"$gt": ["$a", 1]}}, "$expr", DESIGN, "$expr"),
    Rejection("expr inside or", {"$or": [{"a": 1}, {"$expr": {"$eq": ["$a", 2]}}]}, "$or[1].$expr",
              DESIGN, "$expr"),
    Rejection("function at top level", {"$function": {"body": "1", "args": [], "lang": "js"}},
              "$function", DESIGN, "$function"),
    Rejection("accumulator under a field", {"a": {"$accumulator": {}}}, "a.$accumulator", DESIGN,
              "$accumulator"),
    Rejection("jsonSchema", {"$jsonSchema": {"required": ["a"]}}, "$jsonSchema", DESIGN,
              "$jsonschema"),
    Rejection("text search", {"$text": {"$search": "x"}}, "$text", DESIGN, "$text"),
    Rejection("near", {"loc": {"$near": [0, 0]}}, "loc.$near", DESIGN, "$near"),
    Rejection("geoWithin",
              {"loc": {"$geoWithin": {"$centerSphere": [[0, 0], 1]}}}, "loc.$geoWithin", DESIGN,
              "$geowithin"),
    Rejection("bitsAllSet is outside the supported set", {"a": {"$bitsAllSet": 1}},
              "a.$bitsAllSet", DESIGN, "$bitsallset"),
    Rejection("unknown top-level operator", {"$foo": 1}, "$foo", PARSER_CPP, "$foo"),
    Rejection("unknown operator inside or", {"$or": [{"a": 1}, {"$foo": 1}]}, "$or[1].$foo",
              PARSER_CPP, "$foo"),
    Rejection("unknown operator inside and", {"$and": [{"a": {"$foo": 1}}]}, "$and[0].a.$foo",
              PARSER_CPP, "$foo"),
    Rejection("unknown operator under a field", {"a": {"$foo": 1}}, "a.$foo", PARSER_CPP,
              "$foo"),
    Rejection("unknown operator after a known one", {"a": {"$eq": 1, "$foo": 2}}, "a.$foo",
              PARSER_CPP, "$foo"),
    Rejection("unknown operator under not", {"a": {"$not": {"$foo": 1}}}, "a.$not.$foo",
              PARSER_CPP, "$foo"),
    Rejection("unknown operator under value elemMatch", {"a": {"$elemMatch": {"$foo": 1}}},
              "a.$elemMatch.$foo", PARSER_CPP, "$foo"),
    Rejection("unknown operator under object elemMatch",
              {"a": {"$elemMatch": {"b": {"$foo": 1}}}}, "a.$elemMatch.b.$foo", PARSER_CPP,
              "$foo"),
    Rejection("unknown operator deep in nested logic",
              {"$or": [{"$and": [{"a": 1}, {"$nor": [{"b": {"$foo": 1}}]}]}]},
              "$or[0].$and[1].$nor[0].b.$foo", PARSER_CPP, "$foo"),
    Rejection("unknown operator under dotted field", {"a.b": {"$foo": 1}}, "a.b.$foo",
              PARSER_CPP, "$foo"),
]

MALFORMED = [
    Rejection("and of empty list", {"$and": []}, "$and", PARSER_CPP),
    Rejection("or of empty list", {"$or": []}, "$or", PARSER_CPP),
    Rejection("nor of empty list", {"$nor": []}, "$nor", PARSER_CPP),
    Rejection("or given an object", {"$or": {}}, "$or", PARSER_CPP),
    Rejection("and given an object", {"$and": {"a": 1}}, "$and", PARSER_CPP),
    Rejection("or clause not a document", {"$or": [{"a": 1}, 5]}, "$or[1]", PARSER_CPP),
    Rejection("nor clause not a document", {"$nor": ["a"]}, "$nor[0]", PARSER_CPP),
    Rejection("in given a number", {"a": {"$in": 5}}, "a.$in", PARSER_CPP),
    Rejection("nin given a string", {"a": {"$nin": "x"}}, "a.$nin", PARSER_CPP),
    Rejection("in member with an operator", {"a": {"$in": [1, {"$gt": 1}]}}, "a.$in[1]",
              PARSER_CPP),
    Rejection("in member with regex operator", {"a": {"$in": [{"$regex": "x"}]}}, "a.$in[0]",
              op("in")),
    Rejection("all given a number", {"a": {"$all": 5}}, "a.$all", PARSER_CPP),
    Rejection("all member with an operator", {"a": {"$all": [{"$gt": 1}]}}, "a.$all[0]",
              PARSER_CPP),
    Rejection("all mixing elemMatch and values", {"a": {"$all": [{"$elemMatch": {"b": 1}}, 5]}},
              "a.$all[1]", PARSER_CPP),
    Rejection("elemMatch given a number", {"a": {"$elemMatch": 5}}, "a.$elemMatch", PARSER_CPP),
    Rejection("mod by zero", {"a": {"$mod": [0, 1]}}, "a.$mod[0]", MOD_JS),
    Rejection("mod by zero remainder zero", {"a": {"$mod": [0, 0]}}, "a.$mod[0]", MOD_JS),
    Rejection("mod divisor truncating to zero", {"a": {"$mod": [0.5, 0]}}, "a.$mod[0]",
              MOD_JS),
    Rejection("mod with one element", {"a": {"$mod": [1]}}, "a.$mod", MOD_JS),
    Rejection("mod with three elements", {"a": {"$mod": [10, 1, 1]}}, "a.$mod", MOD_JS),
    Rejection("mod with empty list", {"a": {"$mod": []}}, "a.$mod", PARSER_CPP),
    Rejection("mod not a list", {"a": {"$mod": 5}}, "a.$mod", PARSER_CPP),
    Rejection("mod divisor not a number", {"a": {"$mod": ["a", 0]}}, "a.$mod[0]", MOD_JS),
    Rejection("mod remainder not a number", {"a": {"$mod": [2, "b"]}}, "a.$mod[1]", MOD_JS),
    Rejection("mod divisor nan", {"a": {"$mod": [{"$numberDouble": "NaN"}, 1]}}, "a.$mod[0]",
              MOD_SPECIAL_JS),
    Rejection("mod divisor infinity", {"a": {"$mod": [{"$numberDouble": "Infinity"}, 1]}},
              "a.$mod[0]", MOD_SPECIAL_JS),
    Rejection("mod remainder beyond 64 bits", {"a": {"$mod": [1, 1e19]}}, "a.$mod[1]",
              MOD_SPECIAL_JS),
    Rejection("size negative", {"a": {"$size": -1}}, "a.$size", PARSER_CPP),
    Rejection("size fractional", {"a": {"$size": 1.5}}, "a.$size", PARSER_CPP),
    Rejection("size string", {"a": {"$size": "1"}}, "a.$size", PARSER_CPP),
    Rejection("size null", {"a": {"$size": None}}, "a.$size", PARSER_CPP),
    Rejection("options without regex", {"a": {"$options": "i"}}, "a.$options", NOT2_JS),
    Rejection("not of options without regex", {"a": {"$not": {"$options": "i"}}},
              "a.$not.$options", NOT2_JS),
    Rejection("bad option letter g", {"a": {"$regex": "x", "$options": "g"}}, "a.$options",
              REGEX_OPTIONS_JS),
    Rejection("bad option letter among good ones", {"a": {"$regex": "x", "$options": "iq"}},
              "a.$options", REGEX_OPTIONS_JS),
    Rejection("options not a string", {"a": {"$regex": "x", "$options": 1}}, "a.$options",
              PARSER_CPP),
    Rejection("regex not a string", {"a": {"$regex": 5}}, "a.$regex", PARSER_CPP),
    Rejection("regex backreference is unsupported", {"a": {"$regex": "(a)\\1"}}, "a.$regex",
              op("regex"), UNSUPPORTED),
    Rejection("regex lookahead is unsupported", {"a": {"$regex": "(?=a)"}}, "a.$regex",
              op("regex"), UNSUPPORTED),
    Rejection("regex negative lookbehind is unsupported", {"a": {"$regex": "(?<!a)b"}},
              "a.$regex", op("regex"), UNSUPPORTED),
    Rejection("regex atomic group is unsupported", {"a": {"$regex": "(?>a+)b"}}, "a.$regex",
              op("regex"), UNSUPPORTED),
    Rejection("regex unsupported inside or", {"$or": [{"a": 1}, {"name": {"$regex": "(?=x)"}}]},
              "$or[1].name.$regex", op("regex"), UNSUPPORTED),
    Rejection("regex unsupported as in member", {"a": {"$in": [_re("(a)\\1")]}}, "a.$in[0]",
              op("regex"), UNSUPPORTED),
    Rejection("regex unsupported under not", {"a": {"$not": _re("(?=a)")}}, "a.$not",
              op("regex"), UNSUPPORTED),
    Rejection("regex with unbalanced parenthesis", {"a": {"$regex": "(ab"}}, "a.$regex",
              op("regex")),
    Rejection("ne with a regex", {"a": {"$ne": _re("x")}}, "a.$ne", PARSER_CPP),
    Rejection("gt with a regex", {"a": {"$gt": _re("x")}}, "a.$gt", PARSER_CPP),
    Rejection("not of empty document", {"a": {"$not": {}}}, "a.$not", NOT2_JS),
    Rejection("not of a string", {"a": {"$not": "a"}}, "a.$not", NOT2_JS),
    Rejection("not of not of a string", {"a": {"$not": {"$not": "a"}}}, "a.$not.$not", NOT2_JS),
    Rejection("not of a number", {"a": {"$not": 5}}, "a.$not", PARSER_CPP),
    Rejection("not of a field document", {"a": {"$not": {"b": 1}}}, "a.$not.b", PARSER_CPP),
    Rejection("type unknown alias", {"a": {"$type": "nosuchtype"}}, "a.$type", op("type")),
    Rejection("type unknown code", {"a": {"$type": 99}}, "a.$type", op("type")),
    Rejection("type fractional code", {"a": {"$type": 2.5}}, "a.$type", op("type")),
    Rejection("type empty list", {"a": {"$type": []}}, "a.$type", PARSER_CPP),
    Rejection("type list with null", {"a": {"$type": ["string", None]}}, "a.$type[1]",
              TYPE_ARRAY_JS),
    Rejection("type list with document", {"a": {"$type": [{}, "string"]}}, "a.$type[0]",
              TYPE_ARRAY_JS),
    Rejection("operator object mixed with a field name", {"a": {"$gt": 1, "b": 2}}, "a.b",
              PARSER_CPP),
    Rejection("query is a list", [{"a": 1}], "", PARSER_CPP),
    Rejection("query is a string", "a == 1", "", PARSER_CPP),
    Rejection("query is None", None, "", PARSER_CPP),
]

REJECTIONS = FORBIDDEN + MALFORMED


@pytest.mark.parametrize("rejection", REJECTIONS, ids=lambda r: r.name)
def test_rejected_query(rejection: Rejection) -> None:
    run_rejection(rejection)


def test_case_names_are_unique() -> None:
    tables: list[list[Case] | list[Rejection]] = [
        COMPARISON_CASES, NULL_CASES, ARRAY_CASES, OPERATOR_CASES, REJECTIONS,
    ]
    assert check_unique_names(tables) == []


def test_suite_has_at_least_250_match_cases_each_with_a_source() -> None:
    cases = COMPARISON_CASES + NULL_CASES + ARRAY_CASES + OPERATOR_CASES
    assert len(cases) >= 250
    assert all(c.source for c in cases)
    assert all(r.source for r in REJECTIONS)
