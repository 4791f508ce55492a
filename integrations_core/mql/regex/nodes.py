"""The syntax tree of a ``$regex``: what :mod:`.syntax` builds and every later step reads.

Options are resolved while parsing (PCRE2 scopes them per group), so each node carries the
meaning it has where it stands: a caseless literal knows it is caseless, ``$`` knows whether
multiline mode was on, ``.`` has become the set of characters it matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .charset import CharSet


class Anchor(Enum):
    """Zero-width assertions, as PCRE2 (LF newlines) defines them."""

    START = "\\A"  # \A, and ^ outside multiline mode
    LINE_START = "(?m)^"  # ^ in multiline mode: start, or after a \n that does not end the subject
    END = "\\z"
    FINAL_END = "$"  # $ outside multiline mode, and \Z: end, or before a \n that ends the subject
    LINE_END = "(?m)$"  # before any \n, or at the end
    WORD = "\\b"
    NOT_WORD = "\\B"


@dataclass(frozen=True, eq=False)
class Char:
    """A literal character; ``caseless`` when ``i`` is in effect (PCRE2 folds it)."""

    code: int
    caseless: bool


@dataclass(frozen=True, eq=False)
class Set:
    """One character from ``chars`` (classes, ``.``, ``\\d`` ..., already folded and negated);
    ``escape`` names the PCRE2 character type it came from (``d``, ``S``, ``.`` for ``.``
    without ``s`` and ``\\N``, ...), which PCRE2's auto-possessification looks at."""

    chars: CharSet
    escape: str = ""


@dataclass(frozen=True, eq=False)
class Assert:
    kind: Anchor
    pos: int


@dataclass(frozen=True, eq=False)
class Newline:
    """``\\R``: ``\\r\\n`` or one vertical-space character, matched atomically."""

    any_unicode: bool  # False under (*BSR_ANYCRLF): only \r\n, \n, \r
    pos: int


@dataclass(frozen=True, eq=False)
class Concat:
    items: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Alt:
    branches: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Repeat:
    """``item{low,high}``; ``high`` None is unbounded. Greedy or lazy matters not for a search."""

    item: Node
    low: int
    high: int | None
    pos: int


Node = Char | Set | Assert | Newline | Concat | Alt | Repeat

EMPTY = Concat(())
