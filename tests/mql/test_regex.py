"""$regex: PCRE behaviour on RE2, the literal fast path, and rejections.

PCRE2 semantics: https://www.pcre.org/current/doc/html/pcre2pattern.html ; MongoDB's use of it:
https://www.mongodb.com/docs/manual/reference/operator/query/regex/
"""

from __future__ import annotations

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core.mql.errors import LimitError, QueryError
from integrations_core.mql.limits import DEFAULT_LIMITS, Limits
from integrations_core.mql.regex import (
    compile_regex,
    escape,
    strip_extended,
    to_re2,
    widest_repeat,
)

PCRE = "https://www.pcre.org/current/doc/html/pcre2pattern.html"
REGEX_DOC = "https://www.mongodb.com/docs/manual/reference/operator/query/regex/"


def matches(pattern: str, options: str, subject: str) -> bool:
    return compile_regex(pattern, options, "q")(subject)


@pytest.mark.parametrize(
    ("pattern", "options", "subject", "expected", "source"),
    [
        ("a$", "", "a\n", True, f"{PCRE}#circumflex: $ matches before a final newline"),
        ("a$", "", "a\nb", False, PCRE),
        ("a$", "m", "a\nb", True, f"{REGEX_DOC}#multiline-match-for-lines-starting-with-specified-pattern"),
        ("^b", "", "a\nb", False, REGEX_DOC),
        ("^b", "m", "a\nb", True, REGEX_DOC),
        ("a\\Z", "", "a\n", True, f"{PCRE}#smallassertions"),
        ("a.b", "", "a\nb", False, f"{REGEX_DOC}#use-the-.-dot-character-to-match-new-line"),
        ("a.b", "s", "a\nb", True, f"{REGEX_DOC}#use-the-.-dot-character-to-match-new-line"),
        ("^\\d+$", "", "١٢٣", False, f"{PCRE}#genericchartypes: \\d is ASCII without UCP"),
        ("^\\d+$", "", "123", True, PCRE),
        ("^\\w+$", "", "é", False, f"{PCRE}#genericchartypes"),
        ("a\\sb", "", "a\x0bb", True, f"{PCRE}#genericchartypes: \\s includes VT"),
        ("a[\\s]b", "", "a\x0bb", True, f"{PCRE}#genericchartypes"),
        ("a\\Sb", "", "a\x0bb", False, PCRE),
        ("a\\hb", "", "a\u00a0b", True, f"{PCRE}#genericchartypes: \\h horizontal space"),
        ("a\\vb", "", "a\u2028b", True, f"{PCRE}#genericchartypes: \\v vertical space"),
        ("ABC", "i", "xabcx", True, f"{REGEX_DOC}#perform-case-insensitive-regular-expression-match"),
        ("^k", "i", "\u212a", True, "Unicode CaseFolding.txt: KELVIN SIGN folds to k"),
        ("^s$", "i", "\u017f", True, "Unicode CaseFolding.txt: LONG S folds to s"),
        ("ß", "i", "SS", False, "simple case folding only (CaseFolding.txt status C/S)"),
        ("ß", "i", "ẞ", True, "CaseFolding.txt: 1E9E; S; 00DF"),
        ("a b # comment\n c", "x", "abc", True, f"{REGEX_DOC}#ignore-white-spaces-in-pattern"),
        ("a\\ b", "x", "a b", True, f"{PCRE}: escaped white space stays in x mode"),
        ("a[ ]b", "x", "a b", True, f"{PCRE}: white space in a class stays in x mode"),
        ("\\Qa.b\\E", "", "a.b", True, f"{PCRE}#quotingmeta"),
        ("\\Qa.b\\E", "", "axb", False, PCRE),
        ("[$]", "", "$", True, PCRE),
        ("a|b$", "", "b\n", True, PCRE),
        ("bot", "", "Robot", True, REGEX_DOC),
        ("^Bot", "", "bot", False, REGEX_DOC),
    ],
)
def test_pcre_behaviour(pattern: str, options: str, subject: str, expected: bool, source: str) -> None:
    assert matches(pattern, options, subject) is expected, source


@pytest.mark.parametrize(
    ("pattern", "options", "reason"),
    [
        ("(a)\\1", "", "backreference"),
        ("(?=a)", "", "lookahead"),
        ("(?<=a)b", "", "lookbehind"),
        ("(?>a+)", "", "atomic group"),
        ("a++", "", "possessive quantifier"),
        ("a{1001}", "", "repetition over RE2's limit"),
        ("(", "", "unbalanced parenthesis"),
        ("a", "g", "unknown option letter"),
        ("a", "im z", "unknown option letter"),
        ("a\x00b", "", "embedded null byte (MongoDB rejects it)"),
    ],
)
def test_rejected_patterns(pattern: str, options: str, reason: str) -> None:
    with pytest.raises(QueryError) as info:
        compile_regex(pattern, options, "query.name.$regex")
    assert info.value.path == "query.name.$regex", reason


