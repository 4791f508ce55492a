"""The documentation's examples run: a ```python block followed by a ```text block prints it."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PAIR = re.compile(r"```python\n(.*?)```\s*```text\n(.*?)```", re.DOTALL)

EXAMPLES = [
    pytest.param(code, expected, id=f"{page.name}:{n}")
    for page in PAGES
    for n, (code, expected) in enumerate(PAIR.findall(page.read_text(encoding="utf-8")))
]


def test_readme_has_examples() -> None:
    assert sum(1 for e in EXAMPLES if e.id and e.id.startswith("README.md")) >= 2


@pytest.mark.parametrize(("code", "expected"), EXAMPLES)
def test_example_prints_what_the_page_says(code: str, expected: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})
    assert out.getvalue().strip() == expected.strip()
