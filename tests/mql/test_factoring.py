"""Factoring ``$or`` (issue 12): the compiled filter drops absorbed branches and takes out the
conjuncts common to every branch, and matches exactly what the query as written matches.

Two laws of Boolean algebra, which MongoDB's matcher obeys as any two-valued logic does:
``A or (A and B)`` is ``A``, and ``(A and B) or (A and C)`` is ``A and (B or C)``. What makes
two conjuncts "the same" is the risk: values Python calls equal but MongoDB does not (``1`` and
``True``, two instants a ``fold`` tells apart) must never be merged.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Doc, Query, document_batches, queries

from integrations_core import Caller, Permission, visibility_filter
from integrations_core.mql import DEFAULT_LIMITS, Filter, compile_filter, operators
from integrations_core.mql import filter as mql_filter
from integrations_core.mql.filter import Compiler
from integrations_core.mql.tree import BoolPlan, FieldPlan

LAW = settings(max_examples=120, deadline=None)


@contextmanager
def as_written() -> Iterator[None]:
    """Compile with factoring off (and a cold cache on both sides of the block)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operators, "factor_or", lambda branches, disjunction: None)
        mql_filter.FILTER_CACHE.clear()
        try:
            yield
        finally:
            mql_filter.FILTER_CACHE.clear()


def _both(query: Query) -> tuple[Filter, Filter]:
    mql_filter.FILTER_CACHE.clear()
    factored = compile_filter(query)
    with as_written():
        written = compile_filter(query)
    return factored, written


@LAW
@given(common=st.lists(queries(depth=1), min_size=1, max_size=2),
       rests=st.lists(st.lists(queries(depth=1), max_size=2), min_size=1, max_size=3),
       seed=st.integers(0, 2**16), docs=document_batches(max_size=8))
def test_a_factored_or_matches_what_the_query_as_written_matches(
        common: list[Query], rests: list[list[Query]], seed: int, docs: list[Doc]) -> None:
    shuffle = random.Random(seed).shuffle
    branches = []
    for rest in rests:
        conjuncts = [*common, *rest]
        shuffle(conjuncts)  # the same conjunct is found wherever it stands in a branch
        branches.append({"$and": conjuncts})
    query = {"$or": branches}
    factored, written = _both(query)
    assert [factored(d) for d in docs] == [written(d) for d in docs]
    assert factored.cost == written.cost  # charged as written


NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
AMBIGUOUS = dt.datetime(2021, 11, 7, 1, 30, tzinfo=NEW_YORK)  # 1:30 happened twice that night
# Pairs Python calls equal (==, and equal hashes) that MongoDB tells apart.
LOOKALIKES = [
    (1, True),
    (0, False),
    (AMBIGUOUS, AMBIGUOUS.replace(fold=1)),
    (Decimal("1"), True),
    ({"x": 1}, {"x": True}),
    ([0], [False]),
]


@pytest.mark.parametrize(("x", "y"), LOOKALIKES, ids=repr)
def test_values_python_calls_equal_are_not_one_conjunct(x: Any, y: Any) -> None:
    query = {"$or": [{"a": x, "b": 1}, {"a": y, "c": 1}]}
    docs = [{"a": v, k: 1} for v in (x, y) for k in ("b", "c")]
    factored, written = _both(query)
    assert [factored(d) for d in docs] == [written(d) for d in docs] == [True, False, False, True]


def test_an_absorbed_branch_is_dropped_and_a_common_conjunct_taken_out() -> None:
    def plan(query: Query) -> Any:
        return Compiler(DEFAULT_LIMITS).plan(query, "")

    absorbed = plan({"$or": [{"a": 1}, {"a": 1, "b": 2}]})
    assert isinstance(absorbed, BoolPlan) and absorbed.op == "and"
    assert [c.parts for c in absorbed.children if isinstance(c, FieldPlan)] == [("a",)]
    hoisted = plan({"$or": [{"a": 1, "b": 2}, {"c": 3, "a": 1}]})
    assert isinstance(hoisted, BoolPlan) and hoisted.op == "and"
    first, rest = hoisted.children
    assert isinstance(first, FieldPlan) and first.parts == ("a",)
    assert isinstance(rest, BoolPlan) and rest.op == "or" and len(rest.children) == 2
    assert plan({"$or": [{}, {"a": 1}]}) == BoolPlan("and", ())  # always true


OWN = [Permission.MANAGE_OWN_INCOMING, Permission.MANAGE_OWN_OUTGOING]
ALL = [Permission.MANAGE_INCOMING, Permission.MANAGE_OUTGOING]


@pytest.mark.parametrize("permissions", [OWN, ALL, [*OWN, *ALL], [OWN[0], ALL[0]],
                                         [OWN[0], ALL[1]], [*OWN, ALL[0]]], ids=str)
def test_every_scope_matches_as_written(permissions: list[Permission]) -> None:
    scope = visibility_filter(Caller("u-ann", permissions))
    records = [{"_id": f"r{i}", "type": kind, "_createdBy": creator}
               for i, (kind, creator) in enumerate(
                   (kind, creator)
                   for kind in ("webhook-incoming", "webhook-outgoing", "other", None, ["x"])
                   for creator in ({"_id": "u-ann"}, {"_id": "u-bob"}, None, [{"_id": "u-ann"}],
                                   {}))]
    factored, written = _both(scope)
    assert [factored(r) for r in records] == [written(r) for r in records]
    assert any(factored(r) for r in records) and not all(factored(r) for r in records)
    assert factored.cost == written.cost


def test_both_own_scopes_share_the_user_condition() -> None:
    scope = visibility_filter(Caller("u-ann", OWN))
    plan = Compiler(DEFAULT_LIMITS).plan(scope, "")
    assert isinstance(plan, BoolPlan) and plan.op == "and"
    assert [c.parts for c in plan.children if isinstance(c, FieldPlan)] == [
        ("_createdBy", "_id"), ("type",)]  # the types as one $in
