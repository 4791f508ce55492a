"""BSON's value model over Python values: the type of every value, its order and its equality.

This is the one table that maps Python classes to BSON types. Python values, the engine's own
classes (:mod:`.values`) and pymongo's ``bson`` classes (recognised by module and class name
when that package is installed, never required) stand for BSON types as follows:

=====================================================  ===================  ==========  ====
Python                                                 BSON type            ``$type``   rank
=====================================================  ===================  ==========  ====
``MinKey`` (values, bson)                              minKey               -1          1
``None`` / missing                                     null                 10          5
``int`` (int32 range / beyond)                         int / long           16 / 18     10
``Int64`` (values, bson)                               long                 18          10
``float``                                              double               1           10
``Decimal`` / ``bson.Decimal128``                      decimal              19          10
``str`` (also what ``$symbol`` decodes to)             string               2           15
``dict`` / any ``Mapping`` (``SON``, ``RawBSONDocument``)  object           3           20
``bson.DBRef`` (as the document ``{$ref, $id, $db}``)  object               3           20
``list`` / ``tuple``                                   array                4           25
``bytes`` / ``Binary`` (values, bson) / ``uuid.UUID``  binData              5           30
``ObjectId`` (values, bson)                            objectId             7           35
``bool``                                               bool                 8           40
``datetime`` (naive = UTC) / ``DateMillis`` /          date                 9           45
``bson.DatetimeMS``
``Timestamp`` (values, bson)                           timestamp            17          47
``re.Pattern`` / ``Regex`` (values, bson)              regex                11          50
``Code`` (values, bson; not a string)                  javascript /         13 / 15     60 /
                                                       javascriptWithScope              65
``MaxKey`` (values, bson)                              maxKey               127         127
=====================================================  ===================  ==========  ====

A ``uuid.UUID`` is binData subtype 4 of its 16 bytes. Within a rank values order as the server's
``compareElementValues`` does: numbers by value across types (NaN below all others and equal to
every NaN), binData by length then subtype then bytes.

Source: https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/ and
src/mongo/bson/bsontypes.h ``canonicalizeBSONType``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from . import values as _v
from .values import EPOCH, Regex

__all__ = ["MISSING", "Regex"]


class _Missing:
    """The value of a path that a document does not have. Sorts and equals as null."""

    __slots__ = ()
    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

MINKEY: Final = 1
NULL: Final = 5
NUMBER: Final = 10
STRING: Final = 15
OBJECT: Final = 20
ARRAY: Final = 25
BINDATA: Final = 30
OBJECTID: Final = 35
BOOL: Final = 40
DATE: Final = 45
TIMESTAMP: Final = 47
REGEX: Final = 50
CODE: Final = 60
CODE_WITH_SCOPE: Final = 65
MAXKEY: Final = 127
UNKNOWN: Final = 200

INT32: Final = (-(2**31), 2**31 - 1)


def _int_code(value: Any) -> int:
    return 16 if INT32[0] <= value <= INT32[1] else 18


def _code_code(value: Any) -> int:
    return 13 if value.scope is None else 15


TypeCode = int | Callable[[Any], int]

# class -> (rank, $type number or a function of the value giving it)
_CLASSES: dict[type, tuple[int, TypeCode]] = {
    type(None): (NULL, 10),
    _Missing: (NULL, 0),
    bool: (BOOL, 8),
    int: (NUMBER, _int_code),
    float: (NUMBER, 1),
    Decimal: (NUMBER, 19),
    str: (STRING, 2),
    dict: (OBJECT, 3),
    list: (ARRAY, 4),
    tuple: (ARRAY, 4),
    bytes: (BINDATA, 5),
    uuid.UUID: (BINDATA, 5),
    _dt.datetime: (DATE, 9),
    re.Pattern: (REGEX, 11),
    Regex: (REGEX, 11),
    _v.MinKey: (MINKEY, -1),
    _v.MaxKey: (MAXKEY, 127),
    _v.Int64: (NUMBER, 18),
    _v.Binary: (BINDATA, 5),
    _v.ObjectId: (OBJECTID, 7),
    _v.Timestamp: (TIMESTAMP, 17),
    _v.Code: (CODE, _code_code),
    _v.DateMillis: (DATE, 9),
}

# pymongo's bson classes, by class name, so that bson stays optional.
_BSON_CLASSES: Final[dict[str, tuple[int, TypeCode]]] = {
    "MinKey": (MINKEY, -1),
    "MaxKey": (MAXKEY, 127),
    "Int64": (NUMBER, 18),
    "Decimal128": (NUMBER, 19),
    "Binary": (BINDATA, 5),
    "ObjectId": (OBJECTID, 7),
    "Timestamp": (TIMESTAMP, 17),
    "Regex": (REGEX, 11),
    "SON": (OBJECT, 3),
    "RawBSONDocument": (OBJECT, 3),
    "DBRef": (OBJECT, 3),
    "Code": (CODE, _code_code),
    "DatetimeMS": (DATE, 9),
}
_UNKNOWN_TYPE: Final = (UNKNOWN, 0)


def _learn(t: type) -> tuple[int, TypeCode]:
    entry: tuple[int, TypeCode] = _UNKNOWN_TYPE
    for base in t.__mro__:
        if base.__module__.startswith("bson") and base.__name__ in _BSON_CLASSES:
            entry = _BSON_CLASSES[base.__name__]
            break
        if base in _CLASSES:
            entry = _CLASSES[base]
            break
    else:
        if issubclass(t, Mapping):
            entry = (OBJECT, 3)
        elif t.__name__ == "_Regexp":  # google-re2's compiled pattern
            entry = (REGEX, 11)
    _CLASSES[t] = entry
    _RANK[t] = entry[0]
    return entry


_RANK: dict[type, int] = {t: rank for t, (rank, _) in _CLASSES.items()}


def type_rank(value: object) -> int:
    """The canonical BSON type rank of ``value`` (``UNKNOWN`` for foreign Python objects)."""
    rank = _RANK.get(type(value))
    if rank is None:
        rank = _learn(type(value))[0]
    if rank == CODE and value.scope is not None:  # type: ignore[attr-defined]
        return CODE_WITH_SCOPE
    return rank


def bson_type_code(value: Any) -> int:
    """The ``$type`` number of a present value (an ``int`` is 16 in int32 range, else 18)."""
    entry = _CLASSES.get(type(value)) or _learn(type(value))
    code = entry[1]
    return code if isinstance(code, int) else code(value)


# --- views: one reading of each kind of value ---------------------------------------------------

def number(value: Any) -> Any:
    """A number Python compares exactly with int/float/Decimal (``Decimal128`` as ``Decimal``)."""
    if type(value).__name__ == "Decimal128":
        return value.to_decimal()
    return value


def is_nan(value: object) -> bool:
    """True for a float, Decimal or Decimal128 NaN (quiet or signalling)."""
    if isinstance(value, Decimal):
        return value.is_nan()  # comparing a signalling NaN would raise
    if type(value).__name__ == "Decimal128":
        return bool(value.to_decimal().is_nan())  # type: ignore[attr-defined]
    return value != value


def binary_parts(value: Any) -> tuple[int, bytes]:
    """``(subtype, data)`` of a binData value."""
    if type(value) is bytes:
        return 0, value
    if isinstance(value, uuid.UUID):
        return 4, value.bytes
    if isinstance(value, _v.Binary):
        return value.subtype, value.data
    return int(getattr(value, "subtype", 0)), bytes(value)


_US: Final = _dt.timedelta(microseconds=1)


FIXED_ZONES: Final[set[type]] = {_dt.timezone}
"""tzinfo classes whose ``utcoffset()`` is one timedelta whatever the date: Python compares their
datetimes with any aware datetime as the instants they are, ``==`` included. pymongo's
``bson.tz_util.FixedOffset`` (what ``tz_aware`` decoding gives) joins when a date holding it is
first converted, so that bson stays optional."""
AWARE_ZONES: Final[set[type]] = {_dt.timezone, zoneinfo.ZoneInfo}
"""tzinfo classes whose ``utcoffset()`` always gives a timedelta: Python orders (``< <= > >=``)
their datetimes as instants. ``==`` is not exact for the non-fixed ones: across zones, Python
makes a time in a fold (or gap) unequal to every other zone's (PEP 495)."""


