"""The indexes of an :class:`~integrations_core.IntegrationStore`, kept in step with its records.

Records are numbered in insertion order (their *seq*); every index holds seqs only, so an entry
costs one pointer. Index keys are read with the library's own MQL rules, so that an index can
never disagree with the compiled filter or sort:

* the equality indexes on ``type`` and ``_createdBy._id`` are multikey, as MongoDB's are: a
  record is listed under every string its path yields (:func:`~.mql.paths.path_values`, which
  fans out through arrays exactly as matching does);
* :class:`ScopeCounts` counts records per set of integration types and creator, so that the
  number of records a caller may see is a few lookups;
* a :class:`SortedIndex` orders seqs by the sort key :mod:`.mql.sortkeys` gives, ``_id`` last,
  so that walking it is ``compile_sort`` order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, combinations
from typing import Any

from .model import INTEGRATION_TYPES
from .mql import compile_sort
from .mql.bson import MISSING, STRING, type_rank
from .mql.errors import QueryError
from .mql.paths import path_values
from .mql.sortkeys import sort_key

Doc = Mapping[str, Any]
TYPE_PATH = ("type",)
OWNER_PATH = ("_createdBy", "_id")
_LOAD = 1000  # entries per chunk: inserts and deletes move at most 2 * _LOAD pointers


class SortedSeqs:
    """Seqs in the order of ``key(seq)`` (the seq itself when ``key`` is None); keys are unique.

    A list of sorted chunks with the largest key of each: ``add`` and ``remove`` bisect twice
    and move one chunk's tail, so writes stay cheap at a million entries.
    """

    __slots__ = ("_chunks", "_key", "_len", "_maxes")

    def __init__(self, key: Callable[[int], Any] | None = None, ordered: Iterable[int] = ()):
        seqs = list(ordered)
        self._key = key
        self._chunks = [seqs[i : i + _LOAD] for i in range(0, len(seqs), _LOAD)]
        self._maxes = [self._key_of(chunk[-1]) for chunk in self._chunks]
        self._len = len(seqs)

    def _key_of(self, seq: int) -> Any:
        return seq if self._key is None else self._key(seq)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        return chain.from_iterable(self._chunks)

    def __reversed__(self) -> Iterator[int]:
        return chain.from_iterable(map(reversed, reversed(self._chunks)))

    def add(self, seq: int) -> None:
        """Insert ``seq`` at its place (an append when its key is the largest)."""
        key, chunks, maxes = self._key_of(seq), self._chunks, self._maxes
        self._len += 1
        if not chunks:
            chunks.append([seq])
            maxes.append(key)
            return
        i = bisect_left(maxes, key)
        if i == len(maxes):
            i -= 1
            chunk = chunks[i]
            chunk.append(seq)
            maxes[i] = key
        else:
            chunk = chunks[i]
            chunk.insert(bisect_left(chunk, key, key=self._key), seq)
        if len(chunk) > 2 * _LOAD:
            chunks.insert(i + 1, chunk[_LOAD:])
            del chunk[_LOAD:]
            maxes.insert(i, self._key_of(chunk[-1]))

    def remove(self, seq: int) -> None:
        """Take ``seq`` out; its key must be the one it was added with."""
        key, chunks, maxes = self._key_of(seq), self._chunks, self._maxes
        i = bisect_left(maxes, key)
        chunk = chunks[i] if i < len(chunks) else []
        j = bisect_left(chunk, key, key=self._key)
        if j == len(chunk) or chunk[j] != seq:
            raise LookupError(f"seq {seq} is not in the index")  # the indexes are out of step
        del chunk[j]
        self._len -= 1
        if not chunk:
            del chunks[i], maxes[i]
        elif j == len(chunk):
            maxes[i] = self._key_of(chunk[-1])


def string_keys(doc: Doc, parts: tuple[str, ...]) -> set[str]:
    """The strings an equality ``{path: "<string>"}`` can match in ``doc`` (multikey)."""
    out: set[str] = set()
    for value in path_values(doc, parts):
        if type(value) is str:
            out.add(value)
        elif isinstance(value, str) and type_rank(value) == STRING and value == str(value):
            out.add(str(value))  # a str subclass that equals its text, as $eq compares it
    return out


def partition_keys(doc: Doc) -> list[tuple[str, str]]:
    """The partitions of the sorted indexes a record is in: its types and its creators."""
    return ([("type", kind) for kind in string_keys(doc, TYPE_PATH)]
            + [("_createdBy._id", owner) for owner in string_keys(doc, OWNER_PATH)])


class EqualityIndex:
    """A multikey index on one path: string -> the seqs of the records that yield it."""

    __slots__ = ("buckets", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.buckets: dict[str, SortedSeqs] = {}

    def add(self, seq: int, keys: Iterable[str]) -> None:
        for key in keys:
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = SortedSeqs()
            bucket.add(seq)

    def remove(self, seq: int, keys: Iterable[str]) -> None:
        for key in keys:
            bucket = self.buckets[key]
            bucket.remove(seq)
            if not len(bucket):
                del self.buckets[key]

    def size(self, key: str) -> int:
        bucket = self.buckets.get(key)
        return 0 if bucket is None else len(bucket)


Scope = tuple[frozenset[str], str | None]
"""Records whose types include every one of a set, created by one user (None: anyone)."""


class ScopeCounts:
    """How many records each scope holds, for every set of integration types and creator.

    A record whose ``type`` yields several integration types counts under each subset of them,
    so the number of records in a union of scopes follows by inclusion and exclusion.
    """

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: Counter[Scope] = Counter()

    @staticmethod
    def _scopes(types: set[str], owners: set[str]) -> Iterator[Scope]:
        known = sorted(types.intersection(INTEGRATION_TYPES))
        for size in range(1, len(known) + 1):
            for subset in combinations(known, size):
                kinds = frozenset(subset)
                yield kinds, None
                for owner in owners:
                    yield kinds, owner

    def add(self, types: set[str], owners: set[str]) -> None:
        self._counts.update(self._scopes(types, owners))

    def remove(self, types: set[str], owners: set[str]) -> None:
        counts = self._counts
        for scope in self._scopes(types, owners):
            counts[scope] -= 1
            if not counts[scope]:
                del counts[scope]

    def union(self, scopes: list[Scope]) -> int | None:
        """Records in at least one of ``scopes`` (all sharing one creator), or None when a
        scope names a type that is not counted."""
        if any(not kinds.issubset(INTEGRATION_TYPES) for kinds, _ in scopes):
            return None
        total = 0
        for size in range(1, len(scopes) + 1):
            for subset in combinations(scopes, size):
                kinds = frozenset().union(*(k for k, _ in subset))
                owners = {owner for _, owner in subset if owner is not None}
                if len(owners) > 1:
                    return None
                total += (-1) ** (size + 1) * self._counts[kinds, next(iter(owners), None)]
        return total


class SortedIndex:
    """Seqs ordered by the ascending sort key of ``paths`` (``_id`` last): ``compile_sort``'s
    order, read forward. Backward it is the descending order unless some record is multikey
    (an array on a sort path sorts by its least element ascending, its greatest descending).

    ``partitions`` holds the same order partitioned by creator and by type (``("_createdBy._id",
    creator)`` and ``("type", type)``, multikey), so that a caller who sees only its own records,
    or only one type, walks only those.
    """

    __slots__ = ("_docs", "broken", "multikey", "name", "partitions", "parts", "paths", "seqs",
                 "sort")

    def __init__(self, paths: tuple[str, ...], docs: Mapping[int, Doc]) -> None:
        self.paths = paths
        self.name = "_".join(f"{path}_1" for path in paths)  # MongoDB's index naming
        self.sort = compile_sort([(path, 1) for path in paths])
        self.parts = tuple(tuple(path.split(".")) for path in paths)
        self._docs = docs
        self.multikey: set[int] = set()
        """Seqs of records that meet an array on a sort path."""
        self.broken: set[int] = set()
        """Seqs of records without a sort key (parallel arrays): not in the index."""
        self.seqs = SortedSeqs(self._seq_key)
        self.partitions: dict[tuple[str, str], SortedSeqs] = {}

    def key(self, doc: Doc) -> tuple[Any, ...] | None:
        """The record's sort key, or None when it meets an array on a sort path."""
        out = []
        for parts in self.parts:
            value: Any = doc
            for part in parts:
                value = value.get(part, MISSING) if type(value) is dict else MISSING
                if isinstance(value, (list, tuple)):
                    return None
            out.append(sort_key(value))
        return tuple(out)

    def full_key(self, doc: Doc) -> tuple[Any, ...]:
        """The key the record is indexed under (``compile_sort``'s key when it is multikey)."""
        return self.key(doc) or self.sort.key(doc)

    def _seq_key(self, seq: int) -> Any:
        return self.full_key(self._docs[seq])

    def build(self, seqs: Iterable[int]) -> None:
        """Index ``seqs`` at once (one sort instead of one insert each)."""
        keyed = []
        for seq in seqs:
            doc = self._docs[seq]
            key = self.key(doc)
            if key is None:
                try:
                    key = self.sort.key(doc)
                except QueryError:
                    self.broken.add(seq)
                    continue
                self.multikey.add(seq)
            keyed.append((key, seq))
        keyed.sort()
        ordered = [seq for _, seq in keyed]
        self.seqs = SortedSeqs(self._seq_key, ordered)
        partitions: dict[tuple[str, str], list[int]] = {}
        for seq in ordered:
            for key in partition_keys(self._docs[seq]):
                partitions.setdefault(key, []).append(seq)
        self.partitions = {key: SortedSeqs(self._seq_key, seqs)
                           for key, seqs in partitions.items()}

    def add(self, seq: int) -> None:
        doc = self._docs[seq]
        if self.key(doc) is None:
            try:
                self.sort.key(doc)
            except QueryError:
                self.broken.add(seq)
                return
            self.multikey.add(seq)
        self.seqs.add(seq)
        for key in partition_keys(doc):
            self.partitions.setdefault(key, SortedSeqs(self._seq_key)).add(seq)

    def remove(self, seq: int) -> None:
        if seq in self.broken:
            self.broken.discard(seq)
            return
        self.seqs.remove(seq)
        self.multikey.discard(seq)
        for key in partition_keys(self._docs[seq]):
            partition = self.partitions[key]
            partition.remove(seq)
            if not partition:
                del self.partitions[key]


