"""A validated request and what it compiles, each once: parsed requests cached by their text.

Parsing a request (JSON, Extended JSON, compiling its sort, projection and query to validate
them) costs more than many requests' matching. :func:`parse_cached` keeps the result of
:func:`~integrations_core.params.parse_compiled` for the raw parameter values and the
settings it was parsed under, in a cache bounded in bytes like the compile cache
(:mod:`.mql.cache`). A rejected request is not kept: it is parsed again, and rejected again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any, cast

from .mql import Projection, Sort, compile_projection, compile_sort
from .mql.cache import ByteBoundedCache
from .mql.filter import CACHE_BYTES, CACHED_MAX_NODES
from .mql.limits import shape_key
from .params import ListRequest, RawParams, parse_compiled, with_id
from .settings import Settings

Shape = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class Prepared:
    """What a request compiles besides its filter, each once and only when needed: the sort
    (``_id`` last), the projection (redaction included) and the query's cache key."""

    __slots__ = ("_order", "_projection", "nodes", "query_key", "request", "settings")

    def __init__(self, request: ListRequest, settings: Settings, order: Sort | None = None,
                 projection: Projection | None = None) -> None:
        self.request, self.settings = request, settings
        self._order = order
        self._projection: Shape | bool | None = False
        if projection is not None:
            self._projection = _redacted(projection, settings)
        self.query_key: QueryKey | None = None
        """The query's type-exact image (None without a query, or when it is not cached)."""
        self.nodes = 0
        """How many values the query holds."""
        if request.query:
            image, self.nodes = shape_key(request.query, settings.query_limits)
            # A value that cannot be hashed: the query is compiled afresh each time.
            with suppress(TypeError):
                self.query_key = QueryKey(image) if self.nodes <= CACHED_MAX_NODES else None

    def order(self) -> Sort:
        """The request's sort, ``_id`` appended (the request must have a sort)."""
        if self._order is None:
            self._order = compile_sort(with_id(self.request.sort), limits=self.settings.limits)
        return self._order

    def projection(self) -> Shape | None:
        """The user's projection, then the redacted fields taken out (docs/security.md)."""
        if self._projection is False:
            self._projection = _projection(self.request.fields, self.settings)
        return cast("Shape | None", self._projection)


class QueryKey:
    """A query's type-exact image with its hash computed once (it keys each request's filter)."""

    __slots__ = ("_hash", "image")

    def __init__(self, image: Any) -> None:
        self.image = image
        self._hash = hash(image)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, QueryKey) and other._hash == self._hash
                and other.image == self.image)


def _projection(fields: Mapping[str, int] | None, settings: Settings) -> Shape | None:
    shape = None if fields is None else compile_projection(fields, limits=settings.limits)
    return _redacted(shape, settings)


def _redacted(shape: Shape | None, settings: Settings) -> Shape | None:
    redactor = settings.redactor
    if redactor is None or shape is None:
        return redactor or shape

    def redacted(record: Mapping[str, Any]) -> Mapping[str, Any]:
        return redactor(shape(record))

    return redacted


REQUEST_CACHE: ByteBoundedCache[tuple[Settings, ListRequest, Prepared]] = ByteBoundedCache(
    CACHE_BYTES)
"""Parsed requests by their raw parameter values and settings."""
_FIXED_BYTES, _BYTES_PER_CHAR, _BYTES_PER_VALUE = 4_096, 4, 600  # entry, text, query value


def parse_cached(raw: RawParams, settings: Settings) -> tuple[ListRequest, Prepared]:
    """:func:`~integrations_core.params.parse_collected_params` and the request's
    :class:`Prepared` (its sort and projection compiled while they were checked); for raw
    values seen before under the same settings, from the cache."""
    text = 0
    items = []
    for name, value in raw.items():
        kind = type(value)
        items.append((name, kind, repr(value) if kind is float else value))
        text += len(value) if kind is str else 24
    # The entry holds the settings, so no other object can have their id while it is kept.
    key = (id(settings), tuple(items))

    def make() -> tuple[tuple[Settings, ListRequest, Prepared], int]:
        request, order, projection = parse_compiled(raw, settings)
        prepared = Prepared(request, settings, order, projection)
        size = _FIXED_BYTES + _BYTES_PER_CHAR * text + _BYTES_PER_VALUE * prepared.nodes
        return (settings, request, prepared), size

    _, request, prepared = REQUEST_CACHE.get_or_make(key, make)
    return request, prepared
