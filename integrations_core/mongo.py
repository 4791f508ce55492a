"""The listing as pymongo ``find()`` arguments: the same validated request, run by MongoDB.

``to_find_args(request, caller)`` builds the filter, projection, sort, skip and limit that make
``Collection.find`` return exactly the page :func:`~integrations_core.list_integrations` returns,
and ``Collection.count_documents(args["filter"])`` the ``total``::

    request = parse_list_params(params, settings)        # ParamError / QueryError -> 400
    if not can_list(caller.permissions): ...             # -> 403
    args = to_find_args(request, caller, settings=settings)
    page = list(collection.find(**args))
    total = collection.count_documents(args["filter"])

Values that Extended JSON decoding produced (:mod:`integrations_core.mql.values`, ``Decimal``,
``uuid.UUID``) are converted to the pymongo ``bson`` values MongoDB receives for them, so both
paths run on the same values; pymongo must be installed only when a query holds such a value.
See docs/mongodb.md for indexes and sharding.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from integrations_core.listing import request_filter
from integrations_core.model import Caller
from integrations_core.mql import compile_projection, values
from integrations_core.mql.errors import QueryError, join_path
from integrations_core.params import ListRequest, with_id
from integrations_core.settings import DEFAULT_SETTINGS, Settings
from integrations_core.visibility import can_list


def to_find_args(
    request: ListRequest, caller: Caller, *, settings: Settings = DEFAULT_SETTINGS
) -> dict[str, Any]:
    """``find()`` keyword arguments (filter, projection, sort, skip, limit) for ``request``.

    The filter is ``{"$and": [scope, name/type filter, user query]}`` (empty parts left out),
    the sort is the user's sort with ``("_id", 1)`` last unless ``_id`` is already sorted on,
    and ``count=None`` (no limit) becomes pymongo's ``limit=0``; ``Settings.max_time_ms``, when
    set, is passed on as ``max_time_ms`` (MongoDB's own per-operation time limit). ``settings``
    must be the ones the request was parsed with: their redacted fields are projected away, as
    the listing does.
    The result shares no objects with ``request``. Raises ``PermissionError`` for a caller who
    may not list integrations (the endpoint answers 403 before building a query).
    """
    if not can_list(caller.permissions):
        raise PermissionError(f"user {caller.user_id!r} may not list integrations")
    query = to_bson(request.query, "query") if request.query else None
    args: dict[str, Any] = {
        # The listing's own filter and sort builders: the two paths cannot drift apart.
        "filter": request_filter(dataclasses.replace(request, query=query), caller),
        "projection": _projection(request.fields, settings),
        "sort": list(with_id(request.sort)),
        "skip": request.offset,
        "limit": 0 if request.count is None else request.count,
    }
    if settings.max_time_ms is not None:
        args["max_time_ms"] = settings.max_time_ms
    return args


def _projection(fields: Mapping[str, int] | None, settings: Settings) -> dict[str, int] | None:
    # As the listing projects: an exclusion (or no projection) also drops the redacted fields;
    # an inclusion cannot name them (params.py refuses any path that reaches one).
    hidden = {path: 0 for path in sorted(settings.redacted)}
    if fields is None:
        return hidden or None
    spec = dict(fields)
    if hidden and not compile_projection(spec, limits=settings.limits).inclusion:
        spec.update(hidden)
    return spec


def to_bson(value: Any, path: str = "") -> Any:
    """A fresh copy of a decoded query value in the types pymongo encodes.

    Mappings become dicts and tuples lists; the engine's own values become their pymongo
    classes (``values.ObjectId`` -> ``bson.ObjectId``, ``Int64`` -> ``bson.Int64``,
    ``DateMillis`` -> ``bson.DatetimeMS``, ...), ``Decimal`` ``bson.Decimal128`` and
    ``uuid.UUID`` a subtype-4 ``bson.Binary``; pymongo's own values pass as they are. Raises
    QueryError for a Decimal that Decimal128 cannot hold exactly.
    """
    if isinstance(value, Mapping):
        return {key: to_bson(item, join_path(path, key)) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_bson(item, f"{path}[{i}]") for i, item in enumerate(value)]
    convert = _TO_BSON.get(type(value))
    return value if convert is None else convert(value, path)


def _decimal(value: Decimal, path: str) -> Any:
    from bson.decimal128 import Decimal128

    try:
        return Decimal128(value)
    except ArithmeticError as exc:
        raise QueryError(f"{value} does not fit a 128-bit decimal exactly", path) from exc


def _bson(name: str, make: Callable[[Any, Any], Any]) -> Callable[[Any, str], Any]:
    def convert(value: Any, path: str) -> Any:
        import bson

        return make(bson, value)

    convert.__name__ = f"to_{name}"
    return convert


_TO_BSON: dict[type, Callable[[Any, str], Any]] = {
    Decimal: _decimal,
    values.Regex: _bson("regex", lambda b, v: b.Regex(v.pattern, v.flags)),
    values.ObjectId: _bson("objectid", lambda b, v: b.ObjectId(v.binary)),
    values.Binary: _bson("binary", lambda b, v: b.Binary(v.data, v.subtype)),
    uuid.UUID: _bson("uuid", lambda b, v: b.Binary(v.bytes, 4)),
    values.Int64: _bson("int64", lambda b, v: b.Int64(int(v))),
    values.Timestamp: _bson("timestamp", lambda b, v: b.Timestamp(v.time, v.inc)),
    values.DateMillis: _bson("datetime_ms", lambda b, v: b.DatetimeMS(v.millis)),
    values.MinKey: _bson("min_key", lambda b, v: b.MinKey()),
    values.MaxKey: _bson("max_key", lambda b, v: b.MaxKey()),
    values.Code: _bson("code", lambda b, v: b.Code(v.code, None if v.scope is None
                                                   else to_bson(dict(v.scope)))),
}
"""The engine's values (and ``Decimal``, ``uuid.UUID``) as the pymongo class MongoDB gets."""
