"""``compile_sort``: validate a sort pattern and order documents by it, as MongoDB does.

Keys come from :mod:`.sortkeys`. Ordering is stable, so equal keys keep their input order. When
every path is a top-level field, all in one direction, and each holds one native type, the
documents themselves go to ``sorted``/``heapq.nsmallest`` with an ``itemgetter`` key (one
checking pass, no key lists; a first page by several fields makes key tuples only for the
documents whose first field is not past the ``k``-th). Otherwise keys with one direction
sort as one tuple and mixed directions use stable passes, last key first; ``top(docs, k)`` for
a small ``k`` finds the ``k``-th key of the leading column with ``heapq`` and sorts only the
rows up to it. :class:`Selection` picks a first page's candidates while a scan runs.
"""

from __future__ import annotations

import datetime as _dt
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress, repeat
from operator import ge, itemgetter, le
from typing import Any

from .bson import MISSING
from .budget import SORT_COMPARE, SORT_KEY, charge
from .errors import LimitError, QueryError, describe
from .limits import DEFAULT_LIMITS, Limits
from .paths import split_field_path
from .sortkeys import Key, document_key, key_columns, native_column

SortSpec = Mapping[str, Any] | Sequence[Sequence[Any]]

MAX_SORT_KEYS = 32
"""MongoDB refuses sort patterns with more keys (cursor.sort(), "Limits")."""

_HEAP_SHARE = 8  # use a heap when the page is at most 1/8 of the input


def _within_kth(col: list[Any], k: int, asc: bool) -> tuple[Any, list[bool]]:
    """The ``k``-th smallest (largest, descending) value of ``col``, and which values are not
    past it: the rows that can be among the first ``k`` (ties included)."""
    kth = (heapq.nsmallest if asc else heapq.nlargest)(k, col)[-1]
    return kth, list(map(ge if asc else le, repeat(kth, len(col)), col))


def _first(col: list[Any], k: int, asc: bool) -> list[int]:
    """Indices, in input order, of the rows that can be among the first ``k`` (ties included)."""
    return list(compress(range(len(col)), _within_kth(col, k, asc)[1]))


