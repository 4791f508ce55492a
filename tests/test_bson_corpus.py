"""MongoDB's BSON corpus drives the Extended JSON decoder, the query semantics and to_bson.

Source: mongodb/specifications source/bson-corpus/tests/*.json (commit in the prepared file's
``provenance``), prepared as ../shared/data/bson-corpus-cases.json (tests/bson_corpus.py). Each
valid case is the Extended JSON of one value ``v`` (canonical, relaxed or a degenerate form):

* a data file holding ``{x: v}`` loads, and ``{path: {$type: ...}}`` holds as the case's
  ``datafile`` expectations say (one of its alternatives);
* ``{x: v}`` sent as the ``query`` of integrations.list over that record answers as the case's
  ``query_rule`` says (``rulings``: match, no match or a 400), except where this library refuses
  the wrapper by design (``$code``, ``$undefined``: a 400 naming it, never "unknown operator");
* the same value as pymongo's ``bson.json_util`` reads it, queried with ``compile_filter`` over
  a record holding pymongo's value and over one holding the engine's value, answers as
  ``value_rule`` says (``bson.Code`` refused by design);
* ``mongo.to_bson`` of the engine's value encodes to the same BSON bytes as pymongo's value.

Each parse error, sent as the query, is a 400 naming the wrapper, and refused in a data file.
"""

from __future__ import annotations

import json
from typing import Any

import bson
import pytest
from bson import json_util
from bson.codec_options import DatetimeConversion
from bson_corpus import case_id, corpus

from integrations_core import Caller, list_integrations
from integrations_core.datafiles import DataError, parse_records
from integrations_core.mongo import to_bson
from integrations_core.mql import QueryError, compile_filter
from integrations_core.mql.ejson import WRAPPERS

CORPUS = corpus()
RULINGS: dict[str, Any] = CORPUS["rulings"]
VALID: list[dict[str, Any]] = CORPUS["valid"]
PARSE_ERRORS: list[dict[str, Any]] = CORPUS["parse_errors"]
JSON_OPTIONS = json_util.JSONOptions(datetime_conversion=DatetimeConversion.DATETIME_AUTO,
                                     tz_aware=False)
CALLER = Caller("u-corpus", {"manage-incoming-integrations"})
REFUSED = {name for name, row in WRAPPERS.items() if row.refused}
"""The wrappers this library refuses in a query (the corpus's by_design_candidates allow it)."""
LEFT_OUT = {
    "top#parse31": "Meteor's EJSON {$date: <milliseconds>} is query text (DESIGN 7.3): accepted",
}


def record_text(ejson: str) -> str:
    return f'{{"_id": "corpus", "type": "webhook-incoming", "name": "corpus", "x": {ejson}}}'


def query(text: str) -> tuple[int, dict[str, Any]]:
    records = parse_records(record_text('"placeholder"'))
    response = list_integrations(records, CALLER, {"query": text})
    return response.status, response.body


def expect_of(rule: str) -> set[str]:
    ruling = RULINGS[rule]
    return {ruling["expect"], *ruling.get("alt", [])}


def test_corpus_file_is_the_specifications_corpus() -> None:
    provenance = CORPUS["provenance"]
    assert provenance["repository"] == "mongodb/specifications"
    assert provenance["folder"] == "source/bson-corpus/tests"
    assert len(VALID) > 1000 and len(PARSE_ERRORS) > 100


@pytest.mark.parametrize("case", VALID, ids=case_id)
def test_valid_case(case: dict[str, Any]) -> None:
    ejson = case["ejson"]
    (record,) = parse_records(record_text(ejson), case["id"])

    # The data file: the $type expectations of one of the alternatives hold.
    answers = [all(compile_filter({path: {"$type": types}})(record) for path, types in alt)
               for alt in case["datafile"]]
    assert any(answers), f"$type expectations {case['datafile']} over {record['x']!r}"

    # The query text, through the endpoint.
    response = list_integrations([record], CALLER, {"query": f'{{"x": {ejson}}}'})
    refused = REFUSED.intersection(case["wrappers"])
    if refused:
        assert response.status == 400, response.body
        reason = response.body["details"]["reason"]
        assert "is not allowed in a query" in reason and any(w in reason for w in refused)
    else:
        expected = expect_of(case["query_rule"])
        if response.status == 400:
            assert "error" in expected, response.body
            reason = response.body["details"]["reason"]
            if case["query_rule"] != "dollar-document":
                assert "unknown operator" not in reason, reason
        else:
            outcome = "match" if response.body["total"] == 1 else "nomatch"
            assert outcome in expected, (outcome, case["query_rule"])
        assert "Regex(" not in response.json() and "ObjectId(" not in response.json()

    # pymongo's value: the same answers, over pymongo's record and over the engine's.
    pymongo_value = json_util.loads(f'{{"x": {ejson}}}', json_options=JSON_OPTIONS)["x"]
    assert bson.encode({"x": to_bson(record["x"])}) == bson.encode({"x": pymongo_value})
    if case["value_rule"] is None:
        return
    try:
        match = compile_filter({"x": pymongo_value})
    except QueryError as exc:
        if "Code" in case["by_design_types"] and "JavaScript code" in str(exc):
            return
        assert "error" in expect_of(case["value_rule"]), exc
        return
    expected = expect_of(case["value_rule"])
    for holder in ({"x": pymongo_value}, record):
        assert ("match" if match(holder) else "nomatch") in expected, holder


def wrapper_named(case: dict[str, Any]) -> str | None:
    text = case["query"]
    found = [name for name in WRAPPERS if f'"{name}"' in text]
    return min(found, key=text.index) if found else None


@pytest.mark.parametrize("case", PARSE_ERRORS, ids=case_id)
def test_parse_error_case(case: dict[str, Any]) -> None:
    status, body = query(case["query"])
    if case["id"] in LEFT_OUT:
        assert status == 200, LEFT_OUT[case["id"]]
        return
    assert status == 400, body
    assert body["errorType"] == "error-invalid-query"
    reason = body["details"]["reason"]
    assert "unknown operator" not in reason
    named = wrapper_named(case)
    assert (named in reason) if named else ("null byte" in reason), reason
    with pytest.raises(DataError):
        parse_records(json.dumps(json.loads(case["query"])), case["id"])
