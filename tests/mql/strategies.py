"""Hypothesis strategies for the MQL filter laws and differential tests.

Two families:

* *small-pool* documents and valid queries (:func:`documents`, :func:`queries`): values, keys and
  paths come from small pools so that equality, range and regex conditions hit often; documents
  hold arrays, arrays of documents and the key ``"0"`` so that paths such as ``a.0.b`` meet both
  array indexes and field names;
* *hostile* inputs (:func:`hostile_queries`, :func:`bson_documents`): arbitrary nesting, real and
  fake ``$`` operators, Extended JSON wrappers with bad payloads, non-string keys, values no BSON
  type stands for, huge ints, NaN, lone surrogates and extreme dates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from integrations_core.mql.bson import Regex

Query = dict[str, Any]
Doc = dict[str, Any]

NAN = math.nan
INF = math.inf
DATE = dt.datetime(2020, 1, 1)
DATE_UTC = DATE.replace(tzinfo=dt.timezone.utc)
"""The instant of :data:`DATE` (naive datetimes are UTC), as an aware datetime."""
DATE_PLUS2 = dt.datetime(2020, 1, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=2)))
"""The same instant again, written in another zone."""
LATER = dt.datetime(2021, 6, 1, 12, 30)

KEYS: tuple[str, ...] = ("a", "b", "c", "0")
"""Document keys; ``"0"`` makes ``a.0`` a field name as well as an array index."""
PATHS: tuple[str, ...] = (
    "a", "b", "c", "0", "a.b", "a.c", "a.0", "a.1", "b.c", "a.b.c", "a.0.b", "a.b.0", "a.0.0",
)
RELATIVE_PATHS: tuple[str, ...] = ("b", "c", "b.c", "0", "b.0")
"""Paths inside an ``$elemMatch`` document (relative to an array element)."""

SCALARS: tuple[Any, ...] = (
    None, True, False, 0, 1, 2, -1, 1.0, 2.5, NAN, INF, -INF,
    "", "a", "b", "ab", "A", "a\nb", DATE, DATE_UTC, DATE_PLUS2, LATER, b"a", b"",
)
"""Values documents hold (and queries compare with): every BSON bracket, with equal pairs across
Python types (``1``/``1.0``/``True``, naive/aware dates of one instant)."""
DOC_ONLY_SCALARS: tuple[Any, ...] = (Decimal("1"), Decimal("2.5"), (1, "a"), Regex("a"))
"""Further document values: Decimal numbers, a tuple (an array) and a BSON regex value."""
EJSON_OPERANDS: tuple[Any, ...] = (
    {"$date": "2020-01-01T00:00:00Z"},
    {"$date": {"$numberLong": "1577836800000"}},
    {"$numberLong": "1"},
    {"$numberInt": "2"},
    {"$numberDouble": "NaN"},
    {"$numberDouble": "-Infinity"},
)
"""Extended JSON wrappers (none of them a regex) that decode to values in :data:`SCALARS`."""

PATTERNS: tuple[str, ...] = ("a", "^a", "b$", "^$", ".", "a|b", r"\d", "^A", "a.b", "[ab]+$")
OPTIONS: tuple[str, ...] = ("", "i", "m", "s", "x", "im")
TYPE_NAMES: tuple[Any, ...] = (
    "double", "string", "object", "array", "binData", "bool", "date", "null", "regex", "int",
    "long", "number", 2, 16, 10.0, ["string", "null"],
)

REAL_OPERATORS: tuple[str, ...] = (
    "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$and", "$or", "$nor", "$not",
    "$exists", "$type", "$regex", "$options", "$mod", "$size", "$all", "$elemMatch", "$comment",
    "$where", "$expr", "$function", "$jsonSchema", "$text", "$near", "$geoWithin", "$bitsAllSet",
    "$sampleRate", "$alwaysTrue", "$search",
)
FAKE_OPERATORS: tuple[str, ...] = (
    "$noop", "$", "$$", "$EQ", "$eq ", " $eq", "$in.", "$and.x", "$__proto__", "$constructor",
    "$elemmatch", "$\x00", "$\ud800",
)
EJSON_KEYS: tuple[str, ...] = (
    "$date", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal",
    "$regularExpression", "$regexp", "$flags", "$oid", "$binary", "$timestamp", "$minKey",
)
ODD_NAMES: tuple[str, ...] = (
    "a", "b", "a.b", "a.0", "0", "", ".", "..", "a.", ".a", "a..b", "a.$", "a.$.b", "$a.b",
    "\x00", "a\x00b", "\ud800", "é", "__proto__", "pattern", "options",
)

QUERY_SCALARS: SearchStrategy[Any] = st.sampled_from(SCALARS + EJSON_OPERANDS)
"""The default operands of generated queries."""

MIN_TZ = dt.timedelta(hours=-23, minutes=-59)
MAX_TZ = dt.timedelta(hours=23, minutes=59)


@cache
def _regexes() -> SearchStrategy[Any]:
    pattern = st.sampled_from(PATTERNS)
    flags = st.sampled_from(OPTIONS)
    return st.one_of(
        st.builds(Regex, pattern, flags),
        st.builds(re.compile, pattern, st.sampled_from((0, re.IGNORECASE, re.MULTILINE))),
        st.builds(lambda p, f: {"$regularExpression": {"pattern": p, "options": f}}, pattern,
                  flags),
        st.builds(lambda p, f: {"$regexp": p, "$flags": f}, pattern, flags),
    )


def regexes() -> SearchStrategy[Any]:
    """Regular expressions as a query may spell them (``Regex``, ``re``, Extended JSON)."""
    return _regexes()


# ---------------------------------------------------------------------------------------------
# Small-pool documents


def values(*, scalars: Sequence[Any] = SCALARS + DOC_ONLY_SCALARS) -> SearchStrategy[Any]:
    """A document value: a scalar from the pool, or small arrays and documents of them."""
    return st.recursive(
        st.sampled_from(scalars),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
        ),
        max_leaves=6,
    )


def documents(*, scalars: Sequence[Any] = SCALARS + DOC_ONLY_SCALARS) -> SearchStrategy[Doc]:
    """A small document over :data:`KEYS` (fields may be missing)."""
    return st.dictionaries(st.sampled_from(KEYS), values(scalars=scalars), max_size=3)


def document_batches(min_size: int = 1, max_size: int = 6) -> SearchStrategy[list[Doc]]:
    """Several documents, so that one query example is checked against matches and misses."""
    return st.lists(documents(), min_size=min_size, max_size=max_size)


# ---------------------------------------------------------------------------------------------
# Valid queries over the pools


@cache
def literals(scalars: SearchStrategy[Any] | None = None) -> SearchStrategy[Any]:
    """A value a query compares with (never a regex): scalar, array or document of scalars."""
    base = QUERY_SCALARS if scalars is None else scalars
    plain = st.sampled_from(SCALARS)
    return st.one_of(
        base,
        base,
        st.lists(plain, max_size=3),
        st.dictionaries(st.sampled_from(("b", "c")), plain, min_size=1, max_size=2),
    )


@cache
def _operator_object(depth: int, scalars: SearchStrategy[Any]) -> SearchStrategy[Query]:
    return _draw_operator_object(depth, scalars)


@st.composite
def _draw_operator_object(draw: st.DrawFn, depth: int, scalars: SearchStrategy[Any]) -> Query:
    names = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$type",
             "$regex", "$mod", "$size", "$all"]
    if depth > 0:
        names += ["$elemMatch", "$elemMatch", "$not"]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    out: Query = {}
    for name in chosen:
        if name == "$regex":
            out["$regex"] = draw(st.sampled_from(PATTERNS))
            options = draw(st.sampled_from(OPTIONS))
            if options:
                out["$options"] = options
        else:
            out[name] = draw(_operand(name, depth, scalars))
    return out


@cache
def _operand(name: str, depth: int, scalars: SearchStrategy[Any]) -> SearchStrategy[Any]:
    lit = literals(scalars)
    if name == "$eq":
        return st.one_of(lit, lit, lit, regexes())
    if name == "$ne":
        return lit
    if name in ("$gt", "$gte", "$lt", "$lte"):
        return st.one_of(scalars, scalars, lit)
    if name in ("$in", "$nin"):
        return st.lists(st.one_of(lit, lit, lit, regexes()), max_size=4)
    if name == "$exists":
        return st.sampled_from((True, False, 1, 0))
    if name == "$type":
        return st.sampled_from(TYPE_NAMES)
    if name == "$mod":
        return st.tuples(st.sampled_from((1, 2, 3, -2, 2.0)), st.sampled_from((0, 1, -1))).map(
            list
        )
    if name == "$size":
        return st.sampled_from((0, 1, 2, 3, 1.0))
    if name == "$all":
        return st.one_of(
            st.lists(st.one_of(lit, lit, regexes()), max_size=3),
            st.lists(
                _operator_object(depth - 1 if depth else 0, scalars).map(
                    lambda o: {"$elemMatch": o}
                ),
                min_size=1,
                max_size=2,
            ),
        )
    if name == "$elemMatch":
        return st.one_of(
            _operator_object(depth - 1, scalars),
            _query(depth - 1, RELATIVE_PATHS, scalars),
        )
    if name == "$not":
        return st.one_of(_operator_object(depth - 1, scalars), regexes())
    raise AssertionError(name)


def operator_objects(depth: int = 1, scalars: SearchStrategy[Any] | None = None
                     ) -> SearchStrategy[Query]:
    """An object of one or two field operators, e.g. ``{"$gt": 1, "$lt": "b"}``."""
    return _operator_object(depth, QUERY_SCALARS if scalars is None else scalars)


@cache
def conditions(depth: int = 1, scalars: SearchStrategy[Any] | None = None) -> SearchStrategy[Any]:
    """What a field maps to in a query: a literal (equality), a regex, or operators."""
    if scalars is None:
        scalars = QUERY_SCALARS
    return st.one_of(literals(scalars), regexes(), _operator_object(depth, scalars),
                     _operator_object(depth, scalars))


@cache
def _query(depth: int, paths: Sequence[str], scalars: SearchStrategy[Any]) -> SearchStrategy[Query]:
    return _draw_query(depth, paths, scalars)


@st.composite
def _draw_query(draw: st.DrawFn, depth: int, paths: Sequence[str], scalars: SearchStrategy[Any]
                ) -> Query:
    fields = draw(st.lists(st.sampled_from(paths), min_size=0, max_size=2, unique=True))
    items: list[tuple[str, Any]] = [(path, draw(conditions(depth, scalars))) for path in fields]
    if depth > 0 and (not items or draw(st.integers(0, 3)) == 0):
        op = draw(st.sampled_from(("$and", "$or", "$nor")))
        members = draw(st.lists(_query(depth - 1, paths, scalars), min_size=1, max_size=3))
        items.append((op, members))
    if not items:
        items.append((draw(st.sampled_from(paths)), draw(conditions(0, scalars))))
    return dict(draw(st.permutations(items)))


def _with_comment(query: Query, comment: bool) -> Query:
    return {**query, "$comment": "ignored"} if comment else query


def queries(*, depth: int = 2, paths: Sequence[str] = PATHS,
            scalars: SearchStrategy[Any] | None = None) -> SearchStrategy[Query]:
    """A valid query: field conditions over ``paths`` and nested ``$and``/``$or``/``$nor``
    (sometimes with a top-level ``$comment``)."""
    inner = _query(depth, paths, QUERY_SCALARS if scalars is None else scalars)
    return st.builds(_with_comment, inner, st.sampled_from((False, False, False, True)))


# ---------------------------------------------------------------------------------------------
# Arbitrary BSON-like documents


@cache
def _timezones() -> SearchStrategy[dt.tzinfo]:
    return st.builds(dt.timezone, st.timedeltas(min_value=MIN_TZ, max_value=MAX_TZ))


@cache
def _texts() -> SearchStrategy[str]:
    return st.one_of(
        st.text(st.characters(exclude_categories=()), max_size=8),  # lone surrogates included
        st.sampled_from(ODD_NAMES),
    )


@cache
def bson_scalars() -> SearchStrategy[Any]:
    """Any scalar a BSON document may hold, at the edges of its range."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(),
        _texts(),
        st.datetimes(),
        st.datetimes(timezones=_timezones()),
        st.sampled_from((dt.datetime.min, dt.datetime.max,
                         dt.datetime.max.replace(tzinfo=dt.timezone(MIN_TZ)),
                         dt.datetime.min.replace(tzinfo=dt.timezone(MAX_TZ)))),
        st.binary(max_size=4),
        st.sampled_from(SCALARS),
    )


