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
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from .mql.bson import (
    ARRAY,
    AWARE_ZONES,
    BINDATA,
    BOOL,
    CODE,
    CODE_WITH_SCOPE,
    DATE,
    MAXKEY,
    MINKEY,
    NULL,
    NUMBER,
    OBJECT,
    OBJECTID,
    REGEX,
    STRING,
    TIMESTAMP,
    UNKNOWN,
    binary_parts,
    code_parts,
    date_millis,
    document_of,
    number,
    regex_parts,
    type_rank,
)
from .mql.budget import COPY_VALUE, charge
from .mql.documents import MAX_NESTING, document_values
from .mql.ejson import format_date

HEADERS: tuple[tuple[str, str], ...] = (
    ("content-type", "application/json"),
    ("cache-control", "no-store"),
    ("pragma", "no-cache"),
)
NOT_LOGGED_IN = "You must be logged in to do this."
NO_PERMISSION = "User does not have the permissions required for this action"
_SURROGATE = re.compile("[\ud800-\udfff]")


class Response:
    """An HTTP response: status, headers and a JSON-ready body (dicts, lists, str, int, …).

    Immutable (its body is a plain dict, which a caller may change: ``json()`` writes it as it
    is). A page written straight to JSON text (:func:`page`) holds the text, and its body is read
    back from it the first time it is asked for (the same values, freshly made).
    """

    __slots__ = ("_body", "_text", "headers", "status")
    status: int
    headers: dict[str, str]
    _body: dict[str, Any] | None
    _text: str | None

    def __init__(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
        for name, value in (("status", status), ("headers", headers), ("_body", body),
                            ("_text", None)):
            object.__setattr__(self, name, value)

    @classmethod
    def _encoded(cls, status: int, headers: dict[str, str], text: str) -> Response:
        response = cls(status, headers, None)  # type: ignore[arg-type]
        object.__setattr__(response, "_text", text)
        return response

    @property
    def body(self) -> dict[str, Any]:
        """The JSON-ready body (for a page written as text, read back from the text once)."""
        body = self._body
        if body is None:
            body = json.loads(self._text or "")
            object.__setattr__(self, "_body", body)
        return body

    def json(self) -> str:
        """The body as compact JSON text, key order kept, non-ASCII as is (like
        ``JSON.stringify``; a lone surrogate is written as a ``\\uXXXX`` escape)."""
        text = self._text
        if text is not None and self._body is None:  # no body handed out, none changed
            return text
        text = json.dumps(self._body, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
        if not text.isascii() and _SURROGATE.search(text):
            text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
        return text

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Response is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Response):
            return NotImplemented
        return (self.status, self.headers, self.body) == (other.status, other.headers, other.body)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[Response], tuple[int, dict[str, str], dict[str, Any]]]:
        return (Response, (self.status, self.headers, self.body))

    def __repr__(self) -> str:
        return f"Response(status={self.status!r}, headers={self.headers!r}, body={self.body!r})"


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


Shape = Callable[[Mapping[str, Any]], Mapping[str, Any]]
_CHARGE_EVERY = 4096
"""Values of a plain page counted between two charges (the page is written after the last)."""


