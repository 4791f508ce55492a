"""``compile_sort``: MongoDB's sort order over in-memory documents, with native Python keys.

Each document's key is computed once, as one value per sort path:

* Sort paths are read by walking embedded documents. A column of values that Python already
  orders as BSON does (all ``str``, all ``bool``, ``int``/``float`` without NaN, ``datetime``)
  is used as it is, so ``sorted`` and ``heapq`` compare natively; an all-null column is dropped.
* Any other column is encoded by :func:`sort_key` as ``(rank, native)`` tuples: ``rank`` is the
  BSON type order and ``native`` a plain value that orders like the BSON value within its type
  (documents and arrays become nested tuples, dates naive UTC, NaN a rank just below numbers).
  Tuples compare natively too: no wrapper objects, no comparator calls.
* Where a path ends at an array, the key is the element that sorts first in that path's
  direction (smallest ascending, largest descending; ``[]`` is BSON undefined, below null).
  Where arrays are met inside a path, or on several paths, the document's key is taken as a
  multikey index would: every index key the document yields (paths through one array take their
  values from the same element, numeric components name an element when it exists, parallel
  arrays are an error), and of those the first under the pattern's directions. This follows
  ``BtreeKeyGenerator`` (src/mongo/db/index/btree_key_generator.cpp), which the server's sort
  uses for documents with arrays.

Ordering is stable, so equal keys keep their input order. When every path is a top-level field,
all in one direction, and each holds one such native type, the documents themselves go to
``sorted``/``heapq.nsmallest`` with an ``itemgetter`` key (one checking pass, no key lists).
Otherwise keys with one direction sort as one tuple and mixed directions use stable passes,
last key first; ``top(docs, k)`` for a small ``k`` finds the ``k``-th key of the leading column
with ``heapq`` and sorts only the rows up to it.
"""

from __future__ import annotations

import datetime as _dt
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import chain, compress, repeat
from operator import ge, itemgetter, le, ne
from typing import Any, NamedTuple

from .bson import (
    ARRAY,
    BINDATA,
    BOOL,
    DATE,
    MAXKEY,
    MINKEY,
    MISSING,
    NULL,
    NUMBER,
    OBJECT,
    OBJECTID,
    REGEX,
    STRING,
    TIMESTAMP,
    regex_parts,
    type_rank,
    utc_naive,
)
from .errors import LimitError, QueryError
from .limits import DEFAULT_LIMITS, Limits

SortSpec = Mapping[str, Any] | Sequence[Sequence[Any]]
Key = tuple[int, Any]

MAX_SORT_KEYS = 32
"""MongoDB refuses sort patterns with more keys (cursor.sort(), "Limits")."""

_UNDEFINED_RANK = 3  # BSON undefined (an empty array's key): above MinKey (1), below null (5)
_NAN_RANK = NUMBER - 1  # NaN sorts below every other number
_HEAP_SHARE = 8  # use a heap when the page is at most 1/8 of the input


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_ABSENT: Any = _Sentinel("ABSENT")  # no element at this path (EOO)
_THROUGH: Any = _Sentinel("THROUGH_ARRAY")  # the walk met an array before the path's end
_UNDEF: Any = _Sentinel("UNDEFINED")  # the key of an empty array
_ARRAYS = (list, tuple)
_EMPTY: Mapping[str, Any] = {}
_FIRST = itemgetter(0)


def _is_doc(value: object) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _is_array(value: object) -> bool:
    return isinstance(value, _ARRAYS)


# --- native keys -----------------------------------------------------------------------------


def _number(value: Any) -> Any:
    """A number Python compares exactly with int/float/Decimal, or None for NaN."""
    if type(value).__name__ == "Decimal128":
        value = value.to_decimal()
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    return None if value != value else value


def _items(value: Any) -> tuple[tuple[int, Any, Any], ...]:
    return tuple((r, k, n) for k, x in value.items() for r, n in (_nested(x),))


def _zero(value: Any) -> int:
    return 0


