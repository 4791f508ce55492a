"""``compile_filter``: validate a query once, then match documents with plain closures."""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, cast

from . import ejson
from .bson import CODE, CODE_WITH_SCOPE, REGEX, UNKNOWN, Regex, regex_parts, type_rank
from .budget import LITERAL_CALL, RECORD, REGEX_CALL
from .cache import ByteBoundedCache
from .codegen import Scan, TopScan, generate
from .errors import LimitError, QueryError, join_path
from .limits import DEFAULT_LIMITS, Limits, shape_key, thaw
from .operators import OPERATORS, FieldFn, QueryFn, is_dbref, operator, unsupported
from .paths import DocPred, split_path
from .predicates import Test, regex_matches
from .regex import compile_regex
from .tree import (
    AllOf,
    BoolPlan,
    Cond,
    FieldPlan,
    Leaf,
    Plan,
    bind_plan,
    operand_key,
    plan_cost,
    to_closure,
)

_INT64 = (-(2**63), 2**63 - 1)


class Filter(Protocol):
    """A compiled query: ``filter(doc) -> bool``."""

    paths: frozenset[str]
    """Every field path the query reads (for access checks such as redaction)."""
    native_bytes: int
    """Memory its regular expressions hold outside Python (RE2 programs and DFA budgets)."""
    cost: int
    """Work units one call takes on a record whose paths each yield one value (the static cost
    per record, :mod:`.budget`); arrays, deep paths and regex calls charge the rest as they run."""

    def __call__(self, doc: Mapping[str, Any], /) -> bool: ...


class Compiler:
    """Turns one decoded query into a plan in one walk, checking and counting it on the way."""

    def __init__(self, limits: Limits, params: bool = False) -> None:
        self.limits = limits
        self.params = params
        self.paths: set[str] = set()
        self.prefix = ""
        self.conditions = 0
        self.regexes = 0
        self.native_bytes = 0

    def count(self, where: str, conditions: int = 1, regexes: int = 0) -> None:
        """Count what one construct evaluates per record, against the limits."""
        self.conditions += conditions
        self.regexes += regexes
        limit = self.limits.max_conditions
        if limit is not None and self.conditions > limit:
            raise LimitError(f"evaluates {self.conditions} conditions per record, over "
                             f"max_conditions ({limit})", where)
        limit = self.limits.max_regexes
        if limit is not None and self.regexes > limit:
            raise LimitError(f"runs {self.regexes} regular expressions per record, over "
                             f"max_regexes ({limit})", where)

    def plan(self, query: Any, where: str, prefix: str = "") -> Plan:
        """A whole query object (top level, ``$and`` member or ``$elemMatch`` document)."""
        if not isinstance(query, Mapping):
            raise QueryError("a query must be an object", where)
        preds: list[Plan] = []
        for key, value in query.items():
            if not isinstance(key, str):
                raise QueryError(f"field names must be strings, not {type(key).__name__}", where)
            at = join_path(where, key)
            if key.startswith("$"):
                compile_query = cast(QueryFn, operator(key, at, "query").compile)
                if (compiled := compile_query(self, value, at, prefix)) is not None:
                    preds.append(compiled)
            else:
                preds.append(self._field(key, value, at, prefix))
        return preds[0] if len(preds) == 1 else BoolPlan("and", tuple(preds))

    def _field(self, name: str, value: Any, where: str, prefix: str) -> Plan:
        parts = split_path(name, where)
        full = f"{prefix}.{name}" if prefix else name
        self.paths.add(full)
        saved, self.prefix = self.prefix, full
        try:
            cond = self.condition(value, where)
        finally:
            self.prefix = saved
        try:
            key: Hashable = (full, operand_key(value))
        except TypeError:  # an unhashable operand: this condition is never shared
            key = None
        return FieldPlan(parts, cond, key)

    def condition(self, value: Any, where: str) -> Cond:
        """The condition a field's value states: operators, a regex, or equality."""
        if isinstance(value, Mapping) and value:
            first = next(iter(value))
            if isinstance(first, str) and first.startswith("$") and not is_dbref(value):
                return self.operator_object(value, where)
        if isinstance(value, Regex):
            return Leaf(self.regex(value, where))
        equality = cast(FieldFn, OPERATORS["$eq"].compile)(self, value, where, {})
        assert equality is not None
        return equality

    def operator_object(self, obj: Mapping[str, Any], where: str) -> Cond:
        """``{$gt: 1, $lt: 5}``: every operator must hold (each with its own traversal)."""
        conds: list[Cond] = []
        for key, operand in obj.items():
            at = join_path(where, str(key))
            if not isinstance(key, str) or not key.startswith("$"):
                raise QueryError(f"cannot mix operators and field names ({key!r})", at)
            compiled = cast(FieldFn, operator(key, at, "field").compile)(self, operand, at, obj)
            if compiled is not None:
                conds.append(compiled)
        return conds[0] if len(conds) == 1 else AllOf(conds)

    def regex(self, value: Regex, where: str) -> Test:
        """A compiled regex predicate for ``value`` (strings searched, regex values compared)."""
        self.count(where, 1, 1)
        compiled = compile_regex(value.pattern, value.flags, where, self.limits)
        self.native_bytes += compiled.native_bytes
        call_cost = LITERAL_CALL if compiled.kind == "literal" else REGEX_CALL
        return regex_matches(compiled.test, value, compiled.unit_cost, call_cost,
                             compiled.inline)

    def literal(self, value: Any, where: str) -> Any:
        """A value the query compares with: any BSON value, documents without ``$`` keys."""
        if isinstance(value, Mapping):
            dbref = is_dbref(value)
            for key, item in value.items():
                if not isinstance(key, str):
                    raise QueryError("field names must be strings", where)
                at = join_path(where, key)
                if key.startswith("$") and not dbref:
                    raise unsupported(key, at)
                self.literal(item, at)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                self.literal(item, f"{where}[{i}]")
        elif type(value) is int and not _INT64[0] <= value <= _INT64[1]:
            raise QueryError("integer is out of the 64-bit range", where)
        elif (rank := type_rank(value)) == UNKNOWN:
            raise QueryError(f"values of type {type(value).__name__} cannot be queried", where)
        elif rank in (CODE, CODE_WITH_SCOPE):
            raise QueryError("JavaScript code ($code, bson.Code) is not allowed in a query: "
                             "this engine neither runs nor matches code", where)
        return value


