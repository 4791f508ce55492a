"""Laws of ``compile_filter``, stated as Hypothesis properties.

Logical laws (``$nor``/``$not``/``$ne``/``$nin`` complements, ``$and``/``$or`` as ``all``/``any``,
``$in: [x]`` as ``$eq: x``, key order) follow from the MongoDB manual's definition of each
operator (https://www.mongodb.com/docs/manual/reference/operator/query/). Robustness laws are
this library's contract (DESIGN.md section 3): any input either compiles or raises
``QueryError``, inputs are never mutated, and a compiled filter never raises on a document.

Documents and queries come from small value pools (tests/mql/strategies.py), so that many
generated cases match; ``test_generated_cases_match_and_miss`` keeps that true.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from strategies import (
    PATHS,
    SCALARS,
    Doc,
    Query,
    bson_documents,
    deeply_nested,
    document_batches,
    hostile_queries,
    literals,
    operator_objects,
    queries,
    regexes,
    robust_scalars,
)

from integrations_core.mql import DEFAULT_LIMITS, Limits, QueryError, compile_filter
from integrations_core.mql.bson import Regex

LAW = settings(max_examples=150, deadline=None)
ROBUST = settings(max_examples=200, deadline=None)

paths = st.sampled_from(PATHS)
PROBE_DOCS: list[Doc] = [
    {},
    {"a": None},
    {"a": 1, "b": "a"},
    {"a": [1, "a", None, [1]], "b": {"c": 1}},
    {"a": [{"b": 1, "0": "a"}, {"b": [2, {"c": "a"}]}], "0": 1},
    {"a": {"b": {"c": [1.0, math.nan]}, "0": [1]}},
    {"a": dt.datetime(2020, 1, 1), "b": b"a", "c": Regex("a")},
]
"""Documents every compiled hostile query is also run on."""

LIMITS = st.sampled_from((
    DEFAULT_LIMITS,
    Limits(max_depth=100, max_nodes=20_000, max_list_length=50),
    Limits(max_depth=4, max_nodes=40, max_list_length=3, max_regex_length=4),
))

EXTREME_AWARE = dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-23, minutes=-59)))
"""An aware datetime whose UTC instant lies past ``datetime.max``."""


def snapshot(value: Any) -> list[Any]:
    """Identity and shape of every object reachable from ``value``, without recursion.

    Stronger than comparing with a ``deepcopy``: it also sees an element replaced by an equal
    one, works for NaN and for objects without ``__eq__``, and does not recurse on deep input.
    """
    out: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        out.append((type(item), id(item)))
        if isinstance(item, Mapping):
            out.append(len(item))
            for key, child in item.items():
                stack.extend((child, key))
        elif isinstance(item, (list, tuple)):
            out.append(len(item))
            stack.extend(item)
        elif isinstance(item, (set, bytearray)):
            out.append(frozenset(item) if isinstance(item, set) else bytes(item))
    return out


# ---------------------------------------------------------------------------------------------
# Logical laws


@LAW
@given(queries(), document_batches())
def test_nor_of_one_query_is_its_complement(query: Query, docs: list[Doc]) -> None:
    match = compile_filter(query)
    nor = compile_filter({"$nor": [query]})
    for doc in docs:
        assert nor(doc) is (not match(doc)), doc


@LAW
@given(st.lists(queries(depth=1), min_size=1, max_size=3), document_batches())
def test_and_or_nor_are_all_any_none_of_their_members(members: list[Query], docs: list[Doc]
                                                      ) -> None:
    parts = [compile_filter(member) for member in members]
    conj = compile_filter({"$and": members})
    disj = compile_filter({"$or": members})
    nor = compile_filter({"$nor": members})
    for doc in docs:
        results = [part(doc) for part in parts]
        assert conj(doc) is all(results), doc
        assert disj(doc) is any(results), doc
        assert nor(doc) is not any(results), doc


@LAW
@given(queries(), document_batches())
def test_top_level_conditions_are_a_conjunction(query: Query, docs: list[Doc]) -> None:
    match = compile_filter(query)
    parts = [compile_filter({key: value}) for key, value in query.items() if key != "$comment"]
    for doc in docs:
        assert match(doc) is all(part(doc) for part in parts), doc


@LAW
@given(paths, st.one_of(literals(), literals(), operator_objects(depth=0)), document_batches())
def test_in_with_one_value_is_eq(path: str, value: Any, docs: list[Doc]) -> None:
    # The law is narrowed to non-regex values (``literals`` never yields one): inside $in a
    # regex is a pattern to match, while $eq compares it as a value (see
    # test_in_and_eq_differ_on_a_regex). An operator document ({"$gt": 1}) is rejected by both.
    try:
        eq = compile_filter({path: {"$eq": value}})
    except QueryError:
        eq = None
    try:
        member = compile_filter({path: {"$in": [value]}})
    except QueryError:
        member = None
    assert (eq is None) == (member is None), value
    if eq is not None and member is not None:
        for doc in docs:
            assert member(doc) is eq(doc), doc


def test_in_and_eq_differ_on_a_regex() -> None:
    # https://www.mongodb.com/docs/manual/reference/operator/query/eq/#regex-match-behavior :
    # {$eq: /pattern/} matches only the regex value itself; $in runs a regex as a pattern
    # (https://www.mongodb.com/docs/manual/reference/operator/query/in/#use-the--in-operator-with-a-regular-expression).
    doc = {"a": "ab"}
    assert compile_filter({"a": {"$in": [Regex("^a")]}})(doc) is True
    assert compile_filter({"a": {"$eq": Regex("^a")}})(doc) is False
    assert compile_filter({"a": {"$eq": Regex("^a")}})({"a": Regex("^a")}) is True


@LAW
@given(paths, st.one_of(operator_objects(depth=1), regexes()), document_batches())
def test_not_is_the_complement_of_its_operand(path: str, operand: Any, docs: list[Doc]) -> None:
    positive = compile_filter({path: operand})
    negative = compile_filter({path: {"$not": operand}})
    for doc in docs:
        assert negative(doc) is (not positive(doc)), doc


@LAW
@given(paths, literals(), document_batches())
def test_ne_is_the_complement_of_eq(path: str, value: Any, docs: list[Doc]) -> None:
    # Regex operands are left out: MongoDB rejects {$ne: /re/} ("Can't have regex as arg to $ne").
    eq = compile_filter({path: {"$eq": value}})
    ne = compile_filter({path: {"$ne": value}})
    for doc in docs:
        assert ne(doc) is (not eq(doc)), doc


@LAW
@given(paths, st.lists(st.one_of(literals(), literals(), regexes()), max_size=4),
       document_batches())
def test_nin_is_the_complement_of_in(path: str, values: list[Any], docs: list[Doc]) -> None:
    member = compile_filter({path: {"$in": values}})
    non_member = compile_filter({path: {"$nin": values}})
    for doc in docs:
        assert non_member(doc) is (not member(doc)), doc


@LAW
@given(queries(), st.data(), document_batches())
def test_order_of_top_level_conditions_does_not_matter(query: Query, data: st.DataObject,
                                                        docs: list[Doc]) -> None:
    assume(len(query) > 1)
    shuffled = dict(data.draw(st.permutations(list(query.items()))))
    match = compile_filter(query)
    reordered = compile_filter(shuffled)
    for doc in docs:
        assert reordered(doc) is match(doc), doc


# ---------------------------------------------------------------------------------------------
# Robustness


@ROBUST
@given(hostile_queries(), LIMITS)
@example({"a": {"$size": 10**400}}, DEFAULT_LIMITS)
@example({"a": {"$mod": [2, 10**400]}}, DEFAULT_LIMITS)
@example({"a": {"$type": 10**400}}, DEFAULT_LIMITS)
@example({"a": {"$eq": {"$numberDecimal": "sNaN"}}}, DEFAULT_LIMITS)
@example({"a": {"$size": {"$numberDecimal": "sNaN"}}}, DEFAULT_LIMITS)
@example({"a": {"$gt": EXTREME_AWARE}}, DEFAULT_LIMITS)
@example({"a": {"$gt": {"$numberDecimal": "1"}}}, DEFAULT_LIMITS)
def test_compile_filter_returns_a_filter_or_raises_query_error(query: Any, limits: Limits
                                                               ) -> None:
    before = snapshot(query)
    try:
        match = compile_filter(query, limits=limits)
    except QueryError as err:
        assert isinstance(err.path, str)
    else:
        assert callable(match)
        assert isinstance(match.paths, frozenset)
        for doc in PROBE_DOCS:
            assert type(match(doc)) is bool
    assert snapshot(query) == before, "compile_filter mutated its input"


@ROBUST
@given(deeply_nested(max_depth=3000), LIMITS)
def test_deep_nesting_is_a_query_error_never_a_recursion_error(query: Any, limits: Limits
                                                                ) -> None:
    try:
        match = compile_filter(query, limits=limits)
    except QueryError:
        return
    for doc in PROBE_DOCS:
        assert type(match(doc)) is bool


@ROBUST
@given(queries(scalars=robust_scalars()), st.lists(bson_documents(), min_size=1, max_size=3))
@example({"a": {"$gt": {"$numberDecimal": "1"}}}, [{"a": math.nan}])
@example({"a": {"$lt": dt.datetime(2020, 1, 1)}}, [{"a": EXTREME_AWARE}])
def test_compiled_filters_never_raise_on_bson_like_documents(query: Query, docs: list[Doc]
                                                            ) -> None:
    try:
        match = compile_filter(query)
    except QueryError:
        assume(False)
        return
    for doc in docs:
        before = snapshot(doc)
        assert type(match(doc)) is bool
        assert snapshot(doc) == before, "a filter mutated the document"


# ---------------------------------------------------------------------------------------------
# The generators give the laws something to check


def test_generated_cases_match_and_miss() -> None:
    outcomes: Counter[bool] = Counter()

    # derandomize: a statistical check must not be flaky.
    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    @given(queries(), document_batches())
    def collect(query: Query, docs: list[Doc]) -> None:
        match = compile_filter(query)
        outcomes.update(match(doc) for doc in docs)

    collect()
    total = outcomes[True] + outcomes[False]
    assert outcomes[True] >= total // 10, outcomes
    assert outcomes[False] >= total // 10, outcomes


def test_the_value_pool_has_equal_pairs_across_types() -> None:
    # Equality across Python types is what makes pool collisions interesting: 1 == 1.0 and the
    # same instant in two zones (BSON numbers compare by value; dates by instant).
    matches = compile_filter({"a": 1})
    assert [v for v in SCALARS if matches({"a": v})] == [1, 1.0]
    at = compile_filter({"a": dt.datetime(2020, 1, 1)})
    assert sum(1 for v in SCALARS if at({"a": v})) == 3


def test_limits_refuse_a_depth_the_compiler_cannot_recurse_to() -> None:
    import pytest

    from integrations_core.mql.limits import MAX_DEPTH_CEILING

    Limits(max_depth=MAX_DEPTH_CEILING)
    with pytest.raises(ValueError, match="max_depth"):
        Limits(max_depth=MAX_DEPTH_CEILING + 1)
    with pytest.raises(ValueError, match="max_nodes"):
        Limits(max_nodes=0)
