"""Extended JSON v2 (canonical and relaxed) and Meteor's EJSON to Python values, and dates back.

An object holding one of the wrapper keys below *is* that wrapper: it must have exactly the
keys shown (a malformed wrapper is a :class:`QueryError` naming it, e.g. ``$oid must be 24 hex
digits``), never a plain document or an operator. ``$regex``/``$options`` and ``$type`` are
MQL operators, so a query never reads them as the legacy regex or binary forms; a data file
(``query=False``) reads ``{"$regex": <string>, "$options": <string>}`` as a regex.

=======================================================  =======================  ===========
wrapper                                                  value                    in a query
=======================================================  =======================  ===========
``{"$oid": "<24 hex digits>"}``                          ``values.ObjectId``      yes
``{"$binary": {"base64": "...", "subType": "<hex>"}}``   ``bytes`` (subtype 0),   yes
``{"$binary": "...", "$type": "<hex>"}`` (legacy),       ``values.Binary``
``{"$binary": "..."}`` (Meteor)
``{"$uuid": "8-4-4-4-12 hex"}``                          ``values.Binary``, 4     yes
``{"$date": "<ISO-8601>"}`` / ``{"$date": {"$numberLong": "<ms>"}}`` /   ``datetime``     yes
``{"$date": <ms>}`` (Meteor)                             (``DateMillis`` outside years 1-9999)
``{"$numberInt": "<int32>"}``                            ``int``                  yes
``{"$numberLong": "<int64>"}``                           ``values.Int64``         yes
``{"$numberDouble": "1.5" | "NaN" | "[-]Infinity"}``     ``float``                yes
``{"$numberDecimal": "<decimal128>"}``                   ``Decimal`` (exact)      yes
``{"$timestamp": {"t": <uint32>, "i": <uint32>}}``       ``values.Timestamp``     yes
``{"$regularExpression": {"pattern", "options"}}``       ``values.Regex``         yes
``{"$regexp": "...", "$flags": "..."}`` (Meteor)         ``values.Regex``         yes
``{"$minKey": 1}`` / ``{"$maxKey": 1}``                  ``MinKey`` / ``MaxKey``  yes
``{"$symbol": "..."}``                                   ``str`` (same bracket)   yes
``{"$dbPointer": {"$ref": "...", "$id": {"$oid"}}}``     ``{"$ref", "$id"}``      yes
``{"$code": "..."}`` / ``{"$code": "...", "$scope": {}}``  ``values.Code``        no: code
``{"$undefined": true}``                                 ``None``                 no
=======================================================  =======================  ===========

Sources: https://github.com/mongodb/specifications/blob/master/source/extended-json/extended-json.md
(and its BSON corpus), https://docs.meteor.com/api/ejson.html.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation, Overflow
from typing import Any

from .bson import AWARE_ZONES, INT32, utc_naive
from .errors import QueryError, join_path
from .regex import check_options
from .values import (
    EPOCH,
    Binary,
    Code,
    DateMillis,
    Int64,
    MaxKey,
    MinKey,
    ObjectId,
    Regex,
    Timestamp,
)

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_DOUBLE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|-?Infinity")
_DECIMAL = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)",
                      re.IGNORECASE)
_INT = re.compile(r"-?\d{1,20}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SUBTYPE = re.compile(r"[0-9a-fA-F]{1,2}")
_INT64 = (-(2**63), 2**63 - 1)
_UINT32 = (0, 2**32 - 1)
# Decimal128: 34 digits, exponents -6176..6111; anything it cannot hold exactly is refused.
_DECIMAL128 = Context(prec=34, Emax=6144, Emin=-6143, rounding=ROUND_HALF_EVEN, clamp=1,
                      traps=[InvalidOperation, Overflow, Inexact])


def parse_iso_date(text: str, path: str = "") -> _dt.datetime:
    """An ISO-8601 date-time (as ``$date`` takes it) as naive UTC, millisecond precision."""
    m = _ISO.fullmatch(text)
    if m is None:
        raise QueryError(f"invalid $date string {text[:40]!r}: expected ISO-8601", path)
    year, month, day, hour, minute, second, frac, _zulu, sign, oh, om = m.groups()
    try:
        value = _dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            int((frac or "0")[:3].ljust(3, "0")) * 1000,
        )
        if sign:
            offset = _dt.timedelta(hours=int(oh), minutes=int(om))
            value = value - offset if sign == "+" else value + offset
    except (ValueError, OverflowError) as exc:
        raise QueryError(f"invalid $date {text[:40]!r}: {exc}", path) from None
    return value


def date_from_millis(millis: int, path: str = "") -> _dt.datetime | DateMillis:
    """Milliseconds since the Unix epoch: a naive UTC datetime, or a :class:`DateMillis` for a
    date outside the years 1-9999."""
    if not _INT64[0] <= millis <= _INT64[1]:
        raise QueryError(f"$date {millis} ms is outside BSON's 64-bit range", path)
    try:
        return EPOCH + _dt.timedelta(milliseconds=millis)
    except OverflowError:
        return DateMillis(millis)


def format_date(value: _dt.datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as Rocket.Chat's JSON responses write dates."""
    zone = value.tzinfo
    if zone is not None:
        offset = value.utcoffset() if zone.__class__ in AWARE_ZONES else None
        if offset is None:
            value = utc_naive(value)
        elif offset:
            try:
                value -= offset  # the UTC fields, still labelled with the zone
            except OverflowError:
                value = utc_naive(value)
    # Years 1-9999 are four digits: the date and time are the text's first 19 characters, and
    # 23 with the milliseconds (truncated). isoformat() with no timespec is the fastest form.
    if value.microsecond:
        return value.isoformat()[:23] + "Z"
    return value.isoformat()[:19] + ".000Z"


