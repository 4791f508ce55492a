"""The listing as pymongo ``find()`` arguments: the same validated request, run by MongoDB.

``to_find_args(request, caller)`` builds the filter, projection, sort, skip and limit that make
``Collection.find`` return exactly the page :func:`~integrations_core.list_integrations` returns,
and ``Collection.count_documents(args["filter"])`` the ``total``::

    request = parse_list_params(params, settings)        # ParamError / QueryError -> 400
    if not can_list(caller.permissions): ...             # -> 403
    args = to_find_args(request, caller)
    page = list(collection.find(**args))
    total = collection.count_documents(args["filter"])

Values that Extended JSON decoding produced are converted to pymongo's ``bson`` types
(``Regex`` -> ``bson.Regex``, ``Decimal`` -> ``bson.Decimal128``); pymongo must be installed
only when a query holds such a value. See docs/mongodb.md for indexes and sharding.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from integrations_core.model import Caller
from integrations_core.mql.bson import Regex
from integrations_core.mql.errors import QueryError
from integrations_core.mql.regex import escape
from integrations_core.params import ListRequest
from integrations_core.visibility import can_list, visibility_filter


def to_find_args(request: ListRequest, caller: Caller) -> dict[str, Any]:
    """``find()`` keyword arguments (filter, projection, sort, skip, limit) for ``request``.

    The filter is ``{"$and": [scope, name/type filter, user query]}`` (empty parts left out),
    the sort is the user's sort with ``("_id", 1)`` last unless ``_id`` is already sorted on,
    and ``count=None`` (no limit) becomes pymongo's ``limit=0``. The result shares no objects
    with ``request``. Raises ``PermissionError`` for a caller who may not list integrations
    (the endpoint answers 403 before building a query).
    """
    if not can_list(caller.permissions):
        raise PermissionError(f"user {caller.user_id!r} may not list integrations")
    parts: list[Any] = [visibility_filter(caller)]
    if request.name:
        parts.append({"name": {"$regex": escape(request.name), "$options": "i"}})
    if request.type:
        parts.append({"type": request.type})
    if request.query:
        parts.append(request.query)
    query = parts[0] if len(parts) == 1 else {"$and": parts}
    sort = [(path, int(direction)) for path, direction in request.sort]
    if all(path != "_id" for path, _ in sort):
        sort.append(("_id", 1))
    return {
        "filter": to_bson(query, "query"),
        "projection": None if request.fields is None else dict(request.fields),
        "sort": sort,
        "skip": request.offset,
        "limit": 0 if request.count is None else request.count,
    }


def to_bson(value: Any, path: str = "") -> Any:
    """A fresh copy of a decoded query value in the types pymongo encodes.

    Mappings become dicts, tuples lists, ``mql.bson.Regex`` ``bson.Regex`` and ``Decimal``
    ``bson.Decimal128``. Raises QueryError for a Decimal that Decimal128 cannot hold exactly.
    """
    if isinstance(value, Mapping):
        return {key: to_bson(item, f"{path}.{key}" if path else key) for key, item in value.items()}
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
