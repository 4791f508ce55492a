"""Character classes: ``[...]`` read as PCRE2 10.42 reads it and compiled as it compiles it.

The reading follows the class loop of ``parse_regex()`` (ranges, POSIX names, escapes, ``\\Q``,
the hyphen rules); the set follows ``compile_branch()``'s META_CLASS code, including how
characters above U+00FF are decided (see :class:`ClassParts`).
"""

from __future__ import annotations

from .charset import MAX_CODE_POINT, POSIX, CharSet
from .errors import RegexSyntaxError, RegexUnsupported
from .escapes import CASELESS, EXTENDED_MORE, TYPE_SETS, Reader
from .unicode import fold_set

ANY = ~CharSet()

_WIDE = CharSet([(256, MAX_CODE_POINT)])


def _low(chars: CharSet) -> CharSet:
    return chars.clip(0, 255)


def _wide(chars: CharSet) -> CharSet:
    return chars.clip(256, MAX_CODE_POINT)


class ClassParts:
    """A class as PCRE2 10.42 (no UCP) compiles it: a bitmap for code points under 256, a
    list of wide items, and the flag a negated ``\\D \\W \\S`` or POSIX item sets.

    Wide characters are in a class only through its wide items, unless that flag decides
    for all of them at once; a POSIX item *assigns* the flag, so ``[\\W[:alpha:]]`` holds no
    wide character at all while ``[\\W]`` holds them all (compile_branch, META_CLASS)."""

    def __init__(self, caseless: bool) -> None:
        self.caseless = caseless
        self.union = CharSet()  # every item's set, as later PCRE2 releases combine them
        self.low = CharSet()
        self.wide = CharSet()
        self.props = CharSet()
        self.has_props = False
        self.flip = False

    def chars(self, first: int, last: int) -> None:
        chars = CharSet([(first, last)])
        if self.caseless:
            chars = fold_set(chars)
        self.low = self.low | _low(chars)
        self.wide = self.wide | _wide(chars)
        self.union = self.union | chars

    def posix(self, chars: CharSet, negated: bool) -> None:
        self.low = self.low | _low(~chars if negated else chars)
        self.flip = negated
        self.union = self.union | (~chars if negated else chars)

    def type_escape(self, letter: str) -> None:
        chars = TYPE_SETS[letter]
        self.union = self.union | chars
        self.low = self.low | _low(chars)
        if letter in "DSW":
            self.flip = True
        elif letter in "hHvV":
            self.wide = self.wide | _wide(chars)

    def prop(self, chars: CharSet) -> None:
        self.props = self.props | chars
        self.has_props = True
        self.union = self.union | chars

    def as_a_set(self, negated: bool) -> CharSet:
        return ~self.union if negated else self.union

    def result(self, negated: bool) -> CharSet:
        low = _low(self.low | self.props)
        if negated:
            low = _low(~low)
        if (self.wide or self.has_props) and (self.has_props or not self.flip):
            items = self.wide | _wide(self.props)
            if self.flip and not negated:
                items = _WIDE
            wide = _wide(~items) if negated else items
        else:
            wide = _WIDE if negated != self.flip else CharSet()
        return low | wide


