"""Laws of projection: inclusion only removes, projecting twice changes nothing, an inclusion
and the complementary exclusion partition a document, and projection never changes which
documents ``find`` returns or their order."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core.mql.errors import QueryError
from integrations_core.mql.find import find
from integrations_core.mql.projection import compile_projection

SETTINGS = settings(max_examples=200, deadline=None)

KEYS = st.sampled_from(["_id", "a", "b", "c", "0"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=2))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=10,
)
documents = st.dictionaries(KEYS, values, max_size=5)
PATHS = ["_id", "a", "b", "c", "a.b", "a.c", "b.a", "a.0", "a.b.c", "c.a.b"]
path_sets = st.lists(st.sampled_from(PATHS), min_size=1, max_size=4, unique=True)


def _projection(paths: list[str], value: int) -> dict[str, int] | None:
    spec = {p: value for p in paths}
    try:
        compile_projection(spec)
    except QueryError:  # a path collision such as a and a.b
        return None
    return spec


def embeds(part: Any, whole: Any) -> bool:
    """``part`` is ``whole`` with some fields (and array scalars) removed, order kept."""
    if isinstance(part, dict) and isinstance(whole, dict):
        keys = [k for k in whole if k in part]
        return list(part) == keys and all(embeds(part[k], whole[k]) for k in part)
    if isinstance(part, list) and isinstance(whole, (list, tuple)):
        rest = iter(whole)
        return all(any(embeds(p, w) for w in rest) for p in part)
    return bool(part == whole) and type(part) is type(whole)


@SETTINGS
@given(documents, path_sets)
def test_inclusion_never_adds_and_is_idempotent(doc: dict[str, Any], paths: list[str]) -> None:
    spec = _projection(paths, 1)
    if spec is None:
        return
    shape = compile_projection(spec)
    once = shape(doc)
    assert embeds(once, doc)
    assert shape(once) == once


@SETTINGS
@given(documents, path_sets)
def test_exclusion_is_idempotent_and_removes_the_paths(doc: dict[str, Any],
                                                       paths: list[str]) -> None:
    spec = _projection(paths, 0)
    if spec is None:
        return
    shape = compile_projection(spec)
    once = shape(doc)
    assert shape(once) == once
    for path in paths:
        if "." not in path:
            assert path not in once


@SETTINGS
@given(documents, st.lists(st.sampled_from(["_id", "a", "b", "c", "0"]), min_size=1,
                           unique=True))
def test_inclusion_and_exclusion_partition_top_level_fields(doc: dict[str, Any],
                                                            fields: list[str]) -> None:
    inclusion = {f: 1 for f in fields}
    if "_id" not in fields:
        inclusion["_id"] = 0
    kept = compile_projection(inclusion)(doc)
    dropped = compile_projection({f: 0 for f in fields})(doc)
    assert not set(kept) & set(dropped)
    assert {**kept, **dropped} == doc
    assert set(kept) == set(doc) & set(fields)


@SETTINGS
@given(documents, path_sets)
def test_projection_copies_and_never_mutates(doc: dict[str, Any], paths: list[str]) -> None:
    before = copy.deepcopy(doc)
    for value in (0, 1):
        spec = _projection(paths, value)
        if spec is None:
            continue
        out = compile_projection(spec)(doc)
        _scribble(out)
        assert doc == before


def _scribble(value: Any) -> None:
    if isinstance(value, dict):
        for v in list(value.values()):
            _scribble(v)
        value["scribbled"] = True
    elif isinstance(value, list):
        for v in value:
            _scribble(v)
        value.append("scribbled")


@SETTINGS
@given(st.lists(documents, max_size=10), path_sets, st.sampled_from([0, 1]),
       st.lists(st.tuples(st.sampled_from(["a", "b", "a.b", "c"]), st.sampled_from([1, -1])),
                max_size=2, unique_by=lambda p: p[0]),
       st.integers(0, 4), st.integers(0, 4))
def test_projection_never_changes_what_find_returns(docs: list[dict[str, Any]],
                                                     paths: list[str], value: int,
                                                     sort: list[tuple[str, int]], skip: int,
                                                     limit: int) -> None:
    spec = _projection(paths, value)
    if spec is None:
        return
    docs = [{**d, "_id": i} for i, d in enumerate(docs)]
    try:
        whole = find(docs, sort=sort, skip=skip, limit=limit)
    except QueryError:  # parallel arrays in the sort
        return
    shape = compile_projection(spec)
    assert find(docs, sort=sort, skip=skip, limit=limit, projection=spec) == list(
        map(shape, whole))
    assert [d["_id"] for d in find(docs, sort=sort, skip=skip, limit=limit,
                                   projection={"_id": 1})] == [d["_id"] for d in whole]