class Indexes:
    """Every index of a store, updated together for each record."""

    __slots__ = ("counts", "owner", "sorted", "type")

    def __init__(self, docs: Mapping[int, Doc], sorts: Iterable[tuple[str, ...]]) -> None:
        self.type = EqualityIndex("type_1")
        self.owner = EqualityIndex("_createdBy._id_1")
        self.counts = ScopeCounts()
        self.sorted = [SortedIndex(paths, docs) for paths in sorts]

    def build(self, docs: Mapping[int, Doc]) -> None:
        """Index every record of ``docs`` (empty indexes, seqs in ascending order)."""
        for seq, doc in docs.items():
            self._equality(seq, doc, add=True)
        for index in self.sorted:
            index.build(docs.keys())

    def add(self, seq: int, doc: Doc) -> None:
        self._equality(seq, doc, add=True)
        for index in self.sorted:
            index.add(seq)

    def remove(self, seq: int, doc: Doc) -> None:
        self._equality(seq, doc, add=False)
        for index in self.sorted:
            index.remove(seq)

    def _equality(self, seq: int, doc: Doc, add: bool) -> None:
        types, owners = string_keys(doc, TYPE_PATH), string_keys(doc, OWNER_PATH)
        if add:
            self.type.add(seq, types)
            self.owner.add(seq, owners)
            self.counts.add(types, owners)
        else:
            self.type.remove(seq, types)
            self.owner.remove(seq, owners)
            self.counts.remove(types, owners)
