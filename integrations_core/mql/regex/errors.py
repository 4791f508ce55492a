"""What a pattern can be refused for: a PCRE2 syntax error, or a construct RE2 cannot run."""

from __future__ import annotations

# PCRE2 10.42's compile error texts (src/pcre2_error.c), by error number.
MESSAGES = {
    1: "\\ at end of pattern",
    2: "\\c at end of pattern",
    3: "unrecognized character follows \\",
    4: "numbers out of order in {} quantifier",
    5: "number too big in {} quantifier",
    6: "missing terminating ] for character class",
    7: "escape sequence is invalid in character class",
    8: "range out of order in character class",
    9: "quantifier does not follow a repeatable item",
    11: "unrecognized character after (? or (?-",
    12: "POSIX named classes are supported only within a class",
    13: "POSIX collating elements are not supported",
    14: "missing closing parenthesis",
    15: "reference to non-existent subpattern",
    18: "missing ) after (?# comment",
    19: "parentheses are too deeply nested",
    22: "unmatched closing parenthesis",
    29: "digit expected after (?+ or (?-",
    30: "unknown POSIX class name",
    34: "character code point value in \\x{} or \\o{} is too large",
    37: "PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u",
    39: "closing parenthesis for (?C expected",
    41: "unrecognized character after (?P",
    42: "syntax error in subpattern name (missing terminator?)",
    43: "two named subpatterns have the same name (PCRE2_DUPNAMES not set)",
    44: "subpattern name must start with a non-digit",
    46: "malformed \\P or \\p sequence",
    47: "unknown property after \\P or \\p",
    48: "subpattern name is too long (maximum 32 code units)",
    50: "invalid range in character class",
    55: "missing opening brace after \\o",
    57: "\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain "
        "number",
    60: "(*VERB) not recognized or malformed",
    61: "subpattern number is too big",
    62: "subpattern name expected",
    64: "non-octal character in \\o{} (closing brace missing?)",
    65: "different names for subpatterns of the same number are not allowed",
    67: "non-hex character in \\x{} (closing brace missing?)",
    68: "\\c must be followed by a printable ASCII character",
    69: "\\k is not followed by a braced, angle-bracketed, or quoted name",
    71: "\\N is not supported in a class",
    73: "disallowed Unicode code point (>= 0xd800 && <= 0xdfff)",
    78: "digits missing in \\x{} or \\o{} or \\N{U+}",
    94: "invalid hyphen in option setting",
    95: "(*alpha_assertion) not recognized",
}


class RegexSyntaxError(Exception):
    """PCRE2 would refuse the pattern: ``offset`` (in characters) and PCRE2's message."""

    def __init__(self, code: int, offset: int, message: str | None = None) -> None:
        self.code, self.offset = code, offset
        self.message = message or MESSAGES[code]
        super().__init__(f"syntax error in regex at offset {offset}: {self.message}")


class RegexUnsupported(Exception):
    """PCRE2 accepts the pattern, but ``construct`` cannot run in linear time (or on RE2)."""

    def __init__(self, construct: str, offset: int) -> None:
        self.construct, self.offset = construct, offset
        super().__init__(
            f"regex construct at offset {offset} not supported by the linear-time regex engine: "
            f"{construct}"
        )
