"""The listing as pymongo ``find()`` arguments: the same validated request, run by MongoDB.

``to_find_args(request, caller)`` builds the filter, projection, sort, skip and limit that make
``Collection.find`` return exactly the page :func:`~integrations_core.list_integrations` returns,
and ``Collection.count_documents(args["filter"])`` the ``total``::

    request = parse_list_params(params, settings)        # ParamError / QueryError -> 400
    if not can_list(caller.permissions): ...             # -> 403
    args = to_find_args(request, caller, settings=settings)
    page = list(collection.find(**args))
    total = collection.count_documents(args["filter"])

Values that Extended JSON decoding produced are converted to pymongo's ``bson`` types
(``Regex`` -> ``bson.Regex``, ``Decimal`` -> ``bson.Decimal128``); pymongo must be installed
only when a query holds such a value. See docs/mongodb.md for indexes and sharding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from integrations_core.listing import request_filter
from integrations_core.model import Caller
from integrations_core.mql import compile_projection
from integrations_core.mql.bson import Regex
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
    and ``count=None`` (no limit) becomes pymongo's ``limit=0``. ``settings`` must be the ones
    the request was parsed with: their redacted fields are projected away, as the listing does.
    The result shares no objects with ``request``. Raises ``PermissionError`` for a caller who
    may not list integrations (the endpoint answers 403 before building a query).
    """
    if not can_list(caller.permissions):
        raise PermissionError(f"user {caller.user_id!r} may not list integrations")
    query = to_bson(request.query, "query") if request.query else None
    return {
        # The listing's own filter and sort builders: the two paths cannot drift apart.
        "filter": request_filter(dataclasses.replace(request, query=query), caller),
        "projection": _projection(request.fields, settings),
        "sort": list(with_id(request.sort)),
        "skip": request.offset,
        "limit": 0 if request.count is None else request.count,
    }


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

    Mappings become dicts, tuples lists, ``mql.bson.Regex`` ``bson.Regex`` and ``Decimal``
    ``bson.Decimal128``. Raises QueryError for a Decimal that Decimal128 cannot hold exactly.
    """
    if isinstance(value, Mapping):
        return {key: to_bson(item, join_path(path, key)) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_bson(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Regex):
        from bson.regex import Regex as BsonRegex

        return BsonRegex(value.pattern, value.flags)
    if isinstance(value, Decimal):
        from bson.decimal128 import Decimal128

        try:
            return Decimal128(value)
        except ArithmeticError as exc:
            raise QueryError(f"{value} does not fit a 128-bit decimal exactly", path) from exc
    return value
