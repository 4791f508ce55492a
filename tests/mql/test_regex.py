"""$regex: PCRE2 behaviour on RE2 and without an engine, rejections, limits and costs.

PCRE2 semantics: https://www.pcre.org/current/doc/html/pcre2pattern.html (10.42 as MongoDB runs
it); MongoDB's use of it: https://www.mongodb.com/docs/manual/reference/operator/query/regex/
Every row below is also checked against PCRE2 itself (tests/mql/pcre2_oracle.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations_core.mql.errors import LimitError, QueryError
from integrations_core.mql.limits import DEFAULT_LIMITS, Limits
from integrations_core.mql.regex import RE2_MAX_MEM, compile_regex, escape
from integrations_core.mql.regex.analysis import weight
from integrations_core.mql.regex.literal import finder
from integrations_core.mql.regex.syntax import parse
from tests.mql.pcre2_oracle import PCRE2

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
        # issue 10's misreadings, each now as PCRE2 reads it
        ("^[[:alpha:]\\s]+$", "", "Deploy bot", True, f"{PCRE}#posixcharclasses: a POSIX class then \\s"),
        ("\\w", "i", "\u212a", False, f"{PCRE}#genericchartypes: no UCP, \\w does not fold"),
        ("[[:alpha:]]", "i", "\u017f", False, f"{PCRE}#posixcharclasses: POSIX classes are ASCII"),
        ("a$\\n", "", "a\n", True, f"{PCRE}#circumflex: $ does not consume the newline"),
        ("a(?m)$", "", "a\nb", True, f"{PCRE}#internaloptions"),
        ("(?-m)a$", "m", "a\nb", False, f"{PCRE}#internaloptions"),
        ("(?m:a$)", "", "a\nb", True, f"{PCRE}#internaloptions"),
        ("^$", "m", "a\n", False, f"{PCRE}#circumflex: no ^ after a final newline"),
        ("\\p{Greek}", "", "\u0342", True, f"{PCRE}#uniextseq: Script_Extensions from 10.40"),
        ("a\\x{2028}", "", "a\u2028", True, f"{PCRE}#characters: \\x{{hh..}} is a character"),
        ("(?x)\\Q a # b\\E", "", " a # b", True, f"{PCRE}#quotingmeta: \\Q..\\E is literal in x mode"),
        ("(?x)a\u2028b", "", "ab", True, f"{PCRE}: x skips Unicode pattern white space"),
        ("\\R", "", "\r\n", True, f"{PCRE}#newlineseq"),
        ("a\\N", "", "ab", True, f"{PCRE}#genericchartypes"),
        ("(?|(a)|(b))c", "", "bc", True, f"{PCRE}#dupgroupnumber"),
        ("a(?#note)b", "", "ab", True, f"{PCRE}#comments"),
        ("\\e\\a\\cA\\o{101}", "", "\x1b\x07\x01A", True, f"{PCRE}#characters"),
        ("(?<n>a)(?'m'b)(?P<o>c)", "", "abc", True, f"{PCRE}#namedsubpatterns"),
        ("(*UTF)a", "", "a", True, f"{PCRE}#utf: a no-op here"),
        ("\\p{L&}", "", "ǅ", True, f"{PCRE}#uniextseq"),
        ("[\\H]", "", "x", True, f"{PCRE}#characterclass"),
        ("[\\b]", "", "\x08", True, f"{PCRE}#characterclass: backspace"),
        ("a{1001}", "", "a" * 1001, True, f"{PCRE}#repeat: counts up to 65535"),
    ],
)
def test_pcre_behaviour(pattern: str, options: str, subject: str, expected: bool, source: str) -> None:
    assert PCRE2.search(pattern, options, subject) is expected, source
    assert matches(pattern, options, subject) is expected, source


@pytest.mark.parametrize(
    ("pattern", "options", "reason"),
    [
        ("(a)\\1", "", "backreference"),
        ("(?=a)", "", "lookahead"),
        ("(?<=a)b", "", "lookbehind"),
        ("(?>a+)", "", "atomic group"),
        ("a++", "", "possessive quantifier"),
        ("(", "", "unbalanced parenthesis"),
        ("a", "g", "unknown option letter"),
        ("a", "im z", "unknown option letter"),
        ("a\x00b", "", "embedded null byte (MongoDB rejects it)"),
        ("[:alpha:]", "", "a POSIX class outside brackets"),
        ("[[.a.]]", "", "a collating element"),
        ("[\\d-z]", "", "a range from a class escape"),
        ("^*", "", "a quantified anchor"),
        ("\\b+", "", "a quantified anchor"),
        ("(?<n>a)(?<n>b)", "", "a duplicate group name"),
        ("(?<1>a)", "", "a numeric group name"),
        ("\\x{d800}", "", "a surrogate"),
        ("(" * 251 + ")" * 251, "", "over 250 nested parentheses"),
        ("(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)\\10", "", "\\10 with ten groups is a back reference"),
    ],
)
def test_rejected_patterns(pattern: str, options: str, reason: str) -> None:
    with pytest.raises(QueryError) as info:
        compile_regex(pattern, options, "query.name.$regex")
    assert info.value.path == "query.name.$regex", reason


def test_length_limit() -> None:
    with pytest.raises(LimitError, match="over max_regex_length \\(10\\)"):
        compile_regex("a" * 11, "", "q", Limits(max_regex_length=10))


def test_unsupported_message_names_the_engine_construct_and_offset() -> None:
    with pytest.raises(QueryError, match="at offset 3 not supported by the linear-time regex "
                                         "engine: back reference"):
        compile_regex("(a)\\1", "", "q")


def test_syntax_errors_are_not_called_unsupported() -> None:
    with pytest.raises(QueryError, match="syntax error in regex at offset 1: missing closing"):
        compile_regex("(", "", "q")


def test_a_syntax_error_wins_over_an_earlier_unsupported_construct() -> None:
    # PCRE2 refuses the pattern for the missing ')', whatever came before.
    with pytest.raises(QueryError, match="syntax error"):
        compile_regex("(?=a)(", "", "q")


# (pattern, matches "a" * 50_000 + "b", matches "a" * 30 + "!"): answers worked out by hand from
# PCRE's search semantics (pcre2pattern(3)); a backtracking engine needs minutes for the second.
CATASTROPHIC = [("(a+)+$", False, False), ("(a|aa)+$", False, False), ("(a*)*b", True, False),
                ("(x+x+)+y", False, False), ("(.*a){12}", True, True)]


@pytest.mark.parametrize(("pattern", "long", "short"), CATASTROPHIC)
def test_catastrophic_patterns_run_on_a_linear_engine(pattern: str, long: bool,
                                                      short: bool) -> None:
    match = compile_regex(pattern, "", "q")
    # Each call is charged (and bounded by) its per-character cost times the subject length.
    assert 1 <= match.unit_cost <= 8 * DEFAULT_LIMITS.max_regex_program
    assert (match("a" * 50_000 + "b"), match("a" * 30 + "!")) == (long, short)


def test_lone_surrogate_subject_does_not_raise() -> None:
    assert matches("b.t", "", "\ud800bat") is True
    assert matches("z", "", "\ud800bat") is False
    assert matches("z", "i", "\ud800bat") is False


texts = st.text(alphabet=st.sampled_from("aAbB.*+?()[]{}|^$\\ #kK\u212a\u017fsSß\né"), max_size=6)


@settings(max_examples=300, deadline=None)
@given(text=texts, subject=texts, options=st.sampled_from(["", "i", "s", "m", "im", "u"]),
       anchors=st.sampled_from(["", "^", "$", "^$"]))
def test_escaped_text_matches_as_pcre2_reads_it(text: str, subject: str, options: str,
                                                 anchors: str) -> None:
    """escape() gives a pattern PCRE2 reads as the text itself; the library agrees with it."""
    pattern = ("^" if "^" in anchors else "") + escape(text) + ("$" if "$" in anchors else "")
    assert matches(pattern, options, subject) is PCRE2.search(pattern, options, subject)
    if not anchors and "i" not in options:
        assert PCRE2.search(pattern, options, subject) is (text in subject)


@settings(max_examples=300, deadline=None)
@given(needle=st.text(alphabet="ab", min_size=1, max_size=300),
       subject=st.text(alphabet="ab", max_size=3000))
def test_literal_search_is_substring_search(needle: str, subject: str) -> None:
    """The linear literal search (padded for self-overlapping needles) is ``in``."""
    found, cost = finder(needle)
    assert found(subject) is (needle in subject)
    assert cost <= 99


@pytest.mark.parametrize(
    ("needle", "cost"),
    [("bot", 3), ("deploy bot", 3), ("aaaaaab", 3), ("abcabca", 7), ("a" * 150, 96)],
)
def test_literal_search_cost(needle: str, cost: int) -> None:
    # A needle whose first character does not recur (before its end), or whose last does
    # not, cannot overlap its own partial matches: CPython's search stays linear.
    assert finder(needle)[1] == cost


def test_program_size_limit_refuses_counted_repetition_blowups() -> None:
    with pytest.raises(LimitError, match=r"instructions, over max_regex_program \(50\)"):
        compile_regex("a{1}(?:[a-z]|[0-9]|\\p{Greek}){1,12}", "", "q", Limits(max_regex_program=50))
    compile_regex("\\p{L}+", "", "q")  # a large class, still linear and fast
    literal = compile_regex("é" * 400, "i", "q")  # literals never reach RE2
    assert (literal.kind, literal.program_size, literal.native_bytes) == ("literal", 0, 0)


# The repetition weight Limits.max_regex_repeat bounds: character positions that are not
# literals, in a row; counted, written out or nested (issue 9).
@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("a.{20}c", 20), ("a{50}", 0), ("\\.{30}", 0), ("[ab]{3,13}", 13), ("(ab){7}", 7),
     ("\\d{4}-\\d{2}", 4), ("x{2,}", 0), ("(.*a){25}", 25), ("[{]{99}", 99), ("a\\{99}", 0),
     ("(?s)a" + "." * 250 + "c", 250), ("\\w" * 240, 240), ("[a-m]" + "[ -~]" * 198, 199),
     ("([a-z]{1,12}){12}", 144), ("[A-Za-z][ -~]{47}#", 48), ("(\\d{1,3}\\.){3}\\d{1,3}", 9),
     ("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{12}", 12), ("(a|bc|\\d{5})x", 5), ("", 0)],
)
def test_repetition_weight(pattern: str, expected: int) -> None:
    assert weight(parse(pattern, "").root) == expected


@pytest.mark.parametrize("pattern", ["a.{20}c", "(?s)a" + "." * 250 + "c", "\\w" * 240,
                                     "([a-z]{1,12}){12}", "[A-Za-z][ -~]{47}#"])
def test_heavy_repetition_is_refused_written_out_or_nested(pattern: str) -> None:
    with pytest.raises(LimitError, match=r"over max_regex_repeat \(12\)"):
        compile_regex(pattern, "", "q")


def test_counted_repetition_up_to_the_limit_is_accepted() -> None:
    compile_regex("a.{12}c", "", "q")


def test_costs_and_memory_are_reported() -> None:
    literal = compile_regex("bot", "i", "q")
    program = compile_regex("b[aeiou]t", "", "q")
    assert (literal.kind, program.kind) == ("literal", "re2")
    assert literal.unit_cost == 3 + 24  # a search, on folded text
    assert program.unit_cost == 8 * program.program_size > 0
    assert program.native_bytes > RE2_MAX_MEM
    assert program("bot") and not program("bxt") and program.source is not None


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_native_memory_stays_within_what_is_reported() -> None:
    # DFA-hungry programs on varied text: without RE2's max_mem budget each would take more
    # than a mebibyte here (about 1.4 MB each with RE2's default 8 MB budget).
    import random

    rng = random.Random(7)
    texts = ["".join(rng.choice("abcdefgh #") for _ in range(1000)) for _ in range(40)]
    limits = Limits(max_regex_repeat=1000, max_regex_program=100_000)
    before = _rss()
    kept = []
    for i in range(60):
        regex = compile_regex(f"[a-d][a-h ]{{{14 + i % 30}}}#{i}", "", "q", limits)
        for text in texts:
            regex(text)
        kept.append(regex)
    assert _rss() - before <= sum(r.native_bytes for r in kept)
