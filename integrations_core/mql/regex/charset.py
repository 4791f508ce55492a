"""Sets of code points as sorted, disjoint, inclusive ranges; the sets PCRE2 names.

Every one-character item of a pattern (a literal under ``i``, ``.``, ``\\d``, ``[...]``,
``\\p{..}``) becomes one :class:`CharSet`, computed exactly as PCRE2 10.42 without UCP computes
it, so the RE2 program never relies on RE2's own idea of ``\\w``, case folding or Unicode
properties.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

MAX_CODE_POINT = 0x10FFFF
Range = tuple[int, int]


class CharSet:
    """An immutable set of code points."""

    __slots__ = ("_hash", "ranges")

    def __init__(self, ranges: Iterable[Range] = ()) -> None:
        merged: list[Range] = []
        for lo, hi in sorted(ranges):
            if merged and lo <= merged[-1][1] + 1:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        self.ranges: tuple[Range, ...] = tuple(merged)
        self._hash = hash(self.ranges)

    @classmethod
    def of(cls, text: str) -> CharSet:
        return cls((ord(c), ord(c)) for c in text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharSet) and self.ranges == other.ranges

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"CharSet({list(self.ranges)!r})"

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __contains__(self, code_point: int) -> bool:
        i = bisect_right(self.ranges, (code_point, MAX_CODE_POINT + 1)) - 1
        return i >= 0 and self.ranges[i][0] <= code_point <= self.ranges[i][1]

    def __or__(self, other: CharSet) -> CharSet:
        return CharSet(self.ranges + other.ranges)

    def __invert__(self) -> CharSet:
        out: list[Range] = []
        nxt = 0
        for lo, hi in self.ranges:
            if lo > nxt:
                out.append((nxt, lo - 1))
            nxt = hi + 1
        if nxt <= MAX_CODE_POINT:
            out.append((nxt, MAX_CODE_POINT))
        return CharSet(out)

    def clip(self, lo: int, hi: int) -> CharSet:
        """The members from ``lo`` to ``hi``."""
        out = CharSet()
        out.ranges = tuple((max(a, lo), min(b, hi)) for a, b in self.ranges if a <= hi and b >= lo)
        out._hash = hash(out.ranges)
        return out

    def single(self) -> int | None:
        """The one code point of a one-element set."""
        if len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]:
            return self.ranges[0][0]
        return None

    def add_orbits(self, members: list[int], orbit_of: dict[int, tuple[int, ...]]) -> CharSet:
        """This set with every caseless partner of its members (``members`` sorted)."""
        extra: list[Range] = []
        for lo, hi in self.ranges:
            for cp in members[bisect_left(members, lo) : bisect_right(members, hi)]:
                extra.extend((x, x) for x in orbit_of[cp])
        return CharSet(self.ranges + tuple(extra)) if extra else self


def ranges_of(spec: str) -> CharSet:
    """A set from ``"41-5a 61-7a 2a"`` (hex, inclusive ranges)."""
    out: list[Range] = []
    for item in spec.split():
        lo, _, hi = item.partition("-")
        out.append((int(lo, 16), int(hi or lo, 16)))
    return CharSet(out)


EMPTY = CharSet()
ANY = ~EMPTY
NEWLINE = CharSet.of("\n")
DIGIT = ranges_of("30-39")
WORD = ranges_of("30-39 41-5a 5f 61-7a")
SPACE = ranges_of("9-d 20")
HSPACE = ranges_of("9 20 a0 1680 180e 2000-200a 202f 205f 3000")
VSPACE = ranges_of("a-d 85 2028-2029")
UPPER = ranges_of("41-5a")
LOWER = ranges_of("61-7a")

# POSIX classes without UCP: ASCII only (pcre2pattern(3), "POSIX CHARACTER CLASSES").
POSIX = {
    "alpha": UPPER | LOWER,
    "lower": LOWER,
    "upper": UPPER,
    "alnum": UPPER | LOWER | DIGIT,
    "ascii": ranges_of("0-7f"),
    "blank": ranges_of("9 20"),
    "cntrl": ranges_of("0-1f 7f"),
    "digit": DIGIT,
    "graph": ranges_of("21-7e"),
    "print": ranges_of("20-7e"),
    "punct": ranges_of("21-2f 3a-40 5b-60 7b-7e"),
    "space": SPACE,
    "word": WORD,
    "xdigit": ranges_of("30-39 41-46 61-66"),
}