_NESTED: dict[int, Callable[[Any], Any]] = {
    MINKEY: _zero,
    NULL: _zero,
    STRING: str,
    OBJECT: _items,  # (rank, name, value) per field: BSON compares types, then names, then values
    ARRAY: lambda v: tuple(map(_nested, v)),
    BINDATA: lambda v: (len(v), int(getattr(v, "subtype", 0)), bytes(v)),  # length first
    OBJECTID: lambda v: bytes(v.binary),
    BOOL: bool,
    DATE: utc_naive,
    TIMESTAMP: lambda v: (v.time, v.inc),
    REGEX: regex_parts,
    MAXKEY: _zero,
}


def _nested(value: Any) -> Key:
    """The key of a value inside a document or array (NaN is encoded inside the number bracket)."""
    rank = type_rank(value)
    if rank == NUMBER:
        n = _number(value)
        return (NUMBER, (0, 0) if n is None else (1, n))
    encode = _NESTED.get(rank)
    return (rank, repr(value) if encode is None else encode(value))


def _float_key(v: float) -> Key:
    return (NUMBER, v) if v == v else (_NAN_RANK, 0)


_TOP: dict[type, Callable[[Any], Key]] = {
    str: lambda v: (STRING, v),
    int: lambda v: (NUMBER, v),
    float: _float_key,
    bool: lambda v: (BOOL, v),
    type(None): lambda v: (NULL, 0),
    type(MISSING): lambda v: (NULL, 0),
    _dt.datetime: lambda v: (DATE, utc_naive(v)),
    _Sentinel: lambda v: (_UNDEFINED_RANK, 0),  # only _UNDEF reaches a key
}


def sort_key(value: Any) -> Key:
    """The ``(rank, native)`` key of one sort value; keys compare as :func:`bson.compare` does."""
    encode = _TOP.get(type(value))
    if encode is not None:
        return encode(value)
    rank, native = _nested(value)
    if rank == NUMBER:
        return (_NAN_RANK, 0) if native[0] == 0 else (NUMBER, native[1])
    return (rank, native)


def _native_column(col: list[Any], types: set[type]) -> bool | None:
    """True if Python orders ``col`` as BSON does, None if it is all null, else False."""
    if types == {str} or types == {bool}:
        return True
    if types <= {int, float}:
        return float not in types or not any(map(ne, col, col))  # NaN is unequal to itself
    if types == {_dt.datetime}:
        return True  # naive and aware together raise TypeError, and the caller then encodes
    if types <= {type(None), type(MISSING)}:
        return None
    return False


# --- multikey sort keys ----------------------------------------------------------------------


def _index(part: str) -> int:
    return int(part) if part.isascii() and part.isdigit() and str(int(part)) == part else -1


def _field_of(container: Any, part: str) -> Any:
    if _is_doc(container):
        return container.get(part, _ABSENT)
    i = _index(part)
    return container[i] if 0 <= i < len(container) else _ABSENT


def _extract(container: Any, parts: tuple[str, ...], loc: tuple[str, ...]) -> tuple[Any, ...]:
    """Walk ``parts`` through documents, stopping at an array: (element, location, rest)."""
    i = 0
    while True:
        sub = _field_of(container, parts[i])
        i += 1
        if sub is _ABSENT:
            return _ABSENT, (), ()
        if _is_array(sub) or i == len(parts):
            return sub, loc + parts[:i], parts[i:]
        if not _is_doc(sub):
            return _ABSENT, (), ()
        container = sub


class _Positional(NamedTuple):
    """A path continued through the array element its next component names (``a.0.b``)."""

    nested: bool
    value: Any
    loc: tuple[str, ...]
    rest: tuple[str, ...]


