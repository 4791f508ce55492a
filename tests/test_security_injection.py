"""ReDoS and operator-injection regressions (issue 6; docs/security.md).

Rocket.Chat's NoSQL injections went through these parameters: CVE-2021-22910 ran ``$where``
JavaScript through ``users.list``'s ``query``; CVE-2021-22911 and CVE-2022-32211 extracted
password-reset tokens with ``$regex`` (see tests/test_security_redaction.py for the oracle).
Here every operator that runs code or needs server machinery is refused wherever it hides,
with the path of the place in the message, and regular expressions run on RE2, in time linear
in the text, so the classic catastrophic-backtracking patterns return at once.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from integrations_core import Caller, Permission, Settings, list_integrations, parse_list_params
from integrations_core.mql import QueryError

CALLER = Caller("u-ann", [p.value for p in Permission])
IN, OUT = "webhook-incoming", "webhook-outgoing"

# --- ReDoS -----------------------------------------------------------------------------------------

# Each takes exponential (or high polynomial) time on a backtracking engine for these subjects.
# (.*a){25} itself is refused (Limits.max_regex_repeat, see the test below); {12} is the most allowed.
CATASTROPHIC = ["(a+)+$", "(a|aa)+$", "(.*a){12}", "(a|a?)+$", "(\\w+\\s?)*$", "^(a+)+b"]


def test_counted_catastrophic_pattern_is_refused() -> None:
    params = {"query": json.dumps({"name": {"$regex": "(.*a){25}"}})}
    response = list_integrations([], CALLER, params)
    assert (response.status, response.body["errorType"]) == (400, "error-invalid-query")
    assert "max_regex_repeat" in response.body["details"]["reason"] or "{25}" in response.body["details"]["reason"]
SUBJECTS = ["a" * 100_000 + "!", "a" * 30 + "!", ("ab" * 50_000)[:-1] + "!", "b" * 100_000]
BUDGET_REFUSAL = "needs more work than Settings.max_work"


def _answered_or_refused_for_work(response: Any) -> bool:
    """200, or a 400 naming the limit: the work budget, or a regex limit at compile time."""
    if response.status == 200:
        return True
    return response.status == 400 and (BUDGET_REFUSAL in response.body["error"] or "max_regex"
                                       in response.body.get("details", {}).get("reason", ""))


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_through_the_endpoint(pattern: str) -> None:
    # Within the default budget a request is answered or refused by name, never slow; with a
    # budget large enough it is answered, by RE2 in linear time (no backtracking fallback).
    records = [{"_id": f"r{i}", "type": IN, "name": subject}
               for i, subject in enumerate(SUBJECTS * 5)]
    params = {"query": json.dumps({"name": {"$regex": pattern, "$options": "i"}}), "count": "0"}
    assert _answered_or_refused_for_work(list_integrations(records, CALLER, params))
    roomy = Settings(max_work=10**12)
    assert list_integrations(records, CALLER, params, roomy).status == 200


@pytest.mark.parametrize("pattern", ["a.{12}c", "a.{12}", "[ab].{12}b", "(a|b).{12}c"])
def test_counted_repetition_on_long_names_is_answered_or_refused(pattern: str) -> None:
    # RE2's DFA for ``a.{n}c`` needs a state per set of recent ``a`` positions (2^n); it gives
    # up and the NFA costs text length x program size. A user allowed to create integrations
    # chooses the names, so each call is charged that bound before it runs (docs/security.md).
    rng = random.Random(0)
    records = [{"_id": f"r{i}", "type": IN, "name": "".join(rng.choices("ab", k=1000))}
               for i in range(200)]
    params = {"query": json.dumps({"name": {"$regex": pattern}}), "count": "0"}
    assert _answered_or_refused_for_work(list_integrations(records, CALLER, params))
    tight = Settings(max_work=1_000_000, max_work_per_record=1_000)
    refused = list_integrations(records, CALLER, params, tight)
    assert refused.status == 400 and _answered_or_refused_for_work(refused)


# --- operators that run code or need server machinery ---------------------------------------------

FORBIDDEN = {
    "$where": "sleep(5000) || this.token",
    "$expr": {"$eq": ["$token", "$name"]},
    "$function": {"body": "function() { return true }", "args": [], "lang": "js"},
    "$accumulator": {"init": "function() {}", "lang": "js"},
    "$jsonSchema": {"required": ["token"]},
    "$text": {"$search": "deploy"},
}


def _placements(op: str, operand: Any) -> list[tuple[dict[str, Any], str]]:
    """(query, path of the operator) for every place an operator can hide."""
    hidden = {op: operand}
    return [
        (hidden, op),
        ({"$or": [{"name": "x"}, hidden]}, f"$or[1].{op}"),
        ({"$and": [hidden]}, f"$and[0].{op}"),
        ({"$nor": [{"type": IN}, {"name": "y"}, hidden]}, f"$nor[2].{op}"),
        ({"name": {"$not": hidden}}, f"name.$not.{op}"),
        ({"name": hidden}, f"name.{op}"),
        ({"channel": {"$elemMatch": hidden}}, f"channel.$elemMatch.{op}"),
        ({"channel": {"$elemMatch": {"x": 1, **hidden}}}, f"channel.$elemMatch.{op}"),
        ({"channel": {"$all": [{"$elemMatch": hidden}]}}, f"channel.$all[0].$elemMatch.{op}"),
        ({"$or": [{"$and": [{"a": {"$elemMatch": {"$nor": [hidden]}}}]}]},
         f"$or[0].$and[0].a.$elemMatch.$nor[0].{op}"),
        ({"name": "ok", "$comment": "x", "z": {"$gt": 1, "$not": {"$lt": 0, **hidden}}},
         f"z.$not.{op}"),
    ]


CASES = [(op, query, path) for op, operand in FORBIDDEN.items()
         for query, path in _placements(op, operand)]


@pytest.mark.parametrize(("op", "query", "path"), CASES)
def test_forbidden_operators_are_refused_everywhere(op: str, query: dict[str, Any],
                                                    path: str) -> None:
    text = json.dumps(query)
    with pytest.raises(QueryError) as info:
        parse_list_params({"query": text})
    assert info.value.path == f"query.{path}"
    assert op in info.value.reason
    response = list_integrations([], CALLER, {"query": text})
    assert (response.status, response.body["errorType"]) == (400, "error-invalid-query")
    assert response.body["details"]["reason"].startswith(f"query.{path}: ")


@pytest.mark.parametrize("op", sorted(FORBIDDEN))
def test_forbidden_operators_are_not_allowed_for_a_stated_reason(op: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_list_params({"query": json.dumps({op: FORBIDDEN[op]})})
    assert f"operator {op} is not allowed" in info.value.reason


@pytest.mark.parametrize(("param", "value", "path"), [
    ("sort", {"$where": 1}, "sort.$where"),
    ("sort", {"name": {"$meta": "textScore"}}, "sort.name"),
    ("fields", {"$where": 1}, "fields.$where"),
    ("fields", {"channel": {"$elemMatch": {"$where": "1"}}}, "fields.channel"),
    ("fields", {"name": {"$function": {"body": "1"}}}, "fields.name"),
    ("fields", {"channel": {"$slice": 1}}, "fields.channel"),
])
def test_operators_in_sort_and_fields_are_refused(param: str, value: Any, path: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_list_params({param: json.dumps(value)})
    assert info.value.path == path


# --- other ways in -------------------------------------------------------------------------------

RECORDS = [
    {"_id": "mine", "type": IN, "name": "a.*b", "_createdBy": {"_id": "u-ann"}},
    {"_id": "theirs", "type": IN, "name": "axxb", "_createdBy": {"_id": "u-bob"}},
    {"_id": "orphan", "type": OUT, "name": "a.*b", "_createdBy": None},
]
OWN = Caller("u-ann", [Permission.MANAGE_OWN_INCOMING])


@pytest.mark.parametrize("params", [
    {"query": '{"__proto__": {"_createdBy": {"_id": "u-bob"}}}'},
    {"query": '{"constructor": {"prototype": {"type": "webhook-outgoing"}}}'},
    {"query": '{"$or": [{"_createdBy._id": "u-bob"}, {"_createdBy": null}]}'},
    {"query": '{"_createdBy._id": {"$ne": "u-ann"}}'},
    {"query": '{"type": {"$in": ["webhook-incoming", "webhook-outgoing"]}}'},
    {"name": ".*"},
    {"name": "a.*b"},
    {"name": "\\"},
    {"type": "webhook-incoming"},
    {"__proto__": "x"},
])
def test_nothing_widens_an_own_scope(params: dict[str, str]) -> None:
    response = list_integrations(RECORDS, OWN, params)
    if response.status == 200:
        assert [r["_id"] for r in response.body["integrations"]] in ([], ["mine"])
    else:
        assert response.status == 400


def test_name_is_matched_literally() -> None:
    body = list_integrations(RECORDS, Caller("u-x", [Permission.MANAGE_INCOMING]),
                             {"name": "A.*B"}).body
    assert [r["_id"] for r in body["integrations"]] == ["mine"]  # not "axxb"


@pytest.mark.parametrize("text", [
    '{"type": "webhook-incoming", "type": {"$ne": null}}',  # two readers could disagree
    '{"name": "x", "$where": "1", "name": "y"}',
])
def test_duplicate_keys_are_refused(text: str) -> None:
    response = list_integrations(RECORDS, OWN, {"query": text})
    assert (response.status, response.body["errorType"]) == (400, "error-invalid-query")


def test_rocketchat_7_profile_ignores_query_injections() -> None:
    # 7.x ignores ``query`` unless the server enables it; so does the preset.
    params = {"query": json.dumps({"$where": "1", "_createdBy._id": "u-bob"})}
    body = list_integrations(RECORDS, OWN, params, Settings.rocketchat_7()).body
    assert [r["_id"] for r in body["integrations"]] == ["mine"]
