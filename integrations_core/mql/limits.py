"""Size limits on a query, checked at compile time so that no request is slow or crashes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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

    def __post_init__(self) -> None:
        # Compiling recurses once or twice per level; past this Python's own stack would break.
        if not 1 <= self.max_depth <= MAX_DEPTH_CEILING:
            raise ValueError(f"max_depth must be between 1 and {MAX_DEPTH_CEILING}")
        for name in ("max_nodes", "max_list_length", "max_regex_length", "max_regex_program",
                     "max_regex_repeat"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")


MAX_DEPTH_CEILING = 100


DEFAULT_LIMITS = Limits()


def check_shape(value: object, limits: Limits, what: str = "query") -> int:
    """Reject a value nested deeper, or holding more values or longer lists, than ``limits``.

    Iterative, so that hostile nesting can never raise ``RecursionError``. Returns the number
    of values (objects, arrays and scalars) ``value`` holds.
    """
    stack: list[tuple[object, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise LimitError(f"{what} holds more than {limits.max_nodes} values")
        if isinstance(item, Mapping):
            children: Iterable[object] = item.values()
        elif isinstance(item, (list, tuple)):
            if len(item) > limits.max_list_length:
                raise LimitError(
                    f"{what} has a list of {len(item)} items, over {limits.max_list_length}"
                )
            children = item
        else:
            continue
        if depth > limits.max_depth:
            raise LimitError(f"{what} is nested deeper than {limits.max_depth} levels")
        stack.extend((child, depth + 1) for child in children)
    return nodes
