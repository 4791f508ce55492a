"""parse_list_params: the query string -> ListRequest or ParamError / QueryError (DESIGN 4.2).

Rocket.Chat sources for the defaults and the 7.x profile:
- apps/meteor/app/api/server/helpers/getPaginationItems.ts (count 50, limit 100, count=0 = all)
- packages/rest-typings/src/v1/integrations/IntegrationsListProps.ts (the 7.x parameter schema:
  offset, count, sort, name, type, query; additionalProperties false)
- apps/meteor/app/api/server/helpers/parseJsonQuery.ts (sort values 1/-1, query ignored unless
  ALLOW_UNSAFE_QUERY_AND_FIELDS_API_PARAMS)
JavaScript's parseInt: https://tc39.es/ecma262/#sec-parseint-string-radix
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations_core import ListRequest, ParamError, Settings, parse_list_params
from integrations_core.mql import LimitError, Limits, QueryError
from integrations_core.mql.bson import Regex
from integrations_core.params import js_parse_int

RC7 = Settings.rocketchat_7()


def test_defaults() -> None:
    assert parse_list_params({}) == ListRequest(offset=0, count=50, sort=(), fields=None,
                                                query=None, name=None, type=None)


@pytest.mark.parametrize(("params", "offset", "count"), [
    ({"offset": "0", "count": "1"}, 0, 1),
    ({"offset": "007", "count": "100"}, 7, 100),
    ({"count": "101"}, 0, 100),                 # larger counts are clamped
    ({"count": "99999999999999999999999"}, 0, 100),
    ({"count": "0"}, 0, None),                  # 0 = every match (infinite count allowed)
    ({"offset": "9223372036854775807"}, 2**63 - 1, 50),
    ({"offset": "0" * 30 + "12", "count": "0" * 30 + "3"}, 12, 3),
    ({"count": "9" * 5000}, 0, 100),
])
def test_pagination(params: dict[str, str], offset: int, count: int | None) -> None:
    request = parse_list_params(params)
    assert (request.offset, request.count) == (offset, count)


def test_count_zero_without_infinite_count_is_the_default() -> None:
    settings = Settings(allow_infinite_count=False, default_count=20, max_count=30)
    assert parse_list_params({"count": "0"}, settings).count == 20
    assert parse_list_params({}, settings).count == 20
    assert parse_list_params({"count": "31"}, settings).count == 30


@pytest.mark.parametrize(("key", "value"), [
    ("offset", "-1"), ("offset", "1.5"), ("offset", "1e3"), ("offset", " 1"), ("offset", "+1"),
    ("offset", ""), ("offset", "0x10"), ("offset", "١"),  # Arabic-Indic digit one
    ("offset", "9223372036854775808"), ("count", "-5"), ("count", "ten"), ("count", "10abc"),
])
def test_non_integer_or_negative_pagination_is_invalid(key: str, value: str) -> None:
    with pytest.raises(ParamError) as info:
        parse_list_params({key: value})
    assert info.value.path == key


@pytest.mark.parametrize("params", [
    {"bogus": "1"},
    {"Count": "1"},
    [("count", "1"), ("count", "2")],
    [("name", "a"), ("offset", "0"), ("name", "a")],
    {"count": 5},
    {"name": None},
    {"type": ["webhook-incoming"]},
    {"type": "webhook-bogus"},
    {"type": ""},
    {"type": "Webhook-Incoming"},
    {"name": "a\x00b"},
    {"name": "\ud800"},
    {"query": "x" * 8193},
    [(1, "a")],
    [("count",)],
    "count=1",
    42,
])
def test_invalid_params(params: Any) -> None:
    with pytest.raises(ParamError):
        parse_list_params(params)


def test_param_error_names_the_parameter() -> None:
    with pytest.raises(ParamError) as info:
        parse_list_params([("sort", "{}"), ("sort", "{}")])
    assert info.value.path == "sort"
    assert info.value.wire_message == "sort: given more than once"


def test_sequence_of_pairs_is_accepted() -> None:
    request = parse_list_params([("type", "webhook-outgoing"), ("name", "Bot"), ("count", "3")])
    assert (request.type, request.name, request.count) == ("webhook-outgoing", "Bot", 3)


def test_empty_name_is_no_filter() -> None:
    assert parse_list_params({"name": ""}).name is None


def test_sort_keeps_the_users_order_and_does_not_add_id() -> None:
    request = parse_list_params({"sort": '{"type": -1, "name": 1, "_createdBy._id": 1.0}'})
    assert request.sort == (("type", -1), ("name", 1), ("_createdBy._id", 1))
    assert parse_list_params({"sort": "{}"}).sort == ()


def test_fields_become_a_projection_of_zero_and_one() -> None:
    request = parse_list_params({"fields": '{"name": true, "type": 1, "_id": false}'})
    assert dict(request.fields or {}) == {"name": 1, "type": 1, "_id": 0}


def test_query_is_decoded_extended_json() -> None:
    request = parse_list_params({"query": (
        '{"_createdAt": {"$gte": {"$date": "2017-01-05T17:06:05.660Z"}},'
        ' "name": {"$regularExpression": {"pattern": "^gu", "options": "i"}}}'
    )})
    assert request.query == {
        "_createdAt": {"$gte": dt.datetime(2017, 1, 5, 17, 6, 5, 660000)},
        "name": Regex("^gu", "i"),
    }


@pytest.mark.parametrize(("params", "path"), [
    # JSON text
    ({"sort": "{name: 1}"}, "sort"),
    ({"sort": "[]"}, "sort"),
    ({"sort": "null"}, "sort"),
    ({"sort": '{"name": NaN}'}, "sort"),
    ({"query": '{"a": Infinity}'}, "query"),
    ({"query": '{"a": 1, "a": 2}'}, "query"),
    ({"query": '{"a": {"b": 1, "b": 1}}'}, "query"),
    ({"query": "[" * 5000}, "query"),
    ({"query": '{"a": ' + "1" * 5000 + "}"}, "query"),
    ({"query": '{"a": 123456789012345678901234567890}'}, "query.a"),
    ({"query": '{"a": ' + '{"b": ' * 40 + "1" + "}" * 41}, "query"),
    ({"fields": '"name"'}, "fields"),
    # sort values (parseJsonQuery.ts: 1 or -1 only)
    ({"sort": '{"name": 0}'}, "sort.name"),
    ({"sort": '{"name": true}'}, "sort.name"),
    ({"sort": '{"name": "asc"}'}, "sort.name"),
    ({"sort": '{"$where": 1}'}, "sort.$where"),
    ({"sort": '{"": 1}'}, "sort"),
    # fields values: 0/1 or false/true (DESIGN 4.2), projection rules (DESIGN 4.3)
    ({"fields": '{"name": 2}'}, "fields.name"),
    ({"fields": '{"name": "1"}'}, "fields.name"),
    ({"fields": '{"name": 1, "type": 0}'}, "fields"),
    # query: Extended JSON and MQL
    ({"query": '{"d": {"$date": "yesterday"}}'}, "query.d.$date"),
    ({"query": '{"$where": "sleep(1000)"}'}, "query.$where"),
    ({"query": '{"$or": [{"a": 1}, {"name": {"$regex": "(a)\\\\1"}}]}'}, "query.$or[1].name"),
    ({"query": '"name"'}, "query"),
])
def test_json_parameter_errors_carry_the_path(params: dict[str, str], path: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_list_params(params)
    assert not isinstance(info.value, ParamError)
    assert info.value.path == path or info.value.path.startswith(path + ".") \
        or info.value.path.startswith(path + "[")


def test_query_limits_come_from_settings() -> None:
    settings = Settings(limits=Limits(max_list_length=3))
    parse_list_params({"query": '{"a": {"$in": [1, 2, 3]}}'}, settings)
    with pytest.raises(LimitError) as info:
        parse_list_params({"query": '{"a": {"$in": [1, 2, 3, 4]}}'}, settings)
    assert info.value.path.startswith("query")


def test_invalid_params_are_found_before_json_errors() -> None:
    with pytest.raises(ParamError):
        parse_list_params([("sort", "{bad"), ("count", "x")])


def test_input_mapping_is_not_mutated() -> None:
    params = {"query": '{"name": "a"}', "count": "3"}
    before = dict(params)
    parse_list_params(params)
    assert params == before


# --- Settings.rocketchat_7() ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("10", 10), ("10abc", 10), ("  7", 7), ("\u00a0\ufeff8", 8), ("-3", -3), ("+4", 4),
    ("0x1A", 26), ("0X1a", 26), ("1.9", 1), ("1e3", 1), ("007", 7), ("-0", 0),
    ("0" * 40 + "5", 5),
    ("abc", None), ("", None), ("0x", None), ("- 1", None), ("\u0661", None),
])
def test_js_parse_int(text: str, value: int | None) -> None:
    assert js_parse_int(text) == value


@pytest.mark.parametrize(("params", "offset", "count"), [
    ({"offset": "10abc", "count": "2.9"}, 10, 2),
    ({"offset": "", "count": ""}, 0, None),   # "" is falsy: offset 0; count "" || 0 -> 0
    ({"offset": "0x10", "count": "0x10"}, 16, 16),
    ({"offset": 3, "count": 4.5}, 3, 4),      # the 7.x schema allows numbers
    ({"count": "5000"}, 0, 100),
])
def test_rocketchat_7_pagination(params: dict[str, Any], offset: int, count: int | None) -> None:
    request = parse_list_params(params, RC7)
    assert (request.offset, request.count) == (offset, count)


@pytest.mark.parametrize("params", [{"offset": "abc"}, {"count": "-1"}, {"offset": "-2"}])
def test_rocketchat_7_still_rejects_nan_and_negative(params: dict[str, str]) -> None:
    with pytest.raises(ParamError):
        parse_list_params(params, RC7)


def test_rocketchat_7_ignores_query_and_rejects_fields() -> None:
    assert parse_list_params({"query": '{"$where": "1"}'}, RC7).query is None
    assert parse_list_params({"query": "not json"}, RC7).query is None
    with pytest.raises(ParamError) as info:
        parse_list_params({"fields": '{"name": 1}'}, RC7)
    assert info.value.wire_message == "must NOT have additional properties"


def test_rocketchat_7_matches_type_without_validation() -> None:
    assert parse_list_params({"type": "webhook-bogus"}, RC7).type == "webhook-bogus"
    assert parse_list_params({"type": ""}, RC7).type is None


@pytest.mark.parametrize(("params", "message"), [
    ({"bogus": "1"}, "must NOT have additional properties"),
    ([("name", "a"), ("name", "b")], "must be string"),
    ([("count", "1"), ("count", "2")], "must be number,string"),
    ({"sort": 1}, "must be string"),
    # Express parses query strings with qs, which reads brackets as nesting: name[$ne]=x is
    # name: {$ne: "x"} and count[]=1 is count: ["1"], so the schema (IntegrationsListProps in
    # packages/rest-typings) rejects the value's type, not an extra property (issue 14).
    ({"name[$ne]": "x"}, "must be string"),
    ({"type[$regex]": "."}, "must be string"),
    ({"count[x]": "1"}, "must be number,string"),
    ({"offset[]": "1"}, "must be number,string"),
    # A bracketed name the schema does not know is still an additional property.
    ({"color[x]": "1"}, "must NOT have additional properties"),
    ({"fields[name]": "1"}, "must NOT have additional properties"),  # fields: not in 7.x schema
])
def test_rocketchat_7_uses_ajv_messages(params: Any, message: str) -> None:
    with pytest.raises(ParamError) as info:
        parse_list_params(params, RC7)
    assert info.value.wire_message == message


def test_settings_validate_their_numbers() -> None:
    with pytest.raises(ValueError):
        Settings(max_count=0)
    assert Settings.rocketchat_7(max_count=20).max_count == 20


@pytest.mark.parametrize(("value", "count"), [
    (10**30, 1),     # String(1e30) is "1e+30"
    (1.5e-7, 1),     # String(1.5e-7) is "1.5e-7"
    (0.5, None),     # parseInt("0.5") is 0: every match
])
def test_rocketchat_7_numbers_read_as_javascript_would(value: Any, count: int | None) -> None:
    assert parse_list_params({"count": value}, RC7).count == count


def test_rocketchat_7_infinite_number_is_nan() -> None:
    with pytest.raises(ParamError):
        parse_list_params({"count": 10**400}, RC7)
