"""BSON's value model over Python values: type order, total comparison and equality.

Python values stand for BSON types as follows (``bson`` types from pymongo are recognised
when that package is installed, never required):

==============================  ==========================  ====
Python                          BSON type                    rank
==============================  ==========================  ====
``bson.MinKey``                 minKey                       1
``None`` / missing              null                         5
``int``/``float``/``Decimal``   numbers (int, long, double)  10
``str``                         string                       15
``dict`` / ``Mapping``          object                       20
``list`` / ``tuple``            array                        25
``bytes`` / ``bson.Binary``     binData                      30
``bson.ObjectId``               objectId                     35
``bool``                        bool                         40
``datetime`` (naive = UTC)      date                         45
``bson.Timestamp``              timestamp                    47
``re.Pattern`` / ``bson.Regex`` regex                        50
``bson.MaxKey``                 maxKey                       127
==============================  ==========================  ====

Source: https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final


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


@dataclass(frozen=True, slots=True)
class Regex:
    """A BSON regular expression value: a pattern and its MongoDB option letters."""

    pattern: str
    flags: str = ""

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
MAXKEY: Final = 127
UNKNOWN: Final = 200

_RANK: dict[type, int] = {
    type(None): NULL,
    _Missing: NULL,
    bool: BOOL,
    int: NUMBER,
    float: NUMBER,
    Decimal: NUMBER,
    str: STRING,
    dict: OBJECT,
    list: ARRAY,
    tuple: ARRAY,
    bytes: BINDATA,
    _dt.datetime: DATE,
    re.Pattern: REGEX,
    Regex: REGEX,
}

# pymongo's bson types, recognised by module and class name so that bson stays optional.
_BSON_RANKS: Final = {
    "MinKey": MINKEY,
    "MaxKey": MAXKEY,
    "Int64": NUMBER,
    "Decimal128": NUMBER,
    "Binary": BINDATA,
    "ObjectId": OBJECTID,
    "Timestamp": TIMESTAMP,
    "Regex": REGEX,
    "SON": OBJECT,
}


def _rank_of_type(t: type) -> int:
    for base in t.__mro__:
        if base.__module__.startswith("bson") and base.__name__ in _BSON_RANKS:
            return _BSON_RANKS[base.__name__]
        if base in _RANK:
            return _RANK[base]
    if issubclass(t, Mapping):
        return OBJECT
    if type(t).__name__ == "_Regexp" or t.__name__ == "_Regexp":  # google-re2's compiled pattern
        return REGEX
    return UNKNOWN


def type_rank(value: object) -> int:
    """The canonical BSON type rank of ``value`` (``UNKNOWN`` for foreign Python objects)."""
    t = type(value)
    rank = _RANK.get(t)
    if rank is None:
        rank = _rank_of_type(t)
        _RANK[t] = rank
    return rank


def is_nan(value: object) -> bool:
    """True for a float or Decimal NaN (quiet or signalling)."""
    if isinstance(value, Decimal):
        return value.is_nan()  # comparing a signalling NaN would raise
    return value != value


def _number(value: Any) -> Any:
    if type(value).__name__ == "Decimal128":
        return value.to_decimal()
    return value


def _cmp_numbers(a: Any, b: Any) -> int:
    a, b = _number(a), _number(b)
    a_nan, b_nan = is_nan(a), is_nan(b)
    if a_nan or b_nan:
        # NaN sorts below every other number and equals itself.
        return (b_nan - a_nan) if not (a_nan and b_nan) else 0
    if isinstance(a, Decimal) and isinstance(b, float) and math.isinf(b):
        b = Decimal(b)
    elif isinstance(b, Decimal) and isinstance(a, float) and math.isinf(a):
        a = Decimal(a)
    return int((a > b) - (a < b))


def utc_naive(value: _dt.datetime) -> _dt.datetime:
    """A datetime as naive UTC (naive inputs are taken as UTC already)."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    except OverflowError:  # within a day of year 1 or 9999: clamp to the representable range
        return _dt.datetime.min if value.year == _dt.MINYEAR else _dt.datetime.max


def _cmp_plain(a: Any, b: Any) -> int:
    return int((a > b) - (a < b))


def _cmp_dates(a: Any, b: Any) -> int:
    return _cmp_plain(utc_naive(a), utc_naive(b))


def _bin_key(value: Any) -> tuple[int, int, bytes]:
    # BSON orders binData by length, then subtype, then bytes.
    return (len(value), int(getattr(value, "subtype", 0)), bytes(value))


def _cmp_bin(a: Any, b: Any) -> int:
    return _cmp_plain(_bin_key(a), _bin_key(b))


def regex_parts(value: Any) -> tuple[str, str]:
    """(pattern, flags) of a compiled or BSON regex, flags as MongoDB letters."""
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


def _cmp_regex(a: Any, b: Any) -> int:
    return _cmp_plain(regex_parts(a), regex_parts(b))


def _cmp_objectid(a: Any, b: Any) -> int:
    return _cmp_plain(a.binary, b.binary)


def _cmp_timestamp(a: Any, b: Any) -> int:
    return _cmp_plain((a.time, a.inc), (b.time, b.inc))


def _cmp_equal(a: Any, b: Any) -> int:
    return 0


def _cmp_unknown(a: Any, b: Any) -> int:
    return _cmp_plain(repr(a), repr(b))


def _cmp_object(a: Any, b: Any) -> int:
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


_SAME_RANK: dict[int, Callable[[Any, Any], int]] = {
    MINKEY: _cmp_equal,
    NULL: _cmp_equal,
    NUMBER: _cmp_numbers,
    STRING: _cmp_plain,
    OBJECT: _cmp_object,
    ARRAY: _cmp_array,
    BINDATA: _cmp_bin,
    OBJECTID: _cmp_objectid,
    BOOL: _cmp_plain,
    DATE: _cmp_dates,
    TIMESTAMP: _cmp_timestamp,
    REGEX: _cmp_regex,
    MAXKEY: _cmp_equal,
    UNKNOWN: _cmp_unknown,
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
