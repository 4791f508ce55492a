"""MongoDB's query language over in-memory documents: compile once, run many."""

from .errors import InputError, LimitError, QueryError
from .filter import Filter, compile_filter
from .limits import DEFAULT_LIMITS, Limits

__all__ = [
    "DEFAULT_LIMITS",
    "Filter",
    "InputError",
    "LimitError",
    "Limits",
    "QueryError",
    "compile_filter",
]