def page(records: list[Mapping[str, Any]], shape: Shape | None, offset: int,
         total: int) -> Response:
    """200 with ``records`` (each through ``shape``, if given) as JSON-ready copies.

    Each value is charged :data:`~.mql.budget.COPY_VALUE` before it is copied or written (a
    plain page's values in batches, since it is written at the end). Pages of plain
    values (exact str, int, bool, None, non-integral floats, dicts, lists, dates) are written
    straight from the records to the JSON text; any other value sends the whole page through
    :func:`to_json_value`, as a copy. Both give the same text.
    """
    docs: list[Any] = []
    plain = True
    pending = 0  # values counted, not charged yet: nothing is copied until they are
    for record in records:
        if shape is None:
            values = _plain_values(record, 1) if plain and record.__class__ is dict else -1
            pending += document_values(record) if values < 0 else values
            if values < 0 or pending >= _CHARGE_EVERY:
                charge(COPY_VALUE * pending)
                pending = 0
            doc = record
        else:
            charge(COPY_VALUE * document_values(record))
            doc = shape(record)
            values = _plain_values(doc, 1) if plain and doc.__class__ is dict else -1
        if plain and values < 0:
            plain = False
            docs = [to_json_value(d) for d in docs]
        docs.append(doc if plain else to_json_value(doc))
    if pending:
        charge(COPY_VALUE * pending)
    if plain:
        items = len(docs)
        body = {"integrations": docs, "offset": offset, "items": items, "count": items,
                "total": total, "success": True}
        try:
            text = _encode_page(body)
        except ValueError:  # an int too long for str(): the reference path says so when asked
            text = None
        if text is not None and (text.isascii() or not _SURROGATE.search(text)):
            return Response._encoded(200, dict(HEADERS), text)
        docs = [to_json_value(d) for d in docs]
    return success(docs, offset, total)


def _plain_values(value: Any, depth: int) -> int:
    """How many values the dict or list ``value`` holds (as ``document_values`` counts them),
    or -1 unless ``json.dumps`` writes it as :func:`to_json_value` makes it, dates aside
    (:data:`_PAGE_ENCODER` writes those as it does)."""
    if value.__class__ is dict:
        if "$ref" in value:  # perhaps a DBRef, whose $db goes last
            return -1
        for key in value:
            if key.__class__ is not str:
                return -1
        children = value.values()
    else:
        children = value
    if depth > MAX_NESTING:
        return -1
    count = 1 + len(children)  # each child once; a container adds what it holds
    for child in children:
        kind = child.__class__
        if kind in _SCALARS:
            continue
        if kind is list and depth < MAX_NESTING:  # the common list of strings, without a call
            for item in child:
                if item.__class__ not in _SCALARS:
                    break
            else:
                count += len(child)
                continue
        if kind is dict or kind is list:
            inner = _plain_values(child, depth + 1)
            if inner < 0:
                return -1
            count += inner - 1
        elif kind is _dt.datetime:
            zone = child.tzinfo  # a zone whose utcoffset() cannot fail, as document_values checks
            if zone is not None and zone.__class__ not in AWARE_ZONES:
                return -1
        elif kind is not float or not math.isfinite(child) or child.is_integer():
            return -1  # JavaScript writes integral floats as integers, NaN and infinity null
    return count


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
    """A fresh JSON-ready copy of a record value, as Rocket.Chat's ``JSON.stringify`` of the
    js-bson value writes it (tests/golden/jsbson.json holds what js-bson writes, type by type).

    Dates are ISO-8601 UTC strings with milliseconds and ``Z``; integral floats are integers and
    NaN/Infinity null (JavaScript numbers); ObjectIds their hex string; binData base64 (a
    16-byte subtype-4 UUID its dashed hex); decimals ``{"$numberDecimal": "..."}``; timestamps
    ``{"$timestamp": "<t << 32 | i>"}``; code ``{"code", "scope"}``; a DBRef ``{$ref, $id, ...,
    $db}``. Where js-bson would lose the value (a regex or MinKey/MaxKey becomes ``{}``, an
    Int64 beyond 2**53 ``{low, high, unsigned}``, a date past JavaScript's range null), the
    value is written as relaxed Extended JSON v2 instead (docs/rocketchat-differences.md).
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        if "$ref" in value and _dbref_like(value):
            return _mapping(value)
        return {
            key if type(key) is str else _key(key): item if type(item) in _SCALARS
            else to_json_value(item)
            for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _SCALARS else to_json_value(item) for item in value]
    return _ENCODERS[type_rank(value)](value)


def _key(key: Any) -> str:
    return str.__str__(key) if isinstance(key, str) else str(key)


def _dbref_like(doc: Mapping[str, Any]) -> bool:
    # js-bson's deserializer makes a DBRef of a document whose only $-keys are $ref, $id and
    # $db, with a string $ref, a non-null $id and a string $db if any; its toJSON puts $db last.
    return (isinstance(doc.get("$ref"), str) and doc.get("$id") is not None
            and isinstance(doc.get("$db", ""), str)
            and all(k in ("$ref", "$id", "$db") for k in doc if str(k).startswith("$")))


def _mapping(value: Any) -> dict[str, Any]:
    doc = document_of(value) or {}
    out = {_key(key): to_json_value(item) for key, item in doc.items()}
    if "$db" in out and _dbref_like(doc):
        out["$db"] = out.pop("$db")
    return out


def _number(value: Any) -> Any:
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    if isinstance(value, int):  # Int64 too: exact digits, where js-bson writes {low, high}
        return int(value)
    n = number(value)
    return {"$numberDecimal": "NaN" if n.is_nan() else str(n)}


def _binary(value: Any) -> str:
    subtype, data = binary_parts(value)
    if subtype == 4 and len(data) == 16:
        return str(uuid.UUID(bytes=data))
    return base64.b64encode(data).decode("ascii")


def _date(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return format_date(value)
    millis = date_millis(value)
    if abs(millis) > _JS_DATE_MAX:  # an Invalid Date: JSON.stringify writes null
        return {"$date": {"$numberLong": str(millis)}}
    when = _JS_EPOCH + _dt.timedelta(milliseconds=millis % _DAY_MS)
    days = millis // _DAY_MS
    year, month, day = _civil(days)
    text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    return (f"{text}-{month:02d}-{day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
            f".{when.microsecond // 1000:03d}Z")


def _civil(days: int) -> tuple[int, int, int]:
    """The proleptic Gregorian (year, month, day) ``days`` after 1970-01-01, any year."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def _code(value: Any) -> dict[str, Any]:
    code, scope = code_parts(value)
    if scope is None:
        return {"code": code}
    return {"code": code, "scope": _mapping(scope)}


