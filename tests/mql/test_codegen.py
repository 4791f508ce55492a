"""Generated predicates are an optimisation only: they must agree with the closure tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core.mql.codegen import generate
from integrations_core.mql.filter import Compiler
from integrations_core.mql.limits import DEFAULT_LIMITS
from integrations_core.mql.tree import to_closure

KEYS = ["a", "b", "a.b", "a.0", "b.c"]
scalars = st.sampled_from(
    [None, True, False, 0, 1, 1.0, 2.5, float("nan"), "x", "y", "", dt.datetime(2024, 1, 1),
     dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), b"x"]
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "0"]), inner, max_size=3),
    max_leaves=8,
)
docs = st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3)
operand = scalars | st.lists(scalars, max_size=2)
ops = st.one_of(
    st.tuples(st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), operand),
    st.tuples(st.sampled_from(["$in", "$nin"]), st.lists(scalars, max_size=3)),
    st.tuples(st.just("$exists"), st.booleans()),
    st.tuples(st.just("$size"), st.integers(0, 2)),
    st.tuples(st.just("$type"), st.sampled_from(["string", "number", "array", "null", "bool"])),
    st.tuples(st.just("$regex"), st.sampled_from(["^x", "x$", "y", "^X", "."])),
)
conditions = st.one_of(
    operand,
    st.lists(ops, min_size=1, max_size=2).map(dict),
)
queries: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), conditions, min_size=1, max_size=2),
    lambda inner: st.builds(lambda op, qs: {op: qs}, st.sampled_from(["$and", "$or", "$nor"]),
                            st.lists(inner, min_size=1, max_size=3)),
    max_leaves=4,
)


@settings(max_examples=400, deadline=None)
@given(query=queries, batch=st.lists(docs, min_size=1, max_size=6))
def test_generated_code_agrees_with_closures(query: dict[str, Any], batch: list[dict[str, Any]]) -> None:
    plan = Compiler(DEFAULT_LIMITS).plan(query, "")
    generated = generate(plan)
    assert generated is not None
    reference = to_closure(plan)
    for doc in batch:
        assert generated(doc) == reference(doc), (query, doc)


def test_large_queries_are_not_cached_small_ones_are() -> None:
    from integrations_core.mql import compile_filter
    from integrations_core.mql.filter import CACHED_MAX_NODES

    small = {"a": {"$in": ["x", "y"]}}
    assert compile_filter(small).__code__ is compile_filter(dict(small)).__code__
    large = {"a": {"$in": [str(i) for i in range(CACHED_MAX_NODES)]}}
    first, second = compile_filter(large), compile_filter(large)
    assert first.__code__ is not second.__code__
    assert first({"a": "7"}) and second({"a": "7"}) and not first({"a": "x"})
