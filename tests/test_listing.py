"""Conformance of list_integrations with Rocket.Chat's integrations.list (DESIGN 4.1, 4.2).

Expected bodies are written out from the endpoint's documentation
(/work/shared/reference/integrations-list-api-doc.txt: the seed example) and from Rocket.Chat's
sources: apps/meteor/app/api/server/v1/integrations.ts (the route), ApiClass.ts (envelopes and
the order 401 -> invalid-params -> 403 -> handler), parseJsonQuery.ts (sort/fields/query errors).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from itertools import chain, combinations
from typing import Any

import pytest

from integrations_core import Caller, Permission, Settings, list_integrations
from integrations_core.mql import Limits

IN, OUT = "webhook-incoming", "webhook-outgoing"
ALL_IN, ALL_OUT = Permission.MANAGE_INCOMING.value, Permission.MANAGE_OUTGOING.value
OWN_IN, OWN_OUT = Permission.MANAGE_OWN_INCOMING.value, Permission.MANAGE_OWN_OUTGOING.value
ME, OTHER = "u-me", "u-other"


def _record(_id: str, kind: str, owner: str, name: str) -> dict[str, Any]:
    return {"_id": _id, "type": kind, "name": name, "enabled": True,
            "_createdBy": {"_id": owner, "username": owner[2:]},
            "_createdAt": dt.datetime(2024, 5, 1, 12, 0, 0, 123456)}


FOUR = [
    _record("a-mine-in", IN, ME, "Mine in"),
    _record("b-theirs-in", IN, OTHER, "Theirs in"),
    _record("c-mine-out", OUT, ME, "Mine out"),
    _record("d-theirs-out", OUT, OTHER, "Theirs out"),
]

# DESIGN 4.1's table, applied by hand to FOUR: the ids "me" sees for each set of permissions.
SIXTEEN = [
    ((), None),
    ((ALL_IN,), ["a-mine-in", "b-theirs-in"]),
    ((ALL_OUT,), ["c-mine-out", "d-theirs-out"]),
    ((OWN_IN,), ["a-mine-in"]),
    ((OWN_OUT,), ["c-mine-out"]),
    ((ALL_IN, ALL_OUT), ["a-mine-in", "b-theirs-in", "c-mine-out", "d-theirs-out"]),
    ((ALL_IN, OWN_IN), ["a-mine-in", "b-theirs-in"]),
    ((ALL_IN, OWN_OUT), ["a-mine-in", "b-theirs-in", "c-mine-out"]),
    ((ALL_OUT, OWN_IN), ["a-mine-in", "c-mine-out", "d-theirs-out"]),
    ((ALL_OUT, OWN_OUT), ["c-mine-out", "d-theirs-out"]),
    ((OWN_IN, OWN_OUT), ["a-mine-in", "c-mine-out"]),
    ((ALL_IN, ALL_OUT, OWN_IN), ["a-mine-in", "b-theirs-in", "c-mine-out", "d-theirs-out"]),
    ((ALL_IN, ALL_OUT, OWN_OUT), ["a-mine-in", "b-theirs-in", "c-mine-out", "d-theirs-out"]),
    ((ALL_IN, OWN_IN, OWN_OUT), ["a-mine-in", "b-theirs-in", "c-mine-out"]),   # 7.x: a, c
    ((ALL_OUT, OWN_IN, OWN_OUT), ["a-mine-in", "c-mine-out", "d-theirs-out"]),  # 7.x: a, c
    ((ALL_IN, ALL_OUT, OWN_IN, OWN_OUT),
     ["a-mine-in", "b-theirs-in", "c-mine-out", "d-theirs-out"]),
]


def _ids(body: dict[str, Any]) -> list[str]:
    return [r["_id"] for r in body["integrations"]]


def test_the_sixteen_rows_are_every_combination() -> None:
    every = chain.from_iterable(combinations([ALL_IN, ALL_OUT, OWN_IN, OWN_OUT], n)
                                for n in range(5))
    assert {frozenset(c) for c in every} == {frozenset(p) for p, _ in SIXTEEN}


@pytest.mark.parametrize(("permissions", "expected"), SIXTEEN)
def test_sixteen_permission_combinations(permissions: tuple[str, ...],
                                         expected: list[str] | None) -> None:
    response = list_integrations(FOUR, Caller(ME, permissions), {})
    if expected is None:
        assert response.status == 403
        return
    assert response.status == 200
    assert _ids(response.body) == expected  # unsorted: input order
    assert response.body["total"] == len(expected)


# --- the seed example ------------------------------------------------------------------------------

GUGGY = {
    "_id": "WMQDChpnYTRmFre9h", "enabled": True, "username": "rocket.cat", "alias": "Guggy",
    "avatar": "https://image.crisp.im/avatar/website/17651a90-e082-43f6-b308-957cea6e323c/128",
    "name": "Guggy", "triggerWords": ["!guggy", "guggy", "gif+"],
    "urls": ["http://text2gif.guggy.com/guggify"], "token": "aobEdbYhXfu5hkeqG",
    "script": "...", "scriptEnabled": True, "impersonateUser": False, "scriptCompiled": "...",
    "scriptError": None, "type": "webhook-outgoing", "userId": "rocket.cat", "channel": [],
    "_createdAt": "2017-01-05T17:06:05.660Z",
    "_createdBy": {"username": "graywolf336", "_id": "R4jgcQaQhvvK6K3iY"},
    "_updatedAt": "2017-01-05T17:06:05.660Z",
}
TESTING = {
    "_id": "3aazpZ2WzoBP8msi9", "type": "webhook-outgoing", "name": "Testing via REST API",
    "enabled": False, "username": "rocket.cat", "urls": ["http://text2gif.guggy.com/guggify"],
    "scriptEnabled": False, "userId": "rocket.cat", "channel": [],
    "_createdAt": dt.datetime(2017, 1, 6, 13, 23, 46, 18000),
    "_createdBy": {"username": "graywolf336", "_id": "R4jgcQaQhvvK6K3iY"},
    "_updatedAt": dt.datetime(2017, 1, 6, 13, 23, 46, 18000),
}
HIDDEN = {"_id": "hidden", "type": "webhook-incoming", "name": "Guggy in", "token": "secret",
          "_createdBy": {"username": "someone", "_id": "other"}}

SEED_RESPONSE = """{
"integrations": [
{"_id": "WMQDChpnYTRmFre9h", "enabled": true, "username": "rocket.cat", "alias": "Guggy",
 "avatar": "https://image.crisp.im/avatar/website/17651a90-e082-43f6-b308-957cea6e323c/128",
 "name": "Guggy", "triggerWords": ["!guggy", "guggy", "gif+"],
 "urls": ["http://text2gif.guggy.com/guggify"], "token": "aobEdbYhXfu5hkeqG", "script": "...",
 "scriptEnabled": true, "impersonateUser": false, "scriptCompiled": "...", "scriptError": null,
 "type": "webhook-outgoing", "userId": "rocket.cat", "channel": [],
 "_createdAt": "2017-01-05T17:06:05.660Z",
 "_createdBy": {"username": "graywolf336", "_id": "R4jgcQaQhvvK6K3iY"},
 "_updatedAt": "2017-01-05T17:06:05.660Z"},
{"_id": "3aazpZ2WzoBP8msi9", "type": "webhook-outgoing", "name": "Testing via REST API",
 "enabled": false, "username": "rocket.cat", "urls": ["http://text2gif.guggy.com/guggify"],
 "scriptEnabled": false, "userId": "rocket.cat", "channel": [],
 "_createdAt": "2017-01-06T13:23:46.018Z",
 "_createdBy": {"username": "graywolf336", "_id": "R4jgcQaQhvvK6K3iY"},
 "_updatedAt": "2017-01-06T13:23:46.018Z"}
],
"offset": 0, "items": 2, "count": 2, "total": 2, "success": true
}"""


@pytest.mark.parametrize("permissions", [[ALL_OUT], [OWN_OUT], [OWN_OUT, OWN_IN]])
def test_seed_example_is_reproduced_from_records(permissions: list[str]) -> None:
    caller = Caller("R4jgcQaQhvvK6K3iY", permissions)
    response = list_integrations([GUGGY, HIDDEN, TESTING], caller, {})
    assert response.status == 200
    expected = json.loads(SEED_RESPONSE)
    assert response.body == expected
    assert json.loads(response.json()) == expected
    assert response.json() == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


# --- order of checks -------------------------------------------------------------------------------

BAD_PARAM = {"count": "-1"}
BAD_SORT = {"sort": "{nope"}


@pytest.mark.parametrize(("caller", "params", "status", "error_type"), [
    (None, BAD_PARAM, 401, None),                          # not logged in beats everything
    (None, BAD_SORT, 401, None),
    (Caller(ME, []), BAD_PARAM, 400, "invalid-params"),     # bad parameter beats no permission
    (Caller(ME, []), BAD_SORT, 403, None),                 # no permission beats a bad sort
    (Caller(ME, [OWN_IN]), {**BAD_PARAM, **BAD_SORT}, 400, "invalid-params"),
    (Caller(ME, [OWN_IN]), BAD_SORT, 400, "error-invalid-sort"),
    (Caller(ME, [OWN_IN]), {"sort": '{"a": 1}', "fields": "[", "query": "{"}, 400,
     "error-invalid-fields"),                              # sort, then fields, then query
])
def test_order_of_checks(caller: Caller | None, params: dict[str, str], status: int,
                         error_type: str | None) -> None:
    response = list_integrations(FOUR, caller, params)
    assert response.status == status
    assert response.body["success"] is False
    assert response.body.get("errorType") == error_type


def test_json_parameter_error_envelope_has_reason_and_raw_text() -> None:
    raw = '{"$or": [{"name": "x"}, {"name": {"$regex": "(?<=a)b"}}]}'
    response = list_integrations(FOUR, Caller(ME, [ALL_IN]), {"query": raw})
    assert response.status == 400
    assert response.body["error"] == \
        f'Invalid query parameter provided: "{raw}" [error-invalid-query]'
    details = response.body["details"]
    assert details["helperMethod"] == "parseJsonQuery"
    assert details["reason"].startswith("query.$or[1].name")


def test_invalid_params_envelope_names_the_parameter() -> None:
    response = list_integrations(FOUR, Caller(ME, [ALL_IN]), [("type", "webhook-nope")])
    assert response.body["errorType"] == "invalid-params"
    assert response.body["error"].startswith("type: ")
    assert response.body["error"].endswith(" [invalid-params]")


# --- no input widens the scope (Rocket.Chat 7.x's Object.assign(permissionFilter, query)) --------

@pytest.mark.parametrize("query", [
    {"$or": [{"type": IN}, {"type": OUT}]},
    {"$or": [{}]},
    {"_createdBy._id": OTHER},
    {"_createdBy._id": {"$ne": ME}},
    {"type": OUT},
    {"$nor": [{"_createdBy._id": ME}]},
    {"$and": [{"$or": [{"_id": {"$exists": True}}]}]},
])
def test_user_query_cannot_replace_the_scope(query: dict[str, Any]) -> None:
    caller = Caller(ME, [OWN_IN])
    response = list_integrations(FOUR, caller, {"query": json.dumps(query), "count": "0"})
    assert response.status == 200
    assert set(_ids(response.body)) <= {"a-mine-in"}
    assert response.body["total"] == len(response.body["integrations"])


def test_type_parameter_narrows_and_never_widens() -> None:
    caller = Caller(ME, [OWN_IN])
    assert _ids(list_integrations(FOUR, caller, {"type": OUT}).body) == []
    assert _ids(list_integrations(FOUR, caller, {"type": IN}).body) == ["a-mine-in"]


def test_rocketchat_7_profile_ignores_the_query_instead_of_obeying_it() -> None:
    caller = Caller(ME, [OWN_IN])
    response = list_integrations(FOUR, caller, {"query": '{"_createdBy._id": "u-other"}'},
                                 Settings.rocketchat_7())
    assert _ids(response.body) == ["a-mine-in"]


# --- name, sort, page, project ----------------------------------------------------------------------

NAMED = [
    {"_id": "1", "type": IN, "name": "Deploy (prod)"},
    {"_id": "2", "type": IN, "name": "a.b"},
    {"_id": "3", "type": IN, "name": "axb"},
    {"_id": "4", "type": IN, "name": "STRASSE"},
    {"_id": "5", "type": IN, "name": "Straße"},
    {"_id": "6", "type": IN, "name": "\u212aelvin"},   # KELVIN SIGN
    {"_id": "7", "type": IN, "name": ["list", "of names"]},
    {"_id": "8", "type": IN},
    {"_id": "9", "type": IN, "name": 42},
]


@pytest.mark.parametrize(("name", "expected"), [
    ("(prod)", ["1"]),               # regex characters are literal
    ("a.b", ["2"]),                  # "." is not a wildcard
    ("DEPLOY", ["1"]),
    ("ß", ["5"]),                    # simple case folding: ß does not match SS
    ("ss", ["4"]),
    ("kelvin", ["6"]),               # K (U+212A) folds to k
    ("names", ["7"]),                # like $regex, an array matches by an element
    ("4", []),                       # not a string: no match
    ("", ["1", "2", "3", "4", "5", "6", "7", "8", "9"]),
])
def test_name_is_a_case_insensitive_literal_substring(name: str, expected: list[str]) -> None:
    response = list_integrations(NAMED, Caller(ME, [ALL_IN]), {"name": name})
    assert _ids(response.body) == expected


def test_sort_breaks_ties_by_id_and_unsorted_keeps_input_order() -> None:
    records = [{"_id": i, "type": IN, "rank": r} for i, r in
               [("e", 1), ("b", 2), ("d", 1), ("a", 2), ("c", 1)]]
    caller = Caller(ME, [ALL_IN])
    assert _ids(list_integrations(records, caller, {}).body) == ["e", "b", "d", "a", "c"]
    assert _ids(list_integrations(records, caller, {"sort": '{"rank": 1}'}).body) == \
        ["c", "d", "e", "a", "b"]
    assert _ids(list_integrations(records, caller, {"sort": '{"rank": -1}'}).body) == \
        ["a", "b", "c", "d", "e"]
    assert _ids(list_integrations(records, caller, {"sort": '{"rank": 1, "_id": -1}'}).body) == \
        ["e", "d", "c", "b", "a"]


def test_paging_counts_and_clamping() -> None:
    records = [{"_id": f"{i:03d}", "type": OUT, "name": f"n{i % 7}"} for i in range(150)]
    caller = Caller(ME, [ALL_OUT])
    default = list_integrations(records, caller, {}).body
    assert (default["items"], default["count"], default["total"]) == (50, 50, 150)
    clamped = list_integrations(records, caller, {"count": "500"}).body
    assert clamped["count"] == 100
    everything = list_integrations(records, caller, {"count": "0"}).body
    assert everything["count"] == 150
    tail = list_integrations(records, caller, {"offset": "140", "count": "20",
                                               "sort": '{"name": -1}'}).body
    assert (tail["offset"], tail["count"], tail["total"]) == (140, 10, 150)
    assert _ids(tail) == sorted(r["_id"] for r in records if r["name"] == "n0")[-10:]
    beyond = list_integrations(records, caller, {"offset": "1000"}).body
    assert (beyond["integrations"], beyond["total"]) == ([], 150)


def test_fields_project_the_page() -> None:
    caller = Caller(ME, [ALL_IN, ALL_OUT])
    body = list_integrations(FOUR, caller, {"fields": '{"name": 1, "_createdBy.username": 1}',
                                            "count": "1"}).body
    assert body["integrations"] == [{"_id": "a-mine-in", "name": "Mine in",
                                     "_createdBy": {"username": "me"}}]
    body = list_integrations(FOUR, caller, {"fields": '{"_createdAt": 0, "_createdBy": 0}',
                                            "count": "1"}).body
    assert body["integrations"] == [{"_id": "a-mine-in", "type": IN, "name": "Mine in",
                                     "enabled": True}]


def test_dates_in_records_are_written_as_iso_utc_milliseconds() -> None:
    body = list_integrations(FOUR[:1], Caller(ME, [OWN_IN]), {}).body
    assert body["integrations"][0]["_createdAt"] == "2024-05-01T12:00:00.123Z"


def test_records_are_never_mutated_or_aliased() -> None:
    records = copy.deepcopy([*FOUR, GUGGY, TESTING])
    snapshot = copy.deepcopy(records)
    caller = Caller(ME, [ALL_IN, ALL_OUT])
    for params in ({}, {"sort": '{"name": 1}', "count": "0"}, {"fields": '{"channel": 1}'}):
        response = list_integrations(records, caller, params)
        for returned in response.body["integrations"]:
            for value in returned.values():
                if isinstance(value, (dict, list)):
                    assert all(value is not v for r in records for v in r.values())
            returned.clear()
    assert records == snapshot


def test_records_may_be_any_iterable_read_once() -> None:
    body = list_integrations(iter(FOUR), Caller(ME, [ALL_IN]), {"count": "1"}).body
    assert (_ids(body), body["total"]) == (["a-mine-in"], 2)


def test_rocketchat_7_profile_envelopes() -> None:
    caller = Caller(ME, [ALL_IN])
    rc7 = Settings.rocketchat_7()
    fields = list_integrations(FOUR, caller, {"fields": '{"name": 1}'}, rc7)
    assert fields.body == {"success": False,
                           "error": "must NOT have additional properties [invalid-params]",
                           "errorType": "invalid-params"}
    sort = list_integrations(FOUR, caller, {"sort": '{"name": 2}'}, rc7)
    assert sort.body["details"] == {"helperMethod": "parseJsonQuery"}
    typed = list_integrations(FOUR, caller, {"type": "anything", "count": "2abc"}, rc7)
    assert (typed.status, typed.body["count"], typed.body["total"]) == (200, 0, 0)


def test_settings_limits_apply_to_every_compiled_part() -> None:
    # A 35-component path is over the default depth limit (32) but within this one; the
    # listing must compile sort and projection with the same limits params.py validated with.
    deep = ".".join(["a"] * 35)
    settings = Settings(limits=Limits(max_depth=40))
    params = {"sort": json.dumps({deep: 1}), "fields": json.dumps({deep: 1})}
    assert list_integrations(FOUR, Caller(ME, [ALL_IN]), params).status == 400
    response = list_integrations(FOUR, Caller(ME, [ALL_IN]), params, settings)
    assert response.status == 200
    assert response.body["integrations"] == [{"_id": "a-mine-in"}, {"_id": "b-theirs-in"}]