@cache
def bson_documents() -> SearchStrategy[Doc]:
    """Arbitrary nested documents: dicts with string keys, lists, and :func:`bson_scalars`."""
    keys = st.one_of(st.sampled_from(KEYS), _texts())
    value = st.recursive(
        bson_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(keys, inner, max_size=4),
        ),
        max_leaves=8,
    )
    return st.dictionaries(keys, value, max_size=3)


@cache
def robust_scalars() -> SearchStrategy[Any]:
    """Query operands for the robustness laws: the pools, edge values and Decimal wrappers."""
    return st.one_of(
        st.sampled_from(SCALARS + EJSON_OPERANDS),
        bson_scalars(),
        st.sampled_from(("1", "-0", "NaN", "-Infinity", "1E+6144", "2.5")).map(
            lambda s: {"$numberDecimal": s}
        ),
    )


# ---------------------------------------------------------------------------------------------
# Hostile inputs


class Opaque:
    """An object no BSON type stands for."""

    def __repr__(self) -> str:
        return "Opaque()"


@cache
def _hostile_keys() -> SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(REAL_OPERATORS + FAKE_OPERATORS + EJSON_KEYS + ODD_NAMES),
        st.sampled_from(REAL_OPERATORS),
        _texts(),
        st.one_of(st.integers(), st.none(), st.booleans(), st.floats(), st.just(("t", 1)),
                  st.binary(max_size=2), st.frozensets(st.integers(), max_size=2)),
    )


