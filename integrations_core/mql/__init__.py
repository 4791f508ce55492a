"""MongoDB's query language over in-memory documents: compile once, run many."""

from .errors import InputError, LimitError, QueryError
from .filter import Filter, compile_filter
from .find import find
from .limits import DEFAULT_LIMITS, Limits
from .projection import Projection, compile_projection
from .sort import Sort, compile_sort

__all__ = [
    "DEFAULT_LIMITS",
    "Filter",
    "InputError",
    "LimitError",
    "Limits",
    "Projection",
    "QueryError",
    "Sort",
    "compile_filter",
    "compile_projection",
    "compile_sort",
    "find",
]
