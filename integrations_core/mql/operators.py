"""THE operator table: every ``$``-key of MQL, where it may stand, how it compiles, what it counts.

Each row of :data:`OPERATORS` is one key. ``stands`` says where the key is read: ``query`` keys
stand in a query object (the top level, a ``$and``/``$or``/``$nor`` member, a document-form
``$elemMatch``); ``field`` keys stand in a field's operator object (``{"a": {"$gt": 1}}``);
``rejected`` keys are refused everywhere with their reason. ``counts`` is the rule the compiler
applies to ``Limits.max_conditions`` / ``Limits.max_regexes`` (conditions / regexes evaluated per
record); the work each condition does at run time is charged by :mod:`.budget`.

=============  ========  ======================================================================
operator       stands    counts
=============  ========  ======================================================================
$and           query     its members' counts
$or            query     its members' counts
$nor           query     its members' counts
$comment       query     nothing (ignored)
$eq            field     1 condition (a plain value is an implicit ``$eq``)
$ne            field     1 condition
$gt            field     1 condition
$gte           field     1 condition
$lt            field     1 condition
$lte           field     1 condition
$in            field     1 condition, +1 per member not hashed (not a str/int/float), +1 per regex
$nin           field     as ``$in``
$exists        field     1 condition
$type          field     1 condition
$regex         field     1 condition and 1 regex (reads ``$options`` beside it)
$options       field     nothing (read with ``$regex``)
$mod           field     1 condition
$size          field     1 condition
$all           field     1 condition, +1 per member (a regex member is also 1 regex)
$elemMatch     field     1 condition, + its inner query's or operators' counts
$not           field     its operators' counts (a regex operand: 1 condition and 1 regex)
=============  ========  ======================================================================

Every key of :data:`REJECTED` is a ``rejected`` row (``$where``, ``$expr``, geospatial, bitwise,
...); any other ``$``-key is an unknown operator. A test checks this prose table against
:data:`OPERATORS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from . import predicates
from .bson import MISSING, Regex, is_nan, number
from .budget import VALUE, charge
from .errors import QueryError, describe, join_path
from .paths import ARRAY_TYPES, is_document
from .regex import check_options
from .tree import (
    AllOf,
    BoolPlan,
    Cond,
    Exists,
    FieldPlan,
    Leaf,
    Not,
    Param,
    ParamEq,
    Plan,
    cond_cost,
    factor_or,
    plan_cost,
    to_closure,
)


class Context(Protocol):
    """What an operator needs from the compiler."""

    def literal(self, value: Any, where: str) -> Any: ...

    def operator_object(self, obj: Mapping[str, Any], where: str) -> Cond: ...

    def plan(self, query: Any, where: str, prefix: str = "") -> Plan: ...

    def regex(self, value: Regex, where: str) -> predicates.Test: ...

    def count(self, where: str, conditions: int = 1, regexes: int = 0) -> None: ...

    @property
    def prefix(self) -> str: ...

    @property
    def params(self) -> bool:
        """Whether a :class:`~.tree.Param` may stand for an equality's operand."""


FieldFn = Callable[[Context, Any, str, Mapping[str, Any]], Cond | None]
"""``(ctx, operand, where, operator_object) -> Cond`` (None: the key adds no condition)."""
QueryFn = Callable[[Context, Any, str, str], Plan | None]
"""``(ctx, operand, where, prefix) -> Plan`` (None: the key adds no condition)."""


@dataclass(frozen=True)
class Operator:
    """One row of the table."""

    name: str
    stands: Literal["query", "field", "rejected"]
    compile: FieldFn | QueryFn | None = None
    reason: str = ""
    """Why a ``rejected`` key is refused."""


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


_HASHED = (str, int, float)  # $in/$nin members matched by one set lookup


def unsupported(name: str, where: str) -> QueryError:
    """The error for an operator this engine does not run."""
    reason = REJECTED.get(name)
    if reason is not None:
        return QueryError(f"operator {name} is not allowed: {reason}", where)
    return QueryError(f"unknown operator {name}", where)


def _eq(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any] | None = None) -> Cond:
    ctx.count(where)
    if isinstance(operand, Param) and ctx.params:
        return ParamEq(operand, _equality)
    return _equality(ctx.literal(operand, where))


def _equality(value: Any) -> Cond:
    return Leaf(replace(predicates.equals(value), equal_to=(value,)))