def _learn_zone(zone: type) -> None:
    if zone.__module__ == "bson.tz_util" and zone.__name__ == "FixedOffset":
        FIXED_ZONES.add(zone)
        AWARE_ZONES.add(zone)


def utc_naive(value: _dt.datetime) -> _dt.datetime:
    """A datetime as naive UTC (naive inputs are taken as UTC already)."""
    zone = value.tzinfo
    if zone is None:
        return value
    if zone.__class__ not in AWARE_ZONES:
        _learn_zone(zone.__class__)
    try:
        return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    except OverflowError:  # within a day of year 1 or 9999: clamp to the representable range
        return _dt.datetime.min if value.year == _dt.MINYEAR else _dt.datetime.max


def date_micros(value: Any) -> int:
    """Microseconds since the Unix epoch of any date value (``datetime``, ``DateMillis``,
    ``bson.DatetimeMS``)."""
    if isinstance(value, _dt.datetime):
        return (utc_naive(value) - EPOCH) // _US
    if isinstance(value, _v.DateMillis):
        return value.millis * 1000
    return int(value) * 1000  # bson.DatetimeMS: int() is its milliseconds


def date_millis(value: Any) -> int:
    """Milliseconds since the Unix epoch (a ``datetime``'s microseconds are truncated)."""
    return date_micros(value) // 1000


def document_of(value: Any) -> Mapping[str, Any] | None:
    """The document an object-typed value stands for (a ``bson.DBRef`` is ``{$ref, $id, $db,
    ...}``, as MongoDB stores it); None for any other value."""
    if isinstance(value, Mapping):
        return value
    if type(value).__name__ == "DBRef" and type_rank(value) == OBJECT:
        return dict(value.as_doc())
    return None


