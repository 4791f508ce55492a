"""The compiled query tree: field conditions (:class:`Cond`) under ``and``/``or``/``nor`` nodes.

A field operator compiles to a :class:`Cond`. The same condition is used in two places: on a
document path (with MongoDB's array traversal, :mod:`.paths`) and, inside a value-form
``$elemMatch``, on a single array element as it is. A whole query is a :data:`Plan`: a
:class:`FieldPlan` (a condition on one path) or a :class:`BoolPlan` over plans. The tree runs as
closures (:func:`to_closure`, the reference) or as generated code (:mod:`.codegen`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
class FieldPlan:
    """A condition on the values of one dotted path."""

    parts: tuple[str, ...]
    cond: Cond


@dataclass(frozen=True)
class BoolPlan:
    """``and`` of a query object's conditions, or a ``$and`` / ``$or`` / ``$nor`` list."""

    op: Literal["and", "or", "nor"]
    children: tuple[Plan, ...]


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