def _ne(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    if isinstance(operand, Regex):
        raise QueryError("$ne cannot take a regular expression; use $not", where)
    return Not(_eq(ctx, operand, where, obj))


def _comparison(name: str) -> FieldFn:
    def compile_comparison(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
        ctx.count(where)
        if isinstance(operand, Regex):
            raise QueryError(f"{name} cannot take a regular expression", where)
        return Leaf(predicates.compares(name, ctx.literal(operand, where)))

    return compile_comparison


def _members(ctx: Context, operand: Any, where: str) -> predicates.Test:
    if not isinstance(operand, (list, tuple)):
        raise QueryError("needs an array", where)
    ctx.count(where)
    values, regexes = [], []
    for i, item in enumerate(operand):
        at = f"{where}[{i}]"
        if isinstance(item, Regex):
            regexes.append(ctx.regex(item, at).pred)
        elif is_operator_object(item):
            raise QueryError("cannot nest an operator inside $in / $nin", at)
        else:
            if not (type(item) in _HASHED and item == item):  # NaN is not hashed
                ctx.count(at)
            values.append(ctx.literal(item, at))
    return predicates.one_of(values, regexes)


def _in(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    return Leaf(_members(ctx, operand, where))


def _nin(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    return Not(Leaf(_members(ctx, operand, where)))


def true_value(value: Any) -> bool:
    """BSON truthiness, as ``$exists`` reads its operand: null, false and zero are false."""
    if value is None or value is MISSING or value is False:
        return False
    if predicates.is_number(value):
        return bool(number(value) != 0)
    return True


def _exists(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    ctx.count(where)
    ctx.literal(operand, where)
    return Exists() if true_value(operand) else Not(Exists())


def _type_code(item: Any, where: str) -> tuple[int, ...]:
    if isinstance(item, str):
        if item in predicates.TYPE_ALIASES:
            return predicates.TYPE_ALIASES[item]
        raise QueryError(f"unknown type name alias {describe(item)}", where)
    if predicates.is_number(item) and not isinstance(item, bool):
        code = _whole_number(item, "a type number", where)
        if code == number(item) and code in predicates.TYPE_CODES:
            return (code,)
    raise QueryError(f"invalid BSON type {describe(item)}", where)


def _type(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    ctx.count(where)
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
    value = number(value)  # a Decimal128 as the Decimal it holds
    if not isinstance(value, int) and (is_nan(value) or math.isinf(float(value))):
        raise QueryError(f"{what} cannot be NaN or infinite", where)
    result = int(value)
    if not -(2**63) <= result < 2**63:
        raise QueryError(f"{what} is out of the 64-bit range", where)
    return result


def _mod(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    ctx.count(where)
    if not isinstance(operand, (list, tuple)) or len(operand) != 2:
        raise QueryError("$mod needs an array of [divisor, remainder]", where)
    divisor = _whole_number(operand[0], "divisor", f"{where}[0]")
    remainder = _whole_number(operand[1], "remainder", f"{where}[1]")
    if divisor == 0:
        raise QueryError("divisor cannot be 0", f"{where}[0]")
    return Leaf(predicates.Test(predicates.mod_is(divisor, remainder)))


def _size(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    ctx.count(where)
    size = _whole_number(operand, "$size", where)
    if size != number(operand):
        raise QueryError("$size needs a whole number", where)
    if size < 0:
        raise QueryError("$size may not be negative", where)
    return Leaf(predicates.Test(predicates.size_is(size)), whole_arrays=True)


def is_dbref(obj: Mapping[Any, Any]) -> bool:
    """A document holding ``$ref`` and ``$id`` is a DBRef value, compared as it is, never read as
    operators (src/mongo/db/matcher/expression_parser.cpp ``isDBRefDocument``)."""
    return "$ref" in obj and "$id" in obj


def is_operator_object(value: Any) -> bool:
    """A document with a ``$``-key that is not a DBRef: operators, not a value."""
    return (isinstance(value, Mapping) and any(str(k).startswith("$") for k in value)
            and not is_dbref(value))


def _is_elem_match(item: Any) -> bool:
    return isinstance(item, Mapping) and len(item) == 1 and "$elemMatch" in item


def _all(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    if not isinstance(operand, (list, tuple)):
        raise QueryError("$all needs an array", where)
    ctx.count(where)
    if not operand:
        return Leaf(predicates.Test(predicates.never))
    conds: list[Cond] = []
    elem_matches = _is_elem_match(operand[0])
    for i, item in enumerate(operand):
        at = f"{where}[{i}]"
        if _is_elem_match(item) != elem_matches:
            raise QueryError("$all cannot mix $elemMatch and values", at)
        if elem_matches:
            conds.append(elem_match(ctx, item["$elemMatch"], join_path(at, "$elemMatch"), item))
        elif isinstance(item, Regex):
            conds.append(Leaf(ctx.regex(item, at)))
        elif is_operator_object(item):
            raise QueryError("no operators other than $elemMatch inside $all", at)
        else:
            conds.append(_eq(ctx, item, at))
    return AllOf(conds)


def elem_match(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    """``$elemMatch``: some element of an array satisfies every condition at once."""
    if not isinstance(operand, Mapping):
        raise QueryError("$elemMatch needs an object", where)
    ctx.count(where)
    first = next(iter(operand), None)
    if isinstance(first, str) and first.startswith("$") and first not in LOGICAL:
        cond = ctx.operator_object(operand, where)
        element, cost = cond.on_value(), cond_cost(cond)
    else:
        plan = ctx.plan(operand, where, ctx.prefix)
        inner, cost = to_closure(plan), plan_cost(plan)

        def element(value: Any) -> bool:
            if is_document(value):
                return inner(value)
            if type(value) in ARRAY_TYPES:
                return inner({str(i): v for i, v in enumerate(value)})
            return False

    def pred(value: Any) -> bool:
        if type(value) not in ARRAY_TYPES:
            return False
        charge(cost * len(value))
        return any(element(e) for e in value)

    return Leaf(predicates.Test(pred, cost=VALUE), whole_arrays=True)


def _not(ctx: Context, operand: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    if isinstance(operand, Regex):
        return Not(Leaf(ctx.regex(operand, where)))
    if not isinstance(operand, Mapping):
        raise QueryError("$not needs a regex or an object of operators", where)
    if not operand:
        raise QueryError("$not cannot be empty", where)
    return Not(ctx.operator_object(operand, where))


def _regex(ctx: Context, pattern: Any, where: str, obj: Mapping[str, Any]) -> Cond:
    options = obj.get("$options")
    if options is not None:
        _options(ctx, options, where.removesuffix("$regex") + "$options", obj)
    if isinstance(pattern, Regex):
        if pattern.flags and options:
            raise QueryError("options set in both $regex and $options", where)
        return Leaf(ctx.regex(Regex(pattern.pattern, pattern.flags or options or ""), where))
    if not isinstance(pattern, str):
        raise QueryError("$regex needs a string or a regular expression", where)
    return Leaf(ctx.regex(Regex(pattern, options or ""), where))


def _options(ctx: Context, options: Any, where: str, obj: Mapping[str, Any]) -> None:
    if "$regex" not in obj:
        raise QueryError("$options needs a $regex", where)
    if not isinstance(options, str):
        raise QueryError("$options must be a string", where)
    check_options(options, where)


def _logical(name: str) -> QueryFn:
    op: Literal["and", "or", "nor"] = "and" if name == "$and" else "or" if name == "$or" else "nor"

    def compile_logical(ctx: Context, members: Any, where: str, prefix: str) -> Plan:
        if not isinstance(members, (list, tuple)) or not members:
            raise QueryError(f"{name} needs a non-empty array of objects", where)
        plans = tuple(ctx.plan(m, f"{where}[{i}]", prefix) for i, m in enumerate(members))
        if op == "or":
            if (merged := _equalities_as_in(plans)) is not None:
                return merged
            if (factored := factor_or(plans, _disjunction)) is not None:
                return factored
        return BoolPlan(op, plans)

    return compile_logical


def _disjunction(plans: tuple[Plan, ...]) -> Plan:
    return _equalities_as_in(plans) or BoolPlan("or", plans)


def _equalities_as_in(plans: tuple[Plan, ...]) -> Plan | None:
    """``$or`` of equalities on one path is ``$in`` (one read of the field, one set lookup)."""
    first = plans[0]
    if len(plans) < 2 or not isinstance(first, FieldPlan):
        return None
    operands = []
    for plan in plans:
        if not (isinstance(plan, FieldPlan) and plan.parts == first.parts
                and isinstance(plan.cond, Leaf) and plan.cond.test.equal_to):
            return None
        operands.append(plan.cond.test.equal_to[0])
    return FieldPlan(first.parts, Leaf(predicates.one_of(operands, [])))


def _comment(ctx: Context, operand: Any, where: str, prefix: str) -> None:
    return None


def _rows() -> dict[str, Operator]:
    query: dict[str, QueryFn] = {
        "$and": _logical("$and"), "$or": _logical("$or"), "$nor": _logical("$nor"),
        "$comment": _comment,
    }
    field: dict[str, FieldFn] = {
        "$eq": _eq, "$ne": _ne,
        "$gt": _comparison("$gt"), "$gte": _comparison("$gte"),
        "$lt": _comparison("$lt"), "$lte": _comparison("$lte"),
        "$in": _in, "$nin": _nin, "$exists": _exists, "$type": _type,
        "$regex": _regex, "$options": _options, "$mod": _mod, "$size": _size,
        "$all": _all, "$elemMatch": elem_match, "$not": _not,
    }
    return {
        **{name: Operator(name, "query", fn) for name, fn in query.items()},
        **{name: Operator(name, "field", fn) for name, fn in field.items()},
        **{name: Operator(name, "rejected", reason=why) for name, why in REJECTED.items()},
    }


OPERATORS: dict[str, Operator] = _rows()
"""Every ``$``-key MQL knows, by name."""

LOGICAL = frozenset(name for name, row in OPERATORS.items()
                    if row.stands == "query" and name != "$comment")
"""The keys that combine query objects (``$and``, ``$or``, ``$nor``)."""


def operator(name: str, where: str, stands: Literal["query", "field"]) -> Operator:
    """The row for ``name`` read where a ``stands`` key belongs, or the error that refuses it."""
    row = OPERATORS.get(name)
    if row is None or row.stands == "rejected":
        raise unsupported(name, where)
    if row.stands != stands:
        raise unsupported(name, where)
    return row
