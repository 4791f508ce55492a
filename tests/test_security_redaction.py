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
    (["a.b"], "query", {"a.c": 1}, 200),
    (["a.b"], "query", {"b": 1}, 200),
    (["a.b"], "sort", {"a": 1}, 400),
    (["a.b"], "fields", {"a": 1}, 400),
    (["a.b"], "fields", {"a.c": 1}, 200),
    (["name"], "name", "Jira", 400),
    (["type"], "type", IN, 400),
    (["name"], "type", IN, 200),
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
