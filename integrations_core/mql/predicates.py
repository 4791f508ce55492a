"""Predicates on one value (a ``ValuePred``), each decided once at compile time by the operand.

Each builder looks at the query operand and returns a small closure specialised for its type,
so that matching a document does no operand inspection. Semantics follow the server's
``ComparisonMatchExpression``, ``InMatchExpression``, ``ModMatchExpression``,
``TypeMatchExpression`` and ``RegexMatchExpression`` (src/mongo/db/matcher/expression_leaf.cpp).
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .bson import (
    BOOL,
    DATE,
    MAXKEY,
    MINKEY,
    MISSING,
    NULL,
    NUMBER,
    REGEX,
    STRING,
    Regex,
    bson_type_code,
    compare,
    is_nan,
    regex_parts,
    same_rank_comparator,
    type_rank,
    utc_naive,
)
from .bson import number as _as_number
from .budget import DEEP_COMPARE, VALUE, charge, current, inline_charge
from .paths import ARRAY_TYPES, ValuePred

__all__ = ["TYPE_ALIASES", "TYPE_CODES", "Test", "bson_type_code", "has_type"]

_NUMS = frozenset({int, float, Decimal})
_NATIVE_NUMS = frozenset({int, float})



@dataclass(frozen=True)
class Test:
    """A value predicate, plus an optional inline form for :mod:`.codegen`.

    ``inline`` is a Python expression template over ``{v}`` (the value), ``{c}`` (``const``),
    ``{a}`` (``aware``), ``{x0}``, ``{x1}``, ... (``extra``) and ``{slow}`` (``pred``); it must
    mean exactly ``pred(v)``. It only ever names bound constants: no query value is ever
    written into source code.
    """

    pred: ValuePred
    inline: str | None = None
    const: Any = None
    aware: Any = None
    """``{a}`` of ``inline``: a date constant as an aware (UTC) datetime."""
    extra: tuple[Any, ...] = ()
    """``{x0}``, ``{x1}``, ... of ``inline``: further constants it names."""
    date_op: str | None = None
    """For an ordering of dates with both constants: its operator (``v < c``), so that
    :mod:`.codegen` can test a range with one dispatch on the value's class."""
    in_array: str | None = None
    """Template for "some element of the array ``{v}`` passes" (no array is nested deeper)."""
    equal_to: tuple[Any, ...] = ()
    """``(operand,)`` when this is an equality test, so that ``$or`` of them can become ``$in``."""
    cost: int = VALUE
    """Work units one call of ``pred`` may take, not counting regex calls (they charge their
    own, :mod:`.budget`)."""


Op = Callable[[Any, Any], bool]
SYMBOLS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
COMPARATORS: dict[str, Op] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}


def never(value: Any) -> bool:
    """A predicate that matches nothing."""
    return False


def is_null(value: Any) -> bool:
    """Null or missing (``{a: null}``)."""
    return value is None or value is MISSING


def is_number(value: Any) -> bool:
    """A BSON number (``True`` is not one)."""
    return type(value) in _NUMS or type_rank(value) == NUMBER


def _is_nan_number(value: Any) -> bool:
    return is_number(value) and is_nan(value)


# Missing never passes these tests, so the slow path is not entered for it.
_NATIVE = "({v} %s {c} if {v}.__class__ in NATNUM else {v} is not MISSING and {slow}({v}))"
_STRING = "({v} %s {c} if {v}.__class__ is str else {v} is not MISSING and {slow}({v}))"
_MEMBER = "({v} in {c} if {v}.__class__ in NATNUM else {v} is not MISSING and {slow}({v}))"
# A date is dispatched on its class, then on its tzinfo's class: naive values compare with the
# naive UTC constant ``{c}``, aware ones in a known zone with its aware copy ``{a}``
# (``datetime.timezone.utc``, the commonest zone, is recognised by identity first).
_NAIVE_DATE = (
    "({v} %s {c} if {v}.__class__ is DT and {v}.tzinfo is None"
    " else {v} is not MISSING and {slow}({v}))"
)
_DATE = (
    "(({v} %(op)s {c} if ({v}z := {v}.tzinfo) is None else {v} %(op)s {a}"
    " if {v}z is UTC or {v}z.__class__ in AWARE else {slow}({v}))"
    " if {v}.__class__ is DT else {v} is not MISSING and {slow}({v}))"
)
_DATE_EQ = (
    "(({v} == {c} if ({v}z := {v}.tzinfo) is None else {v} == {a}"
    " if {v}z is UTC or {v}z.__class__ in FIXED"
    " else not ({v} < {a} or {v} > {a}) if {v}z.__class__ in AWARE else {slow}({v}))"
    " if {v}.__class__ is DT else {v} is not MISSING and {slow}({v}))"
)


