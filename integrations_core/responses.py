"""Rocket.Chat 7.x response envelopes (docs/architecture.md) and records made JSON-ready.

Bodies follow apps/meteor/app/api/server/ApiClass.ts: ``success()`` appends
``success: true`` to the result; ``failure()`` writes ``success, error, errorType, details``
where ``error`` is a ``Meteor.Error`` message (``"<reason> [<error>]"``); a missing login answers
with the legacy 401 body, and a permission failure is a 403 with ``[error-unauthorized]``.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .mql.ejson import format_date

HEADERS: tuple[tuple[str, str], ...] = (
    ("content-type", "application/json"),
    ("cache-control", "no-store"),
    ("pragma", "no-cache"),
)
NOT_LOGGED_IN = "You must be logged in to do this."
NO_PERMISSION = "User does not have the permissions required for this action"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Response:
    """An HTTP response: status, headers and a JSON-ready body (dicts, lists, str, int, …)."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]

    def json(self) -> str:
        """The body as compact JSON text, key order kept, non-ASCII as is (like
        ``JSON.stringify``; a lone surrogate is written as a ``\\uXXXX`` escape)."""
        text = json.dumps(self.body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if _SURROGATE.search(text):
            text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        return text


def _response(status: int, body: dict[str, Any]) -> Response:
    return Response(status, dict(HEADERS), body)


def success(integrations: list[dict[str, Any]], offset: int, total: int) -> Response:
    """200 with the page and its counts, in Rocket.Chat's key order."""
    items = len(integrations)
    return _response(200, {
        "integrations": integrations,
        "offset": offset,
        "items": items,
        "count": items,
        "total": total,
        "success": True,
    })


def unauthorized() -> Response:
    """401: no authenticated caller."""
    return _response(401, {
        "success": False,
        "error": NOT_LOGGED_IN,
        "status": "error",
        "message": NOT_LOGGED_IN,
    })


def forbidden() -> Response:
    """403: the caller holds none of the four integration permissions."""
    return _response(403, {"success": False, "error": f"{NO_PERMISSION} [error-unauthorized]"})


def invalid_params(message: str) -> Response:
    """400 ``invalid-params``."""
    return _response(400, {
        "success": False,
        "error": f"{message} [invalid-params]",
        "errorType": "invalid-params",
    })


def invalid_json_param(param: str, raw: str, reason: str | None) -> Response:
    """400 ``error-invalid-sort`` / ``-fields`` / ``-query``; ``raw`` is the text as received,
    ``reason`` (path and cause) is added as ``details.reason`` when given."""
    error_type = f"error-invalid-{param}"
    details: dict[str, Any] = {"helperMethod": "parseJsonQuery"}
    if reason is not None:
        details["reason"] = reason
    return _response(400, {
        "success": False,
        "error": f'Invalid {param} parameter provided: "{raw}" [{error_type}]',
        "errorType": error_type,
        "details": details,
    })


_SCALARS = frozenset({str, int, bool, type(None)})


def to_json_value(value: Any) -> Any:
    """A fresh JSON-ready copy of a record value, as ``JSON.stringify`` would write it.

    Dates become ISO-8601 UTC strings with milliseconds and ``Z``; integral floats are written
    as integers and NaN/Infinity as null (JavaScript numbers); tuples become lists; bytes become
    base64; ``Decimal`` becomes ``{"$numberDecimal": "..."}``; other objects their ``str()``.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {
            key if type(key) is str else _key(key): item if type(item) in _SCALARS
            else to_json_value(item)
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _SCALARS else to_json_value(item) for item in value]
    return _other(value)


def _key(key: Any) -> str:
    return str.__str__(key) if isinstance(key, str) else str(key)


def _other(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    if isinstance(value, str):  # a subclass, e.g. a str Enum: its string data
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, _dt.datetime):
        return format_date(value)
    if isinstance(value, Mapping):
        return {_key(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, Decimal):
        return {"$numberDecimal": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)
