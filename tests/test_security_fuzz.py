"""Bounded fuzzing of list_integrations with hostile parameters (issue 6; docs/security.md).

Every parameter gets arbitrary values: JSON of any shape with operator, ``__proto__`` and
``constructor`` keys, malformed and deeply nested text, lone surrogates and NUL characters,
huge numbers, values that are not strings, repeated and unknown keys, and whole ``params``
objects of the wrong type. The laws, whatever the input:

* no exception escapes; the status is 200, 400, 401 or 403 with a well-formed envelope
  (DESIGN 4.2) whose JSON text parses;
* the response is the same when the records the caller may not see are removed beforehand
  (DESIGN 4.1: nothing outside the caller's scope is returned or counted);
* the records are unchanged; with ``Settings(redact=True)`` no secret field is returned.

``benchmarks/fuzz.py`` runs the same laws for hours; its findings are regression tests in
tests/test_security_limits.py and tests/test_security_injection.py.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from visibility_oracle import IN, OUT, visible

from integrations_core import Caller, Permission, Response, Settings, list_integrations
from integrations_core.mql.operators import OPERATORS
from integrations_core.settings import SECRET_FIELDS
from integrations_core.testing.strategies import callers, integration_records, list_params

FUZZ = hsettings(max_examples=400, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PARAMETERS = ("offset", "count", "sort", "fields", "query", "name", "type")
HEADERS = {"content-type": "application/json", "cache-control": "no-store",
           "pragma": "no-cache"}
SETTINGS = [
    Settings(),
    Settings(redact=True),
    Settings.rocketchat_7(),
    Settings.rocketchat_7(query_enabled=True, fields_enabled=True, redact=True),
    Settings(js_parse_int=True, validate_type=False, allow_infinite_count=False),
]

# --- hostile values ------------------------------------------------------------------------------

WRAPPERS = ("$date", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal",
            "$regularExpression", "$regexp", "$flags", "$oid", "$binary", "$timestamp",
            "$minKey", "$maxKey", "$undefined", "$symbol", "$code")
OPERATOR_KEYS = sorted({*OPERATORS, "$bogus", "$", "$$ROOT", *WRAPPERS})
FIELD_KEYS = ("name", "type", "_id", "_createdBy", "_createdBy._id", "channel", "channel.0",
              "token", "token.0", "script", "scriptCompiled", "a.b", "__proto__",
              "constructor", "prototype", "__proto__.isAdmin", "constructor.prototype",
              "hasOwnProperty", "toString", "", ".", "a..b", "0", "-1", "\x00", "a.$where")
CHARS = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates: what undecodable bytes become
    st.sampled_from("\x00\x7f\x80\xff\ufeff\ufffd\uffff\u2028{}[]\":,\\$.0123456789eE+-"),
)
TEXT = st.text(CHARS, max_size=24)
KEYS = st.one_of(st.sampled_from(OPERATOR_KEYS), st.sampled_from(FIELD_KEYS), TEXT)
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**400, 0, -0]),
    st.floats(),  # NaN and infinities become non-JSON literals, which must be refused
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
        st.tuples(st.sampled_from(OPERATOR_KEYS), inner).map(lambda kv: {kv[0]: kv[1]}),
    ),
    max_leaves=24,
)


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """JSON text of any value, sometimes damaged: cut, spliced or ASCII-escaped."""
    text = json.dumps(draw(JSON_VALUES), ensure_ascii=draw(st.booleans()))
    damage = draw(st.integers(0, 5))
    if damage == 0 and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif damage == 1:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(TEXT) + text[at:]
    return text


def _nested(kind: int, depth: int) -> str:
    opens, inner, closes = (
        ("[", "1", "]"),
        ('{"a":', "1", "}"),
        ('{"$or":[', '{"a":1}', "]}"),
        ('{"a":{"$elemMatch":', '{"b":1}', "}}"),
        ('{"a":{"$not":', '{"$eq":1}', "}}"),
        ('{"$and":[{"$nor":[', '{"a":1}', "]}]}"),
    )[kind]
    return opens * depth + inner + closes * depth


DEEP = st.builds(_nested, st.integers(0, 5), st.integers(0, 3000)).flatmap(
    lambda text: st.sampled_from([text, text[: len(text) // 2], text + "]"])
)
NUMBER_TEXTS = st.one_of(
    st.sampled_from(["0", "-0", "-1", "1e400", "1.5", "0x10", " 7", "7 ", "+1", "", "NaN",
                     "Infinity", "٣", "9" * 5000, "0" * 5000 + "1", "9223372036854775808",
                     "99999999999999999999999"]),
    st.integers(-(2**80), 2**80).map(str),
)
ANY_TEXT = st.one_of(json_texts(), DEEP, NUMBER_TEXTS, TEXT,
                     st.sampled_from([IN, OUT, "webhook-bogus", "null", "{}", "[]"]))
NON_STRINGS = st.one_of(st.none(), st.integers(), st.floats(), st.lists(TEXT, max_size=2),
                        st.binary(max_size=4), st.just({"$gt": ""}))
VALUES = st.one_of(ANY_TEXT, ANY_TEXT, ANY_TEXT, NON_STRINGS)
PARAM_KEYS = st.one_of(st.sampled_from(PARAMETERS), st.sampled_from(PARAMETERS),
                       st.sampled_from(["__proto__", "constructor", "Query", "query ", ""]),
                       TEXT, st.integers())
PAIRS = st.lists(st.tuples(PARAM_KEYS, VALUES), max_size=5)
PARAMS = st.one_of(
    PAIRS.map(dict),
    PAIRS,
    list_params(invalid=True),
    st.dictionaries(st.sampled_from(PARAMETERS), json_texts(), max_size=3),
    st.one_of(st.none(), st.integers(), TEXT, st.lists(TEXT, max_size=2)),  # not params at all
)

# --- the laws ------------------------------------------------------------------------------------

def assert_well_formed(response: Response) -> None:
    assert response.headers == HEADERS
    body = response.body
    json.loads(response.json())  # always encodable, and valid JSON
    if response.status == 200:
        assert list(body) == ["integrations", "offset", "items", "count", "total", "success"]
        assert body["success"] is True
        assert body["items"] == body["count"] == len(body["integrations"]) <= body["total"]
        assert all(isinstance(r, dict) for r in body["integrations"])
    elif response.status == 400:
        assert body["success"] is False and isinstance(body["error"], str)
        kind = body["errorType"]
        assert kind in ("invalid-params", "error-invalid-sort", "error-invalid-fields",
                        "error-invalid-query")
        assert body["error"].endswith(f"[{kind}]")
        if kind != "invalid-params":
            assert body["details"]["helperMethod"] == "parseJsonQuery"
    elif response.status == 401:
        assert body["success"] is False and body["status"] == "error"
    else:
        assert response.status == 403, response.status
        assert body == {"success": False, "error": "User does not have the permissions "
                        "required for this action [error-unauthorized]"}


def check_request(records: list[dict[str, Any]], caller: Caller | None, params: Any,
                  settings: Settings) -> Response:
    """Every law for one request; returns the response."""
    snapshot = copy.deepcopy(records)
    params_before = copy.deepcopy(params)
    response = list_integrations(records, caller, params, settings)
    assert records == snapshot
    assert params == params_before
    assert_well_formed(response)
    if caller is not None:
        in_scope = [r for r in records if visible(r, caller)]
        alone = list_integrations(in_scope, caller, params, settings)
        assert (alone.status, alone.body) == (response.status, response.body)
    if response.status == 200 and settings.redacted:
        for returned in response.body["integrations"]:
            assert not SECRET_FIELDS & set(returned)
    return response


def _with_secrets(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for i, record in enumerate(records):
        record.setdefault("token", f"secret-token-{i}")
        if i % 2:
            record["script"] = f"return {{ content: {i} }}"
            record["scriptCompiled"] = f"compiled {i}"
    return records


RECORDS = integration_records(max_size=6).map(_with_secrets)


@FUZZ
@given(records=RECORDS, caller=callers(), params=PARAMS, settings=st.sampled_from(SETTINGS))
def test_no_input_crashes_widens_or_changes_anything(records: list[dict[str, Any]],
                                                     caller: Caller | None, params: Any,
                                                     settings: Settings) -> None:
    response = check_request(records, caller, params, settings)
    event(f"status {response.status} {response.body.get('errorType', '')}".strip())


QUERY_TEXTS = st.one_of(json_texts(), st.builds(
    lambda ops, keys, value: json.dumps({keys[0]: {ops[0]: {ops[1]: value}}}),
    st.lists(st.sampled_from(OPERATOR_KEYS), min_size=2, max_size=2),
    st.lists(st.sampled_from(FIELD_KEYS), min_size=1, max_size=1), JSON_VALUES,
))


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=RECORDS, query=QUERY_TEXTS,
       sort=st.one_of(st.none(), json_texts()), fields=st.one_of(st.none(), json_texts()))
def test_operator_soup_in_query_sort_and_fields(records: list[dict[str, Any]], query: str,
                                                sort: str | None, fields: str | None) -> None:
    caller = Caller("u-ann", [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OUTGOING])
    params = {"query": query, **({"sort": sort} if sort else {}),
              **({"fields": fields} if fields else {})}
    for settings in (Settings(), Settings(redact=True)):
        response = check_request(records, caller, params, settings)
        assert response.status in (200, 400)
        event(f"status {response.status} {response.body.get('errorType', '')}".strip())