def _int_text(text: Any, bounds: tuple[int, int], name: str, path: str) -> int:
    if not isinstance(text, str) or _INT.fullmatch(text) is None:
        raise QueryError(f"{name} takes a string of decimal digits", path)
    value = int(text)
    if not bounds[0] <= value <= bounds[1]:
        raise QueryError(f"{name} {text} is out of range", path)
    return value


def _uint32(value: Any, name: str, path: str) -> int:
    if type(value) is not int or not _UINT32[0] <= value <= _UINT32[1]:
        raise QueryError(f"$timestamp {name} must be an unsigned 32-bit integer", path)
    return value


def _fields(arg: Any, keys: set[str], what: str, path: str) -> Mapping[str, Any]:
    if not isinstance(arg, Mapping) or set(arg) != keys:
        raise QueryError(f"{what} takes {{{', '.join(sorted(keys))}}}", path)
    return arg


def _date(obj: Mapping[str, Any], path: str) -> Any:
    arg = obj["$date"]
    if isinstance(arg, str):
        return parse_iso_date(arg, path)
    if isinstance(arg, int) and not isinstance(arg, bool):
        return date_from_millis(int(arg), path)  # Meteor's EJSON
    if isinstance(arg, float) and arg.is_integer():
        return date_from_millis(int(arg), path)
    if isinstance(arg, Mapping) and list(arg) == ["$numberLong"]:
        at = join_path(path, "$numberLong")
        return date_from_millis(_int_text(arg["$numberLong"], _INT64, "$numberLong", at), path)
    raise QueryError("$date takes an ISO-8601 string, milliseconds or {$numberLong}", path)


def _double(obj: Mapping[str, Any], path: str) -> float:
    arg = obj["$numberDouble"]
    if not isinstance(arg, str) or _DOUBLE.fullmatch(arg) is None:
        raise QueryError("$numberDouble takes a decimal string, 'NaN' or '[-]Infinity'", path)
    return float(arg.replace("Infinity", "inf"))


def decimal128(text: Any, path: str = "$numberDecimal") -> Decimal:
    """The Decimal a ``$numberDecimal`` string stands for, refused unless Decimal128 holds it
    exactly (34 digits, exponents -6176..6111)."""
    if not isinstance(text, str) or _DECIMAL.fullmatch(text) is None:
        raise QueryError("$numberDecimal takes a decimal string, 'NaN' or '[-]Infinity'", path)
    try:
        return _DECIMAL128.create_decimal(text)
    except (Inexact, Overflow, InvalidOperation):
        raise QueryError(f"$numberDecimal {text[:40]!r} does not fit a 128-bit decimal "
                         "exactly", path) from None


def _binary_value(data: bytes, subtype: int) -> bytes | Binary:
    return data if subtype == 0 else Binary(data, subtype)


def _base64(text: Any, path: str) -> bytes:
    if not isinstance(text, str):
        raise QueryError("$binary base64 must be a string", path)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise QueryError("$binary base64 is not valid base64", path) from None


def _subtype(text: Any, path: str) -> int:
    if not isinstance(text, str) or _SUBTYPE.fullmatch(text) is None:
        raise QueryError("$binary subType must be one or two hex digits", path)
    return int(text, 16)