@cache
def _hostile_scalars() -> SearchStrategy[Any]:
    return st.one_of(
        bson_scalars(),
        st.integers(min_value=2**63 - 2, max_value=2**63 + 2),
        st.sampled_from((10**400, -(10**400), 2**64, 1e308, -0.0, 5e-324)),
        st.decimals(allow_nan=True),
        st.sampled_from((Decimal("sNaN"), Decimal("-Infinity"), Decimal("1E+999999"))),
        st.sets(st.integers(), max_size=2),
        st.builds(bytearray, st.binary(max_size=2)),
        st.builds(Opaque),
        st.just(object()),
        st.just(Ellipsis),
        st.just(NotImplemented),
        st.complex_numbers(max_magnitude=10),
        st.dates(),
        st.timedeltas(),
        st.builds(Regex, _texts(), st.sampled_from(("", "i", "q", "\x00"))),
        st.builds(re.compile, st.sampled_from(PATTERNS)),
        st.sampled_from(("NaN", "Infinity", "1" * 30, "-9223372036854775809", "2024-13-45",
                         "9999-12-31T23:59:59-05:00", "0000-01-01T00:00:00Z")),
    )


EDGE_NUMBERS: tuple[Any, ...] = (
    10**400, -(10**400), 2**63, -(2**63) - 1, 2**64, 1e308, -1e308, INF, -INF, NAN, -0.0,
    5e-324, True, Decimal("sNaN"), Decimal("NaN"), Decimal("-Infinity"), Decimal("1E+6144"),
    {"$numberDecimal": "sNaN"}, {"$numberDecimal": "1E+99999"}, {"$numberLong": "9" * 30},
    {"$numberDouble": "1e999"}, {"$date": 10**20}, {"$date": -(10**16)},
)
"""Numbers at and past the edges of int64, double and Decimal128, raw and as Extended JSON."""


