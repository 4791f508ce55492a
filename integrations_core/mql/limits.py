"""Size limits on a query, checked at compile time so that no request is slow or crashes."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import LimitError


@dataclass(frozen=True)
class Limits:
    """Bounds on the shape of a filter, sort or projection; each breach is a ``LimitError``."""

    max_depth: int = 32
    """Deepest nesting of objects and arrays in a query (a document is depth 1)."""
    max_nodes: int = 5_000
    """Most values (objects, arrays and scalars) a query may hold in all."""
    max_list_length: int = 1_000
    """Longest ``$in`` / ``$nin`` / ``$all`` list and longest ``$and`` / ``$or`` / ``$nor``."""
    max_regex_length: int = 1_000
    """Longest ``$regex`` pattern, in characters."""
    max_regex_program: int = 2_000
    """Largest compiled RE2 program (instructions) for a pattern that is not a plain literal.

    RE2 is linear in the text, but the factor is the program size once its DFA gives up:
    ``a.{999}`` is 8,000 instructions and costs about 8 ms per 1,000-character string;
    ``\\p{L}`` alone is 1,200 (UTF-8 ranges) and stays fast."""

    max_regex_repeat: int = 12
    """Largest repetition weight of a pattern: non-literal character positions in a row,
    counted (``{n}``), written out (``\\w\\w\\w``) or nested (``([a-z]{1,4}){5}`` weighs 20);
    literals break a run and alternatives take the largest (``regex.analysis.weight``).

    ``a.{n}c`` needs 2**n DFA states; past about 12 RE2 falls back to its NFA, which costs text
    length x program size."""

    max_conditions: int | None = None
    """Most conditions a query may evaluate per record (the counting rules are the ``counts``
    column of :mod:`.operators`); None: no limit."""
    max_regexes: int | None = None
    """Most regular expressions a query may run per record; None: no limit."""

    def __post_init__(self) -> None:
        # Compiling recurses once or twice per level; past this Python's own stack would break.
        if not 1 <= self.max_depth <= MAX_DEPTH_CEILING:
            raise ValueError(f"max_depth must be between 1 and {MAX_DEPTH_CEILING}")
        for name in ("max_nodes", "max_list_length", "max_regex_length", "max_regex_program",
                     "max_regex_repeat"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")
        for name in ("max_conditions", "max_regexes"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be positive or None")


MAX_DEPTH_CEILING = 100


DEFAULT_LIMITS = Limits()


def shape_key(value: object, limits: Limits) -> tuple[Any, int]:
    """One walk over a query: its shape checked against ``limits`` (depth, values, list lengths;
    a breach is a :class:`LimitError` naming the limit and the place) and a hashable,
    type-exact image of it for the compile cache. Returns ``(key, values)``.

    Recursion is bounded by ``max_depth`` (at most 100), checked before each descent.
    """
    nodes = 0
    trail: list[str] = []

    def walk(item: Any, depth: int) -> Any:
        nonlocal nodes
        nodes += 1
        if nodes > limits.max_nodes:
            raise LimitError(f"holds more than max_nodes ({limits.max_nodes}) values")
        if isinstance(item, Mapping):
            if depth > limits.max_depth:
                raise LimitError(f"is nested deeper than max_depth ({limits.max_depth})",
                                 _where(trail))
            out = []
            for key, child in item.items():
                trail.append(f".{key}")
                out.append((type(key), key, walk(child, depth + 1)))
                trail.pop()
            return ("d", tuple(out))
        if isinstance(item, (list, tuple)):
            if depth > limits.max_depth:
                raise LimitError(f"is nested deeper than max_depth ({limits.max_depth})",
                                 _where(trail))
            if len(item) > limits.max_list_length:
                raise LimitError(f"has {len(item)} items, over max_list_length "
                                 f"({limits.max_list_length})", _where(trail))
            items = []
            for i, child in enumerate(item):
                trail.append(f"[{i}]")
                items.append(walk(child, depth + 1))
                trail.pop()
            return ("l", tuple(items))
        if isinstance(item, _dt.datetime):
            # Equal datetimes can be different instants: a fold, a zone (they compare as wall
            # times when they share a tzinfo).
            return (type(item), item, item.tzinfo, item.fold)
        return (type(item), item)

    key = walk(value, 1)
    return key, nodes


def thaw(key: Any) -> Any:
    """The query a :func:`shape_key` stands for."""
    tag, body = key[0], key[1]
    if tag == "d":
        return {k: thaw(v) for _, k, v in body}
    if tag == "l":
        return [thaw(v) for v in body]
    return body


def _where(trail: list[str]) -> str:
    return "".join(trail).lstrip(".")
