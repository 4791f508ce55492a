"""Nothing but a Response escapes list_integrations (issue 9, "Nothing escapes"; DESIGN 3, 7.4).

For any parameters over records BSON could store (at most 100 levels deep, int64 integers) the
answer is a Response: 200, a Rocket.Chat-style 400 naming the parameter or the limit, or 403.
Records outside BSON's shape are the embedding program's bug and raise one ``RecordError``
(a TypeError) naming the record's ``_id`` and the problem (docs/usage.md, "Records").
Error messages show user values through ``mql.errors.describe``: bounded, whatever the value.

``NOTHING_ESCAPES_EXAMPLES`` sizes the Hypothesis run (default 150; e.g. 20000 for a long run).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from redaction_oracle import shows
from test_security_fuzz import PARAMS as HOSTILE_PARAMS
from test_security_fuzz import SETTINGS as FUZZ_SETTINGS
from test_security_fuzz import assert_well_formed

from integrations_core import Caller, Permission, Response, Settings, list_integrations
from integrations_core.mql import compile_filter, compile_projection, compile_sort
from integrations_core.mql.documents import RecordError
from integrations_core.mql.errors import QueryError, describe
from integrations_core.mql.limits import Limits
from integrations_core.params import PARAMETERS
from integrations_core.testing.strategies import callers, integration_records, list_params

ISSUE = "issue 9, 'Nothing escapes'"
CURSOR_SORT = "https://www.mongodb.com/docs/manual/reference/method/cursor.sort/"
BSON_LIMITS = "https://www.mongodb.com/docs/manual/reference/limits/#mongodb-limit-Nested-Depth-for-BSON-Documents"
ECMA_PARSE_INT = "https://tc39.es/ecma262/#sec-parseint-string-radix"

IN, OUT = "webhook-incoming", "webhook-outgoing"
ADMIN = Caller("u-admin", [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING])
RECORDS = [
    {"_id": "in-1", "type": IN, "name": "Alpha", "channel": ["#dev", "#ops"], "token": "t-1",
     "a": [{"b": 1, "c": 2}]},
    {"_id": "out-1", "type": OUT, "name": "Beta", "channel": ["#dev"],
     "urls": ["https://example.com/1", "https://example.com/2"], "token": "t-2",
     "triggerWords": ["!go"], "a": {"b": [1, 2]}},
]
JS = Settings(js_parse_int=True)
BIG = 10**5000  # str() refuses it: over 4,300 digits
DEEP_SORT = '{"a": ' + "[" * 99 + "1" + "]" * 99 + "}"
WIDE = Settings(limits=Limits(max_depth=100), max_sort_length=10_000, max_fields_length=10_000,
                max_query_length=10_000)
EXCLUDE_1000 = json.dumps({f"f{i}": 0 for i in range(1000)})  # Limits.max_list_length paths


def _error(response: Response) -> str:
    return str(response.body.get("details", {}).get("reason") or response.body["error"])


@pytest.mark.parametrize(("params", "settings", "status", "kind", "says"), [
    # source: issue 9 (a non-string huge offset under js_parse_int); JavaScript reads the
    # number as Infinity, and parseInt("Infinity") is NaN (ECMA-262 parseInt)
    pytest.param({"offset": BIG}, JS, 400, "invalid-params",
                 "offset: <an integer of about 5001 digits> is not a number", id="huge-offset"),
    pytest.param({"offset": -BIG}, JS, 400, "invalid-params", "offset: <an integer",
                 id="huge-negative-offset"),
    pytest.param({"count": BIG}, JS, 400, "invalid-params", "count: <an integer",
                 id="huge-count"),
    # source: ECMA-262 parseInt: String(1e308) is "1e+308", parseInt reads "1"
    pytest.param({"offset": 1e308}, JS, 200, None, None, id="huge-float-offset"),
    # source: issue 9 (redact=True plus a long fields exclusion raised LimitError): the
    # redacted fields are removed after the user's projection, not added to it
    pytest.param({"fields": EXCLUDE_1000}, Settings(redact=True, max_fields_length=20_000),
                 200, None, None, id="redact-and-1000-exclusions"),
    # source: issue 9; a redacted path deeper than Settings.limits.max_depth is not the
    # caller's input and cannot be a 400 on every request
    pytest.param({}, Settings(redact=["a.b.c"], limits=Limits(max_depth=2)), 200, None, None,
                 id="redacted-path-deeper-than-the-limits"),
    # source: MongoDB cursor.sort() ("cannot sort with keys that are parallel arrays")
    pytest.param({"sort": '{"channel": 1, "urls": 1}'}, Settings(), 400, "error-invalid-sort",
                 "sort.urls: cannot sort with keys that are parallel arrays", id="parallel"),
    pytest.param({"sort": '{"urls": -1, "channel": 1}', "count": "0"}, Settings(), 400,
                 "error-invalid-sort", "parallel arrays", id="parallel-all"),
    pytest.param({"sort": '{"channel": 1, "urls": 1}'}, Settings.rocketchat_7(), 400,
                 "error-invalid-sort", "Invalid sort parameter provided", id="parallel-rc7"),
    pytest.param({"sort": '{"channel": 1, "urls": 1}', "type": IN}, Settings(), 200, None,
                 None, id="parallel-paths-one-array-each"),
    # source: issue 9 (repr of huge ints or very deep values in compile_sort and
    # compile_projection errors); the value is described, cut to 40 characters
    pytest.param({"sort": '{"a": ' + "9" * 4000 + "}"}, Settings(max_sort_length=5000), 400,
                 "error-invalid-sort", "not <an integer of about 400", id="long-int-sort"),
    pytest.param({"sort": DEEP_SORT}, WIDE, 400, "error-invalid-sort",
                 "sort direction must be 1 or -1, not [[[...]]]", id="deep-sort-value"),
    pytest.param({"fields": '{"a": ' + "9" * 4000 + "}"}, Settings(max_fields_length=5000), 400,
                 "error-invalid-fields", "not <an integer of about 400", id="long-int-fields"),
    pytest.param({"fields": DEEP_SORT}, WIDE, 400, "error-invalid-fields",
                 "not [[[...]]]", id="deep-fields-value"),
    pytest.param({"query": '{"a": {"$type": "' + "x" * 5000 + '"}}'},
                 Settings(max_query_length=6000), 400, "error-invalid-query",
                 "unknown type name alias 'xxxx", id="long-type-alias"),
])
def test_escape_cases_are_answered(params: dict[str, Any], settings: Settings, status: int,
                                   kind: str | None, says: str | None) -> None:
    response = list_integrations(RECORDS, ADMIN, params, settings)
    assert response.status == status, response.body
    assert_well_formed(response)
    if kind is not None:
        assert response.body["errorType"] == kind
        assert says is not None and says in _error(response)
        assert len(_error(response)) < 300


def test_redaction_applies_when_it_outgrows_the_projection_limits() -> None:
    settings = Settings(redact=["a.b.c", "token"], limits=Limits(max_depth=2))
    records = [{"_id": "1", "type": IN, "a": {"b": {"c": "secret", "d": 1}}, "token": "t"}]
    body = list_integrations(records, ADMIN, {}, settings).body
    assert body["integrations"] == [{"_id": "1", "type": IN, "a": {"b": {"d": 1}}}]
    body = list_integrations(records, ADMIN, {"fields": EXCLUDE_1000},
                             Settings(redact=True, max_fields_length=20_000)).body
    assert "token" not in body["integrations"][0]


# --- error messages are bounded, whatever the value (the mql API on its own) ------------------

class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("repr must not be called")


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(("compile_", "spec", "says"), [
    # source: issue 9 (repr of huge ints or very deep values while formatting errors)
    pytest.param(compile_sort, {"a": BIG}, "<an integer of about 5001 digits>", id="sort-int"),
    pytest.param(compile_sort, {"a": _deep(100_000)}, "not [[[...]]]", id="sort-deep"),
    pytest.param(compile_sort, {"a": Hostile()}, "not <Hostile>", id="sort-repr"),
    pytest.param(compile_sort, [("a", "x" * 10_000)], "not 'xxxxxxxx", id="sort-long-text"),
    pytest.param(compile_projection, {"a": BIG}, "<an integer of about 5001 digits>",
                 id="projection-int"),
    pytest.param(compile_projection, {"a": _deep(100_000)}, "not [[[...]]]",
                 id="projection-deep"),
    pytest.param(compile_projection, {"a": Hostile()}, "not <Hostile>", id="projection-repr"),
    pytest.param(compile_filter, {"a": {"$type": "x" * 10**6}}, "alias 'xxxx",
                 id="filter-type-alias"),
])
def test_compile_errors_describe_values_boundedly(compile_: Any, spec: Any, says: str) -> None:
    with pytest.raises(QueryError) as info:
        compile_(spec)
    assert says in str(info.value)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(("value", "text"), [
    (None, "None"), (True, "True"), (1.5, "1.5"), (-7, "-7"), ("a'b", '"a\'b"'),
    (b"ab", "b'ab'"), ([1, [2, [3]]], "[1, [2, [...]]]"), ((1,), "(1,)"),
    ({"a": {"b": {"c": 1}}}, "{'a': {'b': {...}}}"), ([1, 2, 3, 4, 5], "[1, 2, 3, 4, ...]"),
    (10**39, "1" + "0" * 39), (10**40, "<an integer of about 41 digits>"),
    (-BIG, "<an integer of about 5001 digits>"), (Hostile(), "<Hostile>"),
    (dt.datetime(2024, 1, 1), "<datetime>"), ("x" * 100, "'" + "x" * 36 + "..."),
], ids=lambda value: type(value).__name__)
def test_describe(value: Any, text: str) -> None:
    # Python's repr where it is bounded (the server's own messages quote values the same way).
    assert describe(value) == text
    assert len(describe(value)) <= 40


# --- records outside BSON's shape: one RecordError naming the record ---------------------------

class FailingZone(dt.tzinfo):
    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
        raise RuntimeError("no offset")

    def dst(self, when: dt.datetime | None) -> dt.timedelta | None:
        return None


def _nested(levels: int, kind: str) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"x": value} if kind == "dict" else [value]
    return value


def _cycle() -> dict[str, Any]:
    record: dict[str, Any] = {"_id": "loop", "type": IN, "name": "Loop"}
    record["self"] = record
    return record


def _list_cycle() -> dict[str, Any]:
    items: list[Any] = []
    items.append(items)
    return {"_id": "loop", "type": IN, "name": "Loop", "channel": items}


GOOD = {"_id": "good", "type": IN, "name": "A good one", "when": dt.datetime(2024, 1, 1)}
BAD_RECORDS = {  # name -> (record, the field holding the fault, words the message must hold)
    "cycle": (_cycle, "self", ["'loop'", "cycle"]),
    "list-cycle": (_list_cycle, "channel", ["'loop'", "cycle"]),
    "list": (lambda: ["not", "a", "mapping"], "name", ["without an _id", "list, not a mapping"]),
    "string": (lambda: "record", "name", ["str, not a mapping"]),
    "none": (lambda: None, "name", ["NoneType, not a mapping"]),
    "too-deep": (lambda: {"_id": 7, "type": IN, "name": "Deep", "a": _nested(100, "dict")}, "a",
                 ["record 7", "deeper than 100 levels"]),
    "too-deep-arrays": (lambda: {"_id": 7, "type": IN, "name": "Deep", "a": _nested(100, "l")},
                        "a", ["record 7", "deeper than 100 levels"]),
    "failing-tzinfo": (lambda: {"_id": "tz", "type": IN, "name": "Zone",
                                "when": dt.datetime(2024, 1, 1, tzinfo=FailingZone())},
                       "when", ["'tz'", "tzinfo fails", "RuntimeError"]),
    "int-key": (lambda: {"_id": "k", "type": IN, "name": "Key", 1: "x"}, "name",
                ["'k'", "key of type int", "field names are strings"]),
    "nested-tuple-key": (lambda: {"_id": "k", "type": IN, "name": "Key", "a": [{(1, 2): 3}]},
                         "a", ["'k'", "key of type tuple"]),
    "huge-id": (lambda: {"_id": BIG, "type": IN, "name": "Id", "a": _nested(100, "dict")}, "a",
                ["<an integer of about 5001 digits>", "deeper than 100 levels"]),
}
READS = {  # how a request reaches the fault: source docs/usage.md, "Records"
    "page": lambda field: {"count": "0"},
    "sort": lambda field: {"sort": json.dumps({field: -1}), "count": "1"},
    "query": lambda field: {"query": json.dumps({field: {"$exists": True}})},
}


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("bad", BAD_RECORDS)
def test_records_outside_bson_raise_one_record_error(bad: str, read: str) -> None:
    make, field, words = BAD_RECORDS[bad]
    with pytest.raises(RecordError) as info:
        list_integrations([GOOD, make()], ADMIN, READS[read](field))
    assert isinstance(info.value, TypeError)
    message = str(info.value)
    assert message.startswith("record ")
    for word in words:
        assert word in message, message
    assert len(message) < 200


def test_a_fault_met_only_while_matching_names_the_record() -> None:
    # The page holds GOOD alone; the failing date is only compared while matching.
    make = BAD_RECORDS["failing-tzinfo"][0]
    params = {"query": '{"when": {"$gt": {"$date": "2020-01-01T00:00:00Z"}}}', "count": "1"}
    with pytest.raises(RecordError, match="tzinfo fails"):
        list_integrations([GOOD, make()], ADMIN, params)


def test_a_fault_the_request_never_reads_is_not_reported() -> None:
    # Records are checked where they are read in full: a record that is neither matched by
    # a condition on the bad part nor returned does not fail a request.
    params = {"query": '{"name": "A good one"}'}
    response = list_integrations([GOOD, _cycle()], ADMIN, params)
    assert (response.status, response.body["total"]) == (200, 1)


def test_a_record_at_bsons_depth_limit_is_read() -> None:
    # source: MongoDB's limits (100 levels of nesting); the record itself is the first level
    record = {"_id": "edge", "type": IN, "name": "Edge", "a": _nested(99, "dict")}
    response = list_integrations([record], ADMIN, {"sort": '{"a.x.x": 1}'})
    assert response.status == 200
    assert response.body["total"] == 1


# --- the property: whatever the parameters, a Response -------------------------------------------

EXAMPLES = int(os.environ.get("NOTHING_ESCAPES_EXAMPLES", "150"))
ARRAY_FIELDS = ("channel", "urls", "triggerWords", "a", "a.b", "b")
SORT_PATHS = (*ARRAY_FIELDS, "a.c", "a.0", "a.0.b", "b.0", "name", "_id", "token")
ELEMENTS = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.text(max_size=3), st.none(),
    st.dictionaries(st.sampled_from(["b", "c", "0"]),
                    st.one_of(st.integers(-3, 3), st.lists(st.integers(-3, 3), max_size=2)),
                    max_size=2),
    st.lists(st.integers(-3, 3), max_size=2),
)


@st.composite
def records_with_arrays(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Integration records that also hold arrays (of documents, of arrays) on shared paths."""
    records = draw(integration_records(max_size=6))
    for record in records:
        for name in draw(st.lists(st.sampled_from(ARRAY_FIELDS), max_size=3, unique=True)):
            record[name] = draw(st.lists(ELEMENTS, max_size=3))
        record.setdefault("token", "secret")
    return records