def _regex(value: Any) -> dict[str, Any]:
    pattern, options = regex_parts(value)
    return {"$regularExpression": {"pattern": pattern, "options": options}}


_JS_DATE_MAX = 8_640_000_000_000_000
_DAY_MS = 86_400_000
_JS_EPOCH = _dt.datetime(1970, 1, 1)

_ENCODERS: dict[int, Callable[[Any], Any]] = {
    MINKEY: lambda v: {"$minKey": 1},
    NULL: lambda v: None,
    NUMBER: _number,
    STRING: str.__str__,  # a str subclass (a str Enum): its string data
    OBJECT: _mapping,
    ARRAY: lambda v: [to_json_value(item) for item in v],
    BINDATA: _binary,
    OBJECTID: lambda v: bytes(v.binary).hex(),
    BOOL: bool,
    DATE: _date,
    TIMESTAMP: lambda v: {"$timestamp": str((v.time << 32) | v.inc)},
    REGEX: _regex,
    CODE: _code,
    CODE_WITH_SCOPE: _code,
    MAXKEY: lambda v: {"$maxKey": 1},
    UNKNOWN: str,
}
"""Per BSON type rank, how ``JSON.stringify`` of the js-bson value writes it (see above)."""

_PAGE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                                 check_circular=False, default=format_date)
"""What ``Response.json`` writes, for a body whose only values that are not JSON's are dates
(and no cycles: a plain page is nested at most ``MAX_NESTING`` deep)."""
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_PAGE_CHUNKS: Callable[[Any, int], Any] | None = None if _C_ENCODER is None else _C_ENCODER(
    None, _PAGE_ENCODER.default, json.encoder.encode_basestring, None,
    _PAGE_ENCODER.key_separator, _PAGE_ENCODER.item_separator, _PAGE_ENCODER.sort_keys,
    _PAGE_ENCODER.skipkeys, _PAGE_ENCODER.allow_nan)
""":data:`_PAGE_ENCODER`'s C encoder, made once (``JSONEncoder.encode`` makes one per call):
``(body, 0)`` gives the text's chunks."""


def _encode_page(body: dict[str, Any]) -> str:
    if _PAGE_CHUNKS is None:
        return _PAGE_ENCODER.encode(body)
    return "".join(_PAGE_CHUNKS(body, 0))
