"""The planner of an :class:`~integrations_core.IntegrationStore`: which records a request
needs to look at, in which order, and whether ``total`` is known without looking.

A plan never decides what matches: the listing runs its own compiled filter, sort, paging and
projection over the candidates. The planner only picks the candidates (a superset of the
matches), in insertion order or, when a sorted index serves the sort, in the sort's order; and
when nothing but the caller's scope and ``type`` narrows the request, it gives ``total`` from
the per-scope counts, so that the listing may stop after ``offset + count`` matches.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from .indexes import Doc, EqualityIndex, Indexes, Scope, SortedIndex, SortedSeqs
from .model import Caller
from .mql import compile_sort
from .params import ListRequest, with_id
from .visibility import visibility_filter

_OWNER = "_createdBy._id"


@dataclass
class Plan:
    """How the listing reads a store for one request."""

    records: Iterable[Doc]
    """The candidates: every record that can match, and perhaps others."""
    ordered: bool = False
    """The candidates come in the request's sort order (a sorted index serves the sort)."""
    stop_after: int | None = None
    """The listing may stop after this many matches (``offset + count``, ``total`` known)."""
    total: int | None = None
    """The number of matches, from the counts; None when the listing must count them."""
    explain: dict[str, Any] = field(default_factory=dict)
    """The plan described, as :meth:`IntegrationStore.explain` reports it."""
    collection: int = 0
    """How many records the store holds (the scan of them all is what the budget allows)."""


def _scopes(caller: Caller) -> list[tuple[str, str | None]] | None:
    """The caller's scopes as ``(type, creator or None)``; None if the filter has another shape."""
    scope = visibility_filter(caller)
    out: list[tuple[str, str | None]] = []
    for part in scope.get("$or", ()):
        kind, owner = part.get("type"), part.get(_OWNER)
        if not isinstance(kind, str) or set(part) - {"type", _OWNER} or (
                _OWNER in part and not isinstance(owner, str)):
            return None
        out.append((kind, owner))
    return out if out and set(scope) == {"$or"} else None


@dataclass
class _Source:
    index: EqualityIndex
    key: str

    @property
    def size(self) -> int:
        return self.index.size(self.key)

    def describe(self) -> dict[str, Any]:
        return {"index": self.index.name, "key": self.key, "keys": self.size}


def plan(docs: Mapping[int, Doc], indexes: Indexes, caller: Caller, request: ListRequest,
         count: bool = False) -> Plan:
    """The plan for a validated request by a caller allowed to list; with ``count``, its
    ``explain["examined"]`` counts the records the stage reads as the listing runs."""
    n = len(docs)
    fallbacks: list[str] = []
    scopes = _scopes(caller)
    total: int | None = None
    sources: list[_Source] | None = None
    if scopes is None:
        fallbacks.append("the caller's visibility filter is not a union of type/creator scopes")
    else:
        sources = _sources(indexes, scopes, request.type)
        narrowing = [name for name in ("name", "query") if getattr(request, name)]
        if narrowing:
            fallbacks.append(f"total: the listing counts the matches ({' and '.join(narrowing)} "
                             "narrows them)")
        else:
            total = indexes.counts.union(_counted_scopes(scopes, request.type))
            if total is None:
                fallbacks.append(f"total: type {request.type!r} is not counted")
    candidates = n if sources is None else min(n, sum(s.size for s in sources))
    info: dict[str, Any] = {"candidates": candidates,
                            "totalFrom": "scan" if total is None else "counts",
                            "fallbacks": fallbacks}
    if count:
        info["examined"] = 0
    stop = None
    if total is not None and request.count is not None:
        stop = request.offset + request.count
    if total is not None and request.offset >= total:
        info.update(stage="EOF", candidates=0, sortedBy=None, stopAfter=None)
        return Plan((), total=total, explain=info, collection=n)

    if request.sort:
        walked = _walk(docs, indexes, request, total, stop, candidates, fallbacks, info,
                       _partitions(scopes, request))
        if walked is not None:
            return Plan(walked, ordered=True, stop_after=stop, total=total, explain=info,
                        collection=n)
        stop = None  # the pipeline sorts: it needs every match
    info.update(sortedBy="pipeline" if request.sort else None, stopAfter=stop)
    return Plan(_counted(_fetch(docs, sources, candidates, info), info), stop_after=stop,
                total=total, explain=info, collection=n)


def _counted_scopes(scopes: list[tuple[str, str | None]], kind: str | None) -> list[Scope]:
    extra = {kind} if kind else set()
    return [(frozenset({scope_type, *extra}), owner) for scope_type, owner in scopes]


def _sources(indexes: Indexes, scopes: list[tuple[str, str | None]],
             kind: str | None) -> list[_Source]:
    """For each scope, the smallest bucket that holds all its records; each bucket once."""
    chosen: dict[tuple[str, str], _Source] = {}
    for scope_type, owner in scopes:
        options = [_Source(indexes.type, scope_type)]
        if kind and kind != scope_type:
            options.append(_Source(indexes.type, kind))
        if owner is not None:
            options.append(_Source(indexes.owner, owner))
        best = min(options, key=lambda s: s.size)
        chosen.setdefault((best.index.name, best.key), best)
    return [s for s in chosen.values() if s.size]


