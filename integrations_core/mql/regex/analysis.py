"""Questions the translation asks about a tree: repetition weight, first characters, and what
the rest of a pattern does once the subject's remainder is known.

PCRE2's ``$`` (outside multiline mode) is the lookahead ``(?=\\n?\\z)`` and its multiline ``^``
refuses the position after a final newline; RE2 has neither. At those positions the remainder of
the subject is known exactly (``"\\n"`` or ``""``), so whether the rest of the pattern can still
match there is a static question, answered here by running the tree on that remainder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import product

from . import nodes as N
from .charset import EMPTY, NEWLINE, VSPACE, WORD, CharSet
from .unicode import orbit

_CR_LF = CharSet.of("\r\n")


def weight(node: N.Node) -> int:
    """The repetition weight the ``Limits.max_regex_repeat`` check compares.

    Character positions that are not literals (classes, ``.``, ``\\w``, ...) count one each; a
    run of them adds up (written out or counted); a literal ends a run; a counted repetition of
    a group multiplies its body (at least one per iteration) and an unbounded one counts its
    minimum; alternatives take the largest. ``a.{20}c``, twenty ``.`` written out, and
    ``([a-z]{1,4}){5}`` all weigh 20; ``\\d{4}-\\d{2}`` weighs 4; ``a{500}`` weighs 0."""
    return _runs(node)[1]


def _runs(node: N.Node) -> tuple[int, int, int, int | None]:
    """(leading run, longest run, trailing run, whole length if the node holds no literal)."""
    if isinstance(node, N.Char):
        return 0, 0, 0, None
    if isinstance(node, (N.Set, N.Newline)):
        return 1, 1, 1, 1
    if isinstance(node, N.Assert):
        return 0, 0, 0, 0
    if isinstance(node, N.Concat):
        lead, lead_open, trail, best = 0, True, 0, 0
        whole: int | None = 0
        for item in node.items:
            a, b, c, d = _runs(item)
            best = max(best, b, trail + a)
            if lead_open:
                lead += a if d is None else d
                lead_open = d is not None
            trail = c if d is None else trail + d
            whole = None if whole is None or d is None else whole + d
        return lead, max(best, trail), trail, whole
    if isinstance(node, N.Alt):
        parts = [_runs(b) for b in node.branches]
        wholes = [p[3] for p in parts]
        return (max(p[0] for p in parts), max(p[1] for p in parts), max(p[2] for p in parts),
                None if None in wholes else max(w for w in wholes if w is not None))
    item = node.item
    if node.high == 0:
        return 0, 0, 0, 0
    count = node.high if node.high is not None else max(node.low, 1)
    a, b, c, d = _runs(item)
    if d is not None:
        return d * count, d * count, d * count, d * count
    inner = max(b, c + a if count > 1 else 0)
    if not isinstance(item, N.Char):
        inner = max(inner, count * max(1, b))
    return a, inner, c, None


# --- static evaluation on a known remainder -------------------------------------------------


class Before(Enum):
    """What precedes the position a static evaluation starts at."""

    START = "start of subject"
    WORD = "a word character"
    NEWLINE = "a newline"
    OTHER = "another non-word character"


@dataclass(frozen=True)
class Frame:
    """One step outward from a node: the rest of a sequence, or more of a repetition."""

    rest: tuple[N.Node, ...]
    more: N.Repeat | None = None


class Evaluator:
    """Runs nodes on ``text``, the entire rest of the subject, after ``before``."""

    def __init__(self, text: str, before: Before, assertions: bool = True) -> None:
        self.text, self.before, self.assertions = text, before, assertions
        self.end = len(text)

    def _prev_word(self, p: int) -> bool:
        return (self.before is Before.WORD) if p == 0 else ord(self.text[p - 1]) in WORD

    def _holds(self, kind: N.Anchor, p: int) -> bool:
        if not self.assertions:
            return False
        text, end = self.text, self.end
        at_start = p == 0 and self.before is Before.START
        after_nl = (p == 0 and self.before is Before.NEWLINE) or (p > 0 and text[p - 1] == "\n")
        if kind is N.Anchor.START:
            return at_start
        if kind is N.Anchor.LINE_START:
            return at_start or (after_nl and p < end)
        if kind is N.Anchor.END:
            return p == end
        if kind is N.Anchor.FINAL_END:
            return p == end or (p == end - 1 and text[p] == "\n")
        if kind is N.Anchor.LINE_END:
            return p == end or text[p] == "\n"
        boundary = self._prev_word(p) != (p < end and ord(text[p]) in WORD)
        return boundary if kind is N.Anchor.WORD else not boundary

    def step(self, node: N.Node, ps: frozenset[int]) -> frozenset[int]:
        if not ps:
            return ps
        text, end = self.text, self.end
        if isinstance(node, N.Char):
            return frozenset(p + 1 for p in ps if (p < end and ord(text[p]) == node.code)
                             or (node.caseless and p < end and _same_caseless(text[p], node.code)))
        if isinstance(node, N.Set):
            return frozenset(p + 1 for p in ps if p < end and ord(text[p]) in node.chars)
        if isinstance(node, N.Newline):
            found: set[int] = set()
            for p in ps:
                if text.startswith("\r\n", p):
                    found.add(p + 2)  # atomic: a \r\n pair is never split
                elif p < end and ord(text[p]) in (VSPACE if node.any_unicode else _CR_LF):
                    found.add(p + 1)
            return frozenset(found)
        if isinstance(node, N.Assert):
            return frozenset(p for p in ps if self._holds(node.kind, p))
        if isinstance(node, N.Concat):
            for item in node.items:
                ps = self.step(item, ps)
            return ps
        if isinstance(node, N.Alt):
            out: frozenset[int] = frozenset()
            for branch in node.branches:
                out |= self.step(branch, ps)
            return out
        return self._repeat(node.item, node.low, node.high, ps)

    def _repeat(self, item: N.Node, low: int, high: int | None, ps: frozenset[int]
                ) -> frozenset[int]:
        seen: dict[frozenset[int], int] = {}
        k = 0
        while k < low:  # the sequence of sets is eventually periodic: skip whole periods
            if ps in seen:
                period = k - seen[ps]
                k += (low - k) // period * period
                seen = {}
                if k >= low:
                    break
            seen[ps] = k
            ps = self.step(item, ps)
            k += 1
        reached = ps
        k = 0
        while high is None or k < high - low:
            ps = self.step(item, ps)
            if ps <= reached:
                break
            reached |= ps
            k += 1
        return reached

    def reached(self, frames: list[Frame]) -> frozenset[int]:
        """The positions where a match that starts at 0 and runs through ``frames`` can end."""
        ps = frozenset([0])
        for frame in frames:
            for item in frame.rest:
                ps = self.step(item, ps)
            if frame.more is not None:
                ps = self.step(frame.more, ps)
        return ps

    def accepts(self, frames: list[Frame]) -> bool:
        return bool(self.reached(frames))


def _same_caseless(c: str, code: int) -> bool:
    return ord(c) in orbit(code)


# --- where a node stands --------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A node's ancestors, outermost first, each with the index of the child on the path."""

    steps: tuple[tuple[N.Node, int], ...]

    def looped(self) -> bool:
        """Inside a repetition that can run more than once."""
        return any(isinstance(n, N.Repeat) and (n.high is None or n.high > 1)
                   for n, _ in self.steps)

    def reachable(self) -> bool:
        return not any(isinstance(n, N.Repeat) and n.high == 0 for n, _ in self.steps)

    def continuations(self, cap: int = 4096) -> Iterator[list[Frame]] | None:
        """Every distinct continuation after the node, one per count of finished iterations of
        each enclosing repetition; None when there would be more than ``cap``."""
        choices: list[list[Frame]] = []
        for node, index in reversed(self.steps):
            if isinstance(node, N.Concat):
                choices.append([Frame(node.items[index + 1 :])])
            elif isinstance(node, N.Repeat):
                options = []
                last = node.high if node.high is not None else max(node.low, 1)
                for done in range(1, last + 1):
                    high = None if node.high is None else node.high - done
                    options.append(Frame((), N.Repeat(node.item, max(node.low - done, 0), high,
                                                      node.pos)))
                choices.append(options)
        total = 1
        for options in choices:
            total *= len(options)
        if total > cap:
            return None
        return (list(combo) for combo in product(*choices))

    def tail(self) -> list[N.Node]:
        """What follows the node outside any repetition (only when not looped)."""
        out: list[N.Node] = []
        for node, index in reversed(self.steps):
            if isinstance(node, N.Concat):
                out.extend(node.items[index + 1 :])
        return out