def _normalise(query: Any) -> Any:
    """Turn Python ``re`` patterns and ``bson.Regex`` values into :class:`Regex` values."""
    if isinstance(query, re.Pattern) or (type_rank(query) == REGEX and type(query) is not Regex):
        return Regex(*regex_parts(query))
    if isinstance(query, Decimal) and query.is_snan():
        return Decimal("NaN")  # a signalling NaN raises when compared; it means NaN here
    if isinstance(query, Mapping):
        return {k: _normalise(v) for k, v in query.items()}
    if isinstance(query, (list, tuple)):
        return [_normalise(v) for v in query]
    return query


def _compile(query: Mapping[str, Any], limits: Limits) -> Filter:
    compiler = Compiler(limits)
    plan = compiler.plan(_normalise(ejson.decode(query)), "")
    generated = generate(plan)
    pred = generated.match if generated is not None else to_closure(plan)
    return _as_filter(pred, frozenset(compiler.paths), RECORD + plan_cost(plan),
                      compiler.native_bytes)


def _as_filter(pred: DocPred, paths: frozenset[str], cost: int, native_bytes: int) -> Filter:
    # A fresh function object, so that attributes never land on a closure another filter shares.
    match = types.FunctionType(
        pred.__code__, pred.__globals__, "match", pred.__defaults__, pred.__closure__
    )
    match.paths = paths  # type: ignore[attr-defined]
    match.cost = cost  # type: ignore[attr-defined]
    match.native_bytes = native_bytes  # type: ignore[attr-defined]
    return cast(Filter, match)


