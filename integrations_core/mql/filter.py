"""``compile_filter``: validate a query once, then match documents with plain closures."""

from __future__ import annotations

import datetime as _dt
import re
import types
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, Protocol, cast

from . import ejson
from .bson import UNKNOWN, Regex, regex_parts, type_rank
from .codegen import generate
from .conditions import AllOf, Cond, Leaf
from .errors import QueryError, join_path
from .leaf import Test, one_of, regex_matches
from .limits import DEFAULT_LIMITS, Limits, check_shape
from .operators import FIELD_OPERATORS, LOGICAL, unsupported
from .paths import DocPred, split_path
from .plan import BoolPlan, FieldPlan, Plan, to_closure
from .regex import check_options, compile_regex

_INT64 = (-(2**63), 2**63 - 1)


class Filter(Protocol):
    """A compiled query: ``filter(doc) -> bool``."""

    paths: frozenset[str]
    """Every field path the query reads (for access checks such as redaction)."""

    def __call__(self, doc: Mapping[str, Any], /) -> bool: ...


class Compiler:
    """Turns one decoded query into a tree of closures, checking it on the way."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.paths: set[str] = set()
        self.prefix = ""

    def document(self, query: Any, where: str, prefix: str = "") -> DocPred:
        """A query object as closures (for ``$elemMatch`` documents)."""
        return to_closure(self.plan(query, where, prefix))

    def plan(self, query: Any, where: str, prefix: str = "") -> Plan:
        """A whole query object (top level, ``$and`` member or ``$elemMatch`` document)."""
        if not isinstance(query, Mapping):
            raise QueryError("a query must be an object", where)
        preds: list[Plan] = []
        for key, value in query.items():
            if not isinstance(key, str):
                raise QueryError(f"field names must be strings, not {type(key).__name__}", where)
            at = join_path(where, key)
            if key in LOGICAL:
                preds.append(self._logical(key, value, at, prefix))
            elif key == "$comment":
                continue
            elif key.startswith("$"):
                raise unsupported(key, at)
            else:
                preds.append(self._field(key, value, at, prefix))
        return preds[0] if len(preds) == 1 else BoolPlan("and", tuple(preds))

    def _logical(self, name: str, members: Any, where: str, prefix: str) -> Plan:
        if not isinstance(members, (list, tuple)) or not members:
            raise QueryError(f"{name} needs a non-empty array of objects", where)
        plans = tuple(self.plan(m, f"{where}[{i}]", prefix) for i, m in enumerate(members))
        if name == "$or" and (merged := _equalities_as_in(plans)) is not None:
            return merged
        op: Literal["and", "or", "nor"] = (
            "and" if name == "$and" else "or" if name == "$or" else "nor"
        )
        return BoolPlan(op, plans)

    def _field(self, name: str, value: Any, where: str, prefix: str) -> Plan:
        parts = split_path(name, where)
        full = f"{prefix}.{name}" if prefix else name
        self.paths.add(full)
        saved, self.prefix = self.prefix, full
        try:
            return FieldPlan(parts, self.condition(value, where))
        finally:
            self.prefix = saved

    def condition(self, value: Any, where: str) -> Cond:
        """The condition a field's value states: operators, a regex, or equality."""
        if isinstance(value, Mapping) and value:
            first = next(iter(value))
            if isinstance(first, str) and first.startswith("$"):
                return self.operator_object(value, where)
        if isinstance(value, Regex):
            return Leaf(self.regex(value, where))
        return FIELD_OPERATORS["$eq"](self, value, where)

    def operator_object(self, obj: Mapping[str, Any], where: str) -> Cond:
        """``{$gt: 1, $lt: 5}``: every operator must hold (each with its own traversal)."""
        conds: list[Cond] = []
        for key, operand in obj.items():
            at = join_path(where, str(key))
            if not isinstance(key, str) or not key.startswith("$"):
                raise QueryError(f"cannot mix operators and field names ({key!r})", at)
            if key == "$regex":
                conds.append(Leaf(self._regex_operator(operand, obj.get("$options"), where)))
            elif key == "$options":
                if "$regex" not in obj:
                    raise QueryError("$options needs a $regex", at)
            elif key in FIELD_OPERATORS:
                conds.append(FIELD_OPERATORS[key](self, operand, at))
            else:
                raise unsupported(key, at)
        return conds[0] if len(conds) == 1 else AllOf(conds)

    def _regex_operator(self, pattern: Any, options: Any, where: str) -> Test:
        at = join_path(where, "$regex")
        if options is not None:
            if not isinstance(options, str):
                raise QueryError("$options must be a string", join_path(where, "$options"))
            check_options(options, join_path(where, "$options"))
        if isinstance(pattern, Regex):
            if pattern.flags and options:
                raise QueryError("options set in both $regex and $options", at)
            return self.regex(Regex(pattern.pattern, pattern.flags or options or ""), at)
        if not isinstance(pattern, str):
            raise QueryError("$regex needs a string or a regular expression", at)
        return self.regex(Regex(pattern, options or ""), at)

    def regex(self, value: Regex, where: str) -> Test:
        """A compiled regex predicate for ``value`` (strings searched, regex values compared)."""
        search = compile_regex(value.pattern, value.flags, where, self.limits).test
        return regex_matches(search, value)

    def literal(self, value: Any, where: str) -> Any:
        """A value the query compares with: any BSON value, documents without ``$`` keys."""
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise QueryError("field names must be strings", where)
                at = join_path(where, key)
                if key.startswith("$"):
                    raise unsupported(key, at)
                self.literal(item, at)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                self.literal(item, f"{where}[{i}]")
        elif type(value) is int and not _INT64[0] <= value <= _INT64[1]:
            raise QueryError("integer is out of the 64-bit range", where)
        elif type_rank(value) == UNKNOWN:
            raise QueryError(f"values of type {type(value).__name__} cannot be queried", where)
        return value


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
    return FieldPlan(first.parts, Leaf(one_of(operands, [])))


