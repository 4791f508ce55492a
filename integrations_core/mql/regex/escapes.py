"""Reading the small pieces of PCRE2 10.42 syntax: escapes, ``\\p{..}``, ``{n,m}``, group names.

Each method mirrors the PCRE2 10.42 function of the same purpose in ``pcre2_compile.c``
(``check_escape``, ``get_ucp``, ``read_repeat_counts``, ``read_name``), so that what PCRE2
reads as a quantifier, an octal escape or a back reference is read the same way here, and what
it refuses is refused with the same message.
"""

from __future__ import annotations

from .charset import ANY, DIGIT, EMPTY, HSPACE, SPACE, VSPACE, WORD, CharSet
from .errors import RegexSyntaxError, RegexUnsupported
from .unicode import Unsupported, property_set

# PCRE2 compile options the parse tracks (only their presence matters here).
CASELESS, MULTILINE, DOTALL, EXTENDED, EXTENDED_MORE, NO_AUTO_CAPTURE, DUPNAMES = (
    1, 2, 4, 8, 16, 32, 64)
MAX_REPEAT = 65535
MAX_NAME = 32
# Literal values of the escapes that stand for one character (the rest of '0'-'z' is special).
_LITERAL_ESCAPES = {"a": 7, "e": 27, "f": 12, "n": 10, "r": 13, "t": 9}
_TYPE_ESCAPES = {
    "d": DIGIT, "D": ~DIGIT, "s": SPACE, "S": ~SPACE, "w": WORD, "W": ~WORD,
    "h": HSPACE, "H": ~HSPACE, "v": VSPACE, "V": ~VSPACE,
}
# Escapes PCRE2 treats specially (its table's negative entries); others in 0-z need more work.
_SPECIAL_ESCAPES = frozenset("ABCDEGHKNPQRSVWXZbdhkpsvwz")
_C_SPACE = frozenset("\t\n\x0b\x0c\r ")

Escape = tuple[str, object]


def _hex(c: str) -> int:
    return int(c, 16) if c and c in "0123456789abcdefABCDEF" else -1