class Template:
    """Queries compiled as one filter (their conjunction), with the values of its
    :class:`~.tree.Param` placeholders bound per call (:meth:`bind`, :meth:`scan`)."""

    def __init__(self, parts: Sequence[tuple[Mapping[str, Any], Limits]]) -> None:
        plans, paths = [], set()
        self.cost = self.native_bytes = self.nodes = 0
        for query, limits in parts:
            self.nodes += shape_key(query, limits)[1]
            compiler = Compiler(limits, params=True)
            plans.append(compiler.plan(_normalise(ejson.decode(query)), ""))
            paths |= compiler.paths
            # Each part is charged as the filter it would be on its own.
            self.cost += RECORD + plan_cost(plans[-1])
            self.native_bytes += compiler.native_bytes
        self.paths = frozenset(paths)
        self._plan: Plan = plans[0] if len(plans) == 1 else BoolPlan("and", tuple(plans))
        self._generated = generate(self._plan)
        self._constant: Filter | None = None  # the filter, when it has no parameters

    def bind(self, values: Mapping[str, str]) -> Filter:
        """The filter for these parameter values."""
        generated = self._generated
        if generated is None:
            pred = to_closure(bind_plan(self._plan, values))
        elif generated.constant:
            if self._constant is None:
                self._constant = _as_filter(generated.match, self.paths, self.cost,
                                            self.native_bytes)
            return self._constant
        else:
            pred = generated.bind(generated.match, values)
        return _as_filter(pred, self.paths, self.cost, self.native_bytes)

    def scan(self, values: Mapping[str, str]) -> Scan | None:
        """The filter as one loop over a list (:data:`.codegen.Scan`), for these parameter
        values; None when it is not generated code."""
        generated = self._generated
        if generated is None:
            return None
        return cast(Scan, generated.bind(generated.scan, values))

    def top_scan(self, fields: tuple[str, ...], descending: bool, dates: tuple[bool, ...],
                 values: Mapping[str, str]) -> TopScan | None:
        """:meth:`scan` that also picks the candidates of a sort by ``fields``
        (:data:`.codegen.TopScan`); None when the filter is not generated code."""
        generated = self._generated
        if generated is None:
            return None
        return cast(TopScan, generated.bind(generated.top(fields, descending, dates), values))


def compile_template(parts: Callable[[], Sequence[tuple[Mapping[str, Any], Limits]]],
                     key: Hashable | None = None) -> Template:
    """The conjunction of the queries ``parts()`` gives, each checked against its own limits
    (raising :class:`QueryError` as :func:`compile_filter` would), as one :class:`Template`.

    ``key``, when given, stands for those parts exactly (as type-exact as
    :func:`.limits.shape_key`) and the template is kept in the compile cache under it.
    """
    if key is None:
        return Template(parts())

    def make() -> tuple[Template, int]:
        queries = parts()
        template = Template(queries)
        if template.nodes > CACHED_MAX_NODES:  # too large to keep: over the cache's bound
            return template, FILTER_CACHE.max_bytes
        return template, (_FIXED_BYTES * len(queries) + _BYTES_PER_VALUE * template.nodes
                          + template.native_bytes)

    return cast(Template, FILTER_CACHE.get_or_make(("template", key), make))


CACHED_MAX_NODES = 256
"""Larger queries are compiled afresh each time."""

CACHE_BYTES = 64 * 2**20
"""What the compiled filters kept for reuse may hold, native regex memory included."""
_FIXED_BYTES, _BYTES_PER_VALUE = 8_192, 600  # a generated function, its plan and its key

FILTER_CACHE: ByteBoundedCache[Any] = ByteBoundedCache(CACHE_BYTES)
"""The compile cache, keyed by a query's type-exact image and its limits (filters and
:class:`Template` objects)."""


def _compile_sized(frozen: Any, nodes: int, limits: Limits) -> tuple[Filter, int]:
    compiled = _compile(thaw(frozen), limits)
    size = _FIXED_BYTES + _BYTES_PER_VALUE * nodes + compiled.native_bytes
    return compiled, size


def compile_filter(query: Mapping[str, Any], *, limits: Limits | None = None) -> Filter:
    """Compile a MongoDB query document into a predicate ``doc -> bool``.

    Raises :class:`QueryError` (with ``.path``) for anything MongoDB would reject, for the
    operators this engine refuses to run (``$where``, ``$expr``, ...) and for limit breaches.
    """
    limits = limits or DEFAULT_LIMITS
    if not isinstance(query, Mapping):
        raise QueryError(f"a query must be an object, not {type(query).__name__}")
    frozen, nodes = shape_key(query, limits)
    if nodes > CACHED_MAX_NODES:
        return _compile(query, limits)
    try:
        hash(frozen)
    except TypeError:
        return _compile(query, limits)
    return cast(Filter, FILTER_CACHE.get_or_make((frozen, limits),
                                                 lambda: _compile_sized(frozen, nodes, limits)))