def _edge_operands() -> SearchStrategy[Any]:
    edge = st.sampled_from(EDGE_NUMBERS)
    return st.one_of(edge, st.lists(edge, min_size=1, max_size=3),
                     st.tuples(edge, st.sampled_from((0, 1, 2))).map(list))


NUMBER_TAKERS: tuple[str, ...] = (
    "$size", "$mod", "$type", "$exists", "$eq", "$gt", "$lte", "$in", "$all", "$not", "$regex",
)


@cache
def _edge_queries() -> SearchStrategy[Query]:
    """Operands past the edges of the number types, in the operators that take numbers."""
    return st.builds(lambda k, v: {"a": {k: v}}, st.sampled_from(NUMBER_TAKERS),
                     _edge_operands())


@cache
def _hostile_mappings(inner: SearchStrategy[Any]) -> SearchStrategy[Any]:
    pairs = st.lists(st.tuples(_hostile_keys(), inner), max_size=4)
    return st.one_of(
        pairs.map(dict),
        pairs.map(OrderedDict),
        # Extended JSON wrappers and operators whose payload is anything at all.
        st.builds(lambda k, v: {k: v}, st.sampled_from(EJSON_KEYS + REAL_OPERATORS), inner),
        st.builds(lambda k, v: {"a": {k: v}}, st.sampled_from(REAL_OPERATORS + FAKE_OPERATORS),
                  st.one_of(inner, _hostile_scalars(), st.lists(_hostile_scalars(), max_size=3))),
        _edge_queries(),
    )


