"""Limits (issue 6, docs/security.md): every breach is a 400 whose message names the limit.

The limits are this library's own (Rocket.Chat has none); the expected messages and counts
below are written from the Settings docstrings and docs/security.md, not from the code.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from typing import Any

import pytest

from integrations_core import Caller, ParamError, Permission, Settings, list_integrations
from integrations_core import parse_list_params as parse
from integrations_core.mql import LimitError, Limits, QueryError

CALLER = Caller("u-ann", [p.value for p in Permission])
RECORDS = [
    {"_id": f"r{i}", "type": ("webhook-incoming", "webhook-outgoing")[i % 2],
     "name": f"Hook {i}", "channel": [f"#c{i}"], "_createdBy": {"_id": "u-ann", "username": "a"}}
    for i in range(6)
]


def _reason(response: Any) -> str:
    body = response.body
    if body["errorType"] == "invalid-params":
        return str(body["error"])
    return str(body["details"]["reason"])


# --- text sizes -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("param", "setting", "valid"), [
    ("query", "max_query_length", '{"name": "Hook 1"}'),
    ("sort", "max_sort_length", '{"name": 1}'),
    ("fields", "max_fields_length", '{"name": 1}'),
    ("name", "max_param_length", "Hook"),
    ("offset", "max_param_length", "0"),
])
def test_text_size_limits(param: str, setting: str, valid: str) -> None:
    padded = valid + " " * (40 - len(valid))  # JSON allows trailing blanks; digits get zeros
    if param == "offset":
        padded = "0" * 40
    if param == "name":
        padded = "x" * 40
    settings = Settings(**{setting: 40})
    assert list_integrations(RECORDS, CALLER, {param: padded}, settings).status == 200
    response = list_integrations(RECORDS, CALLER, {param: padded + " "}, settings)
    assert response.status == 400
    assert response.body["errorType"] == "invalid-params"
    assert f"{param}: is 41 characters long, over Settings.{setting} (40)" in _reason(response)


def test_default_text_sizes() -> None:
    defaults = Settings()
    assert (defaults.max_query_length, defaults.max_sort_length, defaults.max_fields_length,
            defaults.max_param_length) == (8192, 1024, 4096, 8192)


# --- nesting, values, lists, regex length --------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[" * 100_000,
    '{"a":' * 100_000,
    '{"$or":[' * 50_000,
    '{"a":{"$elemMatch":' * 50_000,
    '{"a":{"$not":' * 50_000,
    '"' + "\\" * 10_000,                      # a string that never ends
    "[" * 40 + "]" * 40,                       # well formed, too deep
    '{"a":' + '{"$date":' * 40 + '"x"' + "}" * 41,
])
def test_deep_json_is_a_400_not_a_recursion_error(text: str) -> None:
    for param in ("query", "sort", "fields"):
        settings = Settings(**{f"max_{param}_length": 10**6})
        response = list_integrations(RECORDS, CALLER, {param: text}, settings)
        assert response.status == 400
        assert response.body["errorType"] == f"error-invalid-{param}"


def test_depth_breach_names_the_limit_and_the_place() -> None:
    query = {"a": {"$elemMatch": {"b": {"$elemMatch": {"c": {"$elemMatch": {"d": 1}}}}}}}
    settings = Settings(limits=Limits(max_depth=5))
    with pytest.raises(LimitError) as info:
        parse({"query": json.dumps(query)}, settings)
    assert "nested deeper than max_depth (5)" in str(info.value)
    assert info.value.path.startswith("query.a.$elemMatch.b.$elemMatch")
    parse({"query": json.dumps(query)}, Settings(limits=Limits(max_depth=7)))
    with pytest.raises(LimitError) as info:  # refused from the text, before parsing
        parse({"query": "[" * 8}, settings)
    assert info.value.reason == "is nested deeper than Settings.limits.max_depth (5) + 2 levels"


def _frames() -> int:
    return len(inspect.stack(0))


# The deepest query of each shape that max_depth=100 (the ceiling) accepts.
DEEPEST = {
    "$elemMatch": '{"a":{"$elemMatch":' * 49 + '{"b":1}' + "}}" * 49,
    "$not": '{"a":' + '{"$not":' * 98 + '{"$eq":1}' + "}" * 99,
    "$nor": '{"$nor":[' * 49 + '{"a":1}' + "]}" * 49,
    "array": '{"a":' + "[" * 99 + "]" * 99 + "}",
    "$all": '{"a":{"$all":[' + '{"$elemMatch":{"a":' * 48 + "1" + "}}" * 48 + "]}}",
}


@pytest.mark.parametrize("shape", sorted(DEEPEST))
def test_deepest_accepted_query_needs_little_stack(shape: str) -> None:
    # Parsing, decoding, compiling and matching use a few frames per level, far below
    # Python's recursion limit (1000) even for a caller that is already deep in its stack.
    settings = Settings(limits=Limits(max_depth=100), max_query_length=10**5, max_conditions=99,
                        max_work_per_record=10**6)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_frames() + 450)
    try:
        response = list_integrations(RECORDS, CALLER, {"query": DEEPEST[shape]}, settings)
    finally:
        sys.setrecursionlimit(old)
    assert response.status == 200, response.body


def test_depth_beyond_the_ceiling_is_refused() -> None:
    # 100 is MongoDB's nesting limit for BSON documents; it keeps json.loads far from Python's
    # recursion limit (check_nesting lets at most max_depth + 2 levels reach the parser).
    Limits(max_depth=100)
    for depth in (0, 101, 10_000):
        with pytest.raises(ValueError):
            Limits(max_depth=depth)


@pytest.mark.parametrize("kwargs", [
    {"max_conditions": 0},
    {"max_regexes": -1},
    {"max_query_length": True},
    {"max_sort_keys": 1.5},
    {"redact": "token"},
    {"redact": ["_id"]},
    {"redact": ["a..b"]},
    {"redact": ["$where"]},
    {"redact": [1]},
])
def test_settings_refuse_unsafe_values(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Settings(**kwargs)


@pytest.mark.parametrize(("query", "limits", "message", "path"), [
    ({"a": {"$in": list(range(11))}}, Limits(max_list_length=10),
     "has 11 items, over max_list_length (10)", "query.a.$in"),
    ({"$or": [{"a": i} for i in range(11)]}, Limits(max_list_length=10),
     "has 11 items, over max_list_length (10)", "query.$or"),
    ({"a": {"$regex": "x" * 11}}, Limits(max_regex_length=10),
     "regex is 11 characters, over max_regex_length (10)", "query.a.$regex"),
    ({"a": {"$regularExpression": {"pattern": "y" * 11, "options": ""}}},
     Limits(max_regex_length=10),
     "regex is 11 characters, over max_regex_length (10)", "query.a"),
    ({"a": {"$in": [[1, 2, 3]] * 3}}, Limits(max_nodes=12),
     "holds more than max_nodes (12) values", "query"),
])
def test_query_limits_name_the_setting_and_the_place(query: dict[str, Any], limits: Limits,
                                                     message: str, path: str) -> None:
    settings = Settings(limits=limits)
    with pytest.raises(LimitError) as info:
        parse({"query": json.dumps(query)}, settings)
    assert info.value.path == path
    assert message in str(info.value)
    response = list_integrations(RECORDS, CALLER, {"query": json.dumps(query)}, settings)
    assert (response.status, response.body["errorType"]) == (400, "error-invalid-query")
    assert message in response.body["details"]["reason"]


# --- conditions and regular expressions per record -----------------------------------------------

# (query, conditions, regexes) counted by the rules of Settings.max_conditions / max_regexes.
COSTS = [
    ({"name": "x"}, 1, 0),
    ({"name": "x", "type": "y"}, 2, 0),
    ({"name": {"$gt": "a", "$lt": "b"}}, 2, 0),
    ({"name": {"$in": [f"s{i}" for i in range(500)] + list(range(500))}}, 1, 0),  # set lookups
    # 1 for $in, + 4 members compared one by one (array, document, null, true); 1.5 is hashed
    ({"name": {"$in": [["a"], {"b": 1}, None, True, 1.5]}}, 5, 0),
    ({"name": {"$nin": [{"$numberDouble": "NaN"}, 1]}}, 2, 0),
    ({"name": {"$all": ["a", "b", "c"]}}, 4, 0),
    ({"name": {"$regex": "^a", "$options": "i"}}, 1, 1),
    ({"name": {"$not": {"$regex": "^a"}}}, 1, 1),
    ({"name": {"$not": {"$gt": 1, "$lt": 5}}}, 2, 0),
    ({"name": {"$in": [{"$regularExpression": {"pattern": "a", "options": ""}}, "b"]}}, 2, 1),
    ({"name": {"$all": [{"$regexp": "a"}, {"$regexp": "b"}]}}, 3, 2),
    ({"channel": {"$elemMatch": {"$regex": "a", "$ne": "b"}}}, 3, 1),
    ({"channel": {"$elemMatch": {"x": 1, "y": {"$regex": "z"}}}}, 3, 1),
    ({"channel": {"$all": [{"$elemMatch": {"x": 1}}, {"$elemMatch": {"y": 2}}]}}, 5, 0),
    ({"$or": [{"a": 1}, {"$and": [{"b": 2}, {"c": {"$exists": True}}]}]}, 3, 0),
    ({"$nor": [{"a": {"$regex": "x"}}, {"b": {"$regex": "y"}}], "$comment": "hi"}, 2, 2),
    ({"name": {"$eq": {"$regularExpression": {"pattern": "a", "options": ""}}}}, 1, 0),
]


@pytest.mark.parametrize(("query", "conditions", "regexes"), COSTS)
def test_conditions_and_regexes_are_counted(query: dict[str, Any], conditions: int,
                                            regexes: int) -> None:
    # One more known condition (or regex) makes the count exact at both ends of the limit.
    more = json.dumps({**query, "zz": 1})
    parse({"query": more}, Settings(max_conditions=conditions + 1, max_regexes=99))
    with pytest.raises(LimitError) as info:
        parse({"query": more}, Settings(max_conditions=conditions, max_regexes=99))
    assert info.value.reason == (f"evaluates {conditions + 1} conditions per record, over "
                                 f"max_conditions ({conditions})")
    more = json.dumps({**query, "zr": {"$regex": "q."}})
    parse({"query": more}, Settings(max_regexes=regexes + 1, max_conditions=99))
    if regexes:
        with pytest.raises(LimitError) as info:
            parse({"query": more}, Settings(max_regexes=regexes, max_conditions=99))
        assert info.value.reason == (f"runs {regexes + 1} regular expressions per record, "
                                     f"over max_regexes ({regexes})")


def test_default_conditions_and_regexes() -> None:
    sixteen = {"$and": [{f"f{i}": {"$ne": i}} for i in range(16)]}
    parse({"query": json.dumps(sixteen)})
    with pytest.raises(LimitError):
        parse({"query": json.dumps({**sixteen, "g": 1})})
    eight = {"$nor": [{f"f{i}": {"$regex": f"x{i}."}} for i in range(8)]}
    parse({"query": json.dumps(eight)})
    with pytest.raises(LimitError):
        parse({"query": json.dumps({**eight, "g": {"$regex": "y."}})})


def test_limit_reasons_are_given_even_without_error_reasons() -> None:
    settings = Settings.rocketchat_7(query_enabled=True)
    over = json.dumps({"$and": [{f"f{i}": i} for i in range(17)]})
    response = list_integrations(RECORDS, CALLER, {"query": over}, settings)
    assert response.status == 400
    assert "max_conditions (16)" in response.body["details"]["reason"]
    bad = list_integrations(RECORDS, CALLER, {"query": '{"$where": "1"}'}, settings)
    assert "reason" not in bad.body["details"]  # an ordinary error keeps the 7.x envelope


# --- sort and fields -----------------------------------------------------------------------------

def test_sort_keys_limit() -> None:
    five = json.dumps({f"k{i}": 1 for i in range(5)})
    response = list_integrations(RECORDS, CALLER, {"sort": five})
    assert (response.status, response.body["errorType"]) == (400, "error-invalid-sort")
    assert "has 5 keys, over Settings.max_sort_keys (4)" in _reason(response)
    assert list_integrations(RECORDS, CALLER, {"sort": five},
                             Settings(max_sort_keys=5)).status == 200


@pytest.mark.parametrize(("param", "spec", "message", "path"), [
    ("fields", {f"f{i}": 1 for i in range(4)},
     "names 4 paths, over Settings.limits.max_list_length (3)", "fields"),
    ("fields", {"a.b.c.d.e": 1}, "path has 5 components, over Settings.limits.max_depth (4)",
     "fields.a.b.c.d.e"),
    ("sort", {"a.b.c.d.e": 1}, "path has 5 components, over Settings.limits.max_depth (4)",
     "sort.a.b.c.d.e"),
])
def test_sort_and_fields_limits(param: str, spec: dict[str, int], message: str,
                                path: str) -> None:
    settings = Settings(limits=Limits(max_list_length=3, max_depth=4))
    with pytest.raises(QueryError) as info:
        parse({param: json.dumps(spec)}, settings)
    assert (info.value.path, info.value.reason) == (path, message)


# --- offset and count ----------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "status", "items"), [
    ({"offset": str(2**63 - 1)}, 200, 0),
    ({"offset": str(2**63)}, 400, None),
    ({"offset": "9" * 8192}, 400, None),
    ({"count": "9" * 8192}, 200, 6),              # clamped to max_count, as Rocket.Chat does
    ({"count": str(10**30), "offset": "4"}, 200, 2),
    ({"count": "1e400"}, 400, None),
])
def test_huge_offsets_and_counts(params: dict[str, str], status: int, items: int | None) -> None:
    response = list_integrations(RECORDS, CALLER, params)
    assert response.status == status
    if status == 200:
        assert response.body["count"] == items
    else:
        assert response.body["errorType"] == "invalid-params"
    if params.get("offset") == str(2**63):
        assert "must be at most 9223372036854775807" in response.body["error"]


def test_count_ceiling() -> None:
    many = [{**RECORDS[0], "_id": f"x{i}"} for i in range(150)]
    assert list_integrations(many, CALLER, {"count": "150"}).body["count"] == 100
    settings = Settings(max_count=7)
    assert list_integrations(many, CALLER, {"count": "150"}, settings).body["count"] == 7


@pytest.mark.parametrize("value", [10**400, float("inf"), float("nan"), -(10**30)])
def test_huge_numbers_in_the_rocketchat_7_profile(value: Any) -> None:
    with pytest.raises(ParamError):
        parse({"count": value}, Settings.rocketchat_7())


# --- the benchmark's requests are within the defaults --------------------------------------------

def test_worst_case_benchmark_requests_are_accepted_by_default() -> None:
    # benchmarks/bench_worst_case.py measures these; each must be a request Settings() answers
    # or refuses by naming a limit (the work budget, or the cost per record), so that its
    # figure in docs/security.md is "within the defaults".
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
    try:
        from bench_worst_case import scenarios
    finally:
        sys.path.pop(0)
    for name, build in scenarios(Settings()).items():
        response = list_integrations(RECORDS, CALLER, build())
        if response.status != 200:
            assert response.status == 400, (name, response.body)
            text = json.dumps(response.body)
            assert "Settings.max_work" in text or "over max_" in text, (name, response.body)
