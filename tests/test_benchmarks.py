"""The benchmarks' command line (issue 12): ``make bench`` runs every ``benchmarks/bench_*.py``
and ``make bench BENCH_FLAGS=--check`` passes ``--check`` to each, so each must accept it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).parent.parent / "benchmarks").glob("bench_*.py"))


def test_the_benchmarks_are_found() -> None:
    assert len(BENCHMARKS) >= 9


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.name)
def test_each_benchmark_takes_check(script: Path) -> None:
    shown = subprocess.run([sys.executable, str(script), "--help"], capture_output=True,
                           text=True, timeout=120, cwd=script.parent, check=True)
    assert "--check" in shown.stdout