def _date_test(pred: ValuePred, op: str, when: _dt.datetime) -> Test:
    """The inline test of a date comparison with ``when`` (naive UTC).

    utc_naive clamps instants past datetime's range to its ends, where Python's order of the
    aware values goes on: only a constant at an end of the range keeps the closure for them.
    """
    if when in (_dt.datetime.min, _dt.datetime.max):
        return Test(pred, _NAIVE_DATE % op, when)
    aware = when.replace(tzinfo=_dt.timezone.utc)
    if op == "==":
        return Test(pred, _DATE_EQ, when, aware=aware)
    return Test(pred, _DATE % {"op": op}, when, aware=aware, date_op=op)


def equals(operand: Any) -> Test:
    """``$eq``: same BSON type bracket and equal value; null also matches missing."""
    rank = type_rank(operand)
    if rank == NUMBER:
        operand = _as_number(operand)  # a Decimal128 as the Decimal it holds
    if rank == NULL:
        return Test(is_null, "({v} is None or {v} is MISSING)")
    if rank == STRING and type(operand) is str:
        # Only strings compare equal to a str, so no type check is needed.
        return Test(lambda v: v == operand and type_rank(v) == STRING, "{v} == {c}", operand,
                    in_array="{c} in {v}")
    if rank == BOOL:
        return Test(lambda v: v is operand, "{v} is {c}", operand)
    if rank == NUMBER:
        if is_nan(operand):
            return Test(_is_nan_number)
        same = same_rank_comparator(NUMBER)

        def number(v: Any) -> bool:
            if type(v) in _NATIVE_NUMS:
                return bool(v == operand)
            # Decimal's == raises for a signalling NaN, so NaNs are settled first.
            return is_number(v) and not is_nan(v) and same(v, operand) == 0

        return Test(number, _NATIVE % "==", operand)
    same = same_rank_comparator(rank)
    if rank == DATE and isinstance(operand, _dt.datetime):
        when = utc_naive(operand)
        return _date_test(lambda v: utc_naive(v) == when if isinstance(v, _dt.datetime)
                          else type_rank(v) == DATE and same(v, when) == 0, "==", when)
    return Test(lambda v: type_rank(v) == rank and same(v, operand) == 0,
                cost=_compare_cost(operand))


def _compare_cost(operand: Any) -> int:
    """A Python-level BSON comparison: documents and arrays are walked value by value."""
    if isinstance(operand, Mapping) or type(operand) in ARRAY_TYPES:
        return DEEP_COMPARE + VALUE * values_in(operand)
    return 2 * VALUE


def values_in(operand: Any) -> int:
    """How many values ``operand`` holds, itself included (what comparing with it may visit)."""
    count, stack = 0, [operand]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif type(item) in ARRAY_TYPES:
            stack.extend(item)
    return count


def compares(op: str, operand: Any) -> Test:
    """``$gt $gte $lt $lte``: only values in the operand's type bracket compare."""
    cmp, symbol = COMPARATORS[op], SYMBOLS[op]
    inclusive = op in ("$gte", "$lte")
    rank = type_rank(operand)
    if rank == NUMBER:
        operand = _as_number(operand)
    if rank == NULL:
        return Test(is_null if inclusive else never)
    if rank in (MINKEY, MAXKEY):
        return Test(lambda v: cmp(compare(v, operand), 0))
    if rank == NUMBER:
        if is_nan(operand):
            return Test(_is_nan_number if inclusive else never)
        same = same_rank_comparator(NUMBER)
        # Ordering a Decimal against NaN raises, so only int/float pairs compare directly.
        native = type(operand) in _NATIVE_NUMS

        def number(v: Any) -> bool:
            if native and type(v) in _NATIVE_NUMS:
                return cmp(v, operand)
            return is_number(v) and not is_nan(v) and cmp(same(v, operand), 0)

        return Test(number, _NATIVE % symbol if native else None, operand)
    if rank == STRING and type(operand) is str:
        return Test(lambda v: type_rank(v) == STRING and cmp(v, operand),
                    _STRING % symbol, operand)
    same = same_rank_comparator(rank)
    if rank == DATE and isinstance(operand, _dt.datetime):
        when = utc_naive(operand)
        return _date_test(lambda v: cmp(utc_naive(v), when) if isinstance(v, _dt.datetime)
                          else type_rank(v) == DATE and cmp(same(v, when), 0), symbol, when)
    return Test(lambda v: type_rank(v) == rank and cmp(same(v, operand), 0),
                cost=_compare_cost(operand))


