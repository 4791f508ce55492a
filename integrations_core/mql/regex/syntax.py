"""The one PCRE2 front end: a pattern and its ``$options`` to a :mod:`.nodes` tree.

The scan follows ``parse_regex()`` of PCRE2 10.42 (``pcre2_compile.c``) item by item, so the
same text is read the same way: ``x`` white space and comments, ``\\Q..\\E``, option settings
scoped to the enclosing group, the quantifiable-item rule, class ranges and POSIX names, the
octal-or-back-reference rule for ``\\12``. A construct RE2 cannot run is noted and parsing goes
on, so that a PCRE2 syntax error anywhere is reported as one; only then is the first
unsupported construct reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import nodes as N
from .charset import ANY, NEWLINE, CharSet
from .classes import ClassReader
from .errors import RegexSyntaxError, RegexUnsupported
from .escapes import (
    CASELESS,
    DOTALL,
    DUPNAMES,
    EXTENDED,
    EXTENDED_MORE,
    MULTILINE,
    NO_AUTO_CAPTURE,
    TYPE_SETS,
)
from .unicode import property_set

_OPTION_BITS = {"i": CASELESS, "m": MULTILINE, "s": DOTALL, "x": EXTENDED, "n": NO_AUTO_CAPTURE,
                "J": DUPNAMES, "U": 0}
MAX_NESTING = 250  # PARENS_NEST_LIMIT in MongoDB's build of PCRE2
# "Pattern White Space" skipped in x mode: isspace() plus NEL, LRM, RLM, LS, PS.
_X_SPACE = frozenset("\t\n\x0b\x0c\r \x85\u200e\u200f\u2028\u2029")
_NOT_NEWLINE = ~NEWLINE
_LETTERS = property_set("l") or CharSet()
_DIGITS = property_set("nd") or CharSet()
_ALPHA_ASSERTIONS = {
    "pla": "lookahead", "plb": "lookbehind", "napla": "lookahead", "naplb": "lookbehind",
    "nla": "lookahead", "nlb": "lookbehind", "positive_lookahead": "lookahead",
    "positive_lookbehind": "lookbehind", "non_atomic_positive_lookahead": "lookahead",
    "non_atomic_positive_lookbehind": "lookbehind", "negative_lookahead": "lookahead",
    "negative_lookbehind": "lookbehind", "atomic": "atomic group", "sr": "script run",
    "asr": "script run", "script_run": "script run", "atomic_script_run": "script run",
}
_VERBS = frozenset(["", "MARK", "ACCEPT", "F", "FAIL", "COMMIT", "PRUNE", "SKIP", "THEN"])
# Items allowed at the very start of a pattern: name -> what it does here.
_START_ITEMS = [
    ("UTF8)", None), ("UTF)", None), ("UCP)", "unsupported"), ("NOTEMPTY)", "unsupported"),
    ("NOTEMPTY_ATSTART)", "unsupported"), ("NO_AUTO_POSSESS)", None),
    ("NO_DOTSTAR_ANCHOR)", None), ("NO_JIT)", None), ("NO_START_OPT)", None),
    ("LIMIT_HEAP=", "limit"), ("LIMIT_MATCH=", "limit"), ("LIMIT_DEPTH=", "limit"),
    ("LIMIT_RECURSION=", "limit"), ("CR)", "newline"), ("LF)", "newline"), ("CRLF)", "newline"),
    ("ANY)", "newline"), ("NUL)", "newline"), ("ANYCRLF)", "newline"),
    ("BSR_ANYCRLF)", "bsr"), ("BSR_UNICODE)", "bsr"),
]


def _digit(c: str) -> bool:
    return "0" <= c <= "9" and c != ""


@dataclass
class _Group:
    """An open group: its branches so far and what its ``)`` restores."""

    start: int
    flags: int
    branches: list[list[N.Node]] = field(default_factory=lambda: [[]])
    reset: tuple[int, int] | None = None  # (?| : (group count at the start, highest so far)


@dataclass(frozen=True)
class Parsed:
    root: N.Node
    groups: int
    changed: tuple[str, ...] = ()
    """Constructs whose meaning changed in PCRE2 releases after 10.42 (kept as 10.42 reads
    them, as MongoDB does; listed so that a test against a newer PCRE2 can leave them out)."""


def options_flags(options: str) -> int:
    """PCRE2 compile options for MongoDB's ``$options`` (``u`` accepted and ignored)."""
    return sum(_OPTION_BITS[c] for c in set(options) if c in "imsx")


def parse(pattern: str, options: str) -> Parsed:
    """The tree of ``pattern``; raises RegexSyntaxError or RegexUnsupported."""
    return _Parser(pattern, options_flags(options)).run()


