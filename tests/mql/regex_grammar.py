"""Hypothesis strategies for PCRE2 patterns, options and subjects (the ``$regex`` differential).

The grammar covers every construct docs/semantics.md lists - supported, refused, and broken -
so that the differential test sees both directions: wherever the library accepts a pattern its
answers equal PCRE2's, and wherever PCRE2 refuses one the library refuses it.

Syntax whose meaning changed after PCRE2 10.42 (what MongoDB runs) is generated too: the
differential leaves it out only for a newer oracle, by what the front end reports
(``Parsed.changed``): ``{,n}`` and spaces inside braces (10.43), ``\\x`` without digits and
caseless ``\\p{Lu}``/``\\p{Ll}``/``\\p{Lt}`` and classes' characters above U+00FF (10.45),
``\\p{Xwd}`` (10.43).
"""

from __future__ import annotations

from hypothesis import strategies as st

LITERALS = ["a", "b", "k", "K", "s", "S", "x", "é", "É", "ß", "ẞ", "Σ", "σ", "ς", "İ", "ı", "i",
            "I", "1", "_", " ", "-", "\u212a", "\u017f", ":", "#", "é", "'", "<", ">", "=", "!"]
ESCAPED = ["\\.", "\\*", "\\\\", "\\-", "\\]", "\\[", "\\(", "\\)", "\\{", "\\}", "\\|", "\\^",
           "\\$", "\\?", "\\+", "\\/", "\\#", "\\ ", "\\n", "\\r", "\\t", "\\f", "\\e", "\\a",
           "\\x41", "\\x{2028}", "\\x{e9}", "\\x{212A}", "\\o{101}", "\\101", "\\0", "\\011",
           "\\cA", "\\cj", "\\N{U+e9}", "\\x0b", "\\x{85}", "\\12", "\\18", "\\_", "\\é",
           "\\10", "\\x{0000e9}"]
TYPES = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\h", "\\H", "\\v", "\\V", "\\N", "\\R",
         ".", "\\p{L}", "\\P{L}", "\\pL", "\\p{^L}", "\\p{Nd}", "\\p{Greek}", "\\p{sc:Greek}",
         "\\p{scx:Greek}", "\\p{Latin}", "\\p{Xan}", "\\p{Xwd}", "\\p{Xsp}", "\\p{Xps}",
         "\\p{Any}", "\\p{L&}", "\\p{Lc}", "\\p{Zs}", "\\p{Cc}", "\\p{C}", "\\p{Cn}",
         "\\p{Common}", "\\p{Xuc}", "\\p{Han}", "\\p{ l }", "\\p{Mn}", "\\p{Zl}", "\\p{Ll}",
         "\\p{Lu}", "\\P{Lu}"]
ANCHORS = ["^", "$", "\\A", "\\Z", "\\z", "\\b", "\\B"]
OPTIONS = ["(?i)", "(?-i)", "(?m)", "(?-m)", "(?s)", "(?-s)", "(?x)", "(?-x)", "(?xx)",
           "(?^)", "(?^i)", "(?n)", "(?J)", "(?U)", "(?im-sx)", "(?)"]
UNSUPPORTED = ["(a)\\1", "(?=a)", "(?!a)", "(?<=a)", "(?<!b)", "(?>a+)", "a++", "a*+", "a?+",
               "(a)(?(1)b|c)", "(*FAIL)", "(*ACCEPT)", "\\G", "\\K", "\\C", "(?R)", "(a)(?1)",
               "\\X", "(?C1)", "(a)\\g{1}", "(?<n>a)\\k<n>", "(*pla:a)", "(*atomic:a)",
               "[[:<:]]", "(*UCP)a", "(*CR)a", "(?P=n)", "\\p{Alphabetic}", "\\p{bc:L}",
               "(*NOTEMPTY)a", "(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)\\10", "(?|(a)|(b))\\1"]
BROKEN = ["(", ")", "[", "[a", "a{2,1}", "\\", "[z-a]", "(?<1a>x)", "(?<n>a)(?<n>b)",
          "[:alpha:]", "[[.a.]]", "[\\d-z]", "*", "a**", "^*", "\\b+", "(?z)", "\\x{d800}",
          "\\x{110000}", "[[:nope:]]", "\\p{Nope}", "\\c", "(?P<n", "\\g", "\\k", "(?#x",
          "\\Q", "[\\B]", "(?-^)", "\\F", "\\u0041", "(*VERB)", "\\8[", "a{65536}", "[\\N]",
          "\\o{8}", "\\N{U+}", "\\x{zz}", "(*LIMIT_MATCH=x)a", "(" * 251 + "a" + ")" * 251,
          "(?<n>a)|(?<n>b)", "(?J)(?<n>a)|(?<n>b)", "(?|(?<n>a)|(?<m>b))"]
