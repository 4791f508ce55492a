"""A least-recently-used cache bounded by the bytes its entries hold, native memory included.

A compiled filter holds Python objects (its plan, closures and generated code) and, for each
regular expression, memory outside Python that ``tracemalloc`` does not see (an RE2 program
and its DFA budget). Each entry is stored with an estimate of both; the cache evicts the least
recently used entries to stay within its byte bound, and an entry larger than a quarter of the
bound is not kept at all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByteBoundedCache(Generic[V]):
    """``get_or_make(key, make)``: the cached value for ``key``, or ``make()``'s, cached when it
    fits; ``make`` returns ``(value, bytes)``."""

    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_make(self, key: Hashable, make: Callable[[], tuple[V, int]]) -> V:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit[0]
        value, size = make()  # outside the lock: compiling may take a while
        if size > self.max_bytes // 4:
            return value
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, size)
                self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self.bytes = 0
