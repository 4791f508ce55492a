"""The compiled query tree: field conditions (:class:`Cond`) under ``and``/``or``/``nor`` nodes.

A field operator compiles to a :class:`Cond`. The same condition is used in two places: on a
document path (with MongoDB's array traversal, :mod:`.paths`) and, inside a value-form
``$elemMatch``, on a single array element as it is. A whole query is a :data:`Plan`: a
:class:`FieldPlan` (a condition on one path) or a :class:`BoolPlan` over plans. The tree runs as
closures (:func:`to_closure`, the reference) or as generated code (:mod:`.codegen`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from .budget import VALUE
from .paths import DocPred, ValuePred, exists_matcher, path_matcher
from .predicates import Test


class Cond:
    """A compiled condition on one field."""

    def on_path(self, parts: tuple[str, ...]) -> DocPred:
        """The document predicate: does any value at ``parts`` satisfy the condition?"""
        raise NotImplementedError

    def on_value(self) -> ValuePred:
        """The predicate on one value, without array traversal."""
        raise NotImplementedError


@dataclass(frozen=True)
class Leaf(Cond):
    """Any value the path yields passes ``test``; ``whole_arrays`` leaves leaf arrays whole."""

    test: Test
    whole_arrays: bool = False

    def on_path(self, parts: tuple[str, ...]) -> DocPred:
        return path_matcher(parts, self.test.pred, not self.whole_arrays, self.test.cost)

    def on_value(self) -> ValuePred:
        return self.test.pred


@dataclass(frozen=True)
class Exists(Cond):
    """``$exists: true``: the path yields a value."""

    def on_path(self, parts: tuple[str, ...]) -> DocPred:
        return exists_matcher(parts)

    def on_value(self) -> ValuePred:
        return lambda value: True


@dataclass(frozen=True)
class Not(Cond):
    """The complement, taken over the whole path (``$ne``, ``$nin``, ``$not``)."""

    inner: Cond

    def on_path(self, parts: tuple[str, ...]) -> DocPred:
        pred = self.inner.on_path(parts)
        return lambda doc: not pred(doc)

    def on_value(self) -> ValuePred:
        pred = self.inner.on_value()
        return lambda value: not pred(value)


@dataclass(frozen=True)
class AllOf(Cond):
    """Every condition holds, each with its own traversal (``{$gt: 1, $lt: 5}``, ``$all``)."""

    conds: Sequence[Cond]

    def on_path(self, parts: tuple[str, ...]) -> DocPred:
        return all_of([c.on_path(parts) for c in self.conds])

    def on_value(self) -> ValuePred:
        return all_of([c.on_value() for c in self.conds])


def all_of(preds: Sequence[DocPred]) -> DocPred:
    """Conjunction, specialised for the short lists that dominate real queries."""
    if not preds:
        return lambda doc: True
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        first, second = preds
        return lambda doc: first(doc) and second(doc)
    items = tuple(preds)
    return lambda doc: all(p(doc) for p in items)


def any_of(preds: Sequence[DocPred]) -> DocPred:
    """Disjunction, specialised like :func:`all_of`."""
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        first, second = preds
        return lambda doc: first(doc) or second(doc)
    items = tuple(preds)
    return lambda doc: any(p(doc) for p in items)


@dataclass(frozen=True)
class Param:
    """A string placeholder bound per call (:func:`bind_plan`): ``{"a": Param("user")}``
    compiles once for every string; only equality takes one."""

    name: str


class UnboundParam(Exception):
    """A :class:`Param` met where only a bound value can stand."""


@dataclass(frozen=True)
class ParamEq(Cond):
    """Equality with a :class:`Param`; ``make`` builds the condition for a bound value."""

    param: Param
    make: Callable[[str], Cond]

    def on_path(self, parts: tuple[str, ...]) -> DocPred:
        raise UnboundParam(self.param.name)

    def on_value(self) -> ValuePred:
        raise UnboundParam(self.param.name)


@dataclass(frozen=True)
class FieldPlan:
    """A condition on the values of one dotted path; ``key`` is a type-exact image of the path
    and the operand as written (None: unknown), so that equal keys are the same condition."""

    parts: tuple[str, ...]
    cond: Cond
    key: Hashable = field(default=None, compare=False)


@dataclass(frozen=True)
class BoolPlan:
    """``and`` of a query object's conditions, or a ``$and`` / ``$or`` / ``$nor`` list.

    ``cost`` overrides :func:`plan_cost` for a plan factored from another (:func:`factor_or`):
    the query as written is what is charged."""

    op: Literal["and", "or", "nor"]
    children: tuple[Plan, ...]
    cost: int | None = field(default=None, compare=False)


Plan = FieldPlan | BoolPlan


def cond_cost(cond: Cond) -> int:
    """Work units a condition may take on one value (regex calls charge their own)."""
    if isinstance(cond, Leaf):
        return cond.test.cost
    if isinstance(cond, Not):
        return cond_cost(cond.inner)
    if isinstance(cond, AllOf):
        return sum(cond_cost(c) for c in cond.conds)
    return VALUE


def plan_cost(plan: Plan) -> int:
    """Work units a plan takes on a document whose paths each yield one value: the static cost
    per record; values beyond the first on a path are charged as they are visited."""
    if isinstance(plan, FieldPlan):
        return VALUE * (len(plan.parts) - 1) + cond_cost(plan.cond)
    if plan.cost is not None:
        return plan.cost
    return sum(plan_cost(child) for child in plan.children)


def to_closure(plan: Plan) -> DocPred:
    """The plan as a tree of closures (always available; :mod:`.codegen` is the fast path)."""
    if isinstance(plan, FieldPlan):
        return plan.cond.on_path(plan.parts)
    preds = [to_closure(child) for child in plan.children]
    if plan.op == "and":
        return all_of(preds)
    either = any_of(preds)
    if plan.op == "or":
        return either
    return lambda doc: not either(doc)


def bind_plan(plan: Plan, values: Mapping[str, Any]) -> Plan:
    """``plan`` with every :class:`Param` replaced by its value in ``values``."""
    if isinstance(plan, FieldPlan):
        cond = _bind_cond(plan.cond, values)
        return plan if cond is plan.cond else FieldPlan(plan.parts, cond, plan.key)
    children = tuple(bind_plan(child, values) for child in plan.children)
    return BoolPlan(plan.op, children, plan.cost)


def _bind_cond(cond: Cond, values: Mapping[str, Any]) -> Cond:
    if isinstance(cond, ParamEq):
        value = values[cond.param.name]
        if type(value) is not str:
            raise TypeError(f"parameter {cond.param.name!r} must be a str")
        return cond.make(value)
    if isinstance(cond, Not):
        inner = _bind_cond(cond.inner, values)
        return cond if inner is cond.inner else Not(inner)
    if isinstance(cond, AllOf):
        conds = [_bind_cond(c, values) for c in cond.conds]
        return cond if all(a is b for a, b in zip(conds, cond.conds, strict=True)) else AllOf(conds)
    return cond


# --- factoring $or ---------------------------------------------------------------------------

_MAX_ABSORB = 16  # pairwise branch comparisons beyond this many branches are not worth it


def operand_key(value: Any) -> Hashable:
    """A hashable image of a query operand under which two operands are equal only when every
    operator treats them alike (type-exact; floats by ``repr``, so ``-0.0`` and ``NaN`` stay
    apart; dates with their offset and ``fold``). Raises TypeError for an unhashable value."""
    if isinstance(value, Mapping):
        return ("d", tuple((type(k), k, operand_key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("l", tuple(operand_key(v) for v in value))
    if isinstance(value, Param):
        return ("p", value)
    kind = type(value)
    if kind is float or kind is Decimal:
        return (kind, repr(value))
    if isinstance(value, _dt.datetime):
        return (kind, value.isoformat(), value.fold, id(value.tzinfo))
    key = (kind, value)
    hash(key)
    return key


def _signature(plan: Plan) -> Hashable:
    if isinstance(plan, FieldPlan):
        return ("f", plan.key) if plan.key is not None else ("id", id(plan))
    return (plan.op, tuple(_signature(child) for child in plan.children))


def _conjuncts(plan: Plan) -> tuple[Plan, ...]:
    return plan.children if isinstance(plan, BoolPlan) and plan.op == "and" else (plan,)


def _conjunction(plans: Sequence[Plan]) -> Plan:
    return plans[0] if len(plans) == 1 else BoolPlan("and", tuple(plans))


def factor_or(branches: tuple[Plan, ...],
              disjunction: Callable[[tuple[Plan, ...]], Plan]) -> Plan | None:
    """``$or`` of ``branches`` rewritten by two laws of Boolean algebra, or None if neither
    applies: a branch whose conjuncts include all of another's is dropped (``A or (A and B)``
    is ``A``), and a conjunct common to every branch is taken out (``(A and B) or (A and C)``
    is ``A and (B or C)``). ``disjunction`` builds the ``$or`` of what is left. The result is
    charged what the branches as written cost."""
    sigs = [[_signature(c) for c in _conjuncts(b)] for b in branches]
    sets = [frozenset(s) for s in sigs]
    keep = list(range(len(branches)))
    if len(branches) <= _MAX_ABSORB:
        keep = [j for j in keep if not any(
            sets[i] <= sets[j] and (sets[i] != sets[j] or i < j) for i in keep if i != j)]
    common = frozenset.intersection(*(sets[j] for j in keep))
    if len(keep) == len(branches) and not common:
        return None
    cost = sum(plan_cost(b) for b in branches)
    first = keep[0]
    pairs = zip(_conjuncts(branches[first]), sigs[first], strict=True)
    hoisted = [c for c, s in pairs if s in common]
    rests = []
    for j in keep:
        rest = [c for c, s in zip(_conjuncts(branches[j]), sigs[j], strict=True) if s not in common]
        if not rest:  # this branch is just the common part: the rest is always true
            return BoolPlan("and", tuple(_dedupe(hoisted)), cost)
        rests.append(_conjunction(rest))
    tail = rests[0] if len(rests) == 1 else disjunction(tuple(rests))
    return BoolPlan("and", (*_dedupe(hoisted), tail), cost)


def _dedupe(plans: list[Plan]) -> list[Plan]:
    seen: set[Hashable] = set()
    out = []
    for plan in plans:
        sig = _signature(plan)
        if sig not in seen:
            seen.add(sig)
            out.append(plan)
    return out