OLD = ["{,3}", "a{,2}", "a{ 2 }", "\\x", "\\xg"]

CLASS_ITEMS = ["a", "k", "K", "s", "é", "ß", "Σ", "ı", "İ", "-", "^", "[", ":", "#", " ",
               "\\]", "\\\\", "\\-", "\\b", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\h",
               "\\H", "\\v", "\\V", "\\n", "\\x{2028}", "\\x{212a}", "\\p{L}", "\\P{Lu}",
               "\\p{Greek}", "[:alpha:]", "[:^alpha:]", "[:digit:]", "[:space:]", "[:upper:]",
               "[:lower:]", "[:word:]", "[:punct:]", "[:^space:]", "[:xdigit:]", "[:blank:]",
               "[:cntrl:]", "[:graph:]", "[:print:]", "[:alnum:]", "[:ascii:]", "a-z", "A-Z",
               "$", "\t", "\\Q #\\E", "[:nope", "\\x{100}-\\x{200}", "Σ-σ",
               "0-9", "à-ÿ", "\\x00-\\x1f", "!-/", "\\Q-]\\E", "\\E", "\\Q\\E", "\\101",
               "\\8", "\\o{142}"]


def _literal_atoms() -> st.SearchStrategy[str]:
    return st.sampled_from(LITERALS + ESCAPED)


@st.composite
def char_class(draw: st.DrawFn) -> str:
    items = draw(st.lists(st.sampled_from(CLASS_ITEMS), min_size=1, max_size=4))
    negate = draw(st.sampled_from(["", "^"]))
    first = draw(st.sampled_from(["", "", "]", "-"]))
    last = draw(st.sampled_from(["", "", "-"]))
    return "[" + negate + first + "".join(items) + last + "]"


def quantifiers() -> st.SearchStrategy[str]:
    return st.sampled_from(["*", "+", "?", "{2}", "{0}", "{1,3}", "{2,}", "{0,1}", "*?", "+?",
                            "??", "{1,2}?", "{3}", "{1}", "{0,}"])


def atoms(options: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    simple = st.one_of(
        _literal_atoms(), st.sampled_from(TYPES), char_class(),
        st.sampled_from(["\\Qa.b\\E", "\\Q$\\E", "\\Q a # b\\E", "\\Q", "\\E", "(?#note)", " ",
                         "\t", "\n", "# c\n", "\u0085", "\u2028", "\u2029", "\u200e", "\u200f",
                         "\x0b"]),
        options,
    )
    return simple


def patterns() -> st.SearchStrategy[str]:
    opts = st.sampled_from(OPTIONS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        seq = st.lists(inner, min_size=1, max_size=3).map("".join)
        return st.one_of(
            st.tuples(seq, quantifiers()).map("".join),
            st.tuples(st.sampled_from(["(", "(?:", "(?i:", "(?-i:", "(?m:", "(?s:", "(?x:",
                                       "(?|", "(?<g>", "(?'h'", "(?P<j>", "(?^:", "(?-m:"]),
                      seq, st.sampled_from([")", "|)", "|b)", "|$)"])).map("".join),
            st.tuples(seq, st.just("|"), seq).map("".join),
            seq,
        )

    base = st.one_of(atoms(opts), st.sampled_from(ANCHORS))
    tree = st.recursive(base, extend, max_leaves=8)
    extras = st.sampled_from(UNSUPPORTED + BROKEN + OLD)
    # One pattern in six carries a refused or broken piece somewhere.
    piece = st.integers(0, 11).flatmap(lambda k: extras if k == 0 else tree)
    start = st.sampled_from(["", "", "", "", "(*UTF)", "(*LF)", "(*BSR_ANYCRLF)",
                             "(*NO_JIT)", "(*LIMIT_MATCH=100000)", "(*UTF8)(*NO_START_OPT)"])
    return st.tuples(start, st.lists(piece, min_size=1, max_size=3).map("".join)).map("".join)


SUBJECT_TOKENS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\t", " ", "0", "7",
                  "\u0661", "a", "b", "x", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ",
                  "İ", "ı", "i", "I", "Σ", "σ", "ς", "é", "É", "_", "-", ".", "\u00a0", "A",
                  "\u0342", "\u1f00", "{", ",", "3", "}", "2", "$", "\x00", "g", "\x1b", "#"]


def subjects(pattern: str = "") -> st.SearchStrategy[str]:
    """Subjects from the listed characters and the pattern's own characters."""
    tokens = SUBJECT_TOKENS + sorted(set(pattern) - {"\\"})
    return st.lists(st.sampled_from(tokens), max_size=8).map("".join)


def option_letters() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from("imsxu"), max_size=3, unique=True).map("".join)
