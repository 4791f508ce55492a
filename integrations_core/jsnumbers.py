"""JavaScript's ``parseInt`` and the start of ``String(number)``, as Rocket.Chat's parameter
parsing runs them on ``offset`` and ``count`` (``Settings.js_parse_int``)."""

from __future__ import annotations

import math
import re

HUGE = 2**63
"""Stands for any ``parseInt`` result past 20 significant digits: larger than any valid offset
or count (MongoDB's skip is a signed 64-bit integer)."""

_JS_SPACE = (  # WhiteSpace and LineTerminator of ECMAScript, what parseInt skips
    "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_DEC = re.compile(r"[0-9]*")
_HEX = re.compile(r"[0-9A-Fa-f]*")


def js_parse_int(text: str) -> int | None:
    """JavaScript's ``parseInt(text)`` (no radix); None for ``NaN``.

    Results beyond 20 significant digits, where JavaScript has long lost precision, are a
    value larger than any valid offset or count.
    """
    s = text.lstrip(_JS_SPACE)
    sign = -1 if s.startswith("-") else 1
    if s[:1] in ("-", "+"):
        s = s[1:]
    radix, digits = 10, _DEC
    if s[:2] in ("0x", "0X"):
        radix, digits, s = 16, _HEX, s[2:]
    match = digits.match(s)
    found = match.group() if match else ""
    if not found:
        return None
    return sign * digits_value(found, radix)


def digits_value(text: str, radix: int) -> int:
    """The value of a run of ``radix`` digits, :data:`HUGE` past 20 significant ones."""
    # int() of thousands of digits is slow (and refused past 4300): anything that long is huge.
    significant = text.lstrip("0")
    return int(significant or "0", radix) if len(significant) <= 20 else HUGE


def js_number_text(value: float) -> str:
    """The start of JavaScript's ``String(value)``, as far as ``parseInt`` reads it."""
    if isinstance(value, int) and abs(value) < 10**21:
        return str(value)
    try:
        number = float(value)
    except OverflowError:  # an int beyond any double: Infinity in JavaScript
        return "NaN"
    if not math.isfinite(number):
        return "NaN"
    if number == 0 or 1e-6 <= abs(number) < 1e21:
        return str(math.trunc(number))
    return ("-" if number < 0 else "") + repr(abs(number))[0]  # exponent form: 1.5e-7 -> "1"
