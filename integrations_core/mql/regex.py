"""``$regex`` on a linear-time engine: PCRE syntax translated to RE2, literals without an engine.

MongoDB runs patterns on PCRE2 in UTF mode without UCP, so ``\\d \\w \\b`` are ASCII. RE2 agrees
on those; where the two differ this module translates (``\\s`` includes ``\\v``; ``$`` and ``\\Z``
outside multiline mode also match before a final newline; PCRE's ``\\h \\v`` classes) and a
pattern RE2 cannot run in linear time (backreferences, lookaround, atomic groups, possessive
quantifiers) is a :class:`QueryError`. There is no fallback to Python's backtracking ``re``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import LimitError, QueryError
from .limits import DEFAULT_LIMITS, Limits

try:  # pragma: no cover - exercised by whichever environment runs the suite
    import re2 as _re2

    _OPTIONS: Any = _re2.Options()
    _OPTIONS.log_errors = False
    _OPTIONS.never_capture = True
except ImportError:  # pragma: no cover
    _re2 = None
    _OPTIONS = None

Matcher = Callable[[str], bool]

OPTION_LETTERS = frozenset("imsxu")
_SPECIAL = frozenset("\\^$.|?*+()[]{}")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_PCRE_SPACE = " \t\n\x0b\f\r"
_HSPACE = r"\t \x{a0}\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}"
_VSPACE = r"\n\x0b\f\r\x{85}\x{2028}\x{2029}"
# PCRE class escapes whose meaning differs from RE2's: (outside a class, inside a class).
_CLASS_ESCAPES = {
    "s": ("[[:space:]]", "[:space:]"),
    "S": ("[[:^space:]]", "[:^space:]"),
    "h": (f"[{_HSPACE}]", _HSPACE),
    "H": (f"[^{_HSPACE}]", None),
    "v": (f"[{_VSPACE}]", _VSPACE),
    "V": (f"[^{_VSPACE}]", None),
}
_END = r"(?:\n?\z)"


def escape(text: str) -> str:
    """A pattern that matches ``text`` literally (in both PCRE and RE2)."""
    return "".join(c if c in _WORD or c > "\x7f" else "\\" + c for c in text)


def check_options(options: str, path: str) -> str:
    """Validate MongoDB ``$options`` letters; return them."""
    for letter in options:
        if letter not in OPTION_LETTERS:
            raise QueryError(
                f"invalid flag in regex options: {letter!r} (allowed: i, m, s, x, u)", path
            )
    return options


def strip_extended(pattern: str) -> str:
    """Apply PCRE's ``x`` option: drop unescaped whitespace and ``#`` comments outside classes."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern.startswith("]", i + 1) or pattern.startswith("^]", i + 1):
                close = i + (2 if pattern[i + 1] == "]" else 3)
                out.append(pattern[i:close])
                i = close
                continue
        elif c in _PCRE_SPACE:
            i += 1
            continue
        elif c == "#":
            while i < n and pattern[i] != "\n":
                i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _literal(pattern: str) -> str | None:
    """The text a pattern stands for, if it is made of literals and escaped punctuation only."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            nxt = pattern[i + 1]
            if nxt in _WORD or nxt > "\x7f":
                return None
            out.append(nxt)
            i += 2
        elif c in _SPECIAL:
            return None
        else:
            out.append(c)
            i += 1
    return "".join(out)


# Under Unicode simple case folding (what RE2 and PCRE use for ``i``) the only characters outside
# ASCII that fold to an ASCII letter are KELVIN SIGN and LONG S; every other one stays non-ASCII.
_ASCII_FOLD = {**{c: c + 32 for c in range(65, 91)}, 0x212A: ord("k"), 0x017F: ord("s")}


def _fold(subject: str) -> str:
    return subject.lower() if subject.isascii() else subject.translate(_ASCII_FOLD)


def _literal_matcher(pattern: str, options: str) -> Matcher | None:
    """A matcher without a regex engine for ``^?literal$?`` patterns (``i`` for ASCII ones)."""
    multiline = "m" in options
    start = pattern.startswith("^") and not multiline
    end = pattern.endswith("$") and not pattern.endswith("\\$") and not multiline
    body = pattern[1 if start else 0 : len(pattern) - 1 if end else len(pattern)]
    text = _literal(body)
    if text is None:
        return None
    if "i" in options:
        if not text.isascii():
            return None
        text = text.lower()
        exact = _literal_test(text, start, end)
        return _costed(lambda s: exact(_fold(s)), 16)
    return _literal_test(text, start, end)


def _literal_test(text: str, start: bool, end: bool) -> Matcher:
    # Outside multiline mode PCRE's ``$`` also matches before a final newline.
    with_nl = text + "\n"
    if start and end:
        return _costed(lambda s: s in (text, with_nl))
    if start:
        return _costed(lambda s: s.startswith(text))
    if end:
        return _costed(lambda s: s.endswith(text) or s.endswith(with_nl))
    return _costed(lambda s: text in s)


def _costed(match: Any, unit_cost: int = 2, call_cost: int = 400,
            native_bytes: int = 0) -> Matcher:
    match.unit_cost, match.call_cost, match.native_bytes = unit_cost, call_cost, native_bytes
    return match  # type: ignore[no-any-return]


def to_re2(pattern: str, options: str) -> str:
    """Translate a PCRE pattern (after ``x`` stripping) to RE2 syntax with inline flags."""
    multiline = "m" in options
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "Q":
                close = pattern.find("\\E", i + 2)
                close = n if close < 0 else close + 2
                out.append(pattern[i:close])
                i = close
                continue
            if nxt in _CLASS_ESCAPES:
                outside, inside = _CLASS_ESCAPES[nxt]
                if in_class and inside is None:
                    raise ValueError(f"\\{nxt} inside a character class")
                out.append(inside if in_class else outside)  # type: ignore[arg-type]
            elif nxt == "Z" and not in_class:
                out.append(_END)
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            lead = 2 if pattern.startswith("^", i + 1) else 1
            if pattern.startswith("]", i + lead):
                out.append(pattern[i : i + lead + 1])
                i += lead + 1
                continue
        elif c == "$" and not multiline:
            out.append(_END)
            i += 1
            continue
        out.append(c)
        i += 1
    flags = "".join(f for f in "ims" if f in options)
    body = "".join(out)
    return f"(?{flags}){body}" if flags else body


_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")


def widest_repeat(pattern: str) -> int:
    """The largest counted repetition bound applied to anything but a single literal character."""
    widest, i, n, literal = 0, 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            literal = not (nxt in _WORD or nxt > "\x7f")
            i += 2
            continue
        if c == "[":
            close = i + 1 + (pattern.startswith("^", i + 1)) + (pattern.startswith("]", i + 1))
            while close < n and pattern[close] != "]":
                close += 2 if pattern[close] == "\\" else 1
            i, literal = close + 1, False
            continue
        quantifier = _QUANTIFIER.match(pattern, i) if c == "{" else None
        if quantifier is not None:
            if not literal:
                low, high = quantifier.group(1), quantifier.group(2)
                widest = max(widest, int(high) if high else int(low))
            i, literal = quantifier.end(), False
            continue
        literal = c not in _SPECIAL
        i += 1
    return widest


def compile_regex(
    pattern: str, options: str, path: str, limits: Limits = DEFAULT_LIMITS
) -> Matcher:
    """Compile a MongoDB ``$regex`` into ``str -> bool`` (search semantics)."""
    max_length, max_program = limits.max_regex_length, limits.max_regex_program
    if len(pattern) > max_length:
        raise LimitError(
            f"regex is {len(pattern)} characters, over max_regex_length ({max_length})", path
        )
    if "\x00" in pattern:
        raise QueryError("regular expression cannot contain an embedded null byte", path)
    check_options(options, path)
    if "x" in options:
        pattern = strip_extended(pattern)
    fast = _literal_matcher(pattern, options)
    if fast is not None:
        return fast
    if (widest := widest_repeat(pattern)) > limits.max_regex_repeat:
        raise LimitError(
            f"counted repetition {{{widest}}} of a class, group or '.' is over the limit of "
            f"{limits.max_regex_repeat} (such patterns make matching slow)",
            path,
        )
    if _re2 is None:
        raise QueryError(
            "only literal patterns are available: install google-re2 for regular expressions",
            path,
        )
    try:
        translated = to_re2(pattern, options)
        compiled = _re2.compile(translated, _OPTIONS)
    except Exception as exc:  # re2 raises its own error type, ValueError and others
        detail = exc.args[0] if exc.args else exc
        reason = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise QueryError(
            f"pattern not supported by the linear-time regex engine ({reason}); "
            "backreferences, lookaround, atomic groups and possessive quantifiers are rejected",
            path,
        ) from None


    raw = getattr(compiled, "_regexp", None)
    size = raw.ProgramSize() if raw is not None else 0
    if size > max_program and _literal(pattern.strip("^$")) is None:
        raise LimitError(
            f"regex compiles to {size} instructions, over the limit of {max_program} "
            "(counted repetitions such as .{999} make matching slow)",
            path,
        )
    # RE2 may grow each program's DFA up to its max_mem (8 MiB by default).
    return _costed(_re2_matcher(compiled), size, 2_500, 8 * 2**20 + 16 * size)


def _re2_matcher(compiled: Any) -> Matcher:
    raw = getattr(compiled, "_regexp", None)
    anchor = getattr(getattr(getattr(_re2, "_re2", None), "RE2", None), "Anchor", None)
    if raw is None or anchor is None:  # pragma: no cover - another google-re2 layout
        search = compiled.search
        return lambda subject: search(subject) is not None
    # The wrapper's search() builds match objects and char offsets; a yes/no answer needs only
    # the engine's own Match on the UTF-8 bytes.
    run, unanchored = raw.Match, anchor.UNANCHORED

    def match(subject: str) -> bool:
        try:
            data = subject.encode()
        except UnicodeEncodeError:  # a lone surrogate in stored data
            data = subject.encode("utf-8", "replace")
        return bool(run(unanchored, data, 0, len(data))[0][0] >= 0)

    return match