def _binary(obj: Mapping[str, Any], path: str) -> bytes | Binary:
    arg = obj["$binary"]
    if "$type" in obj:  # legacy {"$binary": base64, "$type": hex}
        return _binary_value(_base64(arg, path), _subtype(obj["$type"], path))
    if isinstance(arg, str):  # Meteor's EJSON: a Uint8Array
        return _base64(arg, path)
    if not isinstance(arg, Mapping) or set(arg) != {"base64", "subType"}:
        raise QueryError("$binary takes {base64: string, subType: hex string}", path)
    return _binary_value(_base64(arg["base64"], join_path(path, "base64")),
                         _subtype(arg["subType"], join_path(path, "subType")))


def _uuid(obj: Mapping[str, Any], path: str) -> Binary:
    arg = obj["$uuid"]
    if not isinstance(arg, str) or _UUID.fullmatch(arg) is None:
        raise QueryError("$uuid must be 32 hex digits as 8-4-4-4-12", path)
    return Binary(bytes.fromhex(arg.replace("-", "")), 4)


def _oid(obj: Mapping[str, Any], path: str) -> ObjectId:
    arg = obj["$oid"]
    if not isinstance(arg, str):
        raise QueryError("$oid must be 24 hex digits", path)
    try:
        return ObjectId.from_hex(arg)
    except ValueError:
        raise QueryError("$oid must be 24 hex digits", path) from None


def _timestamp(obj: Mapping[str, Any], path: str) -> Timestamp:
    arg = _fields(obj["$timestamp"], {"t", "i"}, "$timestamp", path)
    return Timestamp(_uint32(arg["t"], "t", path), _uint32(arg["i"], "i", path))


def _pattern(pattern: Any, options: Any, what: str, path: str, options_at: str) -> Regex:
    if not isinstance(pattern, str) or not isinstance(options, str):
        raise QueryError(f"{what} pattern and options must be strings", path)
    if "\x00" in pattern:
        raise QueryError(f"{what} pattern cannot contain a null byte", path)
    return Regex(pattern, "".join(sorted(check_options(options, options_at))))


def _regular_expression(obj: Mapping[str, Any], path: str) -> Regex:
    arg = _fields(obj["$regularExpression"], {"pattern", "options"}, "$regularExpression", path)
    return _pattern(arg["pattern"], arg["options"], "$regularExpression", path,
                    join_path(path, "options"))


def _meteor_regexp(obj: Mapping[str, Any], path: str) -> Regex:
    return _pattern(obj["$regexp"], obj.get("$flags", ""), "$regexp", path,
                    join_path(path.removesuffix("$regexp").rstrip("."), "$flags"))


def _key(name: str) -> Callable[[Mapping[str, Any], str], Any]:
    value = MinKey() if name == "$minKey" else MaxKey()

    def decode_key(obj: Mapping[str, Any], path: str) -> Any:
        if type(obj[name]) is not int or obj[name] != 1:
            raise QueryError(f"{name} must be 1", path)
        return value

    return decode_key


def _symbol(obj: Mapping[str, Any], path: str) -> str:
    if not isinstance(obj["$symbol"], str):
        raise QueryError("$symbol must be a string", path)
    return str(obj["$symbol"])


def _db_pointer(obj: Mapping[str, Any], path: str) -> dict[str, Any]:
    arg = _fields(obj["$dbPointer"], {"$ref", "$id"}, "$dbPointer", path)
    if not isinstance(arg["$ref"], str):
        raise QueryError("$dbPointer $ref must be a string", path)
    oid = arg["$id"]
    if not (isinstance(oid, Mapping) and list(oid) == ["$oid"]):
        raise QueryError("$dbPointer $id must be an {$oid}", path)
    # The deprecated dbPointer type is read as the DBRef document drivers turn it into.
    return {"$ref": arg["$ref"], "$id": _oid(oid, join_path(path, "$id"))}


def _code(obj: Mapping[str, Any], path: str) -> Code:
    if not isinstance(obj["$code"], str):
        raise QueryError("$code must be a string", path)
    if "$scope" not in obj:
        return Code(obj["$code"])
    if not isinstance(obj["$scope"], Mapping):
        raise QueryError("$scope must be a document", path)
    return Code(obj["$code"], decode(obj["$scope"], join_path(path, "$scope"), query=False))


def _undefined(obj: Mapping[str, Any], path: str) -> None:
    if obj["$undefined"] is not True:
        raise QueryError("$undefined must be true", path)


def _number_int(obj: Mapping[str, Any], path: str) -> int:
    return _int_text(obj["$numberInt"], INT32, "$numberInt", path)


def _number_long(obj: Mapping[str, Any], path: str) -> Int64:
    return Int64(_int_text(obj["$numberLong"], _INT64, "$numberLong", path))


class _Wrapper:
    __slots__ = ("decode", "keys", "refused")

    def __init__(self, decode: Callable[[Mapping[str, Any], str], Any],
                 keys: tuple[frozenset[str], ...], refused: str = "") -> None:
        self.decode, self.keys, self.refused = decode, keys, refused


