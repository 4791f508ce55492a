"""to_find_args hands pymongo the bson values a pymongo user would write (DESIGN 6, 7.3).

The decoded query holds the engine's values; ``to_bson`` turns each into pymongo's class, and
both the in-memory filter and a filter compiled from pymongo's form answer alike.
"""

from __future__ import annotations

from typing import Any

import bson
from bson import json_util

from integrations_core import Caller, Permission, parse_list_params
from integrations_core.mongo import to_bson, to_find_args
from integrations_core.mql import compile_filter

QUERY = ('{"_id": {"$oid": "56e1fc72e0c917e9c4714161"}, "n": {"$numberLong": "5"},'
         ' "name": {"$regularExpression": {"pattern": "^b", "options": "i"}},'
         ' "at": {"$gte": {"$date": "2024-01-01T00:00:00Z"}},'
         ' "token": {"$in": [{"$uuid": "73ffd264-44b3-4c69-90e8-e7d1dfc035d4"},'
         ' {"$binary": {"base64": "AQI=", "subType": "80"}}]},'
         ' "d": {"$numberDecimal": "1.10"}, "k": {"$gt": {"$minKey": 1}},'
         ' "ts": {"$timestamp": {"t": 1, "i": 2}}}')


def test_find_filter_holds_pymongo_values() -> None:
    request = parse_list_params({"query": QUERY})
    args = to_find_args(request, Caller("u", {Permission.MANAGE_INCOMING.value}))
    query: dict[str, Any] = args["filter"]["$and"][-1]
    expected = json_util.loads(QUERY)
    # json_util reads the same text into the same bson values (BSON bytes compared).
    assert bson.encode(query) == bson.encode(expected)
    assert isinstance(query["_id"], bson.ObjectId) and isinstance(query["n"], bson.Int64)


def test_both_forms_answer_alike() -> None:
    request = parse_list_params({"query": QUERY})
    assert request.query is not None
    record = {"_id": bson.ObjectId("56e1fc72e0c917e9c4714161"), "n": 5, "name": "Bot",
              "at": bson.DatetimeMS(1704067200001), "token": bson.Binary(b"\x01\x02", 0x80),
              "d": bson.Decimal128("1.1"), "k": 0, "ts": bson.Timestamp(1, 2)}
    assert compile_filter(request.query)(record)
    assert compile_filter(to_bson(request.query))(record)
    record["n"] = 6
    assert not compile_filter(to_bson(request.query))(record)