class ClassReader(Reader):
    """The class reader, shared by the parser (which holds ``flags`` and ``groups``)."""

    flags: int
    groups: int

    def _caseless_property(self) -> None:
        if self.flags & CASELESS and self.property in ("lu", "ll", "lt"):
            self.note_changed("caseless \\p{Lu}, \\p{Ll}, \\p{Lt} (read as Lc from 10.45)")

    def _class(self, at: int) -> CharSet:
        """A ``[...]`` class, ``self.i`` just past the ``[`` (PCRE2's class loop)."""
        p = self.p
        if p.startswith(("[:<:]]", "[:>:]]"), self.i):
            self.note_unsupported("[[:<:]] / [[:>:]] (word start/end with lookaround)", at)
            self.i += 6
            return ANY
        if self.at(self.i) in (":", ".", "=") and self._posix_end(self.i) is not None:
            raise RegexSyntaxError(12 if p[self.i] == ":" else 13, at)
        more = bool(self.flags & EXTENDED_MORE)
        caseless = bool(self.flags & CASELESS)
        negated = False
        c = "["
        while self.i < self.n:
            c = p[self.i]
            self.i += 1
            if c == "\\":
                if self.at(self.i) == "E":
                    self.i += 1
                elif p.startswith("Q\\E", self.i):
                    self.i += 3
                else:
                    break
            elif more and c in " \t":
                continue
            elif not negated and c == "^":
                negated = True
            else:
                break
        parts = ClassParts(caseless)
        in_quote = False
        ranging = False  # a '-' follows a character that can start a range
        can_range = False
        last = 0
        while True:
            code: int | None = None
            if in_quote:
                if c == "\\" and self.at(self.i) == "E":
                    in_quote = False
                    self.i += 1
                else:
                    code = ord(c)
            elif more and c in " \t":
                pass
            elif c == "[" and self.n - self.i >= 3 and p[self.i] in ":.=" and (
                    end := self._posix_end(self.i)) is not None:
                if ranging:
                    raise RegexSyntaxError(50, self.i)
                if p[self.i] != ":":
                    raise RegexSyntaxError(13, self.i - 1)
                self.i += 1
                negate_posix = self.at(self.i) == "^"
                self.i += negate_posix
                name = p[self.i : end]
                if name not in POSIX:
                    raise RegexSyntaxError(30, self.i)
                self.i = end + 2
                if self.i < self.n - 1 and p[self.i] == "-" and p[self.i + 1] != "]":
                    raise RegexSyntaxError(50, self.i)
                self._quoted_hyphen()
                can_range = False
                if caseless and name in ("lower", "upper"):
                    name = "alpha"  # PCRE2: caseless [:lower:] and [:upper:] are [:alpha:]
                parts.posix(POSIX[name], negate_posix)
            elif c == "-" and can_range:
                ranging, can_range = True, False
            elif c != "\\":
                code = ord(c)
            else:
                kind, value = self.escape(True, self.groups)
                if kind == "char":
                    assert isinstance(value, int)
                    code = value
                elif kind == "esc" and value == "b":
                    code = 8
                elif kind == "esc" and value == "Q":
                    in_quote = True
                elif kind == "esc" and value == "E":
                    pass
                elif kind == "esc" and value in ("B", "R", "X"):
                    raise RegexSyntaxError(7, self.i - 1)
                else:
                    if ranging:
                        raise RegexSyntaxError(50, self.i)
                    can_range = False
                    if kind == "esc" and value == "N":
                        raise RegexSyntaxError(71, self.i)
                    if kind == "type":
                        parts.type_escape(str(value))
                    elif kind == "prop":
                        assert isinstance(value, CharSet)
                        self._caseless_property()
                        parts.prop(value)
                    else:
                        raise RegexSyntaxError(7, self.i - 1)
                    if self.i < self.n - 1 and p[self.i] == "-" and p[self.i + 1] != "]":
                        raise RegexSyntaxError(50, self.i)
                    self._quoted_hyphen()
            if code is not None:
                if ranging:
                    if code < last:
                        raise RegexSyntaxError(8, self.i - 1)
                    parts.chars(last, code)
                    ranging = False
                else:
                    parts.chars(code, code)
                    last, can_range = code, True
            if self.i >= self.n:
                raise RegexSyntaxError(6, self.n)
            c = p[self.i]
            self.i += 1
            if c == "]" and not in_quote:
                break
        if ranging:
            parts.chars(45, 45)  # "-]": the hyphen is a literal
        chars = parts.result(negated)
        if chars != parts.as_a_set(negated):
            self.note_changed("a class whose characters above U+00FF 10.45 decides differently")
        return chars

    def _quoted_hyphen(self) -> None:
        """After a class escape or POSIX class: 10.42 checks only the next two characters for
        a forbidden range, so ``[\\d\\E-a]`` holds a literal hyphen; later versions (10.47) skip the
        ``\\E`` and refuse it (error 50)."""
        j = self._past_quotes(self.i)
        if j > self.i and self.at(j) == "-" and self.at(self._past_quotes(j + 1)) not in ("]", ""):
            self.note_changed("a hyphen after a class escape and \\E (10.47 refuses it)")

    def _past_quotes(self, j: int) -> int:
        while True:
            if self.p.startswith("\\E", j):
                j += 2
            elif self.p.startswith("\\Q\\E", j):
                j += 4
            else:
                return j

    def _posix_end(self, j: int) -> int | None:
        """Index of the closing ``:`` (or ``.``/``=``) of ``[:name:]``, ``j`` at the opener's."""
        term = self.p[j]
        k = j + 1
        while self.n - k >= 2:
            a, b = self.p[k], self.p[k + 1]
            if a == "\\" and b in "]\\":
                k += 1
            elif (a == "[" and b == term) or a == "]":
                return None
            elif a == term and b == "]":
                return k
            k += 1
        return None


__all__ = ["ClassParts", "ClassReader", "RegexUnsupported"]
