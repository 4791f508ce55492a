"""The validated shape of a query: field conditions combined by ``and`` / ``or`` / ``nor``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .conditions import Cond, all_of, any_of
from .paths import DocPred


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
