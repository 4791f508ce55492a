"""to_find_args: the listing compiled to pymongo ``find()`` arguments (DESIGN 6).

The unit cases check the exact arguments against DESIGN 4.1 (scope, ``$and`` combination),
DESIGN 4.2 (``name`` literal case-insensitive substring, ``count=0`` = no limit) and DESIGN 4.3
(``_id`` as the final sort key). The property test runs the arguments on a mongomock collection
and compares ids, order, projected documents and total with ``list_integrations``.

mongomock is not MongoDB: it differs on null versus missing in places, on sorting arrays, on
its regex engine (Python ``re``), on mixed-type comparisons and on ``$not`` with ``$regex``.
The differential test therefore stays inside a subset where it is faithful:

* records: scalar string/bool/int fields present on every record (``scalars_only=True``),
  ``_createdBy`` always a document (``null_creators=False``), ASCII-letter names;
* sorts on those fields only, so no null, missing or array sort keys; strings compare by code
  point in BSON and in Python alike;
* queries: ``$eq $in $ne $exists``, literal ``$regex`` (``i`` or no option), ``$and $or``;
* callers hold at least one permission (a 403 never reaches ``to_find_args``);
* the listing gets the records in ``_id`` order (see the comment in the property test).

tests/test_mongo_real.py runs the full strategies against a real MongoDB when ``MONGODB_URI``
is set.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import bson
import mongomock
import pytest
from bson.decimal128 import Decimal128
from bson.regex import Regex as BsonRegex
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

from integrations_core import Caller, Permission, Settings, list_integrations, parse_list_params
from integrations_core.mongo import to_bson, to_find_args
from integrations_core.mql.errors import QueryError
from integrations_core.params import ListRequest
from integrations_core.testing import (
    callers,
    integration_records,
    list_params,
    pairs_of,
    queries,
)
from integrations_core.testing.strategies import ASCII_NAMES

DESIGN = "/work/shared/DESIGN.md"
INCOMING = Permission.MANAGE_INCOMING.value
OWN_OUTGOING = Permission.MANAGE_OWN_OUTGOING.value
ALICE_IN = Caller("u-alice", {INCOMING})
ALICE_IN_OWN_OUT = Caller("u-alice", {INCOMING, OWN_OUTGOING})
SCOPE_IN = {"$or": [{"type": "webhook-incoming"}]}
SCOPE_IN_OWN_OUT = {
    "$or": [{"type": "webhook-incoming"},
            {"type": "webhook-outgoing", "_createdBy._id": "u-alice"}]
}

# (source, request, caller, expected find arguments)
CASES: list[tuple[str, ListRequest, Caller, dict[str, Any]]] = [
    (
        "DESIGN 4.1 scope alone; 4.3 _id as final sort key; 4.2 default count 50",
        ListRequest(),
        ALICE_IN,
        {"filter": SCOPE_IN, "projection": None, "sort": [("_id", 1)], "skip": 0, "limit": 50},
    ),
    (
        "DESIGN 4.1 union of scopes, one per granted permission",
        ListRequest(offset=3, count=7),
        ALICE_IN_OWN_OUT,
        {"filter": SCOPE_IN_OWN_OUT, "projection": None, "sort": [("_id", 1)], "skip": 3,
         "limit": 7},
    ),
    (
        "DESIGN 4.2 name: case-insensitive literal substring (regex characters escaped); "
        "type: exact; combined with $and in the order scope, name, type, query",
        ListRequest(name="a.b(c)", type="webhook-outgoing", query={"enabled": True}),
        ALICE_IN_OWN_OUT,
        {"filter": {"$and": [SCOPE_IN_OWN_OUT,
                             {"name": {"$regex": r"a\.b\(c\)", "$options": "i"}},
                             {"type": "webhook-outgoing"},
                             {"enabled": True}]},
         "projection": None, "sort": [("_id", 1)], "skip": 0, "limit": 50},
    ),
    (
        "DESIGN 4.2 count=0 with infinite count allowed is ListRequest.count=None: pymongo "
        "limit 0 (https://pymongo.readthedocs.io/en/stable/api/pymongo/collection.html "
        "find: 'A limit of 0 ... is equivalent to setting no limit')",
        ListRequest(count=None, sort=(("name", -1), ("type", 1))),
        ALICE_IN,
        {"filter": SCOPE_IN, "projection": None,
         "sort": [("name", -1), ("type", 1), ("_id", 1)], "skip": 0, "limit": 0},
    ),
    (
        "DESIGN 4.3 the listing adds _id only when the user's sort lacks it",
        ListRequest(sort=(("_id", -1), ("name", 1)), fields={"name": 1, "_id": 0}),
        ALICE_IN,
        {"filter": SCOPE_IN, "projection": {"name": 1, "_id": 0},
         "sort": [("_id", -1), ("name", 1)], "skip": 0, "limit": 50},
    ),
]


@pytest.mark.parametrize(("source", "request_", "caller", "expected"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_find_arguments(source: str, request_: ListRequest, caller: Caller,
                        expected: dict[str, Any]) -> None:
    assert to_find_args(request_, caller) == expected, source


def test_decoded_extended_json_becomes_bson_types() -> None:
    # https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/ : $date,
    # $regularExpression and $numberDecimal name a BSON date, regex and decimal128.
    request = parse_list_params({"query": (
        '{"name": {"$regularExpression": {"pattern": "^g", "options": "i"}},'
        ' "retryCount": {"$in": [{"$numberDecimal": "2.50"}, 3]},'
        ' "_createdAt": {"$gt": {"$date": "2020-01-02T03:04:05.678Z"}}}'
    )})
    query = to_find_args(request, ALICE_IN)["filter"]["$and"][1]
    assert query == {
        "name": BsonRegex("^g", "i"),
        "retryCount": {"$in": [Decimal128("2.50"), 3]},
        "_createdAt": {"$gt": dt.datetime(2020, 1, 2, 3, 4, 5, 678000)},
    }
    encoded = bson.decode(bson.encode({"q": query}))["q"]
    assert encoded["retryCount"]["$in"][0] == Decimal128("2.50")


def test_decimal_that_decimal128_cannot_hold_is_a_query_error() -> None:
    # Decimal128 holds 34 significant digits (IEEE 754-2008 decimal128);
    # https://www.mongodb.com/docs/manual/reference/bson-types/#decimal128
    with pytest.raises(QueryError) as info:
        to_bson({"$in": [Decimal("1." + "1" * 40)]}, "query.retryCount")
    assert info.value.path == "query.retryCount.$in[0]"


SECRETS = [
    {"_id": "a", "type": "webhook-incoming", "name": "In", "token": "t1", "script": "s",
     "scriptCompiled": "c", "_createdBy": {"_id": "u-alice", "username": "alice"}},
    {"_id": "b", "type": "webhook-outgoing", "name": "Out", "script": "s2",
     "_createdBy": {"_id": "u-bob", "username": "bob"}},
]


@pytest.mark.parametrize(("fields", "projection"), [
    (None, {"script": 0, "scriptCompiled": 0, "token": 0}),
    ('{"name": 0}', {"name": 0, "script": 0, "scriptCompiled": 0, "token": 0}),
    ('{"_id": 0}', {"_id": 0, "script": 0, "scriptCompiled": 0, "token": 0}),
    ('{"name": 1}', {"name": 1}),
    ('{"name": 1, "_id": 0}', {"name": 1, "_id": 0}),
])
def test_redacted_fields_are_projected_away(fields: str | None,
                                            projection: dict[str, int]) -> None:
    # Settings(redact=True) removes settings.SECRET_FIELDS from every returned record
    # (integrations_core/settings.py); the MongoDB path must not return them either.
    config = Settings(redact=True)
    params = {} if fields is None else {"fields": fields}
    admin = Caller("u-admin", {Permission.MANAGE_INCOMING.value,
                               Permission.MANAGE_OUTGOING.value})
    args = to_find_args(parse_list_params(params, config), admin, settings=config)
    assert args["projection"] == projection
    collection = mongomock.MongoClient().db.integrations
    collection.insert_many(copy.deepcopy(SECRETS))
    expected = list_integrations(SECRETS, admin, params, config).body["integrations"]
    assert list(collection.find(**args)) == expected


def test_caller_without_permission_is_refused() -> None:
    with pytest.raises(PermissionError):
        to_find_args(ListRequest(), Caller("u-bob", {"view-room"}))


def test_result_shares_nothing_with_the_request() -> None:
    request = parse_list_params({"query": '{"$or": [{"channel": {"$in": ["#a"]}}]}',
                                 "fields": '{"name": 1}'})
    before = copy.deepcopy((request.query, dict(request.fields or {})))
    args = to_find_args(request, ALICE_IN)
    args["filter"]["$and"][1]["$or"][0]["channel"]["$in"].append("#b")
    args["projection"]["type"] = 1
    assert (request.query, dict(request.fields or {})) == before


# -- differential property test against mongomock --------------------------------------------

FAITHFUL_FIELDS = ("_id", "type", "name", "enabled", "username", "_createdBy._id",
                   "_createdBy.username", "retryCount")
FAITHFUL_SORT = ("_id", "type", "name", "enabled", "username", "_createdBy._id", "retryCount")
FAITHFUL_PROJECTION = ("_id", "type", "name", "enabled", "username", "_createdBy",
                       "_createdBy._id", "retryCount")
FAITHFUL_OPERATORS = ("$eq", "$in", "$ne", "$exists", "$regex", "$and", "$or")

faithful_params = list_params(
    queries=queries(fields=FAITHFUL_FIELDS, operators=FAITHFUL_OPERATORS, names=ASCII_NAMES,
                    extended_json=False),
    names=ASCII_NAMES,
    sort_fields=FAITHFUL_SORT,
    projection_fields=FAITHFUL_PROJECTION,
)


def _id(record: dict[str, Any]) -> str:
    return str(record["_id"])


PLAIN = Settings()
REDACTING = Settings(redact=["username", "_createdBy.username"])


@settings(max_examples=200, deadline=None)
@given(
    records=integration_records(scalars_only=True, null_creators=False, max_size=10),
    caller=callers(anonymous=False, min_permissions=1),
    params=faithful_params,
    config=st.sampled_from([PLAIN, REDACTING]),
)
def test_find_args_on_mongomock_agree_with_list_integrations(
    records: list[dict[str, Any]], caller: Caller, params: Any, config: Settings
) -> None:
    # Without a user sort the listing keeps its input order, and a collection has no input
    # order (natural order is unspecified); to_find_args sorts by _id. The records are handed
    # to the listing in _id order, which decides nothing for a sorted request (_id is its final
    # key) and is the order the collection returns an unsorted request in.
    response = list_integrations(sorted(records, key=_id), caller, params, config)
    if config.redacted:  # requests that read a redacted field are refused: nothing to run
        assume(response.status == 200)
    assert response.status == 200, response.body  # generated inputs are valid by construction
    args = to_find_args(parse_list_params(params, config), caller, settings=config)
    collection = mongomock.MongoClient().db.integrations
    if records:
        collection.insert_many(copy.deepcopy(records))  # in generated order
    page = list(collection.find(**args))
    assert page == response.body["integrations"]
    assert [d.get("_id") for d in page] == [d.get("_id") for d in response.body["integrations"]]
    assert collection.count_documents(args["filter"]) == response.body["total"]


def test_differential_test_sees_matches_pages_and_queries() -> None:
    # Guard against a vacuous differential test: the generators must produce requests whose
    # answer is a proper, non-empty page of a larger match set, with a user query.
    found: list[Any] = []
    runs: list[bool] = []

    @settings(max_examples=300, phases=[Phase.generate], derandomize=True, database=None,
              deadline=None)
    @given(integration_records(scalars_only=True, null_creators=False, max_size=10),
           callers(anonymous=False, min_permissions=1), faithful_params)
    def run(records: list[dict[str, Any]], caller: Caller, params: Any) -> None:
        body = list_integrations(records, caller, params).body
        runs.append("query" in dict(pairs_of(params)))
        if "query" in dict(pairs_of(params)) and 0 < body["count"] < body["total"]:
            found.append(params)

    run()
    assert found, f"{len(runs)} examples, {sum(runs)} with a query, none a proper page"
