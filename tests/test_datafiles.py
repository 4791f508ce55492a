"""Data files in every shape mongoexport writes, Extended JSON v2 canonical and relaxed.

mongoexport (https://www.mongodb.com/docs/database-tools/mongoexport/) writes one relaxed
Extended JSON document per line by default; ``--jsonArray`` one array; ``--pretty`` indented
documents; ``--jsonFormat=canonical`` canonical mode. The files here are written by pymongo's
``bson.json_util`` in those shapes, and every shape must load to the same records, encoding to
the same BSON as json_util's own reading of them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import bson
import pytest
from bson import json_util
from bson.binary import Binary
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp

from integrations_core.datafiles import DataError, parse_records
from integrations_core.mongo import to_bson
from integrations_core.mql import QueryError, compile_filter
from integrations_core.mql import values as v

RECORDS: list[dict[str, Any]] = [
    {"_id": ObjectId("56e1fc72e0c917e9c4714161"), "type": "webhook-incoming", "name": "a",
     "_createdAt": dt.datetime(2024, 1, 2, 3, 4, 5, 6000), "count": Int64(3), "n": 2,
     "ratio": 0.5, "token": Binary(b"\x01\x02", 0x80), "ts": Timestamp(1700000000, 2),
     "dec": Decimal128("1.10"), "re": Regex("^a", "i"), "tags": ["x", {"k": None}]},
    {"_id": ObjectId("56e1fc72e0c917e9c4714162"), "type": "webhook-outgoing", "name": "b",
     "_createdAt": dt.datetime(1960, 12, 24), "uuid": Binary(b"\x11" * 16, 4)},
]


def shapes() -> dict[str, str]:
    relaxed, canonical = json_util.RELAXED_JSON_OPTIONS, json_util.CANONICAL_JSON_OPTIONS
    lines = "".join(json_util.dumps(r, json_options=relaxed) + "\n" for r in RECORDS)
    return {
        "default (JSON lines)": lines,
        "--jsonArray": json_util.dumps(RECORDS, json_options=relaxed),
        "--pretty": "".join(json_util.dumps(r, json_options=relaxed, indent=2) + "\n"
                            for r in RECORDS),
        "--jsonArray --pretty": json_util.dumps(RECORDS, json_options=relaxed, indent=2),
        "--jsonFormat=canonical": "".join(json_util.dumps(r, json_options=canonical) + "\n"
                                          for r in RECORDS),
        "CRLF lines, blank lines": lines.replace("\n", "\r\n\r\n"),
    }


@pytest.mark.parametrize("shape", list(shapes()))
def test_every_mongoexport_shape_loads(shape: str) -> None:
    records = parse_records(shapes()[shape], shape)
    # Relaxed mode writes an Int64 that fits 32 bits as a plain number, as mongoexport does.
    options = json_util.CANONICAL_JSON_OPTIONS if "canonical" in shape else \
        json_util.RELAXED_JSON_OPTIONS
    expected = [json_util.loads(json_util.dumps(r, json_options=options)) for r in RECORDS]
    assert [bson.encode(to_bson(r)) for r in records] == [bson.encode(r) for r in expected]


def test_loaded_values_have_their_bson_types() -> None:
    first, second = parse_records(shapes()["--jsonFormat=canonical"])
    assert isinstance(first["_id"], v.ObjectId)
    types = {"_id": "objectId", "_createdAt": "date", "count": "long", "n": "int",
             "ratio": "double", "token": "binData", "ts": "timestamp", "dec": "decimal",
             "re": "regex"}
    for path, alias in types.items():
        assert compile_filter({path: {"$type": alias}})(first), path
    assert compile_filter({"uuid": {"$type": "binData"}})(second)


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": {"$regex": "^a", "$options": "i"}}', v.Regex("^a", "i")),  # legacy v1 regex
    ('{"a": {"$binary": "AQI=", "$type": "80"}}', v.Binary(b"\x01\x02", 0x80)),  # legacy v1
    ('{"a": {"$date": 1704067200000}}', dt.datetime(2024, 1, 1)),  # Meteor
    ('{"a": {"$code": "f()", "$scope": {"x": {"$numberInt": "1"}}}}', v.Code("f()", {"x": 1})),
    ('{"a": {"$undefined": true}}', None),
    ('{"a": {"$symbol": "s"}}', "s"),
    ('{"a": {"$date": {"$numberLong": "253402300800000"}}}', v.DateMillis(253402300800000)),
    ('{"a": {"$type": "string"}}', {"$type": "string"}),  # not the legacy binary form
])
def test_data_file_values(text: str, expected: Any) -> None:
    """https://github.com/mongodb/specifications/blob/master/source/extended-json/extended-json.md
    (legacy forms, $code, $undefined), https://docs.meteor.com/api/ejson.html ($date ms)."""
    (record,) = parse_records(text)
    assert record["a"] == expected


@pytest.mark.parametrize(("text", "message"), [
    ('{"_id": "a"}\n{"_id": {"$oid": "xyz"}}\n', "line 2: _id.$oid: $oid must be 24 hex digits"),
    ('[{"_id": 1}, {"a": {"$numberLong": 5}}]', "record 1: a.$numberLong: $numberLong takes"),
    ('{"a": {"$date": "2024-01-01", "x": 1}}', "a.$date: $date takes no other keys (found x)"),
    ('{"a\\u0000": 1}', "field names cannot contain a null byte"),
    ('{"a": {"$numberDecimal": "1e-6177"}}', "does not fit a 128-bit decimal exactly"),
    ('{"a": 1}\n{"b": 2', "line 2: invalid JSON at line 2 column"),
])
def test_bad_files_name_the_place(text: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        parse_records(text, "f.json")
    assert message in str(info.value) and str(info.value).startswith("f.json: ")


def test_code_and_undefined_load_from_files_but_not_queries() -> None:
    (record,) = parse_records('{"a": {"$code": "f()"}}')
    assert compile_filter({"a": {"$type": "javascript"}})(record)
    with pytest.raises(QueryError, match="JavaScript code"):
        compile_filter({"a": record["a"]})
    with pytest.raises(QueryError, match=r"\$undefined is not allowed in a query"):
        compile_filter(json.loads('{"a": {"$undefined": true}}'))
