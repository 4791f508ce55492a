"""``find``: filter, sort, skip/limit and projection together, pymongo-style."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from integrations_core.mql.errors import LimitError, QueryError
from integrations_core.mql.filter import compile_filter
from integrations_core.mql.find import find
from integrations_core.mql.limits import Limits
from integrations_core.mql.projection import Projection, compile_projection
from integrations_core.mql.sort import compile_sort

LIMIT = "https://www.mongodb.com/docs/manual/reference/method/cursor.limit/"
SKIP = "https://www.mongodb.com/docs/manual/reference/method/cursor.skip/"
CURSOR_SORT = "https://www.mongodb.com/docs/manual/reference/method/cursor.sort/"

ORDERS = [
    {"_id": 1, "item": {"category": "cake", "type": "chiffon"}, "amount": 10},
    {"_id": 2, "item": {"category": "cookies", "type": "chocolate chip"}, "amount": 50},
    {"_id": 3, "item": {"category": "cookies", "type": "chocolate chip"}, "amount": 15},
    {"_id": 4, "item": {"category": "cake", "type": "lemon"}, "amount": 30},
    {"_id": 5, "item": {"category": "cake", "type": "carrot"}, "amount": 20},
    {"_id": 6, "item": {"category": "brownies", "type": "blondie"}, "amount": 10},
]


def ids(docs: list[dict[str, Any]]) -> list[Any]:
    return [d["_id"] for d in docs]


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, [1, 2, 3, 4, 5, 6]),
    ({"sort": {"amount": -1}}, [2, 4, 5, 3, 1, 6]),
    ({"sort": {"amount": -1}, "limit": 2}, [2, 4]),
    ({"sort": {"amount": -1}, "skip": 4}, [1, 6]),
    ({"sort": {"amount": -1}, "skip": 1, "limit": 3}, [4, 5, 3]),
    ({"sort": [("item.category", 1), ("item.type", 1)], "skip": 2, "limit": 2}, [1, 4]),
    ({"sort": {"amount": -1}, "limit": 0}, [2, 4, 5, 3, 1, 6]),
    ({"sort": {"amount": 1}, "skip": 6}, []),
    ({"sort": {"amount": 1}, "skip": 60, "limit": 1}, []),
    ({"skip": 2, "limit": 3}, [3, 4, 5]),
    ({"limit": 100}, [1, 2, 3, 4, 5, 6]),
    ({"filter": {"item.category": "cake"}}, [1, 4, 5]),
    ({"filter": {"amount": {"$gte": 15}}, "sort": {"amount": 1}, "limit": 2}, [3, 5]),
    ({"filter": {"amount": {"$gte": 15}}, "sort": {"amount": 1}, "skip": 3}, [2]),
    ({"filter": {}, "sort": {}}, [1, 2, 3, 4, 5, 6]),
], ids=str)
def test_find_pages(kwargs: dict[str, Any], expected: list[int]) -> None:
    """Sources: cursor.sort() examples, cursor.skip() and cursor.limit() ("A limit() value of 0
    ... is equivalent to setting no limit")."""
    before = copy.deepcopy(ORDERS)
    assert ids(find(ORDERS, **kwargs)) == expected
    assert before == ORDERS


def test_filter_may_be_compiled_or_any_predicate() -> None:
    compiled = compile_filter({"amount": 10})
    assert ids(find(ORDERS, compiled)) == [1, 6]
    assert ids(find(ORDERS, lambda d: d["_id"] % 2 == 0, sort={"_id": -1})) == [6, 4, 2]


def test_sort_and_projection_may_be_compiled() -> None:
    out = find(ORDERS, sort=compile_sort({"amount": 1}), limit=2,
               projection=compile_projection({"amount": 1, "_id": 0}))
    assert out == [{"amount": 10}, {"amount": 10}]


def test_projection_shapes_the_page() -> None:
    out = find(ORDERS, {"item.category": "cookies"}, projection={"item.type": 1})
    assert out == [{"_id": 2, "item": {"type": "chocolate chip"}},
                   {"_id": 3, "item": {"type": "chocolate chip"}}]


def test_projection_is_applied_to_the_returned_page_only() -> None:
    seen: list[Any] = []

    class Spy(Projection):
        __slots__ = ()

        def __call__(self, doc: Mapping[str, Any]) -> dict[str, Any]:
            seen.append(doc["_id"])
            return super().__call__(doc)

    base = compile_projection({"amount": 1})
    spy = Spy(base.spec, {"amount": True, "_id": True}, True)
    assert find(ORDERS, sort={"amount": -1}, skip=1, limit=2, projection=spy) == [
        {"_id": 4, "amount": 30}, {"_id": 5, "amount": 20}]
    assert seen == [4, 5]


def test_results_never_alias_the_input() -> None:
    docs = copy.deepcopy(ORDERS)
    for kwargs in ({}, {"sort": {"amount": 1}}, {"projection": {}}, {"limit": 1}):
        out = find(docs, **kwargs)
        assert all(o is not d for o in out for d in docs)
        out[0]["item"]["category"] = "changed"
        out[0]["extra"] = 1
    assert docs == ORDERS


def test_without_sort_only_the_page_is_read() -> None:
    def endless() -> Iterator[dict[str, Any]]:
        n = 0
        while True:
            n += 1
            if n > 8:
                raise AssertionError("read past the page")
            yield {"_id": n, "even": n % 2 == 0}

    assert ids(find(endless(), {"even": True}, skip=1, limit=2)) == [4, 6]


@pytest.mark.parametrize(("kwargs", "path"), [
    ({"skip": -1}, "skip"),
    ({"limit": -5}, "limit"),
    ({"skip": 1.0}, "skip"),
    ({"limit": "10"}, "limit"),
    ({"limit": True}, "limit"),
    ({"skip": None}, "skip"),
    ({"filter": {"a": {"$where": "1"}}}, "filter.a.$where"),
    ({"filter": [("a", 1)]}, "filter"),
    ({"sort": {"a": 0}}, "sort.a"),
    ({"sort": "a"}, "sort"),
    ({"projection": {"a": 1, "b": 0}}, "projection.b"),
    ({"projection": {"a": {"$slice": 2}}}, "projection.a"),
], ids=str)
def test_rejected_arguments(kwargs: dict[str, Any], path: str) -> None:
    """pymongo raises for a negative skip; MongoDB's find takes no negative limit for a page
    (issue 3: negative skip/limit is a QueryError)."""
    with pytest.raises(QueryError) as info:
        find(ORDERS, **kwargs)
    assert info.value.path == path


def test_sort_time_errors_name_the_sort() -> None:
    docs = [{"_id": 1, "a": [1], "b": [2]}]
    with pytest.raises(QueryError) as info:
        find(docs, sort={"a": 1, "b": 1})
    assert info.value.path == "sort.b"


def test_limits_reach_the_compilers() -> None:
    with pytest.raises(LimitError) as info:
        find(ORDERS, sort={"a.b.c": 1}, limits=Limits(max_depth=2))
    assert info.value.path == "sort.a.b.c"
    with pytest.raises(LimitError):
        find(ORDERS, projection={"a.b.c": 1}, limits=Limits(max_depth=2))


def test_documents_that_are_mappings_come_back_as_dicts() -> None:
    from types import MappingProxyType
    out = find([MappingProxyType({"_id": 1, "a": MappingProxyType({"b": 1})})])
    assert out == [{"_id": 1, "a": {"b": 1}}]
    assert type(out[0]) is dict and type(out[0]["a"]) is dict
