"""The generated loops (issue 12) find what the generated predicate finds, and parameters bound
late mean what the same values written into the query mean."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import Doc, Query, document_batches, queries

from integrations_core.mql import ejson
from integrations_core.mql.bson import MISSING
from integrations_core.mql.codegen import generate
from integrations_core.mql.filter import Compiler, _normalise
from integrations_core.mql.limits import DEFAULT_LIMITS
from integrations_core.mql.tree import Param, bind_plan, to_closure

LAW = settings(max_examples=200, deadline=None)
FIELDS = ("a", "b", "c")


def _plan(query: Query) -> Any:
    # What compile_filter compiles: Extended JSON decoded, patterns as Regex values.
    return Compiler(DEFAULT_LIMITS, params=True).plan(_normalise(ejson.decode(query)), "")


def _kind_of(batch: list[Doc], field: str, pick: int) -> type:
    return type(batch[pick % len(batch)].get(field, MISSING))


def _odd(value: Any, kind: type) -> bool:
    aware = kind is dt.datetime and getattr(value, "tzinfo", None) is not None
    return type(value) is not kind or aware


@LAW
@given(query=queries(), batch=document_batches(max_size=8), first=st.sampled_from(FIELDS),
       later=st.lists(st.sampled_from(FIELDS), max_size=2), descending=st.booleans(),
       pick=st.integers(0, 7), bounded=st.booleans())
def test_the_scans_find_what_the_predicate_finds(query: Query, batch: list[Doc], first: str,
                                                 later: list[str], descending: bool, pick: int,
                                                 bounded: bool) -> None:
    generated = generate(_plan(query))
    assume(generated is not None)
    assert generated is not None
    expected = [doc for doc in batch if generated.match(doc)]
    kept: list[Doc] = []
    generated.scan(batch, kept)
    assert kept == expected

    fields = (first, *later)
    kinds = tuple(_kind_of(batch, f, pick + i) for i, f in enumerate(fields))
    ordered = [v for v in (doc.get(first, MISSING) for doc in batch) if not _odd(v, kinds[0])]
    bound = ordered[pick % len(ordered)] if bounded and ordered else None
    kept = []
    cand: list[Doc] = []
    vals: list[Any] = []
    top = generated.top(fields, descending, tuple(k is dt.datetime for k in kinds))
    try:
        ok = top(batch, kept, cand, vals, bound, kinds)
    except TypeError:  # values of this class that Python does not order (documents, ...)
        assume(False)
    assert kept == expected
    picked: list[Doc] = []
    for doc in expected:
        if any(_odd(doc.get(f, MISSING), kind) for f, kind in zip(fields, kinds, strict=True)):
            assert not ok
            break
        value = doc.get(first, MISSING)
        if bound is None or (value >= bound if descending else value <= bound):
            picked.append(doc)
    else:
        assert ok
    assert cand == picked and vals == [doc.get(first, MISSING) for doc in picked]


@LAW
@given(query=queries(), batch=document_batches(max_size=8),
       path=st.sampled_from(["a", "b", "a.b", "c.0"]), user=st.sampled_from(["x", "a", "", "1"]))
def test_a_bound_parameter_means_what_its_value_written_in_means(
        query: Query, batch: list[Doc], path: str, user: str) -> None:
    plan = _plan({"$and": [{path: Param("user")}, query]})
    generated = generate(plan)
    reference = to_closure(_plan({"$and": [{path: user}, query]}))
    bound = to_closure(bind_plan(plan, {"user": user}))
    expected = [reference(doc) for doc in batch]
    assert [bound(doc) for doc in batch] == expected
    if generated is not None:
        match = generated.bind(generated.match, {"user": user})
        assert [match(doc) for doc in batch] == expected
