"""``find``: filter, sort, skip/limit and project a collection held in memory, like pymongo."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

from .errors import InputError, QueryError
from .limits import Limits
from .projection import Projection, compile_projection, copy_value
from .sort import Sort, SortSpec, compile_sort


def _count(value: Any, name: str) -> int:
    if type(value) is not int:
        raise QueryError(f"{name} must be a non-negative integer, not {type(value).__name__}",
                         name)
    if value < 0:
        raise QueryError(f"{name} must not be negative, got {value}", name)
    return value


def _predicate(filter: Any, limits: Limits | None) -> Callable[[Any], bool] | None:
    if filter is None:
        return None
    if isinstance(filter, Mapping):
        from .filter import compile_filter

        return compile_filter(filter, limits=limits)
    if callable(filter):
        return filter  # type: ignore[no-any-return]
    raise QueryError("a filter must be an object or a compiled filter, not "
                     f"{type(filter).__name__}")


def find(docs: Iterable[Mapping[str, Any]],
         filter: Mapping[str, Any] | Callable[[Any], bool] | None = None,
         sort: SortSpec | Sort | None = None, skip: int = 0, limit: int = 0,
         projection: Mapping[str, Any] | Projection | None = None, *,
         limits: Limits | None = None) -> list[dict[str, Any]]:
    """The documents ``pymongo``'s ``collection.find(...)`` would return, as new dicts.

    ``filter``, ``sort`` and ``projection`` are query documents (or already compiled with
    :func:`compile_filter`, :func:`compile_sort`, :func:`compile_projection`); ``limit=0`` means
    no limit. Only the returned page is projected and copied; ``docs`` is never mutated and the
    result never aliases it. A bad argument raises :class:`QueryError` whose path starts with
    the argument's name (``filter.name.$regex``, ``sort.a``, ``skip``).
    """
    skip, limit = _count(skip, "skip"), _count(limit, "limit")
    try:
        match = _predicate(filter, limits)
    except InputError as err:
        raise err.prefixed("filter") from None
    try:
        order = (sort if isinstance(sort, Sort) or sort is None
                 else compile_sort(sort, limits=limits))
    except InputError as err:
        raise err.prefixed("sort") from None
    try:
        shape = (projection if isinstance(projection, Projection) or projection is None
                 else compile_projection(projection, limits=limits))
    except InputError as err:
        raise err.prefixed("projection") from None
    matched = docs if match is None else (doc for doc in docs if match(doc))
    if order is None or not order.spec:
        page = list(islice(matched, skip, skip + limit if limit else None))
    else:
        try:
            page = (order.top(matched, skip + limit) if limit else order.sorted(matched))[skip:]
        except InputError as err:
            raise err.prefixed("sort") from None
    if shape is None:
        return [copy_value(doc) for doc in page]
    return [shape(doc) for doc in page]