def places(root: N.Node, wanted: tuple[type, ...]) -> Iterator[tuple[N.Node, Place]]:
    """Every node of a ``wanted`` type with its place."""
    stack: list[tuple[N.Node, tuple[tuple[N.Node, int], ...]]] = [(root, ())]
    while stack:
        node, steps = stack.pop()
        if isinstance(node, wanted):
            yield node, Place(steps)
        if isinstance(node, N.Concat):
            stack.extend((c, (*steps, (node, i))) for i, c in enumerate(node.items))
        elif isinstance(node, N.Alt):
            stack.extend((c, (*steps, (node, i))) for i, c in enumerate(node.branches))
        elif isinstance(node, N.Repeat):
            stack.append((node.item, (*steps, (node, 0))))


# --- first characters -----------------------------------------------------------------------


def first(node: N.Node) -> tuple[CharSet, bool]:
    """The characters a match of ``node`` can start with, and whether it can be empty
    (assertions taken as possibly true)."""
    if isinstance(node, N.Char):
        codes = orbit(node.code) if node.caseless else (node.code,)
        return CharSet((c, c) for c in codes), False
    if isinstance(node, N.Set):
        return node.chars, False
    if isinstance(node, N.Newline):
        return VSPACE, False
    if isinstance(node, N.Assert):
        return EMPTY, True
    if isinstance(node, N.Concat):
        return first_of(node.items)
    if isinstance(node, N.Alt):
        chars, empty = EMPTY, False
        for branch in node.branches:
            c, e = first(branch)
            chars, empty = chars | c, empty or e
        return chars, empty
    if node.high == 0:
        return EMPTY, True
    chars, empty = first(node.item)
    return chars, empty or node.low == 0