class _Parser(ClassReader):
    def __init__(self, pattern: str, flags: int) -> None:
        super().__init__(pattern)
        self.flags = flags
        self.groups = 0
        self.names: list[tuple[str, int]] = []
        self.bsr_unicode = True
        self.stack: list[_Group] = [_Group(0, flags)]
        self.quantifiable = False
        self.after_quantifier = False

    # --- the main scan ----------------------------------------------------------------------

    def run(self) -> Parsed:
        for j, c in enumerate(self.p):
            if 0xD800 <= ord(c) <= 0xDFFF:
                raise RegexSyntaxError(0, j, "UTF-8 error: isolated surrogate in the pattern")
        self._start_items()
        in_quote = False
        while self.i < self.n:
            if len(self.stack) - 1 > MAX_NESTING:
                raise RegexSyntaxError(19, self.i)
            c = self.p[self.i]
            self.i += 1
            if in_quote:
                if c == "\\" and self.at(self.i) == "E":
                    in_quote = False
                    self.i += 1
                else:
                    self._add(N.Char(ord(c), bool(self.flags & CASELESS)), True)
                    self.after_quantifier = False
                continue
            if c == "\\" and self.at(self.i) in ("Q", "E"):
                in_quote = self.p[self.i] == "Q"
                self.i += 1
                continue
            if self.flags & EXTENDED:
                if c in _X_SPACE:
                    continue
                if c == "#":
                    end = self.p.find("\n", self.i)
                    self.i = self.n if end < 0 else end + 1
                    continue
            if c == "(" and self.p.startswith("?#", self.i):
                end = self.p.find(")", self.i + 2)
                if end < 0:
                    raise RegexSyntaxError(18, self.n)
                self.i = end + 1
                continue
            was_quantifiable, was_quantifier = self.quantifiable, self.after_quantifier
            self.quantifiable = self.after_quantifier = False
            if was_quantifier and c in "?+":
                if c == "+":
                    self.note_unsupported("possessive quantifier", self.i - 1)
                continue
            self._item(c, was_quantifiable)
        if len(self.stack) > 1:
            raise RegexSyntaxError(14, self.n)
        if self.unsupported is not None:
            raise self.unsupported
        return Parsed(self._close(self.stack[0]), self.groups, tuple(self.changed))

    def _start_items(self) -> None:
        newline, newline_at = "LF", 0
        while self.p.startswith("(*", self.i):
            found = next(((n, k) for n, k in _START_ITEMS if self.p.startswith(n, self.i + 2)),
                         None)
            if found is None:
                break
            name, kind = found
            at = self.i
            self.i += 2 + len(name)
            if kind == "limit":  # (*LIMIT_MATCH=d) only lowers PCRE2's backtracking limits
                value = 0
                while _digit(self.at(self.i)):
                    if value > 429496728:
                        break
                    value = value * 10 + ord(self.p[self.i]) - 48
                    self.i += 1
                if self.i == at + 2 + len(name) or self.at(self.i) != ")":
                    raise RegexSyntaxError(60, self.i + (self.i < self.n))
                self.i += 1
            elif kind == "newline":
                newline = name[:-1]
            elif kind == "bsr":
                self.bsr_unicode = name == "BSR_UNICODE)"
            elif kind == "unsupported":
                what = ("(*UCP) (Unicode \\d \\w \\s \\b)" if name == "UCP)"
                        else f"(*{name[:-1]}) (no empty matches)")
                self.note_unsupported(what, at)
            if kind == "newline":
                newline_at = at
        if newline != "LF":  # the last setting wins
            self.note_unsupported(f"(*{newline}) (newline conventions other than LF)", newline_at)

    def _add(self, node: N.Node, quantifiable: bool) -> None:
        self.stack[-1].branches[-1].append(node)
        self.quantifiable = quantifiable

    def _item(self, c: str, was_quantifiable: bool) -> None:
        at = self.i - 1
        flags = self.flags
        if c == "\\":
            self._escape_item(at)
        elif c == "^":
            self._add(N.Assert(N.Anchor.LINE_START if flags & MULTILINE else N.Anchor.START, at),
                      False)
        elif c == "$":
            self._add(N.Assert(N.Anchor.LINE_END if flags & MULTILINE else N.Anchor.FINAL_END, at),
                      False)
        elif c == ".":
            self._add(N.Set(ANY, "") if flags & DOTALL else N.Set(_NOT_NEWLINE, "."), True)
        elif c in "*+?":
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
            self._quantify(low, high, at, was_quantifiable, at)
        elif c == "{":
            counts = self.repeat_counts(self.i)
            if counts is None:
                end = self.p.find("}", self.i)
                inside = self.p[self.i : end] if end >= 0 else ""
                if any(d.isdigit() for d in inside) and all(d in "0123456789, \t" for d in inside):
                    self.note_changed("{,n} or white space in braces (quantifiers from 10.43)")
                self._add(N.Char(ord(c), bool(flags & CASELESS)), True)
            else:
                low, high, self.i = counts
                self._quantify(low, high, at, was_quantifiable, self.i - 1)
        elif c == "[":
            self._add(N.Set(self._class(at)), True)
        elif c == "(":
            self._open(at)
        elif c == "|":
            group = self.stack[-1]
            if group.reset is not None:
                base, highest = group.reset
                group.reset = (base, max(highest, self.groups))
                self.groups = base
            group.branches.append([])
        elif c == ")":
            if len(self.stack) == 1:
                raise RegexSyntaxError(22, at)
            group = self.stack.pop()
            self.flags = group.flags
            if group.reset is not None:
                self.groups = max(self.groups, group.reset[1])
            self._add(self._close(group), True)
        else:
            self._add(N.Char(ord(c), bool(flags & CASELESS)), True)

    def _quantify(self, low: int, high: int | None, at: int, ok: bool, error_at: int) -> None:
        if not ok:
            raise RegexSyntaxError(9, error_at)
        items = self.stack[-1].branches[-1]
        items[-1] = N.Repeat(items[-1], low, high, at)
        self.after_quantifier = True

    @staticmethod
    def _close(group: _Group) -> N.Node:
        branches = [N.Concat(tuple(b)) if len(b) != 1 else b[0] for b in group.branches]
        return branches[0] if len(branches) == 1 else N.Alt(tuple(branches))

    # --- escapes outside a class ------------------------------------------------------------

    def _escape_item(self, at: int) -> None:
        kind, value = self.escape(False, self.groups)
        caseless = bool(self.flags & CASELESS)
        if kind == "char":
            assert isinstance(value, int)
            self._add(N.Char(value, caseless), True)
        elif kind == "type":
            self._add(N.Set(TYPE_SETS[str(value)], str(value)), True)
        elif kind == "prop":
            assert isinstance(value, CharSet)
            self._caseless_property()
            self._add(N.Set(value), True)
        elif kind == "ref":
            self._add(N.EMPTY, True)
        else:
            anchors = {"A": N.Anchor.START, "z": N.Anchor.END, "Z": N.Anchor.FINAL_END,
                       "b": N.Anchor.WORD, "B": N.Anchor.NOT_WORD}
            if value in anchors:
                self._add(N.Assert(anchors[str(value)], at), False)
            elif value == "N":
                self._add(N.Set(_NOT_NEWLINE, "."), True)
            elif value == "R":
                self._add(N.Newline(self.bsr_unicode, at), True)
            else:
                what = {"C": "\\C (one code unit)", "X": "\\X (extended grapheme cluster)",
                        "G": "\\G (start of match)", "K": "\\K (reset match start)"}[str(value)]
                self.note_unsupported(what, at)
                self._add(N.EMPTY, str(value) in "CX")

    # --- groups -----------------------------------------------------------------------------

    def _push(self, at: int, reset: bool = False) -> None:
        group = _Group(at, self.flags)
        if reset:
            group.reset = (self.groups, self.groups)
        self.stack.append(group)

    def _open(self, at: int) -> None:
        p = self.p
        if self.i >= self.n:
            raise RegexSyntaxError(14, self.n)
        c = p[self.i]
        if c == "*":
            self._asterisk_group(at)
            return
        if c != "?":
            if not self.flags & NO_AUTO_CAPTURE:
                self.groups += 1
            self._push(at)
            return
        self.i += 1
        if self.i >= self.n:
            raise RegexSyntaxError(14, self.n)
        c = p[self.i]
        if (c == "-" and _digit(self.at(self.i + 1))) or c in "0123456789+&R":
            if c == "+" and not _digit(self.at(self.i + 1)):
                raise RegexSyntaxError(29, self.i)
            self._skip_call(at, "recursion or subroutine call")
        elif c == "|":
            self.i += 1
            self._push(at, reset=True)
        elif c == "P":
            self.i += 1
            nxt = self.at(self.i)
            if nxt == "<":
                self._named_group(at, self.i + 1, ">")
            elif nxt in (">", "="):
                what = "subroutine call" if nxt == ">" else "back reference by name"
                self._skip_call(at, what)
            elif not nxt:
                raise RegexSyntaxError(14, self.n)
            else:
                raise RegexSyntaxError(41, self.i)
        elif c == "<" and self.at(self.i + 1) not in ("=", "!", "*"):
            self._named_group(at, self.i + 1, ">")
        elif c == "'":
            self._named_group(at, self.i + 1, "'")
        elif c in "=!*<>":
            what = {"=": "lookahead", "!": "lookahead", "*": "lookahead", ">": "atomic group",
                    "<": "lookbehind"}[c]
            self.note_unsupported(what, at)
            self.i += 2 if c == "<" else 1
            self._push(at)
        elif c == "(":
            self.note_unsupported("conditional group", at)
            if self.at(self.i + 1) in ("?", "*"):
                self._push(at)  # the condition is the assertion group that follows
                return
            end = p.find(")", self.i + 1)
            if end < 0:
                raise RegexSyntaxError(24, self.n, "missing closing parenthesis for condition")
            self.i = end + 1
            self._push(at)
        elif c == "C":
            self.note_unsupported("callout", at)
            end = p.find(")", self.i)
            if end < 0:
                raise RegexSyntaxError(39, self.n)
            self.i = end + 1
        else:
            self._options(at)

    def _asterisk_group(self, at: int) -> None:
        """``(*``: a verb, an alphabetic assertion, or (before ``)``) nothing at all."""
        p = self.p
        if self.n - self.i <= 1 or p[self.i + 1] == ")":
            return  # PCRE2 reads nothing, so the '*' is a quantifier without an item
        c = p[self.i + 1]
        if c.isascii() and c.islower():
            end = self.word_name(self.i + 1)
            name = p[self.i + 1 : end]
            if self.at(end) != ":" or name not in _ALPHA_ASSERTIONS:
                raise RegexSyntaxError(95, end)
            self.note_unsupported(_ALPHA_ASSERTIONS[name], at)
            self.i = end + 1
            self._push(at)
            return
        end = self.word_name(self.i + 1)
        name = p[self.i + 1 : end]
        if self.at(end) not in (":", ")") or name not in _VERBS:
            raise RegexSyntaxError(60, end)
        self.note_unsupported(f"backtracking control verb (*{name})", at)
        close = p.find(")", end)
        if close < 0:
            raise RegexSyntaxError(60, self.n)
        self.i = close + 1

    def _skip_call(self, at: int, what: str) -> None:
        self.note_unsupported(what, at)
        end = self.p.find(")", self.i)
        if end < 0:
            raise RegexSyntaxError(14, self.n)
        self.i = end + 1
        self._add(N.EMPTY, True)

    def _named_group(self, at: int, start: int, terminator: str) -> None:
        name, self.i = self.group_name(start, terminator, _LETTERS, _DIGITS)
        self.groups += 1
        for other, number in self.names:
            if other == name:
                if number == self.groups:
                    break
                if not self.flags & DUPNAMES:
                    raise RegexSyntaxError(43, self.i)
            elif number == self.groups:
                raise RegexSyntaxError(65, self.i)
        else:
            self.names.append((name, self.groups))
        self._push(at)

    def _options(self, at: int) -> None:
        """``(?imnsxJU-imnsxJU)`` or ``(?...:``; ``self.i`` just past the ``?``."""
        p = self.p
        flags = self.flags
        hyphen_ok = True
        if self.at(self.i) == "^":
            flags &= ~(CASELESS | MULTILINE | NO_AUTO_CAPTURE | DOTALL | EXTENDED | EXTENDED_MORE)
            hyphen_ok = False
            self.i += 1
        set_bits = unset_bits = 0
        unsetting = False
        while self.i < self.n and p[self.i] not in "):":
            c = p[self.i]
            self.i += 1
            if c == "-":
                if not hyphen_ok:
                    raise RegexSyntaxError(94, self.i - 1)
                unsetting, hyphen_ok = True, False
                continue
            if c not in _OPTION_BITS:
                raise RegexSyntaxError(11, self.i - 1)
            bits = _OPTION_BITS[c]
            if c == "x" and self.at(self.i) == "x":
                bits |= EXTENDED_MORE
                self.i += 1
            if unsetting:
                unset_bits |= bits
            else:
                set_bits |= bits
        if set_bits & (EXTENDED | EXTENDED_MORE) == EXTENDED or unset_bits & EXTENDED:
            unset_bits |= EXTENDED_MORE
        if self.i >= self.n:
            raise RegexSyntaxError(14, self.n)
        closing = p[self.i]
        self.i += 1
        if closing == ":":
            self._push(at)
        self.flags = (flags | set_bits) & ~unset_bits


__all__ = ["Parsed", "RegexSyntaxError", "RegexUnsupported", "options_flags", "parse"]
