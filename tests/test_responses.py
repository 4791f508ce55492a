"""Envelopes, headers and JSON encoding (DESIGN 4.2).

The bodies are Rocket.Chat's: apps/meteor/app/api/server/ApiClass.ts (success(), failure(),
forbidden(), and the legacy 401 body of the route wrapper); a Meteor.Error's message is
"<reason> [<error>]". Dates are written as JSON.stringify writes a Date
(https://tc39.es/ecma262/#sec-date.prototype.toisostring).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal

import pytest

from integrations_core import Response
from integrations_core.responses import (
    forbidden,
    invalid_json_param,
    invalid_params,
    success,
    to_json_value,
    unauthorized,
)

HEADERS = {"content-type": "application/json", "cache-control": "no-store",
           "pragma": "no-cache"}


@pytest.mark.parametrize(("response", "status", "text"), [
    (success([{"_id": "a"}], 3, 9), 200,
     '{"integrations":[{"_id":"a"}],"offset":3,"items":1,"count":1,"total":9,"success":true}'),
    (unauthorized(), 401,
     '{"success":false,"error":"You must be logged in to do this.","status":"error",'
     '"message":"You must be logged in to do this."}'),
    (forbidden(), 403,
     '{"success":false,"error":"User does not have the permissions required for this action '
     '[error-unauthorized]"}'),
    (invalid_params("count: must be a non-negative integer"), 400,
     '{"success":false,"error":"count: must be a non-negative integer [invalid-params]",'
     '"errorType":"invalid-params"}'),
    (invalid_json_param("sort", '{"name": 2}', None), 400,
     '{"success":false,"error":"Invalid sort parameter provided: \\"{\\"name\\": 2}\\" '
     '[error-invalid-sort]","errorType":"error-invalid-sort",'
     '"details":{"helperMethod":"parseJsonQuery"}}'),
    (invalid_json_param("query", "{", "query: invalid JSON"), 400,
     '{"success":false,"error":"Invalid query parameter provided: \\"{\\" '
     '[error-invalid-query]","errorType":"error-invalid-query",'
     '"details":{"helperMethod":"parseJsonQuery","reason":"query: invalid JSON"}}'),
    (invalid_json_param("fields", "[]", None), 400,
     '{"success":false,"error":"Invalid fields parameter provided: \\"[]\\" '
     '[error-invalid-fields]","errorType":"error-invalid-fields",'
     '"details":{"helperMethod":"parseJsonQuery"}}'),
])
def test_envelopes(response: Response, status: int, text: str) -> None:
    assert response.status == status
    assert response.headers == HEADERS
    assert response.json() == text
    assert list(response.body) == list(json.loads(text))  # key order, as a dict


def test_each_response_has_its_own_headers() -> None:
    first, second = forbidden(), forbidden()
    first.headers["x-extra"] = "1"
    assert second.headers == HEADERS


@pytest.mark.parametrize(("value", "text"), [
    (dt.datetime(2017, 1, 5, 17, 6, 5, 660999), "2017-01-05T17:06:05.660Z"),
    (dt.datetime(2017, 1, 5, 17, 6, 5), "2017-01-05T17:06:05.000Z"),
    (dt.datetime(2017, 1, 5, 19, 6, 5, 1000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     "2017-01-05T17:06:05.001Z"),
    ("2017-01-05T17:06:05.660Z", "2017-01-05T17:06:05.660Z"),  # ISO strings stay as they are
])
def test_dates_are_iso_utc_with_milliseconds(value: object, text: str) -> None:
    assert to_json_value({"d": value}) == {"d": text}


@pytest.mark.parametrize(("value", "expected"), [
    (1.0, 1), (-0.0, 0), (2.5, 2.5), (math.nan, None), (math.inf, None),  # JS numbers
    ((1, "a"), [1, "a"]),
    (b"\x00\xff", "AP8="),
    (Decimal("1.10"), {"$numberDecimal": "1.10"}),
    (True, True), (None, None), ("é", "é"),
])
def test_json_values_follow_json_stringify(value: object, expected: object) -> None:
    assert to_json_value([value]) == [expected]


def test_to_json_value_copies_and_never_mutates() -> None:
    record = {"_id": "a", "channel": ["#general"], "_createdBy": {"_id": "u", "username": "u"},
              "scriptError": None, "nested": [{"x": [1, {"y": dt.datetime(2020, 1, 1)}]}]}
    snapshot = json.dumps(record, default=str)
    copied = to_json_value(record)
    assert json.dumps(record, default=str) == snapshot
    assert copied["channel"] == ["#general"] and copied["channel"] is not record["channel"]
    assert copied["_createdBy"] is not record["_createdBy"]
    assert copied["nested"][0]["x"][1] is not record["nested"][0]["x"][1]  # type: ignore[index]
    assert copied["nested"][0]["x"][1]["y"] == "2020-01-01T00:00:00.000Z"


def test_json_escapes_lone_surrogates_like_json_stringify() -> None:
    text = success([{"name": "a\ud800b"}], 0, 1).json()
    assert '"a\\ud800b"' in text
    text.encode("utf-8")  # sendable as is
