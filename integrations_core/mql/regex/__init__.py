"""``$regex`` as MongoDB means it (PCRE2 10.42, UTF, no UCP), run in linear time.

One front end (:mod:`.syntax`) reads the pattern as PCRE2 10.42 does into a tree; a literal
pattern runs without a regex engine (:mod:`.literal`), anything else is translated to RE2
(:mod:`.translate`) with the same meaning. A construct RE2 cannot run (back references,
lookaround, atomic groups, possessive quantifiers, ...) is a :class:`QueryError` naming it;
a PCRE2 syntax error is one too, in PCRE2's words; there is never a fallback to Python's
backtracking ``re``. docs/semantics.md has the table of supported syntax.

:func:`compile_regex` returns a :class:`CompiledRegex`: call it with a string (search
semantics). Its ``unit_cost`` bounds the work of one call per subject character, in steps of
about a nanosecond (one character compared, or an eighth of one RE2 instruction run on one
character); its ``native_bytes`` bounds the memory it holds outside Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LimitError, QueryError
from ..limits import DEFAULT_LIMITS, Limits
from .analysis import weight
from .errors import RegexSyntaxError, RegexUnsupported
from .literal import compile_literal, literal_of
from .nodes import Concat
from .syntax import parse
from .translate import translate

try:  # pragma: no cover - exercised by whichever environment runs the suite
    import re2 as _re2
    from re2 import _re2 as _engine
except ImportError:  # pragma: no cover
    _re2 = None
    _engine = None

Matcher = Callable[[str], bool]

OPTION_LETTERS = frozenset("imsxu")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

RE2_MAX_MEM = 1 << 20
"""The memory budget of each RE2 program (``RE2::Options::max_mem``): both programs (forward
and reverse) and their DFA caches live within it. Past it RE2 runs its NFA, which
``unit_cost`` already assumes."""
RE2_STEPS_PER_INSTRUCTION = 8
"""Steps charged per RE2 instruction and subject character: a character is at most four UTF-8
bytes and a call makes at most two passes (the search, then the reverse scan that finds where
the match starts, or the NFA's rerun when the DFA gives up), each at most one visit of each
instruction per byte."""
_RE2_OVERHEAD_BYTES = 4096


def escape(text: str) -> str:
    """A pattern that matches ``text`` literally (in PCRE2, under any options but ``x``)."""
    return "".join(c if c in _WORD or c > "\x7f" else "\\" + c for c in text)


def check_options(options: str, path: str) -> str:
    """Validate MongoDB ``$options`` letters; return them."""
    for letter in options:
        if letter not in OPTION_LETTERS:
            raise QueryError(
                f"invalid flag in regex options: {letter!r} (allowed: i, m, s, x, u)", path
            )
    return options


class CompiledRegex:
    """A compiled ``$regex``: ``regex(subject) -> bool`` finds the pattern anywhere.

    * ``pattern``, ``options``: as given; ``kind``: "literal" (no engine) or "re2".
    * ``unit_cost``: an upper bound of one call's work per subject character, in steps of
      about 1 ns: a literal test is 1-3 (up to 99 for a self-overlapping needle), plus 24
      under ``i``; an RE2 program is ``8 x program_size``.
    * ``native_bytes``: memory held outside Python (0, or RE2's budget plus its parse trees).
    * ``program_size``: RE2 instructions (0 for literals); ``weight``: the repetition weight
      ``Limits.max_regex_repeat`` bounds; ``source``: the RE2 program's text (None for
      literals); ``test``: the bare function, for hot loops; ``inline``: for the common literal
      forms, ``test`` as an expression template (see ``regex.literal.Literal``), or None.
    """

    __slots__ = ("inline", "kind", "native_bytes", "options", "pattern", "program_size", "source",
                 "test", "unit_cost", "weight")

    def __init__(self, pattern: str, options: str, kind: str, test: Matcher, unit_cost: int,
                 native_bytes: int = 0, program_size: int = 0, weight: int = 0,
                 source: str | None = None,
                 inline: tuple[str, tuple[object, ...]] | None = None) -> None:
        self.pattern, self.options, self.kind, self.test = pattern, options, kind, test
        self.unit_cost, self.native_bytes = unit_cost, native_bytes
        self.program_size, self.weight, self.source = program_size, weight, source
        self.inline = inline

    def __call__(self, subject: str) -> bool:
        return self.test(subject)

    def __repr__(self) -> str:
        return (f"CompiledRegex({self.pattern!r}, {self.options!r}, kind={self.kind!r}, "
                f"unit_cost={self.unit_cost})")


def compile_regex(
    pattern: str, options: str, path: str, limits: Limits = DEFAULT_LIMITS
) -> CompiledRegex:
    """Compile a MongoDB ``$regex`` (with its ``$options``) for searching strings."""
    if len(pattern) > limits.max_regex_length:
        raise LimitError(
            f"regex is {len(pattern)} characters, over max_regex_length "
            f"({limits.max_regex_length})",
            path,
        )
    if "\x00" in pattern:
        raise QueryError("regular expression cannot contain an embedded null byte", path)
    check_options(options, path)
    try:
        tree = parse(pattern, options).root
    except (RegexSyntaxError, RegexUnsupported) as exc:
        raise QueryError(str(exc), path) from None
    measure = weight(tree)
    if measure > limits.max_regex_repeat:
        raise LimitError(
            f"regex repeats {measure} character positions in a row (counted, written out or "
            f"nested), over max_regex_repeat ({limits.max_regex_repeat}); "
            "such patterns make matching slow",
            path,
        )
    found = literal_of(tree)
    if found is not None:
        lit = compile_literal(*found)
        return CompiledRegex(pattern, options, "literal", lit.test, lit.unit_cost, weight=measure,
                             inline=lit.inline)
    if isinstance(tree, Concat) and not tree.items:
        return CompiledRegex(pattern, options, "literal", _always, 1, weight=measure)
    try:
        source = translate(tree)
    except RegexUnsupported as exc:
        raise QueryError(str(exc), path) from None
    return _compile_re2(pattern, options, source, measure, path, limits)


def _always(subject: str) -> bool:
    return True


def _compile_re2(pattern: str, options: str, source: str, measure: int, path: str,
                 limits: Limits) -> CompiledRegex:
    if _engine is None:  # pragma: no cover
        raise QueryError(
            "only literal patterns are available: install google-re2 for regular expressions",
            path,
        )
    engine_options = _engine.RE2.Options()
    engine_options.log_errors = False
    engine_options.never_capture = True
    engine_options.max_mem = RE2_MAX_MEM
    program = _engine.RE2(source.encode(), engine_options)
    if not program.ok():
        # The tree is valid PCRE2; RE2 refuses only what is too big for it ({n} over 1000, or
        # a program over its memory budget).
        reason = program.error()
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise LimitError(f"regex is too large for the linear-time engine ({reason})", path)
    size = program.ProgramSize()
    if size > limits.max_regex_program:
        raise LimitError(
            f"regex compiles to {size} instructions, over max_regex_program "
            f"({limits.max_regex_program})",
            path,
        )
    return CompiledRegex(
        pattern, options, "re2", _re2_test(program), RE2_STEPS_PER_INSTRUCTION * size,
        native_bytes=RE2_MAX_MEM + _RE2_OVERHEAD_BYTES + 64 * len(source),
        program_size=size, weight=measure, source=source,
    )


def _re2_test(program: Any) -> Matcher:
    # A yes/no answer needs only the engine's Match on the UTF-8 bytes, not the wrapper's
    # match objects and character offsets.
    run, unanchored = program.Match, _engine.RE2.Anchor.UNANCHORED

    def test(subject: str) -> bool:
        try:
            data = subject.encode()
        except UnicodeEncodeError:  # a lone surrogate in stored data
            data = subject.encode("utf-8", "replace")
        return bool(run(unanchored, data, 0, len(data))[0][0] >= 0)

    return test


__all__ = ["CompiledRegex", "Matcher", "check_options", "compile_regex", "escape"]
