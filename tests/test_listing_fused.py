"""The listing's fast paths (issue 12) answer and charge exactly as its general paths do.

The fast paths: the scope, ``name``, ``type`` and query as one filter template with the user id
bound per request; the filter as one generated loop per chunk; a sorted first page whose
candidates are picked in that loop (``mql.sort.Selection``); parsed requests cached by their
text. The general paths are what the listing runs when the filter is not generated code: one
call of the filter per record, then ``Sort.top``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations_core import (
    Caller,
    Permission,
    Settings,
    list_integrations,
    listing,
    mql,
    prepared,
)
from integrations_core.mql import budget, sort
from integrations_core.mql import filter as mql_filter
from integrations_core.params import parse_compiled
from integrations_core.testing.strategies import callers, integration_records, queries

ROOMY = Settings(max_work=10**12)
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SORTS = ['{"name": 1}', '{"name": -1}', '{"enabled": 1}', '{"enabled": -1, "name": -1}',
         '{"retryCount": -1}', '{"_createdAt": 1}', '{"name": 1, "_id": -1}', '{"_id": -1}',
         '{"type": 1, "name": -1}', '{"channel": 1}', '{"_createdBy._id": 1}']
DROP = object()  # the field removed
ODD_VALUES = [None, 7, 2.5, True, "", "Zz", [1], {"a": 1}, DROP,
              dt.datetime(2021, 1, 1), dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)]


@st.composite
def odd_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Integration records, some of whose sort fields hold other types or are missing."""
    records = [dict(r) for r in draw(integration_records(min_size=20, max_size=50))]
    for _ in range(draw(st.integers(0, 3))):
        record = records[draw(st.integers(0, len(records) - 1))]
        field = draw(st.sampled_from(["name", "enabled", "retryCount", "_createdAt"]))
        value = draw(st.sampled_from(ODD_VALUES))
        if value is DROP:
            record.pop(field, None)
        else:
            record[field] = value
    return records


@st.composite
def small_pages(draw: st.DrawFn) -> dict[str, str]:
    """Requests for pages small (at most an eighth of the matches) and large against them."""
    count = draw(st.one_of(st.integers(1, 2), st.integers(3, 60)))
    params = {"sort": draw(st.sampled_from(SORTS)), "count": str(count),
              "offset": str(draw(st.integers(0, 1)))}
    if draw(st.integers(0, 2)) == 0:
        params["query"] = json.dumps(draw(queries(max_depth=1)))
    if draw(st.integers(0, 4)) == 0:
        params["type"] = draw(st.sampled_from(["webhook-incoming", "webhook-outgoing"]))
    return params


