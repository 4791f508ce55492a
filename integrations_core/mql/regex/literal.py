"""Engine-free matching for patterns that are one literal, optionally anchored.

``bot``, ``^Deploy``, ``hook$``, the escaped ``name`` parameter under ``i``: the tree is a run of
literal characters (all caseless or all not) between at most one start and one end assertion.
Caseless runs compare caseless-folded text (:func:`.unicode.fold_text`, PCRE2's orbits), which
keeps positions, so a substring test on folded text is exactly PCRE2's caseless match.

Every test is linear in the subject. ``str.__contains__`` is, for the needles it is given here:
CPython's default search (subjects under 2,500 characters, needles under 100) compares at most
one character per subject character plus the length of each partial match, and a needle whose
first character does not recur (or whose last does not) cannot overlap its partial matches;
other needles of 100 characters or more are searched in the subject padded (with a character
absent from the needle) to the length at which CPython switches to its two-way search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import nodes as N
from .unicode import fold_text

Test = Callable[[str], bool]
# str.__contains__ uses its default (not two-way) search below these sizes (CPython >= 3.10).
_TWO_WAY_NEEDLE = 100
_TWO_WAY_SUBJECT = 2_500


@dataclass(frozen=True)
class Literal:
    """A compiled literal test and its cost in character steps per subject character;
    ``inline``, for the common forms, the same test as an expression template over ``{v}``
    (the subject) and ``{e0}``, ``{e1}``, ... (the constants that follow it)."""

    test: Test
    unit_cost: int
    inline: tuple[str, tuple[object, ...]] | None = None


def literal_of(root: N.Node) -> tuple[N.Anchor | None, str, bool, N.Anchor | None] | None:
    """(start anchor, text, caseless, end anchor) if ``root`` is an anchored literal run."""
    items = list(root.items) if isinstance(root, N.Concat) else [root]
    start = end = None
    if items and isinstance(items[0], N.Assert) and items[0].kind in (
            N.Anchor.START, N.Anchor.LINE_START):
        start = items.pop(0).kind  # type: ignore[union-attr]
    if items and isinstance(items[-1], N.Assert) and items[-1].kind in (
            N.Anchor.END, N.Anchor.FINAL_END, N.Anchor.LINE_END):
        end = items.pop().kind  # type: ignore[union-attr]
    chars: list[str] = []
    caseless: set[bool] = set()
    for item in items:
        if isinstance(item, N.Repeat) and item.low == item.high and isinstance(item.item, N.Char):
            chars.append(chr(item.item.code) * item.low)
            caseless.add(item.item.caseless)
        elif isinstance(item, N.Char):
            chars.append(chr(item.code))
            caseless.add(item.caseless)
        else:
            return None
    text = "".join(chars)
    if not text or len(caseless) != 1:
        return None
    return start, text, caseless.pop(), end


def compile_literal(start: N.Anchor | None, text: str, caseless: bool,
                    end: N.Anchor | None) -> Literal:
    """The test PCRE2's ``start text end`` (``text`` not empty) makes of a subject."""
    if caseless:
        text = fold_text(text)
    test, cost = _anchored(start, text, end)
    prefix = start is N.Anchor.START and end is None
    within = start is None and end is None and _plain_in(text)
    if not caseless:
        if prefix:
            return Literal(test, cost, ("{v}.startswith({e0})", (text,)))
        return Literal(test, cost, ("({e0} in {v})", (text,)) if within else None)
    fold = fold_text
    # Folding is one step per character for ASCII text; for other text str.lower() and its
    # fix-up scans take up to about 24 (Greek is slowest: final sigma looks at context).
    # The common forms (a prefix, a substring) test in one call: ASCII folds by str.lower().
    folded = "({v}.lower() if {v}.isascii() else {e1}({v}))"
    if prefix:
        return Literal(lambda s: (s.lower() if s.isascii() else fold(s)).startswith(text),
                       cost + 24, (folded + ".startswith({e0})", (text, fold)))
    if within:
        return Literal(lambda s: text in (s.lower() if s.isascii() else fold(s)), cost + 24,
                       ("({e0} in " + folded + ")", (text, fold)))
    return Literal(lambda subject: test(fold(subject)), cost + 24)


def _anchored(start: N.Anchor | None, t: str, end: N.Anchor | None) -> tuple[Test, int]:
    m = len(t)
    t_nl, nl_t = t + "\n", "\n" + t
    if start is None and end is None:
        return finder(t)
    if start is N.Anchor.START:
        if end is None:
            return (lambda s: s.startswith(t)), 1
        if end is N.Anchor.END:
            return (lambda s: s == t), 1
        if end is N.Anchor.FINAL_END:
            return (lambda s: s in (t, t_nl)), 1
        return (lambda s: s.startswith(t) and s[m : m + 1] in ("", "\n")), 1
    if start is None:
        if end is N.Anchor.END:
            return (lambda s: s.endswith(t)), 1
        if end is N.Anchor.FINAL_END:
            return (lambda s: s.endswith(t) or s.endswith(t_nl)), 1
        found, cost = finder(t_nl)
        return (lambda s: s.endswith(t) or found(s)), cost + 1
    # A multiline ^: at the start, or after a newline (the text is never empty, so the
    # position is never the end of the subject).
    if end is None:
        found, cost = finder(nl_t)
        return (lambda s: s.startswith(t) or found(s)), cost + 1
    if end is N.Anchor.LINE_END:
        line, cost = finder("\n" + t + "\n")
        return (lambda s: line("\n" + s + "\n")), cost + 2

    def ends_line(s: str, stop: int) -> bool:
        begin = stop - m
        return s.endswith(t, 0, stop) and (begin == 0 or s[begin - 1] == "\n")

    if end is N.Anchor.END:
        return (lambda s: ends_line(s, len(s))), 1
    return (lambda s: ends_line(s, len(s)) or (s.endswith("\n") and ends_line(s, len(s) - 1))), 1


def finder(needle: str) -> tuple[Test, int]:
    """``needle in subject`` in linear time, and its cost per subject character."""
    m = len(needle)
    if _plain_in(needle):
        return (lambda subject: needle in subject), m if _overlaps(needle) else min(m, 3)
    pad = next(chr(c) for c in range(1, 0x110000) if chr(c) not in needle)
    width = max(_TWO_WAY_SUBJECT, 3 * m + 8)

    def search(subject: str) -> bool:
        n = len(subject)
        if n < m:
            return False
        if n < 64:  # at most 64 comparisons per character: no need for the padded search
            return needle in subject
        return needle in (subject + pad * (width - n) if n < width else subject)

    # Unpadded below 64 characters: at most n * m <= 64 n comparisons. Padded: at most
    # 2 * (3 n + 2,500) comparisons, plus the copy, for n >= 64 characters.
    return search, 96


def _overlaps(needle: str) -> bool:
    m = len(needle)
    return m >= 6 and needle[0] in needle[1:-1] and needle[-1] in needle[:-1]


def _plain_in(needle: str) -> bool:
    """Whether ``needle in subject`` runs in linear time for every subject (else padded)."""
    return not _overlaps(needle) or len(needle) < _TWO_WAY_NEEDLE


__all__ = ["Literal", "compile_literal", "finder", "literal_of"]