SORTS = st.lists(st.sampled_from(SORT_PATHS), min_size=1, max_size=4, unique=True).flatmap(
    lambda paths: st.lists(st.sampled_from([1, -1]), min_size=len(paths),
                           max_size=len(paths)).map(lambda ds: json.dumps(dict(zip(paths, ds, strict=True)))))
NUMBERS = st.one_of(st.integers(), st.sampled_from([BIG, -BIG, 2**63, 10**21]), st.floats())
PAGE = st.sampled_from(["0", "1", "3"])
PARALLEL_PARAMS = st.fixed_dictionaries({"sort": SORTS}, optional={
    "count": st.one_of(PAGE, PAGE, PAGE, NUMBERS),  # numbers: JavaScript's parseInt profiles
    "offset": st.one_of(PAGE, PAGE, PAGE, NUMBERS),
    "fields": st.sampled_from(['{"a.b": 0}', '{"name": 1}', '{"channel": 0}']),
    "query": st.sampled_from(['{"type": "webhook-outgoing"}', '{"channel": {"$size": 2}}',
                              '{"a.b": {"$exists": true}}', '{"urls.0": {"$type": "string"}}']),
})  # hostile fields and queries come from HOSTILE_PARAMS
PROFILES = [
    *FUZZ_SETTINGS,
    Settings(js_parse_int=True, redact=["a.b", "channel"]),
    Settings(redact=True, limits=Limits(max_list_length=2, max_depth=3)),
    Settings(redact=True, max_fields_length=20_000),
    WIDE,
    Settings(error_reasons=False, ajv_messages=True, redact=["a"]),
    Settings.rocketchat_7(query_enabled=True, fields_enabled=True, redact=["a.b"]),
]
AJV_MESSAGES = {"must NOT have additional properties", "must be number,string",
                "must be string"}