def first_of(items: tuple[N.Node, ...] | list[N.Node]) -> tuple[CharSet, bool]:
    chars = EMPTY
    for item in items:
        c, empty = first(item)
        chars = chars | c
        if not empty:
            return chars, False
    return chars, True


def continuation_first(place: Place) -> tuple[CharSet, bool]:
    """First characters of everything that can follow the node (any iteration count)."""
    chars = EMPTY
    for node, index in reversed(place.steps):
        if isinstance(node, N.Concat):
            c, empty = first_of(node.items[index + 1 :])
            chars = chars | c
            if not empty:
                return chars, False
        elif isinstance(node, N.Repeat) and (node.high is None or node.high > 1):
            chars = chars | first(node.item)[0]
    return chars, True


# --- PCRE2's auto-possessification ---------------------------------------------------------

# A repeated character type that PCRE2 10.42 makes possessive when one of these types follows
# it, although the two can match the same character (pcre2_auto_possess.c, autoposstab: its
# entries assume Unicode spaces and any-newline conventions): \S*\h never gives back the
# U+00A0 that \h needs. ``.`` is ``.`` without ``s``, and ``\N``; ``R`` is ``\R``.
WRONGLY_POSSESSIVE = {"S": {"R", "h", "v"}, ".": {"R"}, "R": {"s", "."}, "h": {"S"},
                      "v": {"S"}}


def kind(node: N.Node) -> str:
    if isinstance(node, N.Set):
        return node.escape
    return "R" if isinstance(node, N.Newline) else ""


def possessive_clash(node: N.Repeat, place: Place) -> bool:
    """Whether PCRE2 would make this repetition possessive and so lose matches RE2 keeps."""
    clashing = WRONGLY_POSSESSIVE.get(kind(node.item))
    if not clashing or node.low == node.high:
        return False
    kinds: set[str] = set()
    for parent, index in reversed(place.steps):
        if isinstance(parent, N.Concat):
            found, through = _first_kinds(parent.items[index + 1 :])
            kinds |= found
            if not through:
                break
        elif isinstance(parent, N.Repeat) and (parent.high is None or parent.high > 1):
            kinds |= _first_kinds([parent.item])[0]
    return bool(kinds & clashing)


def _first_kinds(items: tuple[N.Node, ...] | list[N.Node]) -> tuple[set[str], bool]:
    """Kinds of the items PCRE2's check can meet first, and whether it can pass all of them.
    An assertion ends the check (PCRE2 then does not possessify)."""
    out: set[str] = set()
    for item in items:
        if isinstance(item, N.Assert):
            return out, False
        if isinstance(item, (N.Char, N.Set, N.Newline)):
            out.add(kind(item))
            return out, False
        if isinstance(item, N.Concat):
            found, through = _first_kinds(item.items)
        elif isinstance(item, N.Alt):
            found, through = set(), False
            for branch in item.branches:
                f, t = _first_kinds([branch])
                found |= f
                through = through or t
        else:
            found, through = _first_kinds([item.item])
            through = through or item.low == 0
        out |= found
        if not through:
            return out, False
    return out, True


__all__ = ["NEWLINE", "Before", "Evaluator", "Frame", "Place", "continuation_first", "first",
           "places", "weight"]
