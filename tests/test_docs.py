"""The documentation's examples run: a ```python block followed by a ```text block prints it.

Every page of README.md and docs/ is read; a ```python block whose next block is a ```text block
is executed on its own (imports included) and must print exactly that text.
"""

from __future__ import annotations

import contextlib
import io
import re
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def blocks(text: str) -> list[tuple[str, str, int, int]]:
    """The fenced blocks of a page: (language, content, start, end)."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]


def pairs(text: str) -> list[tuple[str, str]]:
    """Each ```python block directly followed (blank lines aside) by a ```text block."""
    found = blocks(text)
    return [
        (code, output)
        for (lang, code, _, end), (next_lang, output, start, _) in pairwise(found)
        if lang == "python" and next_lang == "text" and not text[end:start].strip()
    ]


EXAMPLES = [
    pytest.param(code, expected, id=f"{page.name}:{n}")
    for page in PAGES
    for n, (code, expected) in enumerate(pairs(page.read_text(encoding="utf-8")))
]


def test_pages_have_executed_examples() -> None:
    pages = {e.id.split(":")[0] for e in EXAMPLES if e.id}
    assert {"README.md", "serving.md", "testing.md", "usage.md"} <= pages


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_output_after_python_is_marked_text(page: Path) -> None:
    # An untagged block right after a ```python block reads as its output, yet would never
    # be checked: output is written as ```text (and then executed).
    text = page.read_text(encoding="utf-8")
    found = blocks(text)
    for (lang, _, _, end), (next_lang, output, start, _) in pairwise(found):
        if lang == "python" and not text[end:start].strip():
            assert next_lang != "", f"{page.name}: output not marked text: {output[:60]!r}"


@pytest.mark.parametrize(("code", "expected"), EXAMPLES)
def test_example_prints_what_the_page_says(code: str, expected: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})
    assert out.getvalue().strip() == expected.strip()
