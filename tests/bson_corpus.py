"""MongoDB's BSON corpus, as prepared beside the repository (``../shared/data``).

The cases were drawn from ``mongodb/specifications`` ``source/bson-corpus/tests/*.json`` (the
file's ``provenance`` names the commit); each valid case carries the Extended JSON of one value
and the answers a query over it must give (``rulings``). CI lays ``shared/`` beside the
repository; a missing file fails the run (it is never skipped).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

NAME = Path("shared") / "data" / "bson-corpus-cases.json"
REPO = Path(__file__).resolve().parents[1]


def corpus_path() -> Path:
    """``<repo>/../shared/data/bson-corpus-cases.json`` (or beside a folder further up, for a
    worktree nested in the checkout's parent)."""
    for folder in REPO.parents:
        candidate = folder / NAME
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"the BSON corpus is missing: expected {REPO.parent / NAME} (CI copies shared/ beside "
        "the repository); the corpus-driven tests cannot run without it")


@cache
def corpus() -> dict[str, Any]:
    """The prepared corpus: provenance, rulings, valid cases, parse errors."""
    data: dict[str, Any] = json.loads(corpus_path().read_text(encoding="utf-8"))
    return data


def case_id(case: dict[str, Any]) -> str:
    """A test id: the corpus file, case number and form, then the corpus's description."""
    return f"{case['id']} {case['case']}"
