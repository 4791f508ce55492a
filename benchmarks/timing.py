"""Timing shared by the benchmarks: the best time of one function, or of two whose runs
alternate (so that a change in the machine's load falls on both)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best(fn: Callable[[], object], repeat: int, *, loops: int = 1) -> float:
    """The best time per call of ``fn`` over ``repeat`` samples of ``loops`` calls."""
    return best_alternating(fn, None, repeat, loops=loops)[0]


def best_alternating(run: Callable[[], object], other: Callable[[], object] | None,
                     repeat: int, *, loops: int = 1,
                     collect: bool = False) -> tuple[float, float]:
    """The best time per call of ``run`` and of ``other`` (inf without one), their samples of
    ``loops`` calls alternating; ``collect`` runs the garbage collector before each sample."""
    best_times = [float("inf"), float("inf")]
    for _ in range(repeat):
        for which, fn in enumerate((run, other)):
            if fn is None:
                continue
            if collect:
                gc.collect()
            start = time.perf_counter()
            for _ in range(loops):
                fn()
            best_times[which] = min(best_times[which], (time.perf_counter() - start) / loops)
    return best_times[0], best_times[1]
