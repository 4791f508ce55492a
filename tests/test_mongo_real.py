"""to_find_args against a real MongoDB (opt-in: set MONGODB_URI, e.g. mongodb://localhost:27017).

MongoDB is the truth the in-memory engine follows, so this test uses the full strategies
(arrays, dates, null and missing creators, optional fields, every operator ``queries()``
produces, sorts on array fields) rather than mongomock's faithful subset. The engine targets
MongoDB 8.0 semantics; older servers differ in documented corners and are skipped.
It creates a database named ``integrations_core_test_<random>`` and drops it afterwards.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings

from integrations_core import Caller, Permission, list_integrations, parse_list_params
from integrations_core.mongo import to_find_args
from integrations_core.responses import to_json_value
from integrations_core.testing import callers, integration_records, list_params

URI = os.environ.get("MONGODB_URI", "")
pytestmark = pytest.mark.skipif(
    not URI, reason="MONGODB_URI is not set: the real-MongoDB comparison is opt-in"
)


@pytest.fixture(scope="module")
def database() -> Iterator[Any]:
    import pymongo

    client: Any = pymongo.MongoClient(URI, serverSelectionTimeoutMS=5000)
    version = tuple(client.server_info()["versionArray"][:2])
    if version < (8, 0):
        client.close()
        pytest.skip(f"MongoDB {version} is older than 8.0, the semantics this library targets")
    name = f"integrations_core_test_{secrets.token_hex(4)}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()


def _wire(docs: list[Any]) -> Any:
    return json.loads(json.dumps(to_json_value(docs)))


@settings(max_examples=150, deadline=None)
@given(
    records=integration_records(max_size=10),
    caller=callers(anonymous=False, min_permissions=1),
    params=list_params(),
)
def test_find_args_on_mongodb_agree_with_list_integrations(
    database: Any, records: list[dict[str, Any]], caller: Caller, params: Any
) -> None:
    # In _id order: see tests/test_mongo.py (an unsorted listing keeps its input order).
    response = list_integrations(sorted(records, key=lambda r: str(r["_id"])), caller, params)
    assert response.status == 200, response.body
    collection = database.integrations
    collection.delete_many({})
    if records:
        collection.insert_many(copy.deepcopy(records))
    args = to_find_args(parse_list_params(params), caller)
    page = list(collection.find(**args))
    assert _wire(page) == json.loads(response.json())["integrations"]
    assert collection.count_documents(args["filter"]) == response.body["total"]


def test_recommended_index_serves_the_own_scope(database: Any) -> None:
    # docs/mongodb.md: {type: 1, "_createdBy._id": 1, _id: 1} answers the scoped listing
    # without scanning other users' integrations.
    collection = database.indexed
    collection.drop()
    collection.create_index([("type", 1), ("_createdBy._id", 1), ("_id", 1)])
    others = [{"_id": f"x{i:05d}", "type": "webhook-outgoing", "name": "n",
               "_createdBy": {"_id": f"u{i % 50}", "username": "x"}} for i in range(3000)]
    mine = [{"_id": f"m{i}", "type": "webhook-outgoing", "name": "n",
             "_createdBy": {"_id": "u-alice", "username": "alice"}} for i in range(5)]
    collection.insert_many(others + mine)
    caller = Caller("u-alice", {Permission.MANAGE_OWN_OUTGOING.value})
    args = to_find_args(parse_list_params({}), caller)
    cursor = collection.find(**args)
    stats = cursor.explain()["executionStats"]
    assert [d["_id"] for d in collection.find(**args)] == [d["_id"] for d in mine]
    assert stats["totalDocsExamined"] <= 10, stats
