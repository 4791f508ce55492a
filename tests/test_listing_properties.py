"""Laws of list_integrations, checked by Hypothesis against oracles written from DESIGN 4.1/4.2.

The visibility oracle below is the permission table itself, written independently of
integrations_core.visibility; the name oracle is a substring test under Unicode simple case
folding, written independently of the regex engine.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from visibility_oracle import IN, OUT, visible

from integrations_core import Caller, Permission, list_integrations
from integrations_core.testing.strategies import (
    USER_IDS,
    callers,
    integration_records,
    list_params,
    pairs_of,
    queries,
)

EXAMPLES = hsettings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


# Queries that would widen the scope under Rocket.Chat 7.x's Object.assign(scope, query).
HOSTILE = [
    {"$or": [{"type": IN}, {"type": OUT}]},
    {"$or": [{"_id": {"$exists": True}}]},
    {"_createdBy._id": "u-bob"},
    {"_createdBy._id": {"$in": list(USER_IDS)}},
    {"_createdBy": None},
    {"type": {"$ne": "nothing"}},
    {"$nor": [{"_id": "nothing"}]},
]
ALL_QUERIES = st.one_of(queries(), st.sampled_from(HOSTILE))
LOGGED_IN = callers(anonymous=False)


def _without(params: Any, *keys: str) -> dict[str, str]:
    return {k: v for k, v in pairs_of(params) if k not in keys}


def _ids(body: Mapping[str, Any]) -> list[str]:
    return [r["_id"] for r in body["integrations"]]


@EXAMPLES
@given(integration_records(), LOGGED_IN, list_params(queries=ALL_QUERIES, pairs=False))
def test_nothing_outside_the_scope_is_returned_or_counted(
    records: list[dict[str, Any]], caller: Caller, params: dict[str, str]
) -> None:
    params = _without(params, "fields", "count")  # keep _id in the output; see every match
    params["count"] = "0"
    response = list_integrations(records, caller, params)
    scope = [r["_id"] for r in records if visible(r, caller)]
    if not caller.permissions & {p.value for p in Permission}:
        assert response.status == 403
        return
    assert response.status == 200, response.body
    assert set(_ids(response.body)) <= set(scope)
    assert response.body["total"] <= len(scope)
    narrowed = {"name", "type", "query"} & set(params)
    if not narrowed:
        assert response.body["total"] == len(scope)


@EXAMPLES
@given(integration_records(), callers(anonymous=False, min_permissions=1),
       list_params(queries=ALL_QUERIES, pairs=False), list_params(pairs=False))
def test_total_ignores_offset_count_sort_and_fields(
    records: list[dict[str, Any]], caller: Caller, params: dict[str, str],
    other: dict[str, str]
) -> None:
    shaping = ("offset", "count", "sort", "fields")
    base = _without(params, *shaping)
    varied = {**base, **{k: v for k, v in other.items() if k in shaping}}
    first = list_integrations(records, caller, base)
    second = list_integrations(records, caller, varied)
    assert first.status == second.status == 200
    assert first.body["total"] == second.body["total"]


@EXAMPLES
@given(integration_records(max_size=12), callers(anonymous=False, min_permissions=1),
       list_params(pairs=False), st.integers(1, 5))
def test_pages_tile_the_sorted_result(
    records: list[dict[str, Any]], caller: Caller, params: dict[str, str], size: int
) -> None:
    base = _without(params, "offset", "count", "fields")
    everything = list_integrations(records, caller, {**base, "count": "0"}).body
    pages: list[str] = []
    for offset in range(0, everything["total"] + size, size):
        page = list_integrations(records, caller, {**base, "offset": str(offset),
                                                   "count": str(size)}).body
        assert page["offset"] == offset and page["total"] == everything["total"]
        assert page["count"] == min(size, max(0, everything["total"] - offset))
        pages += _ids(page)
    assert pages == _ids(everything)
    assert len(set(pages)) == len(pages) == everything["total"]


@EXAMPLES
@given(integration_records(max_size=12), callers(anonymous=False, min_permissions=1),
       st.sampled_from([1, -1]))
def test_sorting_by_name_is_name_then_id(
    records: list[dict[str, Any]], caller: Caller, direction: int
) -> None:
    body = list_integrations(records, caller, {"sort": json.dumps({"name": direction}),
                                               "count": "0"}).body
    seen = [r for r in records if visible(r, caller)]
    expected = sorted(seen, key=lambda r: r["_id"])  # ties: _id ascending, in both directions
    expected.sort(key=lambda r: r["name"], reverse=direction < 0)
    assert _ids(body) == [r["_id"] for r in expected]


@EXAMPLES
@given(integration_records(max_size=12), LOGGED_IN,
       list_params(queries=ALL_QUERIES, pairs=False), st.integers(0, 300))
def test_items_equals_count_equals_page_length_within_the_limit(
    records: list[dict[str, Any]], caller: Caller, params: dict[str, str], count: int
) -> None:
    response = list_integrations(records, caller, {**params, "count": str(count)})
    if response.status != 200:
        return
    body = response.body
    assert body["items"] == body["count"] == len(body["integrations"])
    limit = min(count, 100) if count else body["total"]
    assert body["count"] == max(0, min(limit, body["total"] - body["offset"]))
    assert list(body) == ["integrations", "offset", "items", "count", "total", "success"]


# Simple case folding as PCRE2 10.42 (MongoDB's, Unicode 14) applies it: the single-character
# case mappings Python 3.11 knows (Unicode 14 too), minus the Turkic-only pairing of dotless i
# with I (CaseFolding.txt status T). The S mappings Unicode added later (U+1FD3, U+1FE3,
# U+FB05) are not there: Debian's libpcre2 10.42 does not fold them (PCRE2 10.47 does).
_FOLD_OVERRIDES = {"\u0131": "\u0131"}


def simple_fold(text: str) -> str:
    out = []
    for char in text:
        folded = _FOLD_OVERRIDES.get(char)
        if folded is None:
            upper = char.upper()
            folded = upper.lower() if len(upper) == 1 and len(upper.lower()) == 1 else char
        out.append(folded)
    return "".join(out)


TRICKY = ("aAbsSſßẞkKKiIıİσςΣΐΐﬅﬆéÉ.*+?()[]{}|^$\\- \n#%&\u0000")
NAMES_TRICKY = st.text(TRICKY, max_size=6)


@EXAMPLES
@given(st.lists(st.one_of(NAMES_TRICKY, st.none(), st.integers(0, 9)), max_size=10),
       st.text(TRICKY.replace("\u0000", ""), min_size=1, max_size=3))
def test_name_filter_is_a_simple_case_folded_substring_test(
    names: list[Any], name: str
) -> None:
    records = [{"_id": str(i), "type": OUT, "name": n} for i, n in enumerate(names)]
    caller = Caller("u-alice", [Permission.MANAGE_OUTGOING])
    body = list_integrations(records, caller, {"name": name, "count": "0"}).body
    wanted = simple_fold(name)
    assert _ids(body) == [r["_id"] for r in records
                          if isinstance(r["name"], str) and wanted in simple_fold(r["name"])]


@EXAMPLES
@given(integration_records(), callers(), list_params(queries=ALL_QUERIES, invalid=True))
def test_records_are_unchanged_and_never_aliased(
    records: list[dict[str, Any]], caller: Caller | None, params: Any
) -> None:
    snapshot = copy.deepcopy(records)
    containers = {id(v) for r in records for v in r.values() if isinstance(v, (dict, list))}
    response = list_integrations(records, caller, params)
    assert records == snapshot
    for returned in response.body.get("integrations", []):
        assert id(returned) not in {id(r) for r in records}
        assert not containers & {id(v) for v in returned.values()}
    json.loads(response.json())


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["$or", "$and", "$regex", "$where", "$date", "$in", "name", "_id",
                         "a.b", "", "$"]) | st.text(max_size=3),
        inner, max_size=3),
    max_leaves=12,
).map(json.dumps)
_VALUES = st.one_of(st.text(max_size=12), _JSON, st.integers().map(str))
_KEYS = st.sampled_from(["offset", "count", "sort", "fields", "query", "name", "type", "x"])


@EXAMPLES
@given(integration_records(max_size=5), callers(),
       st.lists(st.tuples(_KEYS, _VALUES), max_size=6))
def test_any_parameters_get_an_envelope_never_an_exception(
    records: list[dict[str, Any]], caller: Caller | None, pairs: list[tuple[str, str]]
) -> None:
    response = list_integrations(records, caller, pairs)
    assert response.status in (200, 400, 401, 403)
    body = json.loads(response.json())
    assert body["success"] is (response.status == 200)