def code_parts(value: Any) -> tuple[str, Mapping[str, Any] | None]:
    """``(code, scope or None)`` of a javascript value."""
    if isinstance(value, _v.Code):
        return value.code, value.scope
    return str.__str__(value), value.scope


def regex_parts(value: Any) -> tuple[str, str]:
    """(pattern, flags) of a compiled or BSON regex, flags as sorted MongoDB letters."""
    pattern = value.pattern
    if isinstance(pattern, bytes):
        pattern = pattern.decode("utf-8", "replace")
    flags = getattr(value, "flags", 0)
    if isinstance(flags, str):
        return pattern, "".join(sorted(flags))
    letters = ""
    for bit, letter in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"),
                        (re.VERBOSE, "x")):
        if flags & bit:
            letters += letter
    return pattern, letters


# --- order ------------------------------------------------------------------------------------

Key = tuple[int, Any]


def _zero(value: Any) -> int:
    return 0


def _number_key(value: Any) -> tuple[int, Any]:
    n = number(value)
    return (0, 0) if is_nan(n) else (1, n)


def _object_key(value: Any) -> tuple[tuple[int, Any, Any], ...]:
    # (rank, name, value) per field: BSON compares types, then names, then values
    doc = document_of(value) or {}
    return tuple((r, k, n) for k, x in doc.items() for r, n in (bson_key(x),))


def _binary_key(value: Any) -> tuple[int, int, bytes]:
    subtype, data = binary_parts(value)
    return (len(data), subtype, data)  # BSON orders binData by length, then subtype, then bytes


def _code_key(value: Any) -> tuple[str, Any]:
    code, scope = code_parts(value)
    return (code, () if scope is None else _object_key(scope))


_KEYS: dict[int, Callable[[Any], Any]] = {
    MINKEY: _zero,
    NULL: _zero,
    NUMBER: _number_key,
    STRING: str.__str__,
    OBJECT: _object_key,
    ARRAY: lambda v: tuple(map(bson_key, v)),
    BINDATA: _binary_key,
    OBJECTID: lambda v: bytes(v.binary),
    BOOL: bool,
    DATE: date_micros,
    TIMESTAMP: lambda v: (v.time, v.inc),
    REGEX: regex_parts,
    CODE: _code_key,
    CODE_WITH_SCOPE: _code_key,
    MAXKEY: _zero,
    UNKNOWN: repr,
}
"""Per rank, a plain Python value that orders (and equals) as BSON orders that rank."""


def bson_key(value: Any) -> Key:
    """``(rank, native)``: tuples that compare as :func:`compare` compares the values."""
    rank = type_rank(value)
    return (rank, _KEYS[rank](value))


def _cmp_plain(a: Any, b: Any) -> int:
    return int((a > b) - (a < b))


def _cmp_numbers(a: Any, b: Any) -> int:
    a, b = number(a), number(b)
    a_nan, b_nan = is_nan(a), is_nan(b)
    if a_nan or b_nan:
        # NaN sorts below every other number and equals itself.
        return (b_nan - a_nan) if not (a_nan and b_nan) else 0
    if isinstance(a, Decimal) and isinstance(b, float) and math.isinf(b):
        b = Decimal(b)
    elif isinstance(b, Decimal) and isinstance(a, float) and math.isinf(a):
        a = Decimal(a)
    return int((a > b) - (a < b))


def _cmp_object(a: Any, b: Any) -> int:
    a, b = document_of(a) or {}, document_of(b) or {}
    ib, nb = iter(b.items()), len(b)
    for i, (ka, va) in enumerate(a.items()):
        if i >= nb:
            return 1
        kb, vb = next(ib)
        ra, rb = type_rank(va), type_rank(vb)
        if ra != rb:
            return -1 if ra < rb else 1
        if ka != kb:
            return -1 if ka < kb else 1
        c = _SAME_RANK[ra](va, vb)
        if c:
            return c
    return -1 if len(a) < nb else 0


def _cmp_array(a: Any, b: Any) -> int:
    for va, vb in zip(a, b, strict=False):
        ra, rb = type_rank(va), type_rank(vb)
        if ra != rb:
            return -1 if ra < rb else 1
        c = _SAME_RANK[ra](va, vb)
        if c:
            return c
    return _cmp_plain(len(a), len(b))


def _by_key(key: Callable[[Any], Any]) -> Callable[[Any, Any], int]:
    return lambda a, b: _cmp_plain(key(a), key(b))


_SAME_RANK: dict[int, Callable[[Any, Any], int]] = {
    **{rank: _by_key(key) for rank, key in _KEYS.items()},
    NUMBER: _cmp_numbers,
    STRING: _cmp_plain,
    OBJECT: _cmp_object,
    ARRAY: _cmp_array,
}


def compare(a: object, b: object) -> int:
    """Total order of BSON values: -1, 0 or 1. Missing compares as null."""
    ra, rb = type_rank(a), type_rank(b)
    if ra != rb:
        return -1 if ra < rb else 1
    return _SAME_RANK[ra](a, b)


def same_rank_comparator(rank: int) -> Callable[[Any, Any], int]:
    """The comparison function for two values that both have type rank ``rank``."""
    return _SAME_RANK[rank]
