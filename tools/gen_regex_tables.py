"""Generate ``integrations_core/mql/regex/_ucd.py`` from PCRE2 10.42 itself.

MongoDB vendors PCRE2 10.42, whose Unicode tables are Unicode 14.0. This script asks that very
library (Debian bookworm's ``libpcre2-8-0`` and ``pcre2-utils``, both 10.42) which characters each
property and each caseless match covers, so the engine-free paths and the RE2 translation use
PCRE2's data rather than RE2's or Python's (which follow other Unicode versions)::

    apt-get install libpcre2-8-0 pcre2-utils
    python tools/gen_regex_tables.py > integrations_core/mql/regex/_ucd.py

The library is reached through ctypes; ``pcre2test -LS`` / ``-LP`` list the property names.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
import unicodedata

LIBRARY = os.environ.get("PCRE2_LIBRARY", "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0")
UTF, CASELESS, SUBSTITUTE_GLOBAL, CONFIG_VERSION = 0x00080000, 0x8, 0x100, 11

lib = ctypes.CDLL(LIBRARY)
lib.pcre2_compile_8.restype = ctypes.c_void_p
lib.pcre2_compile_8.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32,
                                ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_size_t),
                                ctypes.c_void_p]
lib.pcre2_code_free_8.argtypes = [ctypes.c_void_p]
lib.pcre2_substitute_8.argtypes = [
    ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_uint32,
    ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
    ctypes.POINTER(ctypes.c_size_t)]
lib.pcre2_config_8.argtypes = [ctypes.c_uint32, ctypes.c_void_p]

ALL = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
ALL_BYTES = ALL.encode()

GENERAL = ["C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc",
           "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps",
           "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs"]
PARTICULAR = [g for g in GENERAL if len(g) == 2]
SPECIAL = ["Any", "L&", "Lc", "Xan", "Xps", "Xsp", "Xuc", "Xwd"]
BIDI = ["AL", "AN", "B", "BN", "CS", "EN", "ES", "ET", "FSI", "L", "LRE", "LRI", "LRO", "NSM",
        "ON", "PDF", "PDI", "R", "RLE", "RLI", "RLO", "S", "WS"]


def version() -> str:
    buf = ctypes.create_string_buffer(64)
    lib.pcre2_config_8(CONFIG_VERSION, buf)
    return buf.value.decode()


def compile_(pattern: str, options: int = UTF) -> int | None:
    data = pattern.encode()
    err, off = ctypes.c_int(), ctypes.c_size_t()
    code = lib.pcre2_compile_8(data, len(data), options, ctypes.byref(err), ctypes.byref(off), None)
    return int(code) if code else None


def members(pattern: str, options: int = UTF, subject: bytes = ALL_BYTES) -> str:
    """The characters of ``subject`` a one-character ``pattern`` matches (the others deleted)."""
    code = compile_(f"[^{pattern}]", options)
    assert code is not None, pattern
    size = ctypes.c_size_t(len(subject) + 16)
    out = ctypes.create_string_buffer(size.value)
    rc = lib.pcre2_substitute_8(code, subject, len(subject), 0, SUBSTITUTE_GLOBAL, None, None,
                                b"", 0, out, ctypes.byref(size))
    lib.pcre2_code_free_8(code)
    assert rc >= 0, (pattern, rc)
    return out.raw[: size.value].decode()


def ranges(chars: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in map(ord, chars):
        if (out and out[-1][1] + 1 == c) or (out and out[-1][1] == 0xD7FF and c == 0xE000):
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def encode(rs: list[tuple[int, int]]) -> str:
    return " ".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in rs)


def listed(option: str) -> list[list[str]]:
    """Names from ``pcre2test -LS`` / ``-LP``: each entry is [name, abbreviation, ...]."""
    text = subprocess.run(["pcre2test", option], check=True, capture_output=True, text=True).stdout
    body = text.split("properties:", 1)[-1] if option == "-LP" else text.split("---\n", 1)[-1]
    return [[m.group(1), *(m.group(2) or "").replace(" ", "").split(",")] if m.group(2)
            else [m.group(1)]
            for m in re.finditer(r"([a-z0-9]+)(?: \(([a-z0-9, ]+)\))?", body)]


def chunks(text: str, width: int = 92) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if len(line) + len(word) + 1 > width:
            lines.append(line + " ")
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return lines


def emit(name: str, text: str) -> None:
    print(f"{name} = (")
    for part in chunks(text):
        print(f"    {part!r}")
    print(")")


def main() -> None:
    assert version().startswith("10.42"), version()
    # Case-insensitive orbits: the characters a caseless class of one character matches.
    candidates = [c for c in ALL if c.lower() != c or c.upper() != c or c.casefold() != c
                  or unicodedata.category(c) in ("Lu", "Ll", "Lt")]
    pool = sorted({x for c in candidates
                   for m in (c, c.lower(), c.upper(), c.casefold()) for x in m})
    pool_bytes = "".join(pool).encode()
    orbits: dict[str, frozenset[str]] = {}
    for c in candidates:
        if c not in orbits:
            orbit = frozenset(members(f"\\x{{{ord(c):x}}}", UTF | CASELESS, pool_bytes))
            for x in orbit:
                orbits[x] = orbit
    groups = sorted({tuple(sorted(map(ord, o))) for o in orbits.values() if len(o) > 1})

    particular = {pc: ranges(members(f"\\p{{{pc}}}")) for pc in PARTICULAR}
    scripts = listed("-LS")
    binary = listed("-LP")
    sc: dict[str, list[tuple[int, int]]] = {}
    scx: dict[str, list[tuple[int, int]]] = {}
    for names in scripts:
        full = names[0]
        a = members(f"\\p{{sc:{full}}}")
        b = members(f"\\p{{scx:{full}}}")
        sc[full] = ranges(a)
        extra = sorted(set(b) - set(a))
        if extra:
            scx[full] = ranges("".join(extra))
    for names in scripts + binary:
        for n in names:
            assert compile_(f"\\p{{{n}}}") is not None, n
    for n in GENERAL + SPECIAL + [f"bidi{b}" for b in BIDI]:
        assert compile_(f"\\p{{{n}}}") is not None, n
    assert compile_("\\p{notaproperty}") is None

    print('"""Unicode data as PCRE2 10.42 (Unicode 14.0, what MongoDB runs) sees it.')
    print()
    print("Generated by tools/gen_regex_tables.py from libpcre2-8 10.42; do not edit.")
    print('"""')
    print()
    print("# ruff: noqa: E501")
    print(f"PCRE2_VERSION = {version()!r}")
    print()
    print("# Groups of code points that match one another caselessly: hex code points joined by")
    print("# commas, groups separated by spaces.")
    emit("CASE_ORBITS", " ".join(",".join(f"{c:x}" for c in g) for g in groups))
    print()
    print("# General category of every code point but the unassigned (Cn) ones, as ranges.")
    items = sorted((a, b, pc) for pc, rs in particular.items() if pc != "Cn" for a, b in rs)
    emit("CATEGORIES", " ".join(f"{a:x}{'' if a == b else f'-{b:x}'}:{pc}" for a, b, pc in items))
    print()
    print("# Script names PCRE2 accepts: full name first, then abbreviations.")
    print("SCRIPT_NAMES = (")
    for names in scripts:
        print(f"    {tuple(names)!r},")
    print(")")
    print()
    print("# Script property (sc) of each script, as ranges.")
    print("SCRIPTS = {")
    for full, rs in sc.items():
        print(f"    {full!r}: (")
        for part in chunks(encode(rs)):
            print(f"        {part!r}")
        print("    ),")
    print("}")
    print()
    print("# Script_Extensions (scx) beyond the script itself, for scripts that have any.")
    print("SCRIPT_EXTENSIONS = {")
    for full, rs in scx.items():
        print(f"    {full!r}: {encode(rs)!r},")
    print("}")
    print()
    print("# Binary properties PCRE2 accepts (refused here: RE2 has no tables for them).")
    print(f"BINARY_NAMES = frozenset({sorted(n for names in binary for n in names)!r})")
    print(f"BIDI_CLASSES = frozenset({sorted(b.lower() for b in BIDI)!r})")


if __name__ == "__main__":
    sys.exit(main())
