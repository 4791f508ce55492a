"""The operator table: every query operator this engine accepts or rejects, and where it lives.

=============  ==========  ==========================================================
operator       kind        compiled by
=============  ==========  ==========================================================
$and $or $nor  logical     :meth:`.filter.Compiler.document` (top level of a query)
$comment       logical     ignored (top level only)
$eq            field       :func:`.predicates.equals`
$ne            field       ``Not`` of :func:`.predicates.equals`
$gt $gte       field       :func:`.predicates.compares`
$lt $lte       field       :func:`.predicates.compares`
$in            field       :func:`.predicates.one_of`
$nin           field       ``Not`` of :func:`.predicates.one_of`
$exists        field       :class:`.conditions.Exists` (or its ``Not``)
$type          field       :func:`.predicates.has_type`
$regex         field       :func:`.regex.compile_regex` + :func:`.predicates.regex_matches`
$options       field       read with ``$regex``
$mod           field       :func:`.predicates.mod_is`
$size          array       :func:`.predicates.size_is`
$all           array       ``AllOf`` of ``$eq`` / ``$elemMatch``
$elemMatch     array       :func:`elem_match` (value form or document form)
$not           field       ``Not`` of an operator object or a regex
=============  ==========  ==========================================================

Anything else is rejected with the reasons in :data:`REJECTED`, or as an unknown operator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

from . import predicates
from .bson import MISSING, Regex, is_nan
from .errors import QueryError, join_path
from .paths import ARRAY_TYPES, DocPred, is_document
from .tree import AllOf, Cond, Exists, Leaf, Not


class Context(Protocol):
    """What an operator needs from the compiler."""

    def literal(self, value: Any, where: str) -> Any: ...

    def operator_object(self, obj: Mapping[str, Any], where: str) -> Cond: ...

    def document(self, query: Any, where: str, prefix: str) -> DocPred: ...

    def regex(self, value: Regex, where: str) -> predicates.Test: ...

    @property
    def prefix(self) -> str: ...


OperatorFn = Callable[[Context, Any, str], Cond]

LOGICAL = frozenset({"$and", "$or", "$nor"})

REJECTED: dict[str, str] = {
    "$where": "runs JavaScript on the server",
    "$function": "runs JavaScript on the server",
    "$accumulator": "runs JavaScript on the server",
    "$expr": "aggregation expressions are not supported",
    "$jsonSchema": "schema validation is not supported",
    "$text": "text search needs a text index",
    **{
        op: "geospatial queries are not supported"
        for op in ("$near", "$nearSphere", "$geoWithin", "$geoIntersects", "$within", "$box",
                   "$center", "$centerSphere", "$polygon", "$geometry", "$maxDistance",
                   "$minDistance", "$uniqueDocs")
    },
    **{
        op: "bitwise queries are not supported"
        for op in ("$bitsAllSet", "$bitsAllClear", "$bitsAnySet", "$bitsAnyClear")
    },
    "$sampleRate": "sampling is not supported",
    "$alwaysTrue": "internal operators are not supported",
    "$alwaysFalse": "internal operators are not supported",
}


def unsupported(name: str, where: str) -> QueryError:
    """The error for an operator this engine does not run."""
    reason = REJECTED.get(name)
    if reason is not None:
        return QueryError(f"operator {name} is not allowed: {reason}", where)
    return QueryError(f"unknown operator {name}", where)


def _eq(ctx: Context, operand: Any, where: str) -> Cond:
    value = ctx.literal(operand, where)
    return Leaf(replace(predicates.equals(value), equal_to=(value,)))


def _ne(ctx: Context, operand: Any, where: str) -> Cond:
    if isinstance(operand, Regex):
        raise QueryError("$ne cannot take a regular expression; use $not", where)
    return Not(_eq(ctx, operand, where))


def _comparison(name: str) -> OperatorFn:
    def compile_comparison(ctx: Context, operand: Any, where: str) -> Cond:
        if isinstance(operand, Regex):
            raise QueryError(f"{name} cannot take a regular expression", where)
        return Leaf(predicates.compares(name, ctx.literal(operand, where)))

    return compile_comparison


def _members(ctx: Context, operand: Any, where: str) -> predicates.Test:
    if not isinstance(operand, (list, tuple)):
        raise QueryError("needs an array", where)
    values, regexes = [], []
    for i, item in enumerate(operand):
        at = f"{where}[{i}]"
        if isinstance(item, Regex):
            regexes.append(ctx.regex(item, at).pred)
        elif isinstance(item, Mapping) and any(str(k).startswith("$") for k in item):
            raise QueryError("cannot nest an operator inside $in / $nin", at)
        else:
            values.append(ctx.literal(item, at))
    return predicates.one_of(values, regexes)


def _in(ctx: Context, operand: Any, where: str) -> Cond:
    return Leaf(_members(ctx, operand, where))


def _nin(ctx: Context, operand: Any, where: str) -> Cond:
    return Not(Leaf(_members(ctx, operand, where)))


def true_value(value: Any) -> bool:
    """BSON truthiness, as ``$exists`` reads its operand: null, false and zero are false."""
    if value is None or value is MISSING or value is False:
        return False
    if predicates.is_number(value):
        return bool(value != 0)
    return True


def _exists(ctx: Context, operand: Any, where: str) -> Cond:
    ctx.literal(operand, where)
    return Exists() if true_value(operand) else Not(Exists())


def _type_code(item: Any, where: str) -> tuple[int, ...]:
    if isinstance(item, str):
        if item in predicates.TYPE_ALIASES:
            return predicates.TYPE_ALIASES[item]
        raise QueryError(f"unknown type name alias {item!r}", where)
    if predicates.is_number(item) and not isinstance(item, bool):
        code = _whole_number(item, "a type number", where)
        if code == item and code in predicates.TYPE_CODES:
            return (code,)
    raise QueryError(f"invalid BSON type {item!r}", where)


def _type(ctx: Context, operand: Any, where: str) -> Cond:
    items = operand if isinstance(operand, (list, tuple)) else [operand]
    if not items:
        raise QueryError("$type needs at least one type", where)
    codes = frozenset(c for i, item in enumerate(items)
                      for c in _type_code(item, f"{where}[{i}]" if items is operand else where))
    return Leaf(predicates.Test(predicates.has_type(codes)))


def _whole_number(value: Any, what: str, where: str) -> int:
    """A numeric operand truncated toward zero, within 64 bits (ints are never made floats)."""
    if isinstance(value, bool) or not predicates.is_number(value):
        raise QueryError(f"{what} must be a number", where)
    if not isinstance(value, int) and (is_nan(value) or math.isinf(float(value))):
        raise QueryError(f"{what} cannot be NaN or infinite", where)
    result = int(value)
    if not -(2**63) <= result < 2**63:
        raise QueryError(f"{what} is out of the 64-bit range", where)
    return result


def _mod(ctx: Context, operand: Any, where: str) -> Cond:
    if not isinstance(operand, (list, tuple)) or len(operand) != 2:
        raise QueryError("$mod needs an array of [divisor, remainder]", where)
    divisor = _whole_number(operand[0], "divisor", f"{where}[0]")
    remainder = _whole_number(operand[1], "remainder", f"{where}[1]")
    if divisor == 0:
        raise QueryError("divisor cannot be 0", f"{where}[0]")
    return Leaf(predicates.Test(predicates.mod_is(divisor, remainder)))


def _size(ctx: Context, operand: Any, where: str) -> Cond:
    size = _whole_number(operand, "$size", where)
    if size != operand:
        raise QueryError("$size needs a whole number", where)
    if size < 0:
        raise QueryError("$size may not be negative", where)
    return Leaf(predicates.Test(predicates.size_is(size)), whole_arrays=True)


def _is_elem_match(item: Any) -> bool:
    return isinstance(item, Mapping) and len(item) == 1 and "$elemMatch" in item


def _all(ctx: Context, operand: Any, where: str) -> Cond:
    if not isinstance(operand, (list, tuple)):
        raise QueryError("$all needs an array", where)
    if not operand:
        return Leaf(predicates.Test(predicates.never))
    conds: list[Cond] = []
    elem_matches = _is_elem_match(operand[0])
    for i, item in enumerate(operand):
        at = f"{where}[{i}]"
        if _is_elem_match(item) != elem_matches:
            raise QueryError("$all cannot mix $elemMatch and values", at)
        if elem_matches:
            conds.append(elem_match(ctx, item["$elemMatch"], join_path(at, "$elemMatch")))
        elif isinstance(item, Regex):
            conds.append(Leaf(ctx.regex(item, at)))
        elif isinstance(item, Mapping) and any(str(k).startswith("$") for k in item):
            raise QueryError("no operators other than $elemMatch inside $all", at)
        else:
            conds.append(_eq(ctx, item, at))
    return AllOf(conds)


def elem_match(ctx: Context, operand: Any, where: str) -> Cond:
    """``$elemMatch``: some element of an array satisfies every condition at once."""
    if not isinstance(operand, Mapping):
        raise QueryError("$elemMatch needs an object", where)
    first = next(iter(operand), None)
    if isinstance(first, str) and first.startswith("$") and first not in LOGICAL:
        element = ctx.operator_object(operand, where).on_value()
    else:
        inner = ctx.document(operand, where, ctx.prefix)

        def element(value: Any) -> bool:
            if is_document(value):
                return inner(value)
            if type(value) in ARRAY_TYPES:
                return inner({str(i): v for i, v in enumerate(value)})
            return False

    def pred(value: Any) -> bool:
        return type(value) in ARRAY_TYPES and any(element(e) for e in value)

    return Leaf(predicates.Test(pred), whole_arrays=True)


def _not(ctx: Context, operand: Any, where: str) -> Cond:
    if isinstance(operand, Regex):
        return Not(Leaf(ctx.regex(operand, where)))
    if not isinstance(operand, Mapping):
        raise QueryError("$not needs a regex or an object of operators", where)
    if not operand:
        raise QueryError("$not cannot be empty", where)
    return Not(ctx.operator_object(operand, where))


FIELD_OPERATORS: dict[str, OperatorFn] = {
    "$eq": _eq,
    "$ne": _ne,
    "$gt": _comparison("$gt"),
    "$gte": _comparison("$gte"),
    "$lt": _comparison("$lt"),
    "$lte": _comparison("$lte"),
    "$in": _in,
    "$nin": _nin,
    "$exists": _exists,
    "$type": _type,
    "$mod": _mod,
    "$size": _size,
    "$all": _all,
    "$elemMatch": elem_match,
    "$not": _not,
    # "$regex" and "$options" are read together by Compiler.operator_object.
}