@cache
def hostile_values() -> SearchStrategy[Any]:
    """Anything: nested mappings with hostile keys, lists, tuples and odd scalars."""
    return st.recursive(
        _hostile_scalars(),
        lambda inner: st.one_of(
            _hostile_mappings(inner),
            st.lists(inner, max_size=4),
            st.lists(inner, max_size=4).map(tuple),
        ),
        max_leaves=16,
    )


WRAPPERS: tuple[Callable[[Any], Any], ...] = (
    lambda q: {"$and": [q]},
    lambda q: {"$or": [q, {"a": 1}]},
    lambda q: {"$nor": [q]},
    lambda q: {"a": {"$elemMatch": q}},
    lambda q: {"a": {"$not": q}},
    lambda q: {"a": q},
    lambda q: {"a": {"$in": [q]}},
    lambda q: [q],
    lambda q: (q,),
    lambda q: {"$date": q},
)


@st.composite
def deeply_nested(draw: st.DrawFn, max_depth: int = 1500) -> Any:
    """A value wrapped in tens to thousands of layers of operators, documents and arrays."""
    depth = draw(st.one_of(st.integers(25, 40), st.integers(100, 140),
                           st.integers(1, max_depth)))
    value = draw(st.one_of(st.just({"a": 1}), hostile_values()))
    cycle = draw(st.lists(st.sampled_from(range(len(WRAPPERS))), min_size=1, max_size=4))
    for i in range(depth):
        value = WRAPPERS[cycle[i % len(cycle)]](value)
    return value


@cache
def hostile_queries() -> SearchStrategy[Any]:
    """Inputs for ``compile_filter``: mostly mappings, some deeply nested, some not mappings."""
    return st.one_of(
        _hostile_mappings(hostile_values()),
        _hostile_mappings(hostile_values()),
        _edge_queries(),
        queries(scalars=robust_scalars()),
        deeply_nested(),
        hostile_values(),
    )