def test_length_limit() -> None:
    with pytest.raises(LimitError, match="over max_regex_length \\(10\\)"):
        compile_regex("a" * 11, "", "q", Limits(max_regex_length=10))


def test_unsupported_message_names_the_engine() -> None:
    with pytest.raises(QueryError, match="linear-time regex engine"):
        compile_regex("(a)\\1", "", "q")


# (pattern, matches "a" * 50_000 + "b", matches "a" * 30 + "!"): answers worked out by hand from
# PCRE's search semantics (pcre2pattern(3)); a backtracking engine needs minutes for the second.
CATASTROPHIC = [("(a+)+$", False, False), ("(a|aa)+$", False, False), ("(a*)*b", True, False),
                ("(x+x+)+y", False, False), ("(.*a){12}", True, True)]


@pytest.mark.parametrize(("pattern", "long", "short"), CATASTROPHIC)
def test_catastrophic_patterns_run_on_a_linear_engine(pattern: str, long: bool,
                                                      short: bool) -> None:
    match = compile_regex(pattern, "", "q")
    # Each call is charged (and bounded by) its per-character cost times the subject length.
    assert 1 <= match.unit_cost <= DEFAULT_LIMITS.max_regex_program  # type: ignore[attr-defined]
    assert (match("a" * 50_000 + "b"), match("a" * 30 + "!")) == (long, short)


def test_lone_surrogate_subject_does_not_raise() -> None:
    assert matches("b.t", "", "\ud800bat") is True
    assert matches("z", "", "\ud800bat") is False


texts = st.text(alphabet=st.sampled_from("aAbB.*+?()[]{}|^$\\ kK\u212a\u017fsSß\n"), max_size=6)


@settings(max_examples=300, deadline=None)
@given(text=texts, subject=texts, options=st.sampled_from(["", "i", "s", "m", "im"]),
       anchors=st.sampled_from(["", "^", "$", "^$"]))
def test_escaped_literals_match_like_re2(text: str, subject: str, options: str, anchors: str) -> None:
    """The engine-free literal path agrees with RE2 running the same (escaped) pattern."""
    pattern = ("^" if "^" in anchors else "") + escape(text) + ("$" if "$" in anchors else "")
    expected = re2.compile(to_re2(pattern, options)).search(subject) is not None
    assert matches(pattern, options, subject) is expected


def test_escape_is_literal_in_re2() -> None:
    text = "a.b*c(d)[e]{f}|g^h$i\\j?k+l m#n\no"
    assert re2.compile(escape(text)).fullmatch(text) is not None


def test_strip_extended_keeps_escapes_and_classes() -> None:
    assert strip_extended(" a \\  [ #] # c\nb") == "a\\ [ #]b"


def test_program_size_limit_refuses_counted_repetition_blowups() -> None:
    # RE2's DFA gives up on a.{999} (8,000 instructions) and the NFA costs text x program size.
    with pytest.raises(LimitError, match="instructions, over the limit of 50"):
        compile_regex("a{1}(?:[a-z]|[0-9]|\\p{Greek}){1,12}", "", "q", Limits(max_regex_program=50))
    compile_regex("\\p{L}+", "", "q")  # a large class, still linear and fast
    compile_regex("é" * 400, "i", "q")  # literals are never refused for size


@pytest.mark.parametrize(
    ("pattern", "widest"),
    [("a.{20}c", 20), ("a{50}", 0), ("\\.{30}", 0), ("[ab]{3,13}", 13), ("(ab){7}", 7),
     ("\\d{4}-\\d{2}", 4), ("x{2,}", 0), ("(.*a){25}", 25), ("[{]{99}", 99), ("a\\{99}", 0)],
)
def test_widest_repeat(pattern: str, widest: int) -> None:
    assert widest_repeat(pattern) == widest


def test_counted_repetition_of_a_wildcard_is_refused() -> None:
    # a.{n}c needs 2**n DFA states: RE2 falls back to its NFA past about n = 12.
    with pytest.raises(LimitError, match="counted repetition \\{20\\}"):
        compile_regex("a.{20}c", "", "q")
    compile_regex("a.{12}c", "", "q")