class Reader:
    """The pattern and the read position, with the piece readers the parser shares."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.n = len(pattern)
        self.i = 0
        self.unsupported: RegexUnsupported | None = None
        self.changed: list[str] = []  # what PCRE2 reads differently after 10.42
        self.property = ""  # the name of the last \p{..} read

    def note_changed(self, what: str) -> None:
        if what not in self.changed:
            self.changed.append(what)

    def note_unsupported(self, construct: str, offset: int) -> None:
        """Remember the first construct RE2 cannot run; syntax errors still win (as in PCRE2)."""
        if self.unsupported is None:
            self.unsupported = RegexUnsupported(construct, offset)

    def at(self, j: int) -> str:
        return self.p[j] if j < self.n else ""

    # --- numbers and quantifiers ----------------------------------------------------------

    def read_number(self, j: int, limit: int, error: int) -> tuple[int, int] | None:
        """A decimal number at ``j``: (value, end), or None when there is no digit."""
        if not self.at(j).isdigit() or not self.at(j).isascii():
            return None
        value = 0
        while j < self.n and "0" <= self.p[j] <= "9":
            value = value * 10 + ord(self.p[j]) - 48
            j += 1
            if value > limit:
                raise RegexSyntaxError(error, j)
        return value, j

    def repeat_counts(self, j: int) -> tuple[int, int | None, int] | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` right after the ``{`` at ``j - 1``: (low, high, end).

        None when the text is not a quantifier (then ``{`` is a literal, as ``{,6}`` is in
        PCRE2 10.42)."""
        k, comma = j, False
        while True:
            c = self.at(k)
            if not c:
                return None
            if "0" <= c <= "9":
                k += 1
                continue
            if c == "}":
                break
            if c != "," or comma:
                return None
            comma = True
            k += 1
        first = self.read_number(j, MAX_REPEAT, 5)
        if first is None:
            return None
        low, k = first
        if self.p[k] == "}":
            return low, low, k + 1
        k += 1
        if self.p[k] == "}":
            return low, None, k + 1
        second = self.read_number(k, MAX_REPEAT, 5)
        assert second is not None
        high, k = second
        if high < low:
            raise RegexSyntaxError(4, k)
        return low, high, k + 1

    # --- escapes ----------------------------------------------------------------------------

    def escape(self, in_class: bool, groups: int) -> Escape:
        """Read the escape after a backslash (``self.i`` is past it).

        Returns ("char", code point), ("type", letter) for ``\\d \\D \\s \\S \\w \\W \\h \\H
        \\v \\V``, ("prop", CharSet) for ``\\p``/``\\P``, ("esc", letter) for the assertions and
        other specials, or ("ref", None) for a back reference or subroutine call (noted as
        unsupported). ``groups`` is the number of capture groups opened so far."""
        start = self.i - 1
        if self.i >= self.n:
            raise RegexSyntaxError(1, self.n)
        c = self.p[self.i]
        self.i += 1
        if not "0" <= c <= "z" or not c.isalnum():
            return "char", ord(c)
        if c in _LITERAL_ESCAPES:
            return "char", _LITERAL_ESCAPES[c]
        if c in _SPECIAL_ESCAPES:
            return self._special(c, start, in_class)
        if c in "FlLuU":
            raise RegexSyntaxError(37, self.i)
        if c == "g":
            if in_class:
                return "char", ord("g")
            return self._g_reference(start)
        if "1" <= c <= "9":
            if not in_class:
                end = self._decimal_end(self.i - 1)
                number = int(self.p[self.i - 1 : end])
                # Past INT_MAX / 10 - 1 PCRE2's reader gives up and the digits are octal.
                if number <= 214748363 and (number < 10 or c >= "8" or number <= groups):
                    self.i = end
                    if number > 65535:
                        raise RegexSyntaxError(61, end)
                    self.note_unsupported(f"back reference \\{number}", start)
                    return "ref", None
            if c >= "8":
                return "char", ord(c)
            return "char", self._octal(ord(c) - 48)
        if c == "0":
            return "char", self._octal(0)
        if c == "o":
            return "char", self._braced(8, start)
        if c == "x":
            if self.at(self.i) == "{":
                return "char", self._braced(16, start)
            value = 0
            for k in range(2):
                digit = _hex(self.at(self.i))
                if digit < 0:
                    if k == 0:
                        self.note_changed("\\x without hex digits (an error from 10.45)")
                    break
                value = value * 16 + digit
                self.i += 1
            return "char", value
        if c == "c":
            if self.i >= self.n:
                raise RegexSyntaxError(2, self.i)
            x = self.p[self.i]
            if "a" <= x <= "z":
                x = x.upper()
            if not " " <= x <= "~":
                raise RegexSyntaxError(68, self.i)
            self.i += 1
            return "char", ord(x) ^ 0x40
        raise RegexSyntaxError(3, self.i - 1)

    def _special(self, c: str, start: int, in_class: bool) -> Escape:
        if c in _TYPE_ESCAPES:
            return "type", c
        if c in "pP":
            return "prop", self._property(c == "P", start)
        if c == "N" and self.at(self.i) == "{":
            if self.p.startswith("U+", self.i + 1):
                self.i += 2
                return "char", self._braced(16, start)
            if self.repeat_counts(self.i + 1) is None:
                raise RegexSyntaxError(37, self.i)
        if c == "k" and not in_class:
            opener = self.at(self.i)
            if opener not in ("{", "<", "'"):
                raise RegexSyntaxError(69, self.i)
            self._skip_name(self.i, {"{": "}", "<": ">", "'": "'"}[opener])
            self.note_unsupported("back reference by name \\k", start)
            return "ref", None
        return "esc", c

    def _g_reference(self, start: int) -> Escape:
        c = self.at(self.i)
        if not c:
            raise RegexSyntaxError(57, self.i)
        if c in "<'{":
            self._skip_name(self.i, {"{": "}", "<": ">", "'": "'"}[c])
        else:
            j = self.i + (c in "+-")
            number = self.read_number(j, 65535, 61)
            if number is None:
                raise RegexSyntaxError(57, j)
            self.i = number[1]
        self.note_unsupported("back reference or subroutine call \\g", start)
        return "ref", None

    def _skip_name(self, j: int, terminator: str) -> None:
        end = self.p.find(terminator, j + 1)
        if end < 0:
            raise RegexSyntaxError(42 if terminator != "}" else 57, self.n)
        self.i = end + 1

    def _decimal_end(self, j: int) -> int:
        while j < self.n and "0" <= self.p[j] <= "9":
            j += 1
        return j

    def _octal(self, value: int) -> int:
        for _ in range(2):
            c = self.at(self.i)
            if not "0" <= c <= "7":
                break
            value = value * 8 + ord(c) - 48
            self.i += 1
        return value

    def _braced(self, base: int, start: int) -> int:
        """``\\x{..}``, ``\\o{..}`` or ``\\N{U+..}``; ``self.i`` is at the ``{`` (or the ``+``)."""
        if base == 8 and self.at(self.i) != "{":
            raise RegexSyntaxError(55, min(self.i, self.n - 1))
        self.i += 1
        if self.i >= self.n or self.p[self.i] == "}":
            raise RegexSyntaxError(78, self.i)
        value = 0
        while self.i < self.n:
            c = self.p[self.i]
            digit = _hex(c) if base == 16 else (ord(c) - 48 if "0" <= c <= "7" else -1)
            if digit < 0:
                break
            self.i += 1
            value = value * base + digit
            if value > 0x10FFFF:
                while self.i < self.n and (_hex(self.p[self.i]) if base == 16 else
                                           (0 if "0" <= self.p[self.i] <= "7" else -1)) >= 0:
                    self.i += 1
                raise RegexSyntaxError(34, self.i)
        if self.at(self.i) != "}":
            raise RegexSyntaxError(67 if base == 16 else 64, min(self.i, self.n - 1))
        self.i += 1
        if 0xD800 <= value <= 0xDFFF:
            raise RegexSyntaxError(73, self.i - 1)
        return value

    def _property(self, negated: bool, start: int) -> CharSet:
        """``\\p{..}`` / ``\\P{..}`` / ``\\pL``, ``self.i`` right after the p or P (get_ucp)."""
        if self.i >= self.n:
            raise RegexSyntaxError(46, self.i)
        c = self.p[self.i]
        self.i += 1
        if c == "{":
            if self.i >= self.n:
                raise RegexSyntaxError(46, self.i)
            if self.p[self.i] == "^":
                negated = not negated
                self.i += 1
            name: list[str] = []
            units = 0
            while True:  # PCRE2 keeps at most 48 code units of the name
                if self.i >= self.n:
                    raise RegexSyntaxError(46, self.i)
                x = self.p[self.i]
                self.i += 1
                if x in "_-" or x in _C_SPACE:
                    continue
                if x == "\x00":
                    raise RegexSyntaxError(46, self.i)
                if x == "}":
                    break
                name.append(x.lower() if x.isascii() else x)
                units += len(x.encode("utf-8", "surrogatepass"))
                if units > 48:
                    raise RegexSyntaxError(46, self.i)
            key = "".join(name)
        elif c.isascii() and c.isalpha():
            key = c.lower()
        else:
            raise RegexSyntaxError(46, self.i)
        self.property = key
        if key == "xwd":
            self.note_changed("\\p{Xwd} (10.43 added Mn and Pc)")
        try:
            chars = property_set(key)
        except Unsupported as exc:
            self.note_unsupported(f"Unicode property \\p{{{key}}}: {exc}", start)
            return EMPTY
        if chars is None:
            raise RegexSyntaxError(47, self.i)
        return ~chars if negated else chars

    # --- names ------------------------------------------------------------------------------

    def group_name(self, j: int, terminator: str, letters: CharSet, digits: CharSet
                   ) -> tuple[str, int]:
        """A group name starting at ``j`` and its terminator: (name, index after terminator)."""
        k = j
        if k < self.n and ord(self.p[k]) in digits:
            raise RegexSyntaxError(44, k)
        units = 0
        while k < self.n:
            cp = ord(self.p[k])
            if self.p[k] != "_" and cp not in letters and cp not in digits:
                break
            units += len(self.p[k].encode("utf-8", "surrogatepass"))
            k += 1
        if units > MAX_NAME:
            raise RegexSyntaxError(48, k)
        if k == j:
            raise RegexSyntaxError(62, k)
        if self.at(k) != terminator:
            raise RegexSyntaxError(42, k)
        return self.p[j:k], k + 1

    def word_name(self, j: int) -> int:
        """End of a verb or alpha-assertion name (ASCII word characters) starting at ``j``."""
        k = j
        while k < self.n and self.p[k].isascii() and (self.p[k].isalnum() or self.p[k] == "_"):
            k += 1
        if k - j > MAX_NAME:
            raise RegexSyntaxError(48, k)
        return k


TYPE_SETS = _TYPE_ESCAPES
__all__ = ["ANY", "TYPE_SETS", "Reader"]
