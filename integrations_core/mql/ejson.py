"""Extended JSON (canonical, relaxed and Meteor's EJSON) to Python values, and dates back.

=====================================================  ==================================
wrapper                                                Python value
=====================================================  ==================================
``{"$date": "2024-01-01T00:00:00Z"}``                  ``datetime`` (naive, UTC, ms)
``{"$date": {"$numberLong": "1704067200000"}}``        ``datetime``
``{"$date": 1704067200000}`` (Meteor)                  ``datetime``
``{"$numberInt": "7"}`` / ``{"$numberLong": "7"}``     ``int`` (range-checked)
``{"$numberDouble": "NaN" | "Infinity" | "1.5"}``      ``float``
``{"$numberDecimal": "1.10"}``                         ``Decimal``
``{"$regularExpression": {"pattern", "options"}}``     :class:`~.bson.Regex`
``{"$regexp": "^a", "$flags": "i"}`` (Meteor)          :class:`~.bson.Regex`
=====================================================  ==================================

Source: https://www.mongodb.com/docs/manual/reference/mongodb-extended-json/
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .bson import Regex, utc_naive
from .errors import QueryError, join_path
from .regex import check_options

_EPOCH = _dt.datetime(1970, 1, 1)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_DOUBLE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|-?Infinity")
_INT = re.compile(r"-?\d{1,20}")
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


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


def date_from_millis(millis: int, path: str = "") -> _dt.datetime:
    """Milliseconds since the Unix epoch as a naive UTC datetime."""
    try:
        return _EPOCH + _dt.timedelta(milliseconds=millis)
    except OverflowError:
        raise QueryError(f"$date {millis} ms is outside the supported years 1-9999", path) from None


def format_date(value: _dt.datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as Rocket.Chat's JSON responses write dates."""
    u = utc_naive(value)
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
            f".{u.microsecond // 1000:03d}Z")


def _int_text(text: Any, bounds: tuple[int, int], name: str, path: str) -> int:
    if not isinstance(text, str) or _INT.fullmatch(text) is None:
        raise QueryError(f"{name} takes a string of decimal digits", path)
    value = int(text)
    if not bounds[0] <= value <= bounds[1]:
        raise QueryError(f"{name} {text} is out of range", path)
    return value


def _date(arg: Any, path: str) -> _dt.datetime:
    if isinstance(arg, str):
        return parse_iso_date(arg, path)
    if isinstance(arg, int) and not isinstance(arg, bool):
        return date_from_millis(arg, path)
    if isinstance(arg, float) and arg.is_integer():
        return date_from_millis(int(arg), path)
    if isinstance(arg, Mapping) and list(arg) == ["$numberLong"]:
        at = join_path(path, "$numberLong")
        millis = _int_text(arg["$numberLong"], _INT64, "$numberLong", at)
        return date_from_millis(millis, path)
    raise QueryError("$date takes an ISO-8601 string, milliseconds or {$numberLong}", path)


def _double(arg: Any, path: str) -> float:
    if not isinstance(arg, str) or _DOUBLE.fullmatch(arg) is None:
        raise QueryError("$numberDouble takes a decimal string, 'NaN' or '[-]Infinity'", path)
    return float(arg.replace("Infinity", "inf"))


def _decimal(arg: Any, path: str) -> Decimal:
    try:
        if not isinstance(arg, str):
            raise InvalidOperation
        return Decimal(arg)
    except InvalidOperation:
        raise QueryError("$numberDecimal takes a decimal string", path) from None


def _regular_expression(arg: Any, path: str) -> Regex:
    if not isinstance(arg, Mapping) or set(arg) != {"pattern", "options"}:
        raise QueryError("$regularExpression takes {pattern: string, options: string}", path)
    pattern, options = arg["pattern"], arg["options"]
    if not isinstance(pattern, str) or not isinstance(options, str):
        raise QueryError("$regularExpression pattern and options must be strings", path)
    return Regex(pattern, check_options(options, join_path(path, "options")))


def _meteor_regexp(obj: Mapping[str, Any], path: str) -> Regex:
    pattern, flags = obj["$regexp"], obj.get("$flags", "")
    if not isinstance(pattern, str) or not isinstance(flags, str):
        raise QueryError("$regexp and $flags must be strings", path)
    return Regex(pattern, check_options(flags, join_path(path, "$flags")))


_WRAPPERS: dict[str, Callable[[Any, str], Any]] = {
    "$date": _date,
    "$numberInt": lambda a, p: _int_text(a, _INT32, "$numberInt", p),
    "$numberLong": lambda a, p: _int_text(a, _INT64, "$numberLong", p),
    "$numberDouble": _double,
    "$numberDecimal": _decimal,
    "$regularExpression": _regular_expression,
}


def wrapper_of(obj: Mapping[str, Any]) -> str | None:
    """The Extended JSON wrapper key ``obj`` is, or None if it is a plain document."""
    if len(obj) == 1:
        (key,) = obj
        if key in _WRAPPERS or key == "$regexp":
            return str(key)
    elif len(obj) == 2 and "$regexp" in obj and "$flags" in obj:
        return "$regexp"
    return None


def decode(value: Any, path: str = "") -> Any:
    """Decode every Extended JSON wrapper in ``value``; containers are copied, never shared."""
    if isinstance(value, Mapping):
        key = wrapper_of(value)
        if key == "$regexp":
            return _meteor_regexp(value, path)
        if key is not None:
            return _WRAPPERS[key](value[key], join_path(path, key))
        return {k: decode(v, join_path(path, k) if isinstance(k, str) else path)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [decode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value
