"""PCRE2 itself, configured exactly as MongoDB configures it: the truth for ``$regex`` tests.

MongoDB compiles every pattern with ``PCRE2_UTF``, adds ``CASELESS``/``MULTILINE``/``DOTALL``/
``EXTENDED`` for ``i m s x`` and ignores ``u`` (src/mongo/util/pcre_util.cpp, ``flagsToOptions``;
src/mongo/util/pcre.cpp passes nothing else to ``pcre2_compile``). The PyPI package ``pcre2``
adds options of its own in its compile layer (``pcre2/_cy.pyx``, ``compile``): ``PCRE2_UCP``
for every str pattern, ``PCRE2_ALT_BSUX`` (``\\u``, ``\\U``, and ``\\x`` only with two digits) and
``PCRE2_NEVER_BACKSLASH_C``; its third argument removes options, so all three are removed here.
No JIT is used (MongoDB's build has none). ``tests/mql/test_regex_pcre2.py`` checks the result.

``IC_PCRE2_LIBRARY=/path/to/libpcre2-8.so.0`` selects a system library instead (through ctypes),
e.g. Debian bookworm's 10.42 - the version MongoDB vendors - for syntax whose meaning changed
after 10.42.
"""

from __future__ import annotations

import ctypes
import os

import pcre2._cy as _cy

UTF, CASELESS, MULTILINE, DOTALL, EXTENDED = 0x00080000, 0x8, 0x400, 0x20, 0x80
UCP, ALT_BSUX, NEVER_BACKSLASH_C = 0x00020000, 0x2, 0x00100000
FLAGS = {"i": CASELESS, "m": MULTILINE, "s": DOTALL, "x": EXTENDED, "u": 0}


def mongodb_options(options: str) -> int:
    """``flagsToOptions``: UTF always, then one bit per MongoDB option letter."""
    bits = UTF
    for letter in options:
        bits |= FLAGS[letter]
    return bits


class PatternRefused(Exception):
    """PCRE2 refuses the pattern at compile time."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class Package:
    """The ``pcre2`` package's bundled library."""

    version = _cy.__libpcre2_version__

    def __init__(self) -> None:
        self._context = _cy.create_match_context()
        self._cache: dict[tuple[str, str], object] = {}

    def compile(self, pattern: str, options: str) -> object:
        key = (pattern, options)
        if key not in self._cache:
            try:
                self._cache[key] = _cy.compile(pattern, mongodb_options(options),
                                               UCP | ALT_BSUX | NEVER_BACKSLASH_C)
            except _cy.PatternError as exc:
                self._cache[key] = PatternRefused(exc.msg, exc.pos)
        code = self._cache[key]
        if isinstance(code, PatternRefused):
            raise code
        return code

    def search(self, pattern: str, options: str, subject: str) -> bool:
        code = self.compile(pattern, options)
        found, _, _ = _cy.match(code, subject, len(subject), 0, self._context, 0)
        return bool(found)


class System:
    """A system libpcre2-8 reached through ctypes."""

    def __init__(self, path: str) -> None:
        lib = ctypes.CDLL(path)
        lib.pcre2_compile_8.restype = ctypes.c_void_p
        lib.pcre2_compile_8.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32, ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]
        lib.pcre2_match_data_create_from_pattern_8.restype = ctypes.c_void_p
        lib.pcre2_match_data_create_from_pattern_8.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.pcre2_match_8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                      ctypes.c_size_t, ctypes.c_uint32, ctypes.c_void_p,
                                      ctypes.c_void_p]
        lib.pcre2_get_error_message_8.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]
        lib.pcre2_config_8.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
        lib.pcre2_match_data_free_8.argtypes = [ctypes.c_void_p]
        self._lib = lib
        buf = ctypes.create_string_buffer(64)
        lib.pcre2_config_8(11, buf)  # PCRE2_CONFIG_VERSION
        self.version = buf.value.decode().split()[0]
        self._cache: dict[tuple[str, str], int | PatternRefused] = {}

    def compile(self, pattern: str, options: str) -> int:
        key = (pattern, options)
        if key not in self._cache:
            data = pattern.encode()
            err, offset = ctypes.c_int(), ctypes.c_size_t()
            code = self._lib.pcre2_compile_8(data, len(data), mongodb_options(options),
                                             ctypes.byref(err), ctypes.byref(offset), None)
            if code:
                self._cache[key] = int(code)
            else:
                buf = ctypes.create_string_buffer(256)
                self._lib.pcre2_get_error_message_8(err.value, buf, 256)
                chars = len(data[: offset.value].decode("utf-8", "replace"))
                self._cache[key] = PatternRefused(buf.value.decode(), chars)
        code = self._cache[key]
        if isinstance(code, PatternRefused):
            raise code
        return code

    def search(self, pattern: str, options: str, subject: str) -> bool:
        code = self.compile(pattern, options)
        data = subject.encode()
        match = self._lib.pcre2_match_data_create_from_pattern_8(code, None)
        try:
            rc = self._lib.pcre2_match_8(code, data, len(data), 0, 0, match, None)
        finally:
            self._lib.pcre2_match_data_free_8(match)
        if rc < -1:
            raise RuntimeError(f"PCRE2 match error {rc}")
        return rc >= 0


def oracle() -> Package | System:
    path = os.environ.get("IC_PCRE2_LIBRARY")
    return System(path) if path else Package()


PCRE2 = oracle()
