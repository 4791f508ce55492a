"""PCRE2 10.42's Unicode: caseless partners, ``\\p{..}`` properties, and caseless text folding.

All data comes from :mod:`._ucd`, generated from the PCRE2 10.42 library MongoDB runs (Unicode
14.0); RE2's and Python's own tables follow other Unicode versions and other folding rules.
"""

from __future__ import annotations

from functools import cache

from . import _ucd
from .charset import ANY, EMPTY, HSPACE, VSPACE, CharSet, ranges_of

_ORBIT_OF: dict[int, tuple[int, ...]] = {}
for _group in _ucd.CASE_ORBITS.split():
    _orbit = tuple(int(c, 16) for c in _group.split(","))
    for _cp in _orbit:
        _ORBIT_OF[_cp] = _orbit
_MEMBERS = sorted(_ORBIT_OF)


def orbit(code_point: int) -> tuple[int, ...]:
    """The code points that match ``code_point`` caselessly (itself included)."""
    return _ORBIT_OF.get(code_point, (code_point,))


def fold_set(chars: CharSet) -> CharSet:
    """``chars`` with the caseless partners of its members, as a caseless class has them."""
    return chars.add_orbits(_MEMBERS, _ORBIT_OF)


# --- \p{..} -----------------------------------------------------------------------------------


def _categories() -> dict[str, CharSet]:
    by_pc: dict[str, list[tuple[int, int]]] = {}
    for item in _ucd.CATEGORIES.split():
        span, _, pc = item.partition(":")
        by_pc.setdefault(pc, []).extend(ranges_of(span).ranges)
    sets = {pc.lower(): CharSet(rs) for pc, rs in by_pc.items()}
    assigned = EMPTY
    for s in sets.values():
        assigned = assigned | s
    sets["cn"] = ~assigned
    for letter in "clmnpsz":
        union = EMPTY
        for pc, s in list(sets.items()):
            if len(pc) == 2 and pc[0] == letter:
                union = union | s
        sets[letter] = union
    lc = sets["lu"] | sets["ll"] | sets["lt"]
    sets["l&"] = sets["lc"] = lc
    sets["any"] = ANY
    sets["xan"] = sets["l"] | sets["n"]
    # PCRE2 tests \h and \v first, then the Z category (pcre2_match.c, PT_SPACE).
    sets["xps"] = sets["xsp"] = sets["z"] | HSPACE | VSPACE
    sets["xwd"] = sets["xan"] | CharSet.of("_")
    sets["xuc"] = ranges_of("24 40 60 a0-d7ff e000-10ffff")
    return sets


_SCRIPT_KEY = {name: names[0] for names in _ucd.SCRIPT_NAMES for name in names}


@cache
def _property_sets() -> dict[str, CharSet]:
    return _categories()


@cache
def _script(key: str, extensions: bool) -> CharSet:
    base = ranges_of(_ucd.SCRIPTS[key])
    extra = _ucd.SCRIPT_EXTENSIONS.get(key) if extensions else None
    return base | ranges_of(extra) if extra else base


class Unsupported(Exception):
    """A property PCRE2 knows but this engine has no tables for."""


def property_set(name: str) -> CharSet | None:
    """The set ``\\p{name}`` matches, ``name`` as PCRE2 reads it (lower case, no ``_``, ``-``,
    white space); ``None`` for a name PCRE2 does not know. Raises :class:`Unsupported`."""
    cut = min((i for i in (name.find(":"), name.find("=")) if i >= 0), default=-1)
    if cut >= 0:
        prop, value = name[:cut], name[cut + 1 :]
        if prop in ("bidiclass", "bc"):
            if value in _ucd.BIDI_CLASSES:
                raise Unsupported("Bidi_Class properties")
            return None
        key = _SCRIPT_KEY.get(value)
        if key is None or prop not in ("script", "sc", "scriptextensions", "scx"):
            return None
        return _script(key, prop in ("scriptextensions", "scx"))
    sets = _property_sets()
    if name in sets:
        return sets[name]
    if name in _SCRIPT_KEY:  # a bare script name means Script_Extensions from PCRE2 10.40 on
        return _script(_SCRIPT_KEY[name], True)
    if name in _ucd.BINARY_NAMES:
        raise Unsupported(f"the binary property {name!r}")
    if name.startswith("bidi") and name[4:] in _ucd.BIDI_CLASSES:
        raise Unsupported("Bidi_Class properties")
    return None


# --- caseless text ----------------------------------------------------------------------------


def _canonical(members: tuple[int, ...]) -> str:
    # The member most of the orbit lowers to, so that str.lower() does most of the folding.
    votes: dict[str, int] = {}
    for cp in members:
        low = chr(cp).lower()
        if len(low) == 1 and ord(low) in members and low.lower() == low:
            votes[low] = votes.get(low, 0) + 1
    return max(sorted(votes), key=lambda c: votes[c]) if votes else chr(min(members))


Pairs = tuple[tuple[str, str], ...]


@cache
def _fold_plan() -> tuple[dict[str, str], Pairs, Pairs]:
    """How ``str.lower()`` is made to fold as PCRE2 does: each orbit member's representative;
    the characters whose ``lower()`` leaves their orbit or changes the length (folded one by
    one); the orbit members ``lower()`` produces that are not the representative."""
    canon = {chr(cp): _canonical(members) for cp, members in _ORBIT_OF.items()}
    protect: list[tuple[str, str]] = []
    replace: dict[str, str] = {}
    with_members = {cp >> 8 for cp in _ORBIT_OF}
    for block in range(0x200):  # blocks of 256 code points; none is cased beyond plane 1
        if 0xD8 <= block <= 0xDF:
            continue  # surrogates
        chunk = "".join(map(chr, range(block << 8, (block + 1) << 8)))
        if block in with_members or chunk.lower() != chunk:
            for c in chunk:
                _consider(c, canon, protect, replace)
    return canon, tuple(protect), tuple(replace.items())


def _consider(c: str, canon: dict[str, str], protect: list[tuple[str, str]],
              replace: dict[str, str]) -> None:
    cp = ord(c)
    low = c.lower()
    target = canon.get(c, c)
    if len(low) != 1 or (low != c and ord(low) not in orbit(cp)):
        protect.append((c, target))
    elif low != target:
        replace[low] = target


def fold_text(text: str) -> str:
    """``text`` with every character replaced by one representative of its caseless orbit."""
    if text.isascii():
        return text.lower()
    canon, protect, replace = _fold_plan()
    for c, _ in protect:
        if c in text:
            return "".join([canon.get(x, x) for x in text])
    text = text.lower()
    for c, target in replace:
        if c in text:
            text = text.replace(c, target)
    return text
