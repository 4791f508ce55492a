"""``IntegrationStore``: integration records in memory, indexed so that a listing's cost follows
its answer rather than the collection.

``list_integrations(store, caller, params)`` answers exactly as ``list_integrations(list(store),
caller, params)`` does; the store only lets it look at fewer records (:mod:`.planner`). Indexes
(:mod:`.indexes`): ``type`` and ``_createdBy._id`` (multikey), per-scope counts, and one sorted
index per declared sort. Reads share a lock, writes take it alone, so a reader never sees half
of a write.
"""

from __future__ import annotations

import copy
import datetime as _dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from .indexes import Doc, Indexes
from .model import Caller
from .mql import compile_sort
from .mql.bson import MISSING, REGEX, STRING, type_rank
from .mql.errors import InputError, describe
from .mql.sortkeys import sort_key
from .params import ListRequest, Params
from .planner import Plan, plan
from .settings import DEFAULT_SETTINGS, Settings

DEFAULT_SORTS: tuple[str, ...] = ("name", "_createdAt", "_updatedAt")
"""The sorts a store indexes unless told otherwise (each with ``_id`` as the last key)."""


class StoreError(InputError):
    """A record or ``_id`` the store cannot accept."""


class DuplicateIdError(StoreError):
    """A record whose ``_id`` another record of the store already has."""


class UnknownIdError(StoreError):
    """No record of the store has this ``_id``."""


_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes, Decimal, _dt.datetime,
                        _dt.date, _dt.time, _dt.timedelta})


def _copy(value: Any, where: str) -> Any:
    """A deep copy that shares immutable values and makes every document a plain dict."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict or isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise StoreError(f"field names must be strings, not {describe(key)}", where)
            out[key] = _copy(item, f"{where}.{key}" if where else key)
        return out
    if kind is list:
        return [_copy(item, where) for item in value]
    if kind is tuple:
        return tuple(_copy(item, where) for item in value)
    return copy.deepcopy(value)


def _id_key(value: Any) -> Any:
    """A hashable key equal for ``_id`` s MongoDB's unique index takes as equal (1 and 1.0)."""
    if value is MISSING:
        raise StoreError("a record must have an _id", "_id")
    # MongoDB: "_id ... may be of any type other than an array or regex"
    # (https://www.mongodb.com/docs/manual/core/document/#the-_id-field).
    if isinstance(value, (list, tuple)) or type_rank(value) == REGEX:
        raise StoreError(f"_id cannot be {type(value).__name__} {describe(value)}", "_id")
    key = sort_key(value)
    return key[1] if key[0] == STRING else key