class Sort:
    """A compiled sort: ``.sorted(docs)`` and ``.top(docs, k)``, stable, MongoDB's order."""

    __slots__ = ("_asc", "_fields", "_names", "_parts", "_top_level", "paths", "spec")

    def __init__(self, spec: tuple[tuple[str, int], ...],
                 parts: tuple[tuple[str, ...], ...]) -> None:
        self.spec = spec
        """The validated pattern: ``(path, 1 | -1)`` pairs in order."""
        self.paths = frozenset(path for path, _ in spec)
        """Every field path the sort reads."""
        self._parts = parts
        self._names = tuple(path for path, _ in spec)
        self._asc = tuple(d > 0 for _, d in spec)
        plain = all(len(p) == 1 for p in parts) and len(set(self._asc)) == 1
        self._fields = tuple(p[0] for p in parts) if plain and spec else ()
        self._top_level = tuple(p[0] for p in parts) if all(len(p) == 1 for p in parts) else ()

    def __repr__(self) -> str:
        return f"Sort({list(self.spec)!r})"

    def sorted(self, docs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The documents in sort order (the same objects, in a new list)."""
        items = docs if type(docs) is list else list(docs)
        self._charge(len(items), len(items))
        direct = self._direct(items, None)
        return direct if direct is not None else [items[i] for i in self._order(items, None)]

    def top(self, docs: Iterable[Mapping[str, Any]], k: int) -> list[Mapping[str, Any]]:
        """The first ``k`` documents in sort order: ``sorted(docs)[:k]``, computed faster."""
        if type(k) is not int or k < 0:
            raise QueryError(f"k must be a non-negative integer, not {describe(k)}", "k")
        items = docs if type(docs) is list else list(docs)
        if not k:
            return []
        self._charge(len(items), k)
        direct = self._direct(items, k)
        return direct if direct is not None else [items[i] for i in self._order(items, k)]

    def _charge(self, n: int, k: int) -> None:
        # One key per path and document, and about log2(k) comparisons per document; keys of
        # array elements and embedded documents are charged as they are made (.sortkeys).
        charge(n * (len(self.spec) * SORT_KEY + max(1, min(n, k).bit_length()) * SORT_COMPARE))

    def key(self, doc: Mapping[str, Any]) -> tuple[Key, ...]:
        """The sort key of one document: a ``(rank, native)`` pair per sort path.

        Documents sort by these tuples, compared key by key in each key's direction.
        """
        return document_key(doc, self._parts, self._names, self._asc)

    def _direct(self, docs: list[Any], k: int | None) -> list[Any] | None:
        """The answer read straight from the documents with a C key (``itemgetter``), when
        every path is a top-level field, all in one direction, and each field holds values of
        one type Python orders as BSON does in every document; None otherwise."""
        if not self._fields:
            return None
        key, asc, n = itemgetter(*self._fields), self._asc[0], len(docs)
        try:
            if k is not None and k * _HEAP_SHARE <= n and len(self._fields) > 1:
                # Only the candidates get key tuples.
                rows = self._candidates(docs, k)
                if rows is None or not _native(docs, self._fields[1:]):
                    return None
                return sorted(rows, key=key, reverse=not asc)[:k]
            if not _native(docs, self._fields):
                return None
            if k is not None and k * _HEAP_SHARE <= n:  # both are stable, like sorted()[:k]
                return (heapq.nsmallest if asc else heapq.nlargest)(k, docs, key=key)
            out = sorted(docs, key=key, reverse=not asc)
        except TypeError:  # a document that is not a dict; naive and aware datetimes
            return None
        return out if k is None else out[:k]

    def _candidates(self, docs: list[Any], k: int) -> list[Any] | None:
        """The documents, in input order, that can be among the first ``k``: those whose first
        field is not past the ``k``-th smallest (largest, descending) first field, or None if
        that field's values are not one native type (:func:`.sortkeys.native_column`)."""
        n, first = len(docs), self._fields[0]
        col = list(map(dict.get, docs, repeat(first, n), repeat(MISSING, n)))
        if not native_column(col, set(map(type, col))):
            return None
        return list(compress(docs, _within_kth(col, k, self._asc[0])[1]))

    def _order(self, docs: list[Any], k: int | None) -> Sequence[int]:
        if k is not None and k >= len(docs):
            k = None
        if not self.spec or not docs:
            return range(len(docs) if k is None else k)
        parts, names, asc, n = self._parts, self._names, self._asc, len(docs)
        try:
            return self._arrange(key_columns(docs, parts, names, asc, True), n, k)
        except TypeError:  # naive and aware datetimes in one column
            return self._arrange(key_columns(docs, parts, names, asc, False), n, k)

    @staticmethod
    def _arrange(columns: list[tuple[list[Any], bool]], n: int, k: int | None) -> Sequence[int]:
        runs: list[tuple[list[list[Any]], bool]] = []
        for col, asc in columns:
            if runs and runs[-1][1] == asc:  # keys with one direction sort as one tuple key
                runs[-1][0].append(col)
            else:
                runs.append(([col], asc))
        if not runs:
            return range(n if k is None else k)
        if k is not None and k * _HEAP_SHARE <= n:
            order = _first(runs[0][0][0], k, runs[0][1])
        elif len(runs) == 1 and len(runs[0][0]) == 1:
            col, asc = runs[0][0][0], runs[0][1]
            order = sorted(range(n), key=col.__getitem__, reverse=not asc)
            return order if k is None else order[:k]
        else:
            order = list(range(n))
        for cols, asc in reversed(runs):
            order.sort(key=_row_key(cols, order, n), reverse=not asc)
        return order if k is None else order[:k]


class Selection:
    """``order.top(docs, k)`` for the documents a scan finds, with its candidates picked while
    the scan runs (:data:`.codegen.TopScan`), for a sort on top-level fields each holding one
    of :data:`SELECTION_TYPES` (that of the first document read; dates naive).

    Only documents whose first field is not past ``bound``, the ``k``-th first field among the
    candidates so far, are candidates: at least ``k`` documents come before any other. While
    every match's fields are of those types, the page is the candidates sorted (Python orders
    them as BSON does, and no array can make ``order.top`` charge or refuse more); otherwise it
    is ``order.top`` of every match. Either way it is exactly ``order.top(docs, k)``, charged
    alike.
    """

    __slots__ = ("_k", "_limit", "_order", "bound", "cand", "kinds", "ok", "picker", "vals")

    def __init__(self, order: Sort, k: int) -> None:
        self._order, self._k = order, k
        self.kinds: tuple[type, ...] = ()
        """The fields' classes in the first document read (:meth:`begin`)."""
        self.ok = True
        """Whether every match's fields so far are of the classes ``kinds``."""
        self.cand: list[Any] = []
        self.vals: list[Any] = []
        self.bound: Any = None
        self.picker: Any = None
        """The scan that picks the candidates (its caller's to set)."""
        self._limit = max(2 * k, NARROW_AT)

    def begin(self, first: Any) -> None:
        """Take ``kinds`` from the first document read."""
        values = [first.get(f, MISSING) if type(first) is dict else MISSING for f in self.fields]
        self.kinds = tuple(map(type, values))
        self.ok = all(type(v) in SELECTION_TYPES
                      and (type(v) is not _dt.datetime or v.tzinfo is None) for v in values)

    @staticmethod
    def fits(order: Sort, k: int | None) -> bool:
        """Whether a selection can answer ``order.top(docs, k)``."""
        return bool(order._top_level) and k is not None and k > 0

    @property
    def fields(self) -> tuple[str, ...]:
        """The sort's fields."""
        return self._order._top_level

    @property
    def dates(self) -> tuple[bool, ...]:
        """Which fields hold dates (known once :meth:`begin` has run)."""
        return tuple(kind is _dt.datetime for kind in self.kinds)

    @property
    def descending(self) -> bool:
        """Whether the sort's first field is descending."""
        return not self._order._asc[0]

    def narrow(self) -> None:
        """Drop the candidates past the ``k``-th first field once there are many of them."""
        if len(self.cand) < self._limit:
            return
        kth, keep = _within_kth(self.vals, self._k, self._order._asc[0])
        self.cand = list(compress(self.cand, keep))
        self.vals = list(compress(self.vals, keep))
        self.bound = kth
        self._limit = max(self._limit, 2 * len(self.cand))  # many ties: narrow less often

    def page(self, docs: list[Any]) -> list[Any]:
        """``order.top(docs, k)``, where ``docs`` are the documents scanned."""
        order, k, n = self._order, self._k, len(docs)
        if not self.ok:
            return order.top(docs, k)
        order._charge(n, k)
        fields, asc = self.fields, order._asc
        rows = list(self.cand)
        # Stable passes, last key first; keys with one direction sort as one.
        i = len(fields)
        while i:
            j = i - 1
            while j and asc[j - 1] == asc[i - 1]:
                j -= 1
            rows.sort(key=itemgetter(*fields[j:i]), reverse=not asc[j])
            i = j
        return rows[:k]


NARROW_AT = 256
"""Candidates a :class:`Selection` holds before it first narrows them to the ``k`` best."""

SELECTION_TYPES = frozenset({str, int, bool, _dt.datetime})
"""First-field types a :class:`Selection` picks by (Python orders each alone as BSON does;
floats need a NaN check; dates must be naive, as aware ones do not compare with naive ones)."""


def _native(docs: list[Any], fields: tuple[str, ...]) -> bool:
    """Whether each field holds values of one type Python orders as BSON does in ``docs``
    (raises TypeError for a document that is not a dict)."""
    n = len(docs)
    for name in fields:
        # No list of values unless floats need their NaN check: one pass over the types.
        types = set(map(type, map(dict.get, docs, repeat(name, n), repeat(MISSING, n))))
        col = list(map(dict.get, docs, repeat(name, n))) if float in types else []
        if not native_column(col, types):
            return False
    return True


def _row_key(cols: list[list[Any]], rows: list[int], n: int) -> Callable[[int], Any]:
    """Row index -> key of ``cols`` (a tuple when several), built for ``rows`` only."""
    if len(cols) == 1:
        return cols[0].__getitem__
    if len(rows) == n:
        return list(zip(*cols, strict=True)).__getitem__
    keys = zip(*(list(map(col.__getitem__, rows)) for col in cols), strict=True)
    return dict(zip(rows, keys, strict=True)).__getitem__


def _direction(value: Any, where: str) -> int:
    if isinstance(value, Mapping):
        raise QueryError(f"sort by {describe(dict(value))} is not supported; "
                         "the direction must be 1 or -1", where)
    if type(value) in (int, float):
        if value == 1:
            return 1
        if value == -1:
            return -1
    raise QueryError(f"sort direction must be 1 or -1, not {describe(value)}", where)


def _pairs(spec: Any) -> list[tuple[Any, Any, str]]:
    """(key, direction, error path) per sort key, from a mapping or a list of pairs."""
    if isinstance(spec, Mapping):
        return [(key, value, key if isinstance(key, str) and key else f"[{i}]")
                for i, (key, value) in enumerate(spec.items())]
    if isinstance(spec, (list, tuple)):
        out = []
        for i, item in enumerate(spec):
            if not isinstance(item, (list, tuple)) or len(item) != 2:
                raise QueryError("each sort key must be a (path, direction) pair", f"[{i}]")
            key = item[0]
            out.append((key, item[1], key if isinstance(key, str) and key else f"[{i}]"))
        return out
    raise QueryError("a sort must be an object or a list of (path, direction) pairs, "
                     f"not {type(spec).__name__}")


def compile_sort(spec: SortSpec, *, limits: Limits | None = None) -> Sort:
    """Compile a sort pattern (``{"name": 1}`` or ``[("name", 1), ("_id", -1)]``).

    Raises :class:`QueryError` naming the offending key for a direction other than 1/-1, an
    empty or ``$``-prefixed path, a non-string or repeated key, and :class:`LimitError` for more
    than 32 keys or paths deeper than ``limits.max_depth``.
    """
    limits = limits or DEFAULT_LIMITS
    pairs = _pairs(spec)
    if len(pairs) > MAX_SORT_KEYS:
        raise LimitError(f"a sort may have at most {MAX_SORT_KEYS} keys, not {len(pairs)}")
    normal: list[tuple[str, int]] = []
    parts: list[tuple[str, ...]] = []
    for key, value, where in pairs:
        if not isinstance(key, str):
            raise QueryError(f"sort keys must be strings, not {type(key).__name__}", where)
        parts.append(split_field_path(key, where, limits.max_depth, "sort"))
        if any(key == seen for seen, _ in normal):
            raise QueryError(f"sort key {key!r} appears more than once", where)
        normal.append((key, _direction(value, where)))
    return Sort(tuple(normal), tuple(parts))
