"""Settings(redact=...): secrets leave no trace in any response (issue 6; docs/security.md).

Rocket.Chat returns ``token``, ``script`` and ``scriptCompiled`` to anyone who may list the
integration, and with query parameters enabled a caller can recover a secret they cannot read
by asking yes/no questions (``{"token": {"$regex": "^a"}}``, then ``^ab``, ...) or by sorting on
it: the oracle of Rocket.Chat issue 6837 and of CVE-2021-22911 / CVE-2022-32211. With
redaction on, the fields are removed and any ``query``/``sort``/``fields`` that reads them is a
400, so the responses do not depend on the secrets at all (the non-interference law below).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from redaction_oracle import shows
from test_security_fuzz import FIELD_KEYS, JSON_VALUES, OPERATOR_KEYS, json_texts

from integrations_core import Caller, Permission, Settings, list_integrations
from integrations_core.settings import SECRET_FIELDS

IN, OUT = "webhook-incoming", "webhook-outgoing"
CALLER = Caller("u-ann", [Permission.MANAGE_INCOMING, Permission.MANAGE_OWN_OUTGOING])
REDACT = Settings(redact=True)


def _records(secret: str) -> list[dict[str, Any]]:
    return [
        {"_id": "in-1", "type": IN, "name": "Deploy bot", "token": secret, "channel": ["#ops"],
         "_createdBy": {"_id": "u-bob", "username": "bob"}, "script": f"// {secret}",
         "scriptCompiled": f"compiled {secret}", "scriptEnabled": True},
        {"_id": "in-2", "type": IN, "name": "Jira", "token": secret[::-1], "channel": ["#dev"],
         "_createdBy": {"_id": "u-ann", "username": "ann"}, "scriptEnabled": False},
        {"_id": "out-1", "type": OUT, "name": "Echo", "token": "t-" + secret,
         "urls": ["https://example.com"], "_createdBy": {"_id": "u-ann", "username": "ann"},
         "script": "return 1", "scriptCompiled": "x", "triggerWords": ["!echo"]},
    ]


def test_redaction_is_off_by_default_as_in_rocketchat() -> None:
    body = list_integrations(_records("s3cr3t"), CALLER, {}).body
    assert body["integrations"][0]["token"] == "s3cr3t"
    assert body["integrations"][0]["script"] == "// s3cr3t"


@pytest.mark.parametrize("fields", [None, '{"name": 0}', '{"channel": 0, "_createdBy": 0}',
                                    '{"name": 1, "type": 1}', '{"_id": 0}', '{"_id": 1}'])
def test_secret_fields_are_removed_from_every_record(fields: str | None) -> None:
    records = _records("s3cr3t")
    snapshot = copy.deepcopy(records)
    params = {"fields": fields} if fields else {}
    plain = list_integrations(records, CALLER, params).body["integrations"]
    redacted = list_integrations(records, CALLER, params, REDACT).body["integrations"]
    assert records == snapshot
    assert len(plain) == len(redacted) == 3
    for full, shown in zip(plain, redacted, strict=True):
        assert not SECRET_FIELDS & set(shown)
        assert shown == {k: v for k, v in full.items() if k not in SECRET_FIELDS}
    assert "s3cr3t" not in json.dumps(redacted)


@pytest.mark.parametrize(("param", "value", "field"), [
    ("query", {"token": "s3cr3t"}, "token"),
    ("query", {"token": {"$regex": "^s"}}, "token"),                 # the 6837 oracle
    ("query", {"token": {"$regex": "^S", "$options": "i"}}, "token"),
    ("query", {"token": {"$gt": "m"}}, "token"),                      # binary search
    ("query", {"token": {"$in": [{"$regexp": "^s"}]}}, "token"),
    ("query", {"token": {"$not": {"$regex": "^s"}}}, "token"),
    ("query", {"token": {"$exists": True}}, "token"),
    ("query", {"token": {"$type": "string"}}, "token"),
    ("query", {"token": {"$size": 6}}, "token"),
    ("query", {"token": {"$all": ["s3cr3t"]}}, "token"),
    ("query", {"token": {"$elemMatch": {"$eq": "s"}}}, "token"),
    ("query", {"token.0": "s"}, "token"),                             # an element or a field
    ("query", {"token.length": 6}, "token"),
    ("query", {"$or": [{"name": "x"}, {"token": {"$lt": "t"}}]}, "token"),
    ("query", {"$and": [{"$nor": [{"script": {"$regex": "s3"}}]}]}, "script"),
    ("query", {"scriptCompiled": {"$regularExpression": {"pattern": "^c", "options": ""}}},
     "scriptCompiled"),
    ("query", {"script.x": None}, "script"),
    ("query", {"name": "Jira", "$comment": "ok", "scriptCompiled": None}, "scriptCompiled"),
    ("sort", {"token": 1}, "token"),                                  # ordering oracle
    ("sort", {"name": 1, "script": -1}, "script"),
    ("sort", {"scriptCompiled.0": 1}, "scriptCompiled"),
    ("fields", {"token": 1}, "token"),
    ("fields", {"token": 0}, "token"),
    ("fields", {"script.x": 1}, "script"),
    ("fields", {"name": 0, "scriptCompiled": 0}, "scriptCompiled"),
])
def test_any_reference_to_a_redacted_field_is_a_400(param: str, value: dict[str, Any],
                                                    field: str) -> None:
    params = {param: json.dumps(value)}
    assert list_integrations(_records("s3cr3t"), CALLER, params).status == 200
    response = list_integrations(_records("s3cr3t"), CALLER, params, REDACT)
    assert (response.status, response.body["errorType"]) == (400, f"error-invalid-{param}")
    reason = response.body["details"]["reason"]
    assert f"the redacted field {field!r}" in reason
    assert reason.startswith(param)


@pytest.mark.parametrize(("param", "value"), [
    ("query", {"tokens": "x"}),
    ("query", {"channel": {"$elemMatch": {"token": "x"}}}),  # channel.token, not token
    ("query", {"_createdBy.token": "x", "scriptEnabled": True}),
    ("query", {"0": "x"}),
    ("sort", {"scriptEnabled": -1}),
    ("fields", {"scriptEnabled": 1, "name": 1}),
    ("fields", {"urls": 0}),
])
def test_neighbours_of_redacted_fields_stay_usable(param: str, value: dict[str, Any]) -> None:
    response = list_integrations(_records("s3cr3t"), CALLER, {param: json.dumps(value)}, REDACT)
    assert response.status == 200, response.body


@pytest.mark.parametrize(("redact", "param", "value", "status"), [
    (["a.b"], "query", {"a": {"b": 1}}, 400),          # the parent holds the field
    (["a.b"], "query", {"a.0.b": 1}, 400),             # through an array element
    (["a.b"], "query", {"a.1.2.b": 1}, 400),
    (["a.b"], "query", {"a.b": {"$regex": "^SEC"}}, 400),  # issue 9: the probe of a.0.b
    (["a.b"], "query", {"a.0": {"$exists": True}}, 400),   # an element holds the field
    (["a.b"], "query", {"a": {"$elemMatch": {"b": {"$regex": "^S"}}}}, 400),
    (["a.b"], "query", {"a": {"$elemMatch": {"$elemMatch": {"b": 1}}}}, 400),
    (["a.b"], "query", {"a": {"$size": 1}}, 400),
    (["a.b"], "query", {"a.b.c": {"$type": "string"}}, 400),
    (["a.b"], "sort", {"a.0.b": 1}, 400),
    (["a.b"], "fields", {"a.0": 1}, 400),
    (["a.b"], "query", {"a.bc": 1, "ab": 1, "b.a": 1}, 200),
    (["a.b"], "query", {"a.c": 1}, 200),
    (["a.b"], "query", {"b": 1}, 200),
    (["a.b"], "sort", {"a": 1}, 400),
    (["a.b"], "fields", {"a": 1}, 400),
    (["a.b"], "fields", {"a.c": 1}, 200),
    (["name"], "name", "Jira", 400),
    (["name"], "type", IN, 200),
    (["_createdBy.username"], "query", {"_createdBy._id": "u-ann"}, 200),
    (["_createdBy.username"], "query", {"_createdBy": {"$exists": True}}, 400),
])
def test_custom_redactions(redact: list[str], param: str, value: Any, status: int) -> None:
    text = value if isinstance(value, str) else json.dumps(value)
    response = list_integrations(_records("s"), CALLER, {param: text}, Settings(redact=redact))
    assert response.status == status, response.body


def test_custom_redaction_removes_nested_fields() -> None:
    records = [{"_id": "1", "type": IN, "a": [{"b": 1, "c": 2}, {"b": 3}], "d": {"b": 4}}]
    body = list_integrations(records, CALLER, {}, Settings(redact=["a.b"])).body
    assert body["integrations"] == [{"_id": "1", "type": IN, "a": [{"c": 2}, {}],
                                     "d": {"b": 4}}]


# --- non-interference: the response does not depend on the secrets ------------------------------

SECRETS = st.text(st.sampled_from("abcdefgsSt3r0_-.*+?[]()^$\\"), min_size=1, max_size=8)
ATTACKS = st.one_of(
    json_texts(),
    st.builds(lambda field, op, value: json.dumps({field: {op: value}}),
              st.sampled_from([*SECRET_FIELDS, "token.0", "script.x", *FIELD_KEYS]),
              st.sampled_from(OPERATOR_KEYS), JSON_VALUES),
    st.builds(lambda prefix: json.dumps({"token": {"$regex": "^" + prefix}}), SECRETS),
)
PARAMS = st.fixed_dictionaries({}, optional={
    "query": ATTACKS,
    "sort": st.one_of(json_texts(), st.sampled_from(
        ['{"token": 1}', '{"script": -1}', '{"name": 1, "scriptCompiled": 1}'])),
    "fields": st.one_of(json_texts(), st.sampled_from(['{"token": 1}', '{"token": 0}'])),
    "count": st.sampled_from(["0", "1", "2"]),
})


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one=SECRETS, other=SECRETS, params=PARAMS)
def test_responses_do_not_depend_on_redacted_values(one: str, other: str,
                                                    params: dict[str, str]) -> None:
    first = list_integrations(_records(one), CALLER, params, REDACT)
    second = list_integrations(_records(other), CALLER, params, REDACT)
    assert (first.status, first.body) == (second.status, second.body)


def test_without_redaction_the_oracle_works() -> None:
    # The law above can fail: unredacted, one yes/no question tells two secrets apart.
    params = {"query": json.dumps({"token": {"$regex": "^s"}})}
    assert list_integrations(_records("s3cr3t"), CALLER, params).body["total"] == 1
    assert list_integrations(_records("x3cr3t"), CALLER, params).body["total"] == 0


# --- what Settings.redact can honour (issue 9: "refused when Settings is built") ----------------

DOT_NOTATION = "https://www.mongodb.com/docs/manual/core/document/#dot-notation"


@pytest.mark.parametrize(("redact", "says"), [
    # source: MongoDB's dot notation (DOT_NOTATION): "urls.0" is element 0 of urls *and* a
    # field named "0"; hiding one element leaves its neighbours, the length and the order
    # readable, so such a value is refused rather than half honoured (issue 9)
    (["urls.0"], "'urls.0' has a numeric component"),
    (["a.0.b"], "'a.0.b' has a numeric component"),
    (["0"], "numeric component"),
    (["a.07"], "numeric component"),
    # source: DESIGN 4.2 (every sort ends with _id, whose order would reveal it)
    (["_id"], "cannot hide _id"),
    (["_id.x"], "cannot hide _id"),
    # source: DESIGN 4.1 (the scope reads type and _createdBy._id): which records a caller
    # gets depends on them, so no response can be independent of their values
    (["type"], "who may see a record depends on 'type'"),
    (["type.x"], "depends on 'type'"),
    (["_createdBy"], "depends on '_createdBy._id'"),
    (["_createdBy._id"], "depends on '_createdBy._id'"),
    (["_createdBy._id.x"], "depends on '_createdBy._id'"),
    # source: MongoDB field names (no empty components, no leading $, no null byte)
    (["a..b"], "is not a field path"),
    (["$where"], "is not a field path"),
    ([""], "is not a field path"),
    (["a\x00b"], "is not a field path"),
    ([1], "is not a field path"),
    ("token", "must be True, False or an iterable of field paths"),
    (7, "must be True, False or an iterable of field paths"),
])
def test_a_redaction_that_cannot_be_honoured_is_refused(redact: Any, says: str) -> None:
    with pytest.raises(ValueError, match=r"^Settings\.redact") as info:
        Settings(redact=redact)
    assert says in str(info.value)


@pytest.mark.parametrize("redact", [["a.b0"], ["a.x1.b"], ["a٣"], ["token"], ["a-1.b"],
                                    ["_createdBy.username"], ["types"], ["_createdByX"]])
def test_neighbouring_fields_can_be_hidden(redact: list[str]) -> None:
    assert Settings(redact=redact).redacted == frozenset(redact)


# --- literal dotted keys and nested arrays: removal follows the path, not the spelling ----------

@pytest.mark.parametrize(("redact", "record", "shown"), [
    # source: issue 9 ("a literal dotted key is never hidden"); MongoDB 5.0+ stores field
    # names containing dots (https://www.mongodb.com/docs/manual/core/dot-dollar-considerations/)
    (["a.b"], {"a.b": "S", "a": {"b": "S", "c": 1}}, {"a": {"c": 1}}),
    (["a.b"], {"a.b.c": "S", "a.c": 1}, {"a.c": 1}),
    (["a.b.c"], {"a": {"b.c": "S", "b.d": 1}}, {"a": {"b.d": 1}}),
    (["a"], {"a.x": "S", "a": 1, "ab": 2}, {"ab": 2}),
    (["token"], {"token.0": "S", "tokens": 1}, {"tokens": 1}),
    # arrays on the way, nested arrays included (what a query on a.b would read)
    (["a.b"], {"a": [{"b": "S", "c": 1}, [{"b": "S"}, {"b.x": "S"}], "x"]},
     {"a": [{"c": 1}, [{}, {}], "x"]}),
    (["a.b.c"], {"a": [{"b": [{"c": "S", "d": 1}, {"c": ["S"]}]}]},
     {"a": [{"b": [{"d": 1}, {}]}]}),
    # not the hidden field: another path (a field named "0" is not an array position)
    (["a.b"], {"a.": 1, ".a.b": 2, "x": {"a.b": 3}, "a": {"0": {"b": 4}}},
     {"a.": 1, ".a.b": 2, "x": {"a.b": 3}, "a": {"0": {"b": 4}}}),
])
def test_literal_dotted_keys_are_hidden(redact: list[str], record: dict[str, Any],
                                        shown: dict[str, Any]) -> None:
    records = [{"_id": "r", "type": IN, **record}]
    snapshot = copy.deepcopy(records)
    for fields in (None, '{"name": 0}', '{"zzz": 0}'):
        params = {"fields": fields} if fields else {}
        response = list_integrations(records, CALLER, params, Settings(redact=redact))
        assert response.body["integrations"] == [{"_id": "r", "type": IN, **shown}]
        for field in redact:
            assert not shows(response.body["integrations"], field)
        _scribble(response.body["integrations"])  # the output shares nothing with the input
        assert records == snapshot


def _scribble(value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append("scribbled")
    elif isinstance(value, dict):
        for item in value.values():
            _scribble(item)
        value["scribbled"] = True


# --- non-interference over any record shape: dotted keys, arrays, nested arrays ---------------

HIDDEN = "a.b"
KEYS = st.sampled_from(["a", "b", "c", "x", "0", "a.b", "a.c", "b.c", "a.b.c", "a.", "x.a"])
SHAPES = st.recursive(
    st.one_of(st.none(), st.integers(-3, 3), st.text("ab", max_size=2)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=12,
)
HIDDEN_VALUES = st.one_of(SECRETS, st.lists(SECRETS, max_size=3), st.integers(),
                          st.dictionaries(st.sampled_from(["c", "d"]), SECRETS, max_size=2))


def _fill(value: Any, path: list[str], secret: Any) -> Any:
    """``value`` with everything at the hidden path (as the oracle reads it) set to ``secret``."""
    if isinstance(value, list):
        return [_fill(item, path, secret) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        steps = key.split(".")
        n = min(len(steps), len(path))
        if steps[:n] != path[:n]:
            out[key] = item
        elif len(steps) >= len(path):
            out[key] = secret
        else:
            out[key] = _fill(item, path[len(steps):], secret)
    return out


PROBE_PATHS = ["a", "a.b", "a.c", "a.0", "a.0.b", "a.1.b", "a.b.c", "b", "x", "a.0.0.b",
               "c", "0", "x.a"]
PROBES = st.fixed_dictionaries({}, optional={
    "query": st.one_of(
        json_texts(),
        st.builds(lambda path, op, value: json.dumps({path: {op: value}}),
                  st.sampled_from(PROBE_PATHS), st.sampled_from(OPERATOR_KEYS), JSON_VALUES),
        st.builds(lambda path, prefix: json.dumps({path: {"$regex": "^" + prefix}}),
                  st.sampled_from(PROBE_PATHS), SECRETS),
    ),
    "sort": st.lists(st.sampled_from(PROBE_PATHS), min_size=1, max_size=3, unique=True).map(
        lambda paths: json.dumps(dict.fromkeys(paths, 1))),
    "fields": st.lists(st.sampled_from(PROBE_PATHS), min_size=1, max_size=3, unique=True).flatmap(
        lambda paths: st.sampled_from([0, 1]).map(
            lambda v: json.dumps(dict.fromkeys(paths, v)))),
    "count": st.sampled_from(["0", "1", "2"]),
})


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes=st.lists(st.dictionaries(KEYS, SHAPES, max_size=4), min_size=1, max_size=3),
       one=HIDDEN_VALUES, other=HIDDEN_VALUES, params=PROBES)
def test_responses_do_not_depend_on_values_at_a_hidden_path(
        shapes: list[dict[str, Any]], one: Any, other: Any, params: dict[str, str]) -> None:
    settings = Settings(redact=[HIDDEN])

    def records(secret: Any) -> list[dict[str, Any]]:
        return [{**_fill(shape, HIDDEN.split("."), secret), "_id": f"r{i}", "type": IN}
                for i, shape in enumerate(shapes)]

    first = list_integrations(records(one), CALLER, params, settings)
    second = list_integrations(records(other), CALLER, params, settings)
    assert (first.status, first.body) == (second.status, second.body)
    if first.status == 200:
        assert not shows(first.body["integrations"], HIDDEN)
