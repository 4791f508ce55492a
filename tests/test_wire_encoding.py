"""Responses write each BSON value as Rocket.Chat's server does: JSON.stringify of js-bson's value.

tests/golden/jsbson.json is what the real js-bson (the version Rocket.Chat 7.x runs, installed
from npm by ``make golden-jsbson``) writes for every BSON type, each value read back the way the
Node driver reads documents. Each case is decoded from its Extended JSON twice, by this
library's data-file decoder (the engine's values) and by pymongo's ``bson.json_util``
(pymongo's values), and ``to_json_value`` must write what js-bson wrote, except where js-bson
loses the value: there the relaxed Extended JSON v2 below is written instead, each row listed in
docs/rocketchat-differences.md ("BSON values js-bson cannot write").
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from bson import json_util
from bson.codec_options import DatetimeConversion

from integrations_core import Caller, list_integrations
from integrations_core.mql.ejson import decode
from integrations_core.responses import to_json_value

GOLDEN = json.loads((Path(__file__).parent / "golden" / "jsbson.json").read_text("utf-8"))
CASES = {case["name"]: case for case in GOLDEN["cases"]}
JSON_OPTIONS = json_util.JSONOptions(datetime_conversion=DatetimeConversion.DATETIME_AUTO,
                                     tz_aware=False)
DIFFERENCES = "docs/rocketchat-differences.md"
# name -> what is written instead of js-bson's lossy output
LOSSY: dict[str, Any] = {
    "int64 2^53+1": {"v": 9007199254740993},
    "int64 -2^53-1": {"v": -9007199254740993},
    "int64 max": {"v": 9223372036854775807},
    "int64 min": {"v": -9223372036854775808},
    "regex": {"v": {"$regularExpression": {"pattern": "^a", "options": "i"}}},
    "regex imx": {"v": {"$regularExpression": {"pattern": "ab/cd", "options": "imx"}}},
    "minKey": {"v": {"$minKey": 1}},
    "maxKey": {"v": {"$maxKey": 1}},
    "date past JS maximum": {"v": {"$date": {"$numberLong": "8640000000000001"}}},
    "undefined": {"v": None},  # js-bson omits the field; the engine reads undefined as null
}


def test_golden_is_the_bson_rocket_chat_runs() -> None:
    """Rocket.Chat 7.x runs the Node driver mongodb 6.16.0, which depends on bson ^6.10.3."""
    assert GOLDEN["bson_version"] == "6.10.4"
    assert set(LOSSY) <= set(CASES)


@pytest.mark.parametrize("reader", ["engine", "pymongo"])
@pytest.mark.parametrize("name", list(CASES))
def test_values_are_written_as_jsbson_writes_them(name: str, reader: str) -> None:
    case = CASES[name]
    text = f'{{"v": {case["ejson"]}}}'
    if reader == "engine":
        value = decode(json.loads(text), query=False)
    else:
        value = json_util.loads(text, json_options=JSON_OPTIONS)
    written = json.loads(json.dumps(to_json_value(value), allow_nan=False))
    expected = LOSSY.get(name, json.loads(case["json"]))
    assert written == expected, (name, DIFFERENCES if name in LOSSY else "tests/golden")
    assert list(written) == list(expected)  # key order too (a DBRef's $db goes last)
    if isinstance(expected["v"], dict):
        assert list(written["v"]) == list(expected["v"])


def test_uuid_is_written_as_a_subtype_4_binary() -> None:
    value = uuid.UUID("73ffd264-44b3-4c69-90e8-e7d1dfc035d4")
    assert to_json_value({"v": value}) == json.loads(CASES["binary subtype 4 uuid"]["json"])


REPR = re.compile(r"\b[A-Z][A-Za-z0-9_]*\(|\bre\.[A-Z]|<[a-z_.]+ object")


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def every_value() -> list[Any]:
    engine = [decode(json.loads(f'{{"v": {c["ejson"]}}}'), query=False)["v"] for c in GOLDEN["cases"]]
    pymongo = [json_util.loads(f'{{"v": {c["ejson"]}}}', json_options=JSON_OPTIONS)["v"]
               for c in GOLDEN["cases"]]
    return [*engine, *pymongo, uuid.UUID(int=1)]


def test_no_python_repr_reaches_a_response() -> None:
    """Every BSON type, as the engine and as pymongo hold it, in one record, listed."""
    values = every_value()
    record = {"_id": "r", "type": "webhook-incoming", "name": "all types",
              "values": values, "by_name": {str(i): v for i, v in enumerate(values)}}
    response = list_integrations([record], Caller("u", {"manage-incoming-integrations"}), {})
    assert response.status == 200
    body = json.loads(response.json())
    assert body["total"] == 1
    leaked = [s for s in strings(body) if REPR.search(s)]
    assert leaked == []