@contextmanager
def listing_paths(fast: bool, chunk: int) -> Iterator[list[budget.Meter]]:
    """The listing with its fast paths on or off, small chunks (so that a selection narrows
    its candidates between chunks), cold caches, and every meter it makes recorded."""
    meters: list[budget.Meter] = []

    class Meter(budget.Meter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            meters.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(listing, "Meter", Meter)
        patch.setattr(listing, "_CHUNK", chunk)
        patch.setattr(sort, "NARROW_AT", 2)
        if not fast:
            patch.setattr(mql_filter, "generate", lambda plan: None)
        mql_filter.FILTER_CACHE.clear()
        prepared.REQUEST_CACHE.clear()
        try:
            yield meters
        finally:
            mql_filter.FILTER_CACHE.clear()
            prepared.REQUEST_CACHE.clear()


def _answer(records: list[dict[str, Any]], caller: Caller, params: dict[str, str], fast: bool,
            chunk: int) -> tuple[int, Any, list[int]]:
    with listing_paths(fast, chunk) as meters:
        response = list_integrations(records, caller, params, ROOMY)
    return response.status, response.body, [m.spent for m in meters]


@EXAMPLES
@given(records=odd_records(), caller=callers(anonymous=False, min_permissions=1),
       params=small_pages(), chunk=st.sampled_from([3, 7, 256]))
def test_the_fast_paths_answer_and_charge_as_the_general_paths(
        records: list[dict[str, Any]], caller: Caller, params: dict[str, str],
        chunk: int) -> None:
    fast = _answer(records, caller, params, True, chunk)
    general = _answer(records, caller, params, False, chunk)
    assert fast == general


RECORDS: list[dict[str, Any]] = [{"_id": f"r{i:03}", "type": ("webhook-incoming", "webhook-outgoing")[i % 2],
            "name": f"hook {(i * 37) % 100:02}", "enabled": i % 3 == 0,
            "_createdBy": {"_id": f"u{i % 4}"},
            "created": dt.datetime(2020, 1, 1) + dt.timedelta(hours=(i * 53) % 200)}
           for i in range(200)]
BOTH_ALL = Caller("u0", [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING])


def _expected(records: list[dict[str, Any]], key: str, count: int,
              descending: bool = False) -> list[str]:
    by_id = sorted(records, key=lambda r: r["_id"])  # then by key: stable, so _id breaks ties
    return [r["_id"] for r in sorted(by_id, key=lambda r: r[key], reverse=descending)[:count]]


@pytest.mark.parametrize("key", ["name", "enabled", "created"])
@pytest.mark.parametrize("direction", [1, -1])
def test_a_first_page_is_picked_in_the_scan_without_sorting_every_match(
        key: str, direction: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_top(self: sort.Sort, docs: Any, k: int) -> Any:
        raise AssertionError("Sort.top ran over every match")

    monkeypatch.setattr(sort.Sort, "top", no_top)
    params = {"sort": json.dumps({key: direction}), "count": "5"}
    response = list_integrations(RECORDS, BOTH_ALL, params)
    assert response.status == 200, response.body
    assert [r["_id"] for r in response.body["integrations"]] == _expected(
        RECORDS, key, 5, direction < 0)
    assert response.body["total"] == len(RECORDS)


@pytest.mark.parametrize("odd", [None, 3, "", 2.5])
def test_a_first_field_of_another_type_sorts_every_match_by_bson_order(odd: Any) -> None:
    records = [dict(r) for r in RECORDS]
    records[150]["name"] = odd  # null and numbers sort before strings, "" first of them
    response = list_integrations(records, BOTH_ALL, {"sort": '{"name": 1}', "count": "3"})
    ids = [r["_id"] for r in response.body["integrations"]]
    assert ids[0] == "r150"
    assert ids[1:] == [i for i in _expected(RECORDS, "name", 3) if i != "r150"][:2]


OWN = [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING]


def test_one_compiled_filter_serves_every_user_of_a_permission_set() -> None:
    mql_filter.FILTER_CACHE.clear()
    params = {"sort": '{"name": 1}', "count": "3", "query": '{"enabled": true}'}
    for user in ("u0", "u1", "u2", "u3"):
        response = list_integrations(RECORDS, Caller(user, OWN), params)
        mine = [r for r in RECORDS if r["_createdBy"]["_id"] == user and r["enabled"]]
        assert response.body["total"] == len(mine)
        assert [r["_id"] for r in response.body["integrations"]] == _expected(mine, "name", 3)
    # The user's query as parsed, and one template for the scope, the query and any user.
    assert len(mql_filter.FILTER_CACHE) == 2


def test_a_request_is_parsed_once_and_its_sort_compiled_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"parse": 0, "sort": 0}
    real_parse, real_sort = parse_compiled, mql.compile_sort

    def parse(*args: Any, **kwargs: Any) -> Any:
        calls["parse"] += 1
        return real_parse(*args, **kwargs)

    def compile_sort(*args: Any, **kwargs: Any) -> Any:
        calls["sort"] += 1
        return real_sort(*args, **kwargs)

    monkeypatch.setattr(prepared, "parse_compiled", parse)
    monkeypatch.setattr(prepared, "compile_sort", compile_sort)
    prepared.REQUEST_CACHE.clear()
    params = {"sort": '{"name": -1}', "count": "2", "fields": '{"name": 1}'}
    first = list_integrations(RECORDS, BOTH_ALL, params)
    again = list_integrations(RECORDS, BOTH_ALL, dict(params))
    assert first.body == again.body
    assert calls == {"parse": 1, "sort": 0}  # the sort the parser checked is the one that runs
    list_integrations(RECORDS, BOTH_ALL, params, Settings(max_count=99))
    assert calls["parse"] == 2  # other settings: parsed again


@pytest.mark.parametrize(("sort_by", "odd", "first"), [
    ('{"enabled": 1, "name": 1}', None, "r001"),  # not enabled: a candidate
    ('{"enabled": 1, "name": 1}', 3, "r001"),  # null and numbers precede strings
    ('{"enabled": 1, "name": 1}', [1], "r001"),  # an array sorts by its least element
    ('{"enabled": -1, "name": -1}', True, "r003"),  # enabled; booleans follow strings
    ('{"enabled": -1, "name": -1}', {"a": 1}, "r003"),  # and so do documents
])
def test_a_later_field_of_another_type_among_the_candidates_is_sorted_by_bson_order(
        sort_by: str, odd: Any, first: str) -> None:
    records = [dict(r) for r in RECORDS]
    records[int(first[1:])]["name"] = odd
    params = {"sort": sort_by, "count": "2"}
    fast = _answer(records, BOTH_ALL, params, True, 256)
    assert fast == _answer(records, BOTH_ALL, params, False, 256)
    assert fast[1]["integrations"][0]["_id"] == first


@pytest.mark.parametrize("arrays", [["a"], ["a", "b"]], ids=["an array", "parallel arrays"])
def test_arrays_outside_the_page_are_charged_and_refused_as_by_the_general_path(
        arrays: list[str]) -> None:
    records = [{**r, "a": "x", "b": "y"} for r in RECORDS]
    last = max(records, key=lambda r: (r["name"], r["_id"]))  # far from the first page
    for field in arrays:
        last[field] = ["p", "q"]
    params = {"sort": '{"name": 1, "a": 1, "b": 1}', "count": "2"}
    fast = _answer(records, BOTH_ALL, params, True, 256)
    assert fast == _answer(records, BOTH_ALL, params, False, 256)
    assert fast[0] == (400 if len(arrays) > 1 else 200)