LIMIT_WORDS = ("Settings.", "max_", "limit", "MAX")


def assert_names_a_parameter_or_limit(response: Response, params: Any,
                                      settings: Settings) -> None:
    """A 400 says which parameter (and, for a breach, which limit) it refuses."""
    body = response.body
    kind = body["errorType"]
    if kind != "invalid-params":
        param = kind.removeprefix("error-invalid-")
        assert body["error"].startswith(f"Invalid {param} parameter provided: ")
        reason = body.get("details", {}).get("reason")
        if reason is None:
            assert not settings.error_reasons
        else:
            assert reason.startswith(param), reason
        return
    message = body["error"].removesuffix(" [invalid-params]")
    if settings.ajv_messages and message in AJV_MESSAGES:
        return
    if message.startswith("request: "):  # the work budget
        assert "Settings.max_work" in message or "max_time_ms" in message, message
        return
    if message.startswith("parameter"):  # params that are not pairs; a key that is no string
        return
    keys = _keys(params)
    if "" in keys and message.startswith("unknown parameter"):  # the empty name
        return
    assert any(message.startswith(f"{key}: ") for key in keys | set(PARAMETERS)), message
    if " over " in message:
        assert any(word in message for word in LIMIT_WORDS), message


def _keys(params: Any) -> set[str]:
    """The parameter names the request carries (pairs are anything that unpacks to two)."""
    if isinstance(params, dict):
        return {str(key) for key in params}
    keys = set()
    for item in params if isinstance(params, list) else []:
        try:
            key, _ = item
        except (TypeError, ValueError):
            continue
        keys.add(str(key))
    return keys


@hsettings(max_examples=EXAMPLES, deadline=None,
           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=records_with_arrays(), caller=callers(anonymous=False),
       params=st.one_of(HOSTILE_PARAMS, PARALLEL_PARAMS, PARALLEL_PARAMS, list_params(invalid=True)),
       settings=st.sampled_from(PROFILES))
def test_nothing_but_a_response_escapes(records: list[dict[str, Any]], caller: Caller,
                                        params: Any, settings: Settings) -> None:
    response = list_integrations(records, caller, params, settings)
    assert response.status in (200, 400, 403), response.status
    assert_well_formed(response)
    if response.status == 400:
        assert_names_a_parameter_or_limit(response, params, settings)
    if response.status == 200:
        for field in settings.redacted:
            assert not shows(response.body["integrations"], field), field
    event(f"{response.status} {response.body.get('errorType', '')}".strip())
    if "parallel arrays" in response.body.get("details", {}).get("reason", ""):
        event("parallel arrays")