class _ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class IntegrationStore:
    """Integration records by ``_id``, in insertion order, with indexes for the listing.

    ``IntegrationStore(records)`` copies the records in (``_id`` unique; a repeat raises
    :class:`DuplicateIdError`). ``sorts`` names the sorts to index: each a field path or a
    tuple of paths, ``_id`` added last. Records given out (``get``, iteration) are copies.
    """

    def __init__(self, records: Iterable[Mapping[str, Any]] = (), *,
                 sorts: Iterable[str | tuple[str, ...]] = DEFAULT_SORTS) -> None:
        declared = []
        for sort in sorts:
            paths = (sort,) if isinstance(sort, str) else tuple(sort)
            paths = paths if "_id" in paths else (*paths, "_id")
            compile_sort([(path, 1) for path in paths])  # a QueryError names a bad path
            if paths not in declared:
                declared.append(paths)
        self._lock = _ReadWriteLock()
        self._local = threading.local()
        self._docs: dict[int, Doc] = {}
        self._seqs: dict[Any, int] = {}
        for seq, record in enumerate(records):
            doc, key = self._prepared(record)
            if key in self._seqs:
                raise DuplicateIdError(f"duplicate _id {describe(doc['_id'])}", "_id")
            self._seqs[key] = seq
            self._docs[seq] = doc
        self._next = len(self._docs)
        self._indexes = Indexes(self._docs, declared)
        self._indexes.build(self._docs)

    @staticmethod
    def _prepared(record: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
        if not isinstance(record, Mapping):
            raise StoreError(f"a record must be a mapping, not {type(record).__name__}")
        doc = _copy(record, "")
        return doc, _id_key(doc.get("_id", MISSING))

    # --- writes -------------------------------------------------------------------------------

    def insert(self, record: Mapping[str, Any]) -> None:
        """Add a copy of ``record``; :class:`DuplicateIdError` if its ``_id`` is taken."""
        doc, key = self._prepared(record)
        with self._lock.writing():
            if key in self._seqs:
                raise DuplicateIdError(f"duplicate _id {describe(doc['_id'])}", "_id")
            seq = self._seqs[key] = self._next
            self._next += 1
            self._docs[seq] = doc
            self._indexes.add(seq, doc)

    def replace(self, record: Mapping[str, Any]) -> None:
        """Put a copy of ``record`` in place of the record with its ``_id`` (same position)."""
        doc, key = self._prepared(record)
        with self._lock.writing():
            seq = self._seqs.get(key)
            if seq is None:
                raise UnknownIdError(f"no record has _id {describe(doc['_id'])}", "_id")
            self._indexes.remove(seq, self._docs[seq])
            self._docs[seq] = doc
            self._indexes.add(seq, doc)

    def delete(self, _id: Any) -> None:
        """Remove the record with this ``_id``; :class:`UnknownIdError` if there is none."""
        key = _id_key(_id)
        with self._lock.writing():
            seq = self._seqs.pop(key, None)
            if seq is None:
                raise UnknownIdError(f"no record has _id {describe(_id)}", "_id")
            self._indexes.remove(seq, self._docs[seq])
            del self._docs[seq]

    # --- reads --------------------------------------------------------------------------------

    def get(self, _id: Any, default: Any = None) -> Any:
        """A copy of the record with this ``_id`` (compared as MongoDB does), or ``default``."""
        key = _id_key(_id)
        with self._lock.reading():
            seq = self._seqs.get(key)
            doc = None if seq is None else self._docs[seq]
        return default if doc is None else _copy(doc, "")

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, _id: object) -> bool:
        try:
            key = _id_key(_id)
        except StoreError:
            return False
        return key in self._seqs

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Copies of the records in insertion order, as they were when iteration began."""
        with self._lock.reading():
            docs = list(self._docs.values())
        return (_copy(doc, "") for doc in docs)

    def __repr__(self) -> str:
        return f"<IntegrationStore of {len(self)} records>"

    @contextmanager
    def candidates(self, caller: Caller, request: ListRequest) -> Iterator[Plan]:
        """The plan for a validated request, its records readable while the block runs.

        The listing's own pipeline consumes ``plan.records`` (the store's records themselves,
        which it must not change) inside the block; no write is applied meanwhile.
        """
        sink: list[Plan] | None = getattr(self._local, "plans", None)
        with self._lock.reading():
            chosen = plan(self._docs, self._indexes, caller, request, count=sink is not None)
            if sink is not None:
                sink.append(chosen)
            yield chosen

    def explain(self, caller: Caller | None, params: Params,
                settings: Settings = DEFAULT_SETTINGS) -> dict[str, Any]:
        """Answer the request and describe how: the stage (``EOF``, ``COLLSCAN``, ``FETCH``,
        ``OR`` or ``IXSCAN``), the index and inputs, what sorted the page, where the listing
        could stop, where ``total`` came from, what was not used and why, and the records
        examined, returned and counted."""
        from .listing import list_integrations  # listing reads stores: imported when used

        plans: list[Plan] = []
        self._local.plans = plans
        try:
            response = list_integrations(self, caller, params, settings)
        finally:
            del self._local.plans
        out: dict[str, Any] = {"status": response.status}
        if not plans:
            out.update(stage=None, reason="answered before planning (not a 200 response)")
            return out
        out.update(plans[0].explain)
        if response.status == 200:
            out.update(returned=response.body["count"], total=response.body["total"])
        return out