def _index_keys(doc: Any, parts: tuple[tuple[str, ...], ...],
                paths: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Every index key ``doc`` yields for the pattern, as ``BtreeKeyGenerator::getKeys``.

    Locations (paths from the root, array positions included) tell one array from another the
    way the server compares element addresses.
    """
    out: list[tuple[Any, ...]] = []
    none: list[_Positional | None] = [None] * len(parts)

    def gen(obj: Any, obj_loc: tuple[str, ...], rem: list[tuple[str, ...]], fixed: list[Any],
            pos: list[_Positional | None]) -> None:
        rem, fixed = list(rem), list(fixed)
        arr: Any = _ABSENT
        arr_loc: tuple[str, ...] = ()
        arr_first, arr_idxs, expand = -1, [], True
        for i, r in enumerate(rem):
            if not r:
                continue
            p = pos[i]
            have = _is_doc(obj) and r[0] in obj
            if have and p is not None:
                raise QueryError(f"ambiguous field name {r[0]!r}: it names both an array "
                                 "element and a field of that element", paths[i])
            if have:
                e, loc, rest = _extract(obj, r, obj_loc)
            elif p is not None:
                e, loc, rest = p.value, p.loc, p.rest
            else:
                e = _ABSENT
            if e is _ABSENT:
                fixed[i], rem[i] = None, ()
            elif _is_array(e):
                arr_idxs.append(i)
                rem[i] = rest
                if arr is _ABSENT:
                    arr, arr_loc, arr_first = e, loc, i
                elif loc != arr_loc:
                    raise QueryError("cannot sort with keys that are parallel arrays "
                                     f"({paths[arr_first]!r} and {paths[i]!r})", paths[i])
                if p is not None and not have and p.nested:
                    expand = False  # an array reached by index is not expanded at the leaf
            else:
                fixed[i], rem[i] = e, ()
        if arr is _ABSENT:
            out.append(tuple(fixed))
            return
        ends = [i for i in arr_idxs if not rem[i]]
        if not arr:
            for i in ends:
                fixed[i] = _UNDEF
            gen(_EMPTY, (), rem, fixed, none)
            return
        sub: list[_Positional | None] = [None] * len(rem)
        for i in arr_idxs:
            j = _index(rem[i][0]) if rem[i] else -1
            if 0 <= j < len(arr):
                e, loc, rest = _extract(arr, rem[i], arr_loc)
                sub[i] = _Positional(_is_array(arr[j]), e, loc, rest)
        for j, elem in enumerate(arr):
            for i in ends:
                fixed[i] = elem if expand else arr
            gen(elem if _is_doc(elem) else _EMPTY, (*arr_loc, str(j)), rem, fixed, sub)

    gen(doc, (), list(parts), [None] * len(parts), none)
    return out


# --- the compiled sort -----------------------------------------------------------------------


def _step(value: Any, part: str) -> Any:
    if value is _THROUGH or isinstance(value, _ARRAYS):
        return _THROUGH
    return value.get(part, MISSING) if isinstance(value, Mapping) else MISSING


def _column(docs: list[Any], parts: tuple[str, ...]) -> list[Any]:
    """The value at ``parts`` in each document, walking documents only (``_THROUGH`` marks an
    array met before the end of the path)."""
    first = parts[0]
    n = len(docs)
    try:  # dict.get, unlike d[first], never calls a subclass's __missing__ (no defaultdict writes)
        col = list(map(dict.get, docs, repeat(first, n), repeat(MISSING, n)))
    except TypeError:  # some document is a Mapping but not a dict
        col = [d.get(first, MISSING) for d in docs]
    for part in parts[1:]:
        col = [v.get(part, MISSING) if type(v) is dict else _step(v, part) for v in col]
    return col


def _pick(array: Any, pick: Callable[..., Any]) -> Any:
    """The element of ``array`` that sorts first (``pick`` is min or max); undefined if empty."""
    if not array:
        return _UNDEF
    keys = list(map(sort_key, array))
    return array[pick(range(len(array)), key=keys.__getitem__)]


def _reduce(col: list[Any], rows: list[int], asc: bool) -> None:
    """Replace the array at each of ``rows`` by its element that sorts first."""
    every = len(rows) == len(col)
    arrays = col if every else [col[i] for i in rows]
    single = set(map(len, arrays)) == {1}
    flat = list(map(_FIRST, arrays)) if single else list(chain.from_iterable(arrays))
    picked: list[Any] | None = None
    if _native_column(flat, set(map(type, flat))):
        pick = min if asc else max
        try:
            picked = flat if single else [pick(a) if a else _UNDEF for a in arrays]
        except TypeError:  # naive and aware datetimes
            picked = None
    if picked is None:
        pick = min if asc else max
        picked = [_pick(a, pick) for a in arrays]
    if every:
        col[:] = picked
    else:
        for i, value in zip(rows, picked, strict=True):
            col[i] = value


def _first(col: list[Any], k: int, asc: bool) -> list[int]:
    """Indices, in input order, of the rows that can be among the first ``k`` (ties included)."""
    n = len(col)
    if asc:
        kth = heapq.nsmallest(k, col)[-1]
        return list(compress(range(n), map(ge, repeat(kth, n), col)))
    kth = heapq.nlargest(k, col)[-1]
    return list(compress(range(n), map(le, repeat(kth, n), col)))


class Sort:
    """A compiled sort: ``.sorted(docs)`` and ``.top(docs, k)``, stable, MongoDB's order."""

    __slots__ = ("_asc", "_fields", "_parts", "paths", "spec")

    def __init__(self, spec: tuple[tuple[str, int], ...],
                 parts: tuple[tuple[str, ...], ...]) -> None:
        self.spec = spec
        """The validated pattern: ``(path, 1 | -1)`` pairs in order."""
        self.paths = frozenset(path for path, _ in spec)
        """Every field path the sort reads."""
        self._parts = parts
        self._asc = tuple(d > 0 for _, d in spec)
        plain = all(len(p) == 1 for p in parts) and len(set(self._asc)) == 1
        self._fields = tuple(p[0] for p in parts) if plain and spec else ()

    def __repr__(self) -> str:
        return f"Sort({list(self.spec)!r})"

    def sorted(self, docs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The documents in sort order (the same objects, in a new list)."""
        items = docs if type(docs) is list else list(docs)
        direct = self._direct(items, None)
        return direct if direct is not None else [items[i] for i in self._order(items, None)]

    def top(self, docs: Iterable[Mapping[str, Any]], k: int) -> list[Mapping[str, Any]]:
        """The first ``k`` documents in sort order: ``sorted(docs)[:k]``, computed faster."""
        if type(k) is not int or k < 0:
            raise QueryError(f"k must be a non-negative integer, not {_short(k)}", "k")
        items = docs if type(docs) is list else list(docs)
        if not k:
            return []
        direct = self._direct(items, k)
        return direct if direct is not None else [items[i] for i in self._order(items, k)]

    def key(self, doc: Mapping[str, Any]) -> tuple[Key, ...]:
        """The sort key of one document: a ``(rank, native)`` pair per sort path.

        Documents sort by these tuples, compared key by key in each key's direction.
        """
        paths = tuple(path for path, _ in self.spec)
        keys = [tuple(map(sort_key, raw)) for raw in _index_keys(doc, self._parts, paths)]
        best = keys[0]
        for cand in keys[1:]:
            for a, b, asc in zip(cand, best, self._asc, strict=True):
                if a != b:
                    if (a < b) == asc:
                        best = cand
                    break
        return best

    def _direct(self, docs: list[Any], k: int | None) -> list[Any] | None:
        """The answer read straight from the documents with a C key (``itemgetter``), when
        every path is a top-level field, all in one direction, and each field holds values of
        one type Python orders as BSON does in every document; None otherwise."""
        if not self._fields:
            return None
        n = len(docs)
        for name in self._fields:
            try:  # no list of values: one pass that only looks at their types
                types = set(map(type, map(dict.get, docs, repeat(name, n), repeat(MISSING, n))))
                col = list(map(dict.get, docs, repeat(name, n))) if float in types else []
            except TypeError:  # a document that is not a dict
                return None
            if not _native_column(col, types):
                return None
        key, asc = itemgetter(*self._fields), self._asc[0]
        try:
            if k is not None and k * _HEAP_SHARE <= n:  # both are stable, like sorted()[:k]
                return (heapq.nsmallest if asc else heapq.nlargest)(k, docs, key=key)
            out = sorted(docs, key=key, reverse=not asc)
        except TypeError:  # naive and aware datetimes
            return None
        return out if k is None else out[:k]

    def _columns(self, docs: list[Any], native: bool) -> list[tuple[list[Any], bool]]:
        """One key column per sort path that orders anything, with its direction.

        With ``native``, a column Python already orders as BSON does is left as it is.
        """
        cols = [_column(docs, parts) for parts in self._parts]
        types = [set(map(type, col)) for col in cols]
        arrays: list[list[int]] = []
        keyed: dict[int, tuple[Key, ...]] = {}  # rows that need the multikey generator
        for col, present in zip(cols, types, strict=True):
            kinds = {t for t in present if t is _Sentinel or issubclass(t, _ARRAYS)}
            if kinds == present:  # an array (or _THROUGH) in every document
                rows = list(range(len(col))) if kinds else []
            else:
                rows = [i for i, v in enumerate(col) if type(v) in kinds] if kinds else []
            arrays.append(rows)
            if _Sentinel in kinds:
                keyed.update((i, ()) for i in rows if col[i] is _THROUGH)
        if sum(map(bool, arrays)) > 1:
            shared = Counter(chain.from_iterable(arrays))
            keyed.update((i, ()) for i, count in shared.items() if count > 1)
        for f, rows in enumerate(arrays):
            alone = [i for i in rows if i not in keyed] if keyed else rows
            if alone:  # a leaf array on one path only: its first element in sort order
                _reduce(cols[f], alone, self._asc[f])
                types[f] = set(map(type, cols[f]))
        for i in keyed:
            keyed[i] = self.key(docs[i])
        columns: list[tuple[list[Any], bool]] = []
        for f, col in enumerate(cols):
            if not keyed and native:
                plain = _native_column(col, types[f])
                if plain is None:
                    continue
                if plain:
                    columns.append((col, self._asc[f]))
                    continue
            keys = list(map(sort_key, col))
            for i, key in keyed.items():
                keys[i] = key[f]
            columns.append((keys, self._asc[f]))
        return columns

    def _order(self, docs: list[Any], k: int | None) -> Sequence[int]:
        if k is not None and k >= len(docs):
            k = None
        if not self.spec or not docs:
            return range(len(docs) if k is None else k)
        try:
            return self._arrange(self._columns(docs, True), len(docs), k)
        except TypeError:  # naive and aware datetimes in one column
            return self._arrange(self._columns(docs, False), len(docs), k)

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


def _row_key(cols: list[list[Any]], rows: list[int], n: int) -> Callable[[int], Any]:
    """Row index -> key of ``cols`` (a tuple when several), built for ``rows`` only."""
    if len(cols) == 1:
        return cols[0].__getitem__
    if len(rows) == n:
        return list(zip(*cols, strict=True)).__getitem__
    keys = zip(*(list(map(col.__getitem__, rows)) for col in cols), strict=True)
    return dict(zip(rows, keys, strict=True)).__getitem__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def split_field_path(path: str, where: str, limits: Limits, what: str) -> tuple[str, ...]:
    """The components of a sort or projection path, rejecting what MongoDB rejects."""
    if not path:
        raise QueryError(f"a {what} path must not be empty", where)
    if "\x00" in path:
        raise QueryError(f"a {what} path must not contain a null byte", where)
    parts = tuple(path.split("."))
    if len(parts) > limits.max_depth:
        raise LimitError(f"{what} path has {len(parts)} components, over {limits.max_depth}",
                         where)
    for part in parts:
        if not part:
            raise QueryError(f"{what} path {path!r} has an empty field name", where)
        if part.startswith("$"):
            raise QueryError(f"field names in a {what} path must not start with '$' "
                             f"({part!r} is not supported)", where)
    return parts


def _direction(value: Any, where: str) -> int:
    if isinstance(value, Mapping):
        raise QueryError(f"sort by {_short(dict(value))} is not supported; "
                         "the direction must be 1 or -1", where)
    if type(value) in (int, float):
        if value == 1:
            return 1
        if value == -1:
            return -1
    raise QueryError(f"sort direction must be 1 or -1, not {_short(value)}", where)


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
        parts.append(split_field_path(key, where, limits, "sort"))
        if any(key == seen for seen, _ in normal):
            raise QueryError(f"sort key {key!r} appears more than once", where)
        normal.append((key, _direction(value, where)))
    return Sort(tuple(normal), tuple(parts))
