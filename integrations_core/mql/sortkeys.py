"""Sort keys: MongoDB's sort order for values and documents, as native Python keys.

A document's key is one value per sort path:

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
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Mapping
from itertools import chain, repeat
from operator import itemgetter, ne
from typing import Any, NamedTuple

from .bson import (
    BOOL,
    DATE,
    MISSING,
    NULL,
    NUMBER,
    STRING,
    bson_key,
    date_micros,
)
from .budget import MULTIKEY_STEP, SORT_KEY, charge
from .errors import QueryError

Key = tuple[int, Any]

_UNDEFINED_RANK = 3  # BSON undefined (an empty array's key): above MinKey (1), below null (5)
_NAN_RANK = NUMBER - 1  # NaN sorts below every other number


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


_nested = bson_key
"""The key of a value inside a document or array (NaN is encoded inside the number bracket)."""


def _float_key(v: float) -> Key:
    return (NUMBER, v) if v == v else (_NAN_RANK, 0)


_TOP: dict[type, Callable[[Any], Key]] = {
    str: lambda v: (STRING, v),
    int: lambda v: (NUMBER, v),
    float: _float_key,
    bool: lambda v: (BOOL, v),
    type(None): lambda v: (NULL, 0),
    type(MISSING): lambda v: (NULL, 0),
    _dt.datetime: lambda v: (DATE, date_micros(v)),
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


def native_column(col: list[Any], types: set[type]) -> bool | None:
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
        charge(MULTIKEY_STEP * len(rem))
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


def document_key(doc: Mapping[str, Any], parts: tuple[tuple[str, ...], ...],
                 paths: tuple[str, ...], asc: tuple[bool, ...]) -> tuple[Key, ...]:
    """The key of ``doc``: of its index keys, the first under the directions ``asc``."""
    keys = [tuple(map(sort_key, raw)) for raw in _index_keys(doc, parts, paths)]
    best = keys[0]
    for cand in keys[1:]:
        for a, b, up in zip(cand, best, asc, strict=True):
            if a != b:
                if (a < b) == up:
                    best = cand
                break
    return best


# --- key columns -----------------------------------------------------------------------------


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
    charge(SORT_KEY * len(flat))
    picked: list[Any] | None = None
    if native_column(flat, set(map(type, flat))):
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


def key_columns(docs: list[Any], parts: tuple[tuple[str, ...], ...], paths: tuple[str, ...],
                asc: tuple[bool, ...], native: bool) -> list[tuple[list[Any], bool]]:
    """One key column per sort path that orders anything, with its direction.

    With ``native``, a column Python already orders as BSON does is left as it is.
    """
    cols = [_column(docs, path) for path in parts]
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
            _reduce(cols[f], alone, asc[f])
            types[f] = set(map(type, cols[f]))
    for i in keyed:
        keyed[i] = document_key(docs[i], parts, paths, asc)
    columns: list[tuple[list[Any], bool]] = []
    for f, col in enumerate(cols):
        if not keyed and native:
            plain = native_column(col, types[f])
            if plain is None:
                continue
            if plain:
                columns.append((col, asc[f]))
                continue
        keys = list(map(sort_key, col))
        for i, key in keyed.items():
            keys[i] = key[f]
        columns.append((keys, asc[f]))
    return columns
