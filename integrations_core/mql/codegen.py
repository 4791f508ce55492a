"""Generated Python for a plan: one function per query, no calls on the common path.

A plan becomes a single boolean expression over ``doc``. Each field is fetched once with
``:=``; a scalar (non-array) value is tested inline; arrays, dotted paths that leave embedded
documents and uncommon value types fall back to the closures of :mod:`.conditions`, which
hold the full semantics. Query values and field names are bound as constants of the
generated function's namespace and never written into its source.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from .bson import AWARE_ZONES, FIXED_ZONES, MISSING
from .budget import charge
from .paths import ARRAY_TYPES, DocPred
from .predicates import Test
from .tree import AllOf, Cond, Exists, FieldPlan, Leaf, Not, Plan

MAX_TERMS = 200
"""Larger queries keep the closure tree: generated code would gain little and cost compile time."""


class _Source:
    def __init__(self) -> None:
        self.names: dict[str, Any] = {
            "MISSING": MISSING,
            "ARR": frozenset(ARRAY_TYPES),
            "NATNUM": frozenset((int, float)),
            "DT": _dt.datetime,
            "AWARE": AWARE_ZONES,
            "UTC": _dt.timezone.utc,
            "FIXED": FIXED_ZONES,
            "UNSET": object(),  # never stored anywhere: ``x is not UNSET`` just evaluates x
            "CHARGE": charge,
        }
        self.terms = 0

    def bind(self, value: Any) -> str:
        name = f"_{len(self.names)}"
        self.names[name] = value
        return name

    def plan(self, plan: Plan) -> str:
        if isinstance(plan, FieldPlan):
            return self.field(plan)
        if not plan.children:
            return "True"
        parts = [self.plan(child) for child in plan.children]
        if plan.op == "and":
            return "(" + " and ".join(parts) + ")"
        either = "(" + " or ".join(parts) + ")"
        return either if plan.op == "or" else f"(not {either})"

    def field(self, plan: FieldPlan) -> str:
        self.terms += 1
        if len(plan.parts) == 1 and isinstance(plan.cond, Exists):
            return f"({self.bind(plan.parts[0])} in doc)"
        var = f"v{self.terms}"
        inline = self.scalar_test(plan.cond, var)
        slow = self.bind(plan.cond.on_path(plan.parts))
        if inline is None:
            return f"{slow}(doc)"
        fetch, source = [], "doc"
        for part in plan.parts[:-1]:
            step = f"({var} := {source}.get({self.bind(part)}, MISSING))"
            fetch.append(f"{step}.__class__ is not dict")
            source = var
        last = f"({var} := {source}.get({self.bind(plan.parts[-1])}, MISSING))"
        cond = plan.cond
        if isinstance(cond, Leaf):
            # The inline test of an array is the test of the array itself, one of the values the
            # path yields, so a pass settles it; only a failed array needs the elements.
            array = slow + "(doc)"
            if cond.test.in_array and not fetch:
                # The closures charge the elements they test; so does this inline form.
                charge = f"CHARGE({self.bind(cond.test.cost)} * len({var}))"
                test = cond.test.in_array.format(v=var, c=self.bind(cond.test.const))
                array = f"({charge} or {test})"
            found = f"({last} is not UNSET and {inline} or {var}.__class__ in ARR and {array})"
            if not fetch:
                return found
            return f"({slow}(doc) if {' or '.join(fetch)} else {found})"
        fetch.append(f"{last}.__class__ in ARR")
        return f"({slow}(doc) if {' or '.join(fetch)} else {inline})"

    def scalar_test(self, cond: Cond, v: str) -> str | None:
        """An expression for the condition on one non-array value, or None to use closures."""
        if isinstance(cond, Leaf):
            if cond.whole_arrays:
                return None
            test = cond.test
            template = test.inline or "{slow}({v})"
            names = {"v": v, "c": "", "a": "", "slow": ""}
            if "{c}" in template:
                names["c"] = self.bind(test.const)
            if "{a}" in template:
                names["a"] = self.bind(test.aware)
            if "{slow}" in template:
                names["slow"] = self.bind(test.pred)
            return "(" + template.format(**names) + ")"
        if isinstance(cond, Exists):
            return f"({v} is not MISSING)"
        if isinstance(cond, Not):
            inner = self.scalar_test(cond.inner, v)
            return None if inner is None else f"(not {inner})"
        if isinstance(cond, AllOf):
            dates = [c.test for c in cond.conds
                     if isinstance(c, Leaf) and not c.whole_arrays and c.test.date_op]
            if len(dates) == len(cond.conds) > 1:
                return self.date_range(dates, v)
            tests = [self.scalar_test(c, v) for c in cond.conds]
            if any(t is None for t in tests):
                return None
            return "(" + " and ".join(t for t in tests if t is not None) + ")"
        return None


    def date_range(self, tests: list[Test], v: str) -> str:
        """Date orderings on one value (``{$gte: a, $lt: b}``) under one dispatch on its class
        (and its zone's): the inline forms of the tests, joined."""
        naive = " and ".join(f"{v} {t.date_op} {self.bind(t.const)}" for t in tests)
        aware = " and ".join(f"{v} {t.date_op} {self.bind(t.aware)}" for t in tests)
        slow = " and ".join(f"{self.bind(t.pred)}({v})" for t in tests)
        return (f"((({naive}) if ({v}z := {v}.tzinfo) is None else ({aware})"
                f" if {v}z is UTC or {v}z.__class__ in AWARE else {slow})"
                f" if {v}.__class__ is DT else {v} is not MISSING and {slow})")


def generate(plan: Plan) -> DocPred | None:
    """A generated predicate for ``plan``, or None where the closure tree should be used."""
    source = _Source()
    try:
        body = source.plan(plan)
        if source.terms > MAX_TERMS:
            return None
        namespace = dict(source.names)
        # Constants become default arguments (local loads are the cheapest Python has); only
        # the names the body uses, since every default is copied on every call.
        used = set(re.findall(r"\b[A-Z_][A-Z0-9_]*\b", body))
        params = "".join(f", {name}={name}" for name in source.names if name in used)
        code = f"def match(doc{params}):\n    return {body}\n"
        exec(compile(code, "<mql>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    match: DocPred = namespace["match"]
    return match
