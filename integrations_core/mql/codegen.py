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
import types
from collections.abc import Callable, Mapping
from typing import Any

from .bson import AWARE_ZONES, FIXED_ZONES, MISSING
from .budget import current, hoist_charges, inline_charge
from .paths import ARRAY_TYPES
from .predicates import Test
from .tree import AllOf, Cond, Exists, FieldPlan, Leaf, Not, ParamEq, Plan, UnboundParam

_COMPARISON = re.compile(r"\(v\d+ (?:==|is) _\d+\)")
"""An inline test that only compares the value with a constant: the fetch can be its operand."""
_HINTS = frozenset({str, bool, int, float, _dt.datetime})

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
            "CURRENT": current,
        }
        self.late: dict[str, Callable[[Mapping[str, Any]], Any]] = {}
        """Names whose value depends on the parameters (:class:`~.tree.Param`) bound per call."""
        self.terms = 0

    def bind(self, value: Any) -> str:
        name = f"_{len(self.names)}"
        self.names[name] = value
        return name

    def bind_late(self, make: Callable[[Mapping[str, Any]], Any]) -> str:
        name = self.bind(None)
        self.late[name] = make
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
        cond, const = plan.cond, None
        if isinstance(cond, ParamEq):
            # The test of any value of the parameter's type, with the value a late name.
            param, make, parts = cond.param, cond.make, plan.parts
            cond = make("")
            const = self.bind_late(lambda values: values[param.name])
            slow = self.bind_late(lambda values: make(values[param.name]).on_path(parts))
        else:
            slow = self.bind(cond.on_path(plan.parts))
        if len(plan.parts) == 1 and (dates := _date_tests(cond)):
            # A datetime is never an array: its class settles the common case first.
            value = f"({var} := doc.get({self.bind(plan.parts[0])}, MISSING))"
            return self.date_range(dates, var, value, f"{var} is not MISSING and {slow}(doc)")
        inline = self.scalar_test(cond, var, const)
        if inline is None:
            return f"{slow}(doc)"
        fetch, source = [], "doc"
        for part in plan.parts[:-1]:
            step = f"({var} := {source}.get({self.bind(part)}, MISSING))"
            fetch.append(f"{step}.__class__ is not dict")
            source = var
        last = f"({var} := {source}.get({self.bind(plan.parts[-1])}, MISSING))"
        if isinstance(cond, Leaf):
            # The inline test of an array is the test of the array itself, one of the values the
            # path yields, so a pass settles it; only a failed array needs the elements.
            array = slow + "(doc)"
            if cond.test.in_array and not fetch:
                # The closures charge the elements they test; so does this inline form.
                charge = inline_charge("CURRENT", f"{self.bind(cond.test.cost)} * len({var})")
                test = cond.test.in_array.format(v=var, c=const or self.bind(cond.test.const))
                array = f"({charge} or {test})"
            if _COMPARISON.fullmatch(inline) and inline.startswith(f"({var} "):
                head = f"({last}{inline[1 + len(var):]}"  # the fetch is the first operand
            else:
                head = f"{last} is not UNSET and {inline}"
            found = f"({head} or {self.not_of(cond, var)}{var}.__class__ in ARR and {array})"
            if not fetch:
                return found
            return f"({slow}(doc) if {' or '.join(fetch)} else {found})"
        hint = self.not_of(cond, last)  # holds the fetch, when there is a hint
        fetch.append(f"{hint}{var}.__class__ in ARR" if hint else f"{last}.__class__ in ARR")
        return f"({slow}(doc) if {' or '.join(fetch)} else {inline})"

    def not_of(self, cond: Cond, v: str) -> str:
        """``v.__class__ is not K and `` for the class ``K`` of the condition's operand (the
        class a value that fails the test most likely has: it is never an array), or ''."""
        while isinstance(cond, Not):
            cond = cond.inner
        kind = cond.test.const.__class__ if isinstance(cond, Leaf) else None
        return f"{v}.__class__ is not {self.bind(kind)} and " if kind in _HINTS else ""

    def scalar_test(self, cond: Cond, v: str, const: str | None = None) -> str | None:
        """An expression for the condition on one non-array value, or None to use closures;
        ``const`` names the operand of a parameter's test (the value is not known yet)."""
        if isinstance(cond, Leaf):
            if cond.whole_arrays:
                return None
            test = cond.test
            template = test.inline or "{slow}({v})"
            names = {"v": v, "c": "", "a": "", "slow": ""}
            if "{c}" in template:
                names["c"] = const or self.bind(test.const)
            if "{a}" in template:
                names["a"] = self.bind(test.aware)
            for i, value in enumerate(test.extra):
                names[f"x{i}"] = self.bind(value)
            if "{slow}" in template:
                if const is not None:  # the parameter's own closure is not known yet either
                    return None
                names["slow"] = self.bind(test.pred)
            return "(" + template.format(**names) + ")"
        if isinstance(cond, Exists):
            return f"({v} is not MISSING)"
        if isinstance(cond, Not):
            inner = self.scalar_test(cond.inner, v)
            return None if inner is None else f"(not {inner})"
        if isinstance(cond, AllOf):
            dates = _date_tests(cond)
            if dates:
                return self.date_range(dates, v)
            tests = [self.scalar_test(c, v) for c in cond.conds]
            if any(t is None for t in tests):
                return None
            return "(" + " and ".join(t for t in tests if t is not None) + ")"
        return None


    def date_range(self, tests: list[Test], v: str, value: str | None = None,
                   other: str | None = None) -> str:
        """Date orderings on one value ``v`` (``{$gte: a, $lt: b}``) under one dispatch on its
        class (and its zone's): the inline forms of the tests, joined. ``value`` is the
        expression that assigns ``v`` (``v`` itself by default); ``other`` the test of a value
        that is not a datetime (the tests' closures by default)."""
        naive = " and ".join(f"{v} {t.date_op} {self.bind(t.const)}" for t in tests)
        aware = " and ".join(f"{v} {t.date_op} {self.bind(t.aware)}" for t in tests)
        slow = " and ".join(f"{self.bind(t.pred)}({v})" for t in tests)
        other = other or f"{v} is not MISSING and {slow}"
        return (f"((({naive}) if ({v}z := {v}.tzinfo) is None else ({aware})"
                f" if {v}z is UTC or {v}z.__class__ in AWARE else {slow})"
                f" if {value or v}.__class__ is DT else {other})")