def one_of(operands: Iterable[Any], regexes: Iterable[ValuePred]) -> Test:
    """``$in``: equal to any operand or matched by any regex; strings and numbers use sets."""
    strings: set[str] = set()
    numbers: set[Any] = set()
    others: list[ValuePred] = list(regexes)
    cost = VALUE * (1 + len(others))
    for operand in operands:
        if type(operand) is str:
            strings.add(operand)
        elif type(operand) in _NATIVE_NUMS and not is_nan(operand):
            numbers.add(operand)
        else:
            test = equals(operand)
            others.append(test.pred)
            cost += test.cost
    # Numbers of other Python types (Decimal, bson.Int64) are compared one by one.
    by_number = [equals(n).pred for n in numbers]

    def member(v: Any) -> bool:
        t = type(v)
        if t is str:
            if v in strings:
                return True
        elif t in _NATIVE_NUMS:
            if v in numbers:
                return True
        elif by_number and is_number(v):
            charge(VALUE * len(by_number))  # a Decimal or Int64: compared one by one
            if any(p(v) for p in by_number):
                return True
        return any(p(v) for p in others)

    if not others and not numbers:
        return Test(member, "({v}.__class__ is str and {v} in {c})", frozenset(strings),
                    cost=cost)
    if not others and not strings:
        return Test(member, _MEMBER, frozenset(numbers), cost=cost)
    return Test(member, cost=cost)


def regex_matches(search: Callable[[str], bool], value: Regex, unit_cost: int,
                  call_cost: int, inline: tuple[str, tuple[Any, ...]] | None = None) -> Test:
    """``$regex``: strings the pattern finds, and regex values equal to it.

    Each call is charged before the engine runs: ``call_cost`` plus the pattern's bound per
    character (``unit_cost``, in work units) times the subject's length (:mod:`.budget`).
    ``inline`` is ``search`` as an expression template, when it has one (``CompiledRegex``).
    """
    key = (value.pattern, "".join(sorted(value.flags)))

    def run(subject: str) -> bool:
        charge(call_cost + unit_cost * len(subject))
        return search(subject)

    def pred(v: Any) -> bool:
        if type(v) is str:
            return run(v)
        return type_rank(v) == REGEX and regex_parts(v) == key

    # Inline, the charge reads the thread's meter itself and the search is at most one call.
    found, constants = "{x2}({v})", ()
    if inline is not None:
        found, constants = inline
        for i in range(len(constants)):
            found = found.replace(f"{{e{i}}}", f"{{x{4 + i}}}")
    charged = inline_charge("{x3}", "{x0} + {x1} * len({v})")
    return Test(pred, f"(({charged} or {found}) if {{v}}.__class__ is str else {{slow}}({{v}}))",
                run, extra=(call_cost, unit_cost, search, current, *constants))


def size_is(length: int) -> ValuePred:
    """``$size``: arrays of exactly ``length`` elements."""
    return lambda v: type(v) in ARRAY_TYPES and len(v) == length


def _truncated_mod(value: Any, divisor: int) -> int | None:
    if type(value) is bool or not is_number(value) or is_nan(value):
        return None
    value = _as_number(value)
    if isinstance(value, Decimal):
        # A decimal is truncated exactly (jstests/decimal/decimal_find_query.js: $mod [2, 0]).
        if not value.is_finite() or not -(2**63) <= value < 2**63:
            return None
        value = int(value)
    elif not isinstance(value, int):
        value = float(value)
        # MongoDB truncates to a 64-bit integer; NaN, infinities and doubles outside that
        # range never match (jstests/core/query/mod/mod_special_values.js).
        if not math.isfinite(value) or not -(2.0**63) <= value < 2.0**63:
            return None
        value = int(value)
    rest = int(abs(value) % abs(divisor))
    return -rest if value < 0 else rest


def mod_is(divisor: int, remainder: int) -> ValuePred:
    """``$mod``: C-style remainder (truncated toward zero, sign of the dividend)."""

    def pred(v: Any) -> bool:
        if type(v) is int:
            rest = abs(v) % abs(divisor)
            return (-rest if v < 0 else rest) == remainder
        return _truncated_mod(v, divisor) == remainder

    return pred


# BSON type numbers and aliases, https://www.mongodb.com/docs/manual/reference/operator/query/type/
TYPE_ALIASES: dict[str, tuple[int, ...]] = {
    "double": (1,), "string": (2,), "object": (3,), "array": (4,), "binData": (5,),
    "undefined": (6,), "objectId": (7,), "bool": (8,), "date": (9,), "null": (10,),
    "regex": (11,), "dbPointer": (12,), "javascript": (13,), "symbol": (14,),
    "javascriptWithScope": (15,), "int": (16,), "timestamp": (17,), "long": (18,),
    "decimal": (19,), "minKey": (-1,), "maxKey": (127,), "number": (1, 16, 18, 19),
}
TYPE_CODES = frozenset(code for codes in TYPE_ALIASES.values() for code in codes)


def has_type(codes: frozenset[int]) -> ValuePred:
    """``$type``: present values whose BSON type number is in ``codes``."""
    return lambda v: v is not MISSING and bson_type_code(v) in codes
