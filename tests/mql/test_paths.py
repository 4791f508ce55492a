"""Values a dotted path yields, following src/mongo/db/matcher/path.cpp (BSONElementIterator)."""

from __future__ import annotations

from typing import Any

import pytest

from integrations_core.mql.bson import MISSING
from integrations_core.mql.paths import path_values

SRC = "src/mongo/db/matcher/path.cpp"


@pytest.mark.parametrize(
    ("doc", "path", "leaf", "expected"),
    [
        ({"a": 1}, "a", True, [1]),
        ({}, "a", True, [MISSING]),
        ({"a": {"b": 2}}, "a.b", True, [2]),
        ({"a": 5}, "a.b", True, [MISSING]),
        ({"a": [1, 2]}, "a", True, [1, 2, [1, 2]]),
        ({"a": [1, 2]}, "a", False, [[1, 2]]),
        ({"a": [[1]]}, "a", True, [[1], [[1]]]),
        ({"a": [{"b": 1}, {"b": 2}]}, "a.b", True, [1, 2]),
        ({"a": [{"b": 1}, {"c": 2}]}, "a.b", True, [1, MISSING]),
        ({"a": [1, 2]}, "a.b", True, []),
        ({"a": []}, "a.b", True, []),
        ({"a": [{"b": [1, 2]}]}, "a.b", True, [1, 2, [1, 2]]),
        ({"a": [{"b": [1, 2]}]}, "a.b", False, [[1, 2]]),
        ({"a": [[{"b": 1}]]}, "a.b", True, []),
        ({"a": [7, 8]}, "a.1", True, [8]),
        ({"a": [[1, 2]]}, "a.0", True, [[1, 2]]),
        ({"a": [{"0": 5}, 6]}, "a.0", True, [5, {"0": 5}]),
        ({"a": [{"0": 5}]}, "a.00", True, [MISSING]),
        ({"a": [[{"b": 1}]]}, "a.0.b", True, [1]),
        ({"a": [[5, 6]]}, "a.0.1", True, [6]),
        ({"a": {"0": 3}}, "a.0", True, [3]),
        ({"a": [{"b": {"c": [1]}}]}, "a.b.c", True, [1, [1]]),
    ],
)
def test_path_values(doc: dict[str, Any], path: str, leaf: bool, expected: list[Any]) -> None:
    assert path_values(doc, tuple(path.split(".")), leaf) == expected, SRC