def _fetch(docs: Mapping[int, Doc], sources: list[_Source] | None, candidates: int,
           info: dict[str, Any]) -> Iterable[Doc]:
    """The candidates in insertion order."""
    if sources is not None and not sources:
        info.update(stage="EOF", candidates=0)
        return ()
    if sources is None or (len(sources) > 1 and 2 * candidates >= len(docs)):
        info.update(stage="COLLSCAN", candidates=len(docs))
        return docs.values()
    info.update(stage="FETCH" if len(sources) == 1 else "OR",
                inputs=[s.describe() for s in sources])
    if len(sources) == 1:
        return map(docs.__getitem__, sources[0].index.buckets[sources[0].key])
    merged = heapq.merge(*(s.index.buckets[s.key] for s in sources))
    return map(docs.__getitem__, _unique(merged))


def _counted(records: Iterable[Doc], info: dict[str, Any]) -> Iterable[Doc]:
    if "examined" not in info:
        return records

    def counting() -> Iterator[Doc]:
        for doc in records:
            info["examined"] += 1
            yield doc

    return counting()


def _unique(seqs: Iterable[int]) -> Iterator[int]:
    last = -1
    for seq in seqs:
        if seq != last:
            yield seq
            last = seq


def _partitions(scopes: list[tuple[str, str | None]] | None,
                request: ListRequest) -> list[tuple[str, str]]:
    """The partitions of a sorted index that hold every match: the creator's when every scope
    is one creator's, the type's when ``type`` or every scope names one type."""
    keys = []
    owners = {owner for _, owner in scopes or ()}
    if len(owners) == 1 and None not in owners:
        keys.append((_OWNER, cast(str, owners.pop())))
    types = {request.type} if request.type else {kind for kind, _ in scopes or ()}
    if len(types) == 1 and scopes:
        keys.append(("type", types.pop()))
    return keys


def _walk(docs: Mapping[int, Doc], indexes: Indexes, request: ListRequest, total: int | None,
          stop: int | None, candidates: int, fallbacks: list[str],
          info: dict[str, Any], keys: list[tuple[str, str]]) -> Iterable[Doc] | None:
    """The records in the request's order from a sorted index (its smallest partition among
    ``keys``, which hold every match), if one serves it and walking it is expected to examine
    no more records than the candidates are."""
    spec = with_id(request.sort)
    paths = tuple(path for path, _ in spec)
    index = next((i for i in indexes.sorted if i.paths == paths), None)
    if index is None:
        fallbacks.append(f"sort: no index on {', '.join(paths)}")
        return None
    forward = spec[0][1] == 1
    if index.broken:
        fallbacks.append(f"sort: {index.name} lacks {len(index.broken)} record(s) whose sort "
                         "paths are parallel arrays")
        return None
    if not forward and index.multikey:
        fallbacks.append(f"sort: {index.name} cannot be read backward, {len(index.multikey)} "
                         "record(s) hold arrays on its paths")
        return None
    partition = min(keys, key=lambda k: len(index.partitions.get(k, ())), default=None)
    seqs = index.seqs if partition is None else index.partitions.get(partition, SortedSeqs())
    if stop is None and request.count is not None and partition is None:
        # Every candidate is read to count the matches: in the collection's order and through
        # a top-k heap that is faster than in the index's order (benchmarks/bench_store.py).
        fallbacks.append(f"sort: {index.name} not walked, every candidate is read to count "
                         "the matches")
        return None
    n = len(seqs)
    # Matches spread evenly over the index, or every match is needed.
    walk = min(n, -(-stop * n // total)) if stop is not None and total else n
    if walk > candidates:
        fallbacks.append(f"sort: walking {index.name} would examine about {walk} records, "
                         f"the candidates are {candidates}")
        return None
    run = next((i for i, (_, d) in enumerate(spec) if d != spec[0][1]), len(spec))
    info.update(stage="IXSCAN", index=index.name,
                direction="forward" if forward else "backward", sortedBy="index",
                stopAfter=stop, candidates=walk)
    if partition is not None:
        info["partition"] = {partition[0]: partition[1], "keys": n}
    order = iter(seqs) if forward else reversed(seqs)
    records = _counted(map(docs.__getitem__, order), info)
    if run == len(spec):
        return records
    info["regroup"] = run  # keys after the first `run` go the other way: re-sort equal runs
    return _regrouped(records, index, run, spec)


def _regrouped(records: Iterable[Doc], index: SortedIndex, run: int,
               spec: tuple[tuple[str, int], ...]) -> Iterator[Doc]:
    """Records whose first ``run`` keys are equal, each group put in ``spec`` order."""
    order = compile_sort(spec)
    group: list[Doc] = []
    head: tuple[Any, ...] = ()
    for doc in records:
        key = index.full_key(doc)[:run]
        if group and key != head:
            yield from order.sorted(group) if len(group) > 1 else group
            group = []
        head = key
        group.append(doc)
    yield from order.sorted(group) if len(group) > 1 else group