def _normalise(query: Any) -> Any:
    """Decode Extended JSON and turn Python ``re`` patterns into :class:`Regex` values."""
    if isinstance(query, re.Pattern):
        return Regex(*regex_parts(query))
    if isinstance(query, Decimal) and query.is_snan():
        return Decimal("NaN")  # a signalling NaN raises when compared; it means NaN here
    if isinstance(query, Mapping):
        return {k: _normalise(v) for k, v in query.items()}
    if isinstance(query, (list, tuple)):
        return [_normalise(v) for v in query]
    return query


def _freeze(value: Any) -> Any:
    """A hashable, type-exact image of a query, for the compile cache."""
    if isinstance(value, Mapping):
        return ("d", tuple((type(k), k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("l", tuple(_freeze(v) for v in value))
    if isinstance(value, _dt.datetime):
        return (type(value), value, value.tzinfo)
    return (type(value), value)


def _thaw(frozen: Any) -> Any:
    tag, body = frozen[0], frozen[1]
    if tag == "d":
        return {k: _thaw(v) for _, k, v in body}
    if tag == "l":
        return [_thaw(v) for v in body]
    return body


def _compile(query: Mapping[str, Any], limits: Limits) -> Filter:
    decoded = _normalise(ejson.decode(query))
    compiler = Compiler(limits)
    plan = compiler.plan(decoded, "")
    pred = generate(plan) or to_closure(plan)
    # A fresh function object, so that attributes never land on a closure another filter shares.
    match = types.FunctionType(
        pred.__code__, pred.__globals__, "match", pred.__defaults__, pred.__closure__
    )
    match.paths = frozenset(compiler.paths)  # type: ignore[attr-defined]
    return cast(Filter, match)


CACHED_MAX_NODES = 256
"""Larger queries are compiled afresh each time, so the cache (1,024 entries) stays small."""


@lru_cache(maxsize=1024)
def _compile_frozen(frozen: Any, limits: Limits) -> Filter:
    return _compile(_thaw(frozen), limits)


def compile_filter(query: Mapping[str, Any], *, limits: Limits | None = None) -> Filter:
    """Compile a MongoDB query document into a predicate ``doc -> bool``.

    Raises :class:`QueryError` (with ``.path``) for anything MongoDB would reject, for the
    operators this engine refuses to run (``$where``, ``$expr``, ...) and for limit breaches.
    """
    limits = limits or DEFAULT_LIMITS
    if not isinstance(query, Mapping):
        raise QueryError(f"a query must be an object, not {type(query).__name__}")
    if check_shape(query, limits, "query") > CACHED_MAX_NODES:
        return _compile(query, limits)
    try:
        frozen = _freeze(query)
        hash(frozen)
    except TypeError:
        return _compile(query, limits)
    return _compile_frozen(frozen, limits)