def _date_tests(cond: Cond) -> list[Test]:
    """The tests of a conjunction of two or more date orderings (``$gt``... with a datetime
    operand), or []."""
    if not isinstance(cond, AllOf) or len(cond.conds) < 2:
        return []
    dates = [c.test for c in cond.conds
             if isinstance(c, Leaf) and not c.whole_arrays and c.test.date_op]
    return dates if len(dates) == len(cond.conds) else []


Scan = Callable[[list[Any], list[Any]], None]
"""``scan(chunk, kept)``: append the documents of ``chunk`` that match to ``kept`` (one loop,
no call per document)."""


TopScan = Callable[[list[Any], list[Any], list[Any], list[Any], Any, tuple[type, ...]], bool]
"""``top(chunk, kept, cand, vals, bound, kinds)``: :data:`Scan`, and while every match's sort
fields are of the classes ``kinds`` (naive, for dates), the matches whose first field is not
past ``bound`` (None: no bound yet) appended to ``cand`` and that field to ``vals``; returns
whether every match's fields were."""


class Generated:
    """A plan as generated code: its predicate, its scan over a list of documents, and scans
    that also pick a sort's candidates (:meth:`top`).

    Each is made once; binding the parameters only replaces their default arguments.
    """

    def __init__(self, body: str, source: _Source) -> None:
        self._names, self._late = source.names, source.late
        self.constant = not source.late
        """Whether the code has no parameters (binding gives its functions back as they are)."""
        self.match = _define("match", "doc", f"    return {body}\n", source.names,
                             source.late)
        meters, looped = hoist_charges(body)
        self._looped, self._meters = looped, meters
        self.scan: Scan = _define("scan", "chunk, kept", (
            f"{meters}"
            "    append = kept.append\n"
            "    for doc in chunk:\n"
            f"        if {looped}:\n"
            "            append(doc)\n"), source.names, None)
        self._tops: dict[tuple[tuple[str, ...], bool, tuple[bool, ...]], TopScan] = {}

    def top(self, fields: tuple[str, ...], descending: bool, dates: tuple[bool, ...]) -> TopScan:
        """The :data:`TopScan` for a sort by the top-level ``fields``, the first ``descending``
        or not (``dates``: which fields hold naive datetimes)."""
        found = self._tops.get((fields, descending, dates))
        if found is None:
            if len(self._tops) >= _MAX_TOPS:
                self._tops.clear()
            names = {**self._names, **{f"SORT_{i}": f for i, f in enumerate(fields)}}
            odd = []
            for i, date in enumerate(dates):
                value = f"(x{i} := doc.get(SORT_{i}, MISSING))" if i else "x0"
                odd.append(f"{value}.__class__ is not kinds{i}"
                           + (f" or x{i}.tzinfo is not None" if date else ""))
            past = ">=" if descending else "<="
            code = self._meters + "\n".join([
                "    " + "".join(f"kinds{i}, " for i in range(len(fields))) + "= kinds",
                "    append, add, add_value = kept.append, cand.append, vals.append",
                "    ok = True",
                "    for doc in chunk:",
                f"        if {self._looped}:",
                "            append(doc)",
                "            if ok:",
                "                x0 = doc.get(SORT_0, MISSING)",
                f"                if {' or '.join(odd)}:",
                "                    ok = False",
                f"                elif bound is None or x0 {past} bound:",
                "                    add(doc)",
                "                    add_value(x0)",
                "    return ok\n"])
            found = _define("top", "chunk, kept, cand, vals, bound, kinds", code, names, None)
            self._tops[fields, descending, dates] = found
        return found

    def __call__(self, doc: Mapping[str, Any]) -> bool:
        """:attr:`match` (for a plan without parameters)."""
        return bool(self.match(doc))

    def bind(self, function: Callable[..., Any], values: Mapping[str, Any]) -> Callable[..., Any]:
        """``function`` (:attr:`match` or :attr:`scan`) with the parameters' ``values`` bound."""
        code, given = function.__code__, function.__defaults__ or ()
        names = code.co_varnames[code.co_argcount - len(given):code.co_argcount]
        if not any(n in self._late for n in names):
            return function
        defaults = tuple(self._late[n](values) if n in self._late else d
                         for n, d in zip(names, given, strict=True))
        return types.FunctionType(code, function.__globals__, function.__name__, defaults)


_MAX_TOPS = 8  # sorts whose scans are kept per filter (each one compiled function)


def _define(name: str, args: str, code: str, names: dict[str, Any],
            late: Mapping[str, object] | None) -> Callable[..., Any]:
    # A loop (``late`` None) takes every constant as a default argument, read as a local (the
    # cheapest load) and copied once per call. A function called per document takes them as
    # its globals (a specialised global load costs nearly what a local one does, and nothing
    # per call) and only the names bound per call (``late``) as default arguments, which
    # :meth:`Generated.bind` replaces.
    used = set(re.findall(r"\b[A-Z_][A-Z0-9_]*\b", code))
    params = "".join(f", {n}={n}" for n in names
                     if n in used and (late is None or n in late))
    namespace = dict(names)
    exec(compile(f"def {name}({args}{params}):\n{code}", "<mql>", "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    return function


def generate(plan: Plan) -> Generated | None:
    """The generated code for ``plan``, or None where the closure tree should be used."""
    source = _Source()
    try:
        body = source.plan(plan)
        if source.terms > MAX_TERMS:
            return None
        return Generated(body, source)
    except (SyntaxError, RecursionError, MemoryError, UnboundParam):
        return None
