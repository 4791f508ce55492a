"""IntegrationStore (issue 13): the write API, copies in and out, and the planner's choices as
``explain`` reports them, each row checked against the plain scan's answer too."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core import (
    Caller,
    IntegrationStore,
    Permission,
    Settings,
    StoreError,
    list_integrations,
)
from integrations_core import indexes as store_indexes
from integrations_core.indexes import SortedSeqs
from integrations_core.mql import QueryError
from integrations_core.store import DuplicateIdError, UnknownIdError

IN, OUT = "webhook-incoming", "webhook-outgoing"
ISSUE = "issue 13 §3 (planner)"
MONGO_ID = "https://www.mongodb.com/docs/manual/core/document/#the-_id-field"
MONGO_ORDER = "https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/"


def _record(i: int, **fields: Any) -> dict[str, Any]:
    return {"_id": f"r{i:03d}", "type": OUT if i % 4 else IN, "name": f"hook {i % 37:02d}",
            "enabled": i % 3 == 0, "_createdAt": dt.datetime(2020, 1, 1) + dt.timedelta(days=i),
            "_createdBy": {"_id": "u-rare" if i in (4, 150) else f"u-{i % 10}"}, **fields}


RECORDS = [_record(i) for i in range(200)]  # 50 incoming, 150 outgoing; u-rare owns 2


# --- writes ------------------------------------------------------------------------------------


def test_a_repeated_id_is_a_value_error_naming_it() -> None:
    store = IntegrationStore([{"_id": "a"}])
    with pytest.raises(DuplicateIdError, match=re.escape("duplicate _id 'a'")) as caught:
        store.insert({"_id": "a", "name": "again"})
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, StoreError)
    assert caught.value.path == "_id"
    with pytest.raises(DuplicateIdError, match="duplicate _id 'b'"):
        IntegrationStore([{"_id": "b"}, {"_id": "b"}])
    assert list(store) == [{"_id": "a"}]


ID_EQUALITY = [
    # (first _id, second _id, same to MongoDB's unique index?, source)
    (1, 1.0, True, MONGO_ORDER + " (numeric types compare equal)"),
    (1, dt.datetime(2020, 1, 1), False, MONGO_ORDER),
    (1, True, False, MONGO_ORDER + " (bool is its own type)"),
    ("1", 1, False, MONGO_ORDER),
    (dt.datetime(2020, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     dt.datetime(2020, 1, 1), True, "one instant: BSON dates are UTC milliseconds"),
    ({"a": 1}, {"a": 1.0}, True, MONGO_ORDER + " (documents compare field by field)"),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}, False, MONGO_ORDER + " (field order matters)"),
]


@pytest.mark.parametrize(("first", "second", "same", "source"), ID_EQUALITY)
def test_ids_are_equal_as_mongodb_compares_them(first: Any, second: Any, same: bool,
                                                source: str) -> None:
    store = IntegrationStore([{"_id": first, "n": 1}])
    if same:
        with pytest.raises(DuplicateIdError):
            store.insert({"_id": second})
        assert store.get(second) == {"_id": first, "n": 1}
    else:
        store.insert({"_id": second})
        assert len(store) == 2 and store.get(second) == {"_id": second}


BAD_RECORDS = [
    ({"name": "no id"}, "a record must have an _id", MONGO_ID),
    ({"_id": ["a"]}, "_id cannot be list", MONGO_ID + " (not an array)"),
    ({"_id": re.compile("a")}, "_id cannot be Pattern", MONGO_ID + " (not a regex)"),
    ({"_id": "a", 1: "x"}, "field names must be strings", "BSON: field names are cstrings"),
    ({"_id": "a", "x": {"y": {2: 1}}}, "x.y: field names must be strings", "BSON spec"),
    (["_id", "a"], "a record must be a mapping", "BSON: a document is a mapping"),
]


@pytest.mark.parametrize(("record", "message", "source"), BAD_RECORDS)
def test_records_the_store_refuses(record: Any, message: str, source: str) -> None:
    store = IntegrationStore()
    for write in (store.insert, IntegrationStore.__init__):
        with pytest.raises(StoreError, match=re.escape(message)):
            write(store, [record]) if write is IntegrationStore.__init__ else write(record)
    assert len(store) == 0


def test_replace_and_delete_need_an_existing_id() -> None:
    store = IntegrationStore([{"_id": "a"}])
    with pytest.raises(UnknownIdError, match="no record has _id 'b'"):
        store.replace({"_id": "b"})
    with pytest.raises(UnknownIdError, match="no record has _id 'b'"):
        store.delete("b")
    assert store.get("b") is None and store.get("b", "none") == "none"


def test_insertion_order_replace_in_place_delete_and_insert_at_the_end() -> None:
    store = IntegrationStore([{"_id": i} for i in "abc"])
    store.replace({"_id": "a", "v": 2})
    store.delete("b")
    store.insert({"_id": "b", "v": 3})
    assert list(store) == [{"_id": "a", "v": 2}, {"_id": "c"}, {"_id": "b", "v": 3}]
    assert len(store) == 3 and "a" in store and "z" not in store and ["a"] not in store


def test_records_are_copied_in_and_never_aliased_out() -> None:
    original = {"_id": "a", "type": IN, "name": "x", "channel": ["#a"], "_createdBy": {"_id": "u"}}
    before = json.dumps(original)
    store = IntegrationStore([original])
    store.insert(inserted := {"_id": "b", "type": IN, "channel": ["#b"]})
    original["channel"].append("#changed")
    original["_createdBy"]["_id"] = "changed"
    inserted["channel"][0] = "#changed"
    assert next(iter(store))["channel"] == ["#a"] and store.get("b")["channel"] == ["#b"]
    store.get("a")["channel"].append("#out")
    next(iter(store))["_createdBy"]["_id"] = "out"
    caller = Caller("u", [Permission.MANAGE_INCOMING])
    body = list_integrations(store, caller, {}).body
    body["integrations"][0]["channel"].append("#response")
    assert store.get("a") == json.loads(before)
    assert list_integrations(store, caller, {}).body["integrations"][0]["channel"] == ["#a"]


def test_declared_sorts_are_checked() -> None:
    with pytest.raises(QueryError, match="empty field name"):
        IntegrationStore(sorts=["name..x"])
    with pytest.raises(QueryError, match="must not start with"):
        IntegrationStore(sorts=[("name", "$x")])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=200))
def test_sorted_seqs_keep_their_order_through_splits(ops: list[tuple[bool, int]]) -> None:
    """The chunked list holds exactly the added seqs, ordered by key, in small chunks too."""
    key = {i: (i * 7919) % 61 for i in range(61)}  # a permutation: distinct keys
    old = store_indexes._LOAD
    store_indexes._LOAD = 2
    try:
        seqs, held = SortedSeqs(key.__getitem__), set()
        for add, seq in ops:
            if add and seq not in held:
                seqs.add(seq)
                held.add(seq)
            elif not add and seq in held:
                seqs.remove(seq)
                held.discard(seq)
            elif not add:
                with pytest.raises(LookupError):
                    seqs.remove(seq)
        expected = sorted(held, key=key.__getitem__)
        assert list(seqs) == expected and list(reversed(seqs)) == expected[::-1]
        assert len(seqs) == len(held)
    finally:
        store_indexes._LOAD = old


# --- the planner, as explain reports it ----------------------------------------------------------

ALL = Caller("u-admin", [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING])
OWN = Caller("u-rare", [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING])
OWN_MANY = Caller("u-3", [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING])
INCOMING = Caller("u-admin", [Permission.MANAGE_INCOMING])
MIXED = Caller("u-rare", [Permission.MANAGE_INCOMING, Permission.MANAGE_OWN_OUTGOING])
RC7 = Settings.rocketchat_7()

PLANS: list[tuple[str, Caller | None, dict[str, str], Settings, dict[str, Any]]] = [
    # (case, caller, params, settings, expected explain entries); source: ISSUE for every row
    ("all, unsorted: insertion order, stop after the page", ALL, {}, Settings(),
     {"stage": "COLLSCAN", "totalFrom": "counts", "stopAfter": 50, "examined": 50,
      "total": 200, "returned": 50}),
    ("all, by name: the index walk stops after the page", ALL, {"sort": '{"name": 1}'},
     Settings(), {"stage": "IXSCAN", "index": "name_1__id_1", "direction": "forward",
                  "sortedBy": "index", "examined": 50, "total": 200}),
    # Five records share each name: two groups, and one record more to see the second end.
    ("name descending, _id ascending: backward, equal names regrouped", ALL,
     {"sort": '{"name": -1}', "count": "10"}, Settings(),
     {"stage": "IXSCAN", "direction": "backward", "regroup": 1, "examined": 11}),
    ("both descending: backward, no regrouping", ALL,
     {"sort": '{"_createdAt": -1, "_id": -1}', "count": "5"}, Settings(),
     {"stage": "IXSCAN", "index": "_createdAt_1__id_1", "direction": "backward",
      "examined": 5}),
    ("deep offset: the walk examines offset + count", ALL,
     {"sort": '{"_updatedAt": 1}', "offset": "120", "count": "30"}, Settings(),
     {"stage": "IXSCAN", "stopAfter": 150, "examined": 150, "returned": 30}),
    ("a sort no index has: the pipeline sorts every match", ALL, {"sort": '{"enabled": 1}'},
     Settings(), {"stage": "COLLSCAN", "sortedBy": "pipeline", "stopAfter": None,
                  "examined": 200, "fallbacks": ["sort: no index on enabled, _id"]}),
    ("a query: every candidate is read to count the matches, so the pipeline sorts", ALL,
     {"sort": '{"name": 1}', "query": '{"enabled": true}'}, Settings(),
     {"stage": "COLLSCAN", "sortedBy": "pipeline", "totalFrom": "scan", "examined": 200,
      "total": 67, "fallbacks": [
          "total: the listing counts the matches (query narrows them)",
          "sort: name_1__id_1 not walked, every candidate is read to count the matches"]}),
    ("a query, every match asked for: the index walk saves the sort", ALL,
     {"sort": '{"name": 1}', "query": '{"enabled": true}', "count": "0"}, Settings(),
     {"stage": "IXSCAN", "sortedBy": "index", "totalFrom": "scan", "examined": 200,
      "total": 67, "returned": 67}),
    ("a name filter: counted by the scan", ALL, {"name": "hook 0"}, Settings(),
     {"stage": "COLLSCAN", "totalFrom": "scan", "stopAfter": None, "examined": 200,
      "fallbacks": ["total: the listing counts the matches (name narrows them)"]}),
    ("own records: the creator index", OWN, {}, Settings(),
     {"stage": "FETCH", "inputs": [{"index": "_createdBy._id_1", "key": "u-rare", "keys": 2}],
      "totalFrom": "counts", "examined": 2, "total": 2}),
    ("own records by name: the creator's partition of the index, walked to the page", OWN,
     {"sort": '{"name": 1}'}, Settings(),
     {"stage": "IXSCAN", "index": "name_1__id_1", "sortedBy": "index",
      "partition": {"_createdBy._id": "u-rare", "keys": 2}, "examined": 2, "total": 2}),
    ("many own records, first page of 2: the partition walk stops after 2", OWN_MANY,
     {"sort": '{"name": -1}', "count": "2"}, Settings(),
     {"stage": "IXSCAN", "direction": "backward", "candidates": 2, "total": 20,
      "partition": {"_createdBy._id": "u-3", "keys": 20}, "returned": 2}),
    ("own records with a query: the partition is read whole, in the sort's order", OWN_MANY,
     {"sort": '{"_createdAt": 1}', "query": '{"enabled": true}'}, Settings(),
     {"stage": "IXSCAN", "partition": {"_createdBy._id": "u-3", "keys": 20},
      "totalFrom": "scan", "examined": 20}),
    ("type= by name: the type's partition of the index, walked to the page", ALL,
     {"sort": '{"name": 1}', "type": IN, "count": "5"}, Settings(),
     {"stage": "IXSCAN", "partition": {"type": IN, "keys": 50}, "examined": 5, "total": 50}),
    ("one 'all' scope by _createdAt: its type's partition", INCOMING,
     {"sort": '{"_createdAt": 1}', "count": "4"}, Settings(),
     {"stage": "IXSCAN", "partition": {"type": IN, "keys": 50}, "examined": 4, "total": 50}),
    ("'all' incoming and own outgoing by name: no single creator, the whole index", MIXED,
     {"sort": '{"name": 1}', "count": "5"}, Settings(),
     {"stage": "IXSCAN", "partition": None, "total": 51}),
    ("one 'all' scope: the type index", INCOMING, {}, Settings(),
     {"stage": "FETCH", "inputs": [{"index": "type_1", "key": IN, "keys": 50}],
      "examined": 50, "total": 50}),
    ("'all' incoming and own outgoing: a union in insertion order", MIXED,
     {"count": "0"}, Settings(),
     {"stage": "OR", "inputs": [{"index": "type_1", "key": IN, "keys": 50},
                                {"index": "_createdBy._id_1", "key": "u-rare", "keys": 2}],
      "stopAfter": None, "examined": 51, "total": 51}),  # record 4 is in both inputs
    ("type narrows to one bucket, still counted", ALL, {"type": IN, "count": "3"}, Settings(),
     {"stage": "FETCH", "inputs": [{"index": "type_1", "key": IN, "keys": 50}],
      "totalFrom": "counts", "examined": 3, "total": 50}),
    ("offset past the total: nothing to read", ALL, {"offset": "500"}, Settings(),
     {"stage": "EOF", "examined": 0, "total": 200, "returned": 0}),
    ("a type no record has (Rocket.Chat 7.x matches it exactly): no candidates", ALL,
     {"type": "webhook-other"}, RC7,
     {"stage": "EOF", "totalFrom": "scan", "total": 0,
      "fallbacks": ["total: type 'webhook-other' is not counted"]}),
]


@pytest.mark.parametrize(("case", "caller", "params", "options", "expected"), PLANS,
                         ids=[row[0] for row in PLANS])
def test_the_planner_chooses(case: str, caller: Caller, params: dict[str, str],
                             options: Settings, expected: dict[str, Any]) -> None:
    store = IntegrationStore(RECORDS)
    plan = store.explain(caller, params, options)
    assert {key: plan.get(key) for key in expected} == expected, plan
    assert plan["status"] == 200
    assert (list_integrations(store, caller, params, options).json()
            == list_integrations(RECORDS, caller, params, options).json())


def test_arrays_on_a_sort_path_keep_the_index_forward_only() -> None:
    """[] , ["a", "z"]: the least element sorts ascending, the greatest descending (MongoDB's
    cursor.sort() manual, "Ascending/Descending Sort" on arrays), so a backward walk would
    misplace the record."""
    records = [*RECORDS[:20], _record(500, name=["a", "z"])]
    store = IntegrationStore(records)
    forward = store.explain(ALL, {"sort": '{"name": 1}'})
    backward = store.explain(ALL, {"sort": '{"name": -1}'})
    assert forward["stage"] == "IXSCAN"
    assert backward["sortedBy"] == "pipeline"
    assert backward["fallbacks"] == [
        "sort: name_1__id_1 cannot be read backward, 1 record(s) hold arrays on its paths"]
    for params in ({"sort": '{"name": 1}'}, {"sort": '{"name": -1}'}):
        assert (list_integrations(store, ALL, params).json()
                == list_integrations(records, ALL, params).json())


def test_parallel_arrays_keep_a_compound_index_out_of_use() -> None:
    """A record without a sort key is not in the index (MongoDB refuses to index it: "cannot
    index parallel arrays"), so the index cannot serve the sort while it is in the store. The
    outgoing record is not visible to the caller, so the sort never meets it."""
    records = [_record(1, channel=["#a", "#b"], name=["x", "y"]), _record(4, channel=["#c"]),
               _record(8, channel=["#b"])]
    store = IntegrationStore(records, sorts=[("channel", "name")])
    params = {"sort": '{"channel": 1, "name": 1}'}
    plan = store.explain(INCOMING, params)
    assert plan["fallbacks"] == ["sort: channel_1_name_1__id_1 lacks 1 record(s) whose sort "
                                 "paths are parallel arrays"]
    assert plan["sortedBy"] == "pipeline"
    assert (list_integrations(store, INCOMING, params).json()
            == list_integrations(records, INCOMING, params).json())
    store.delete("r001")
    assert store.explain(INCOMING, params)["sortedBy"] == "index"


@pytest.mark.parametrize(("caller", "params", "status"), [
    (None, {}, 401), (Caller("u", []), {}, 403), (ALL, {"offset": "-1"}, 400),
    (ALL, {"query": '{"$where": "1"}'}, 400),
])
def test_requests_answered_before_planning_have_no_plan(caller: Caller | None,
                                                        params: dict[str, str],
                                                        status: int) -> None:
    plan = IntegrationStore(RECORDS).explain(caller, params)
    assert plan == {"status": status, "stage": None,
                    "reason": "answered before planning (not a 200 response)"}


def test_a_store_answers_every_request_the_scan_answers_within_the_budget() -> None:
    # The budget grows with the records read (Settings.max_work_per_record); a store reads
    # fewer, so it is allowed what the scan of all its records would be (issue 13: "the work
    # budget applies unchanged" and the store answers as the scan does).
    wide = {f"field{k}": k for k in range(40)}
    records = [{"_id": f"r{i}", "type": IN, "name": f"n{i}", **wide,
                "_createdBy": {"_id": "u-own" if i % 20 == 0 else "u-other"}}
               for i in range(2_000)]
    own = Caller("u-own", [Permission.MANAGE_OWN_INCOMING])
    tight = Settings(max_work=1_000_000)
    store = IntegrationStore(records)
    for params in ({"count": "0"}, {"count": "0", "sort": '{"name": -1}'}):
        scanned = list_integrations(records, own, params, tight)
        assert scanned.status == 200 and scanned.body["total"] == 100
        assert list_integrations(store, own, params, tight).json() == scanned.json()