def _one(key: str, *others: str) -> tuple[frozenset[str], ...]:
    return (frozenset({key}), *(frozenset({key, o}) for o in others))


WRAPPERS: dict[str, _Wrapper] = {
    "$oid": _Wrapper(_oid, _one("$oid")),
    "$binary": _Wrapper(_binary, _one("$binary", "$type")),
    "$uuid": _Wrapper(_uuid, _one("$uuid")),
    "$date": _Wrapper(_date, _one("$date")),
    "$numberInt": _Wrapper(_number_int, _one("$numberInt")),
    "$numberLong": _Wrapper(_number_long, _one("$numberLong")),
    "$numberDouble": _Wrapper(_double, _one("$numberDouble")),
    "$numberDecimal": _Wrapper(lambda o, p: decimal128(o["$numberDecimal"], p),
                               _one("$numberDecimal")),
    "$timestamp": _Wrapper(_timestamp, _one("$timestamp")),
    "$regularExpression": _Wrapper(_regular_expression, _one("$regularExpression")),
    "$regexp": _Wrapper(_meteor_regexp, _one("$regexp", "$flags")),
    "$minKey": _Wrapper(_key("$minKey"), _one("$minKey")),
    "$maxKey": _Wrapper(_key("$maxKey"), _one("$maxKey")),
    "$symbol": _Wrapper(_symbol, _one("$symbol")),
    "$dbPointer": _Wrapper(_db_pointer, _one("$dbPointer")),
    "$code": _Wrapper(_code, _one("$code", "$scope"),
                      "JavaScript code is neither run nor matched here"),
    "$undefined": _Wrapper(_undefined, _one("$undefined"),
                           "MongoDB cannot compare to undefined (use null)"),
}
"""Every Extended JSON wrapper key, its decoder, its key sets and why a query refuses it."""


_WRAPPER_KEYS = frozenset(WRAPPERS)
WRAPPER_KEYS = _WRAPPER_KEYS
"""Every key that makes an object an Extended JSON wrapper."""
SINGLE_KEY_DECODERS: dict[str, Callable[[Mapping[str, Any], str], Any]] = {
    key: row.decode for key, row in WRAPPERS.items() if frozenset({key}) in row.keys
}
"""The decoder of each wrapper that may stand alone (``{"$oid": ...}``), for data files' fast
path: ``decoder(obj, path)``."""


def wrapper_of(obj: Mapping[str, Any]) -> str | None:
    """The Extended JSON wrapper key ``obj`` holds, or None if it is a plain document."""
    if _WRAPPER_KEYS.isdisjoint(obj):
        return None
    return next(str(key) for key in obj if key in _WRAPPER_KEYS)


def _wrapped(obj: Mapping[str, Any], key: str, path: str, query: bool) -> Any:
    row = WRAPPERS[key]
    at = join_path(path, key)
    if frozenset(obj) not in row.keys:
        extra = sorted(str(k) for k in obj if k not in set().union(*row.keys))
        if extra:
            raise QueryError(f"{key} takes no other keys (found {', '.join(extra)})", at)
        raise QueryError(f"{key} cannot stand with {', '.join(sorted(set(obj) - {key}))}", at)
    if query and row.refused:
        raise QueryError(f"{key} is not allowed in a query: {row.refused}", at)
    return row.decode(obj, at)


def _legacy_regex(obj: Mapping[str, Any]) -> bool:
    return (set(obj) == {"$regex", "$options"} and isinstance(obj["$regex"], str)
            and isinstance(obj["$options"], str))


def decode(value: Any, path: str = "", *, query: bool = True) -> Any:
    """Decode every Extended JSON wrapper in ``value``; containers are copied, never shared.

    ``query`` (the default) refuses the wrappers a query may not hold and keeps ``$regex`` /
    ``$options`` as operators; ``query=False`` reads a data file's values.
    """
    if isinstance(value, Mapping):
        key = wrapper_of(value)
        if key is not None:
            return _wrapped(value, key, path, query)
        if not query and _legacy_regex(value):
            return _pattern(value["$regex"], value["$options"], "$regex", path,
                            join_path(path, "$options"))
        out = {}
        for k, v in value.items():
            if isinstance(k, str):
                if "\x00" in k:
                    raise QueryError("field names cannot contain a null byte", path)
                out[k] = decode(v, join_path(path, k), query=query)
            else:
                out[k] = decode(v, path, query=query)
        return out
    if isinstance(value, (list, tuple)):
        return [decode(v, f"{path}[{i}]", query=query) for i, v in enumerate(value)]
    return value
