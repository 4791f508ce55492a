"""A :mod:`.nodes` tree to RE2 source with the same meaning as PCRE2 10.42 gives the pattern.

Every one-character item is written as an explicit class of code points (so RE2's own case
folding, ``\\w``, ``\\s`` and Unicode tables never come into play) and no RE2 flag is used but
``(?m:^)`` / ``(?m:$)``. Three PCRE2 constructs have no RE2 counterpart and are rewritten where
the rest of the pattern allows it (see :mod:`.analysis`), refused otherwise:

* ``$`` / ``\\Z`` outside multiline mode (``(?=\\n?\\z)``): ``(?:\\n?\\z)`` when what follows
  cannot tell the final newline from the end; else the pattern is split into the ``\\z`` case
  and the before-the-final-newline case, whose outcome is then known statically.
* ``^`` in multiline mode, which PCRE2 refuses right after a final newline: ``(?m:^)`` when what
  follows cannot match the empty end of the subject; else split, the empty case consuming one
  more character.
* ``\\R``, which is atomic (``\\r\\n`` is never split): the plain alternation when what follows
  cannot start with the ``\\n`` of a split pair.
"""

from __future__ import annotations

from . import nodes as N
from .analysis import (
    WRONGLY_POSSESSIVE,
    Before,
    Evaluator,
    Place,
    continuation_first,
    kind,
    places,
    possessive_clash,
)
from .charset import MAX_CODE_POINT, VSPACE, CharSet
from .errors import RegexUnsupported
from .unicode import orbit

_FAIL = "[^\\x00-\\x{10ffff}]"
_CONSUME_FINAL = "(?:\\n?\\z)"
_ANCHORS = {
    N.Anchor.START: "\\A", N.Anchor.END: "\\z", N.Anchor.LINE_END: "(?m:$)",
    N.Anchor.WORD: "\\b", N.Anchor.NOT_WORD: "\\B", N.Anchor.LINE_START: "(?m:^)",
    N.Anchor.FINAL_END: _CONSUME_FINAL,
}
_NEWLINE_ANY = "(?:\\r\\n|[\\n\\x0b\\x0c\\r\\x{85}\\x{2028}\\x{2029}])"
_NEWLINE_CRLF = "(?:\\r\\n|[\\n\\r])"
# Zero-width tests of what precedes a position whose next character is a newline.
_GUARDS = [
    (frozenset([Before.WORD]), "\\b"),
    (frozenset([Before.START]), "\\A"),
    (frozenset([Before.START, Before.NEWLINE]), "(?m:^)"),
    (frozenset([Before.START, Before.NEWLINE, Before.OTHER]), "\\B"),
]


def literal(code: int) -> str:
    c = chr(code)
    return c if c.isascii() and c.isalnum() else f"\\x{{{code:x}}}"


def char_class(chars: CharSet) -> str:
    parts = []
    for lo, hi in chars.ranges:
        # Surrogates never occur in UTF-8 text.
        pieces = [(lo, 0xD7FF), (0xE000, hi)] if lo <= 0xDFFF and hi >= 0xD800 else [(lo, hi)]
        for a, b in pieces:
            if a <= b:
                parts.append(literal(a) if a == b else f"{literal(a)}-{literal(b)}")
    if not parts:
        return _FAIL
    if len(parts) == 1 and "-" not in parts[0]:
        return parts[0]
    return "[" + "".join(parts) + "]"


class Translator:
    def __init__(self, root: N.Node) -> None:
        self.root = root
        self.override: dict[int, str] = {}
        self.pending: list[tuple[N.Node, Place, str]] = []

    def run(self) -> str:
        for node, place in places(self.root, (N.Assert, N.Newline, N.Repeat)):
            if not place.reachable():
                continue
            if isinstance(node, N.Assert) and node.kind is N.Anchor.FINAL_END:
                self._final_end(node, place)
            elif isinstance(node, N.Assert) and node.kind is N.Anchor.LINE_START:
                self._line_start(node, place)
            elif isinstance(node, N.Assert) and node.kind is N.Anchor.NOT_WORD:
                self._not_word(node, place)
            elif (isinstance(node, N.Newline) and not _unit_parent(place, node)) or (
                    isinstance(node, N.Repeat) and isinstance(node.item, N.Newline)):
                self._newline(node, place)
            if isinstance(node, N.Repeat) and possessive_clash(node, place):
                self._possessive(node, place)
        main = self.emit(self.root)
        terms = [self._prefix(place) + suffix for _, place, suffix in self.pending]
        return main if not terms else "(?:" + "|".join([main, *terms]) + ")"

    # --- emission ---------------------------------------------------------------------------

    def emit(self, node: N.Node) -> str:
        special = self.override.get(id(node))
        if special is not None:
            return special
        if isinstance(node, N.Char):
            if node.caseless:
                members = orbit(node.code)
                if len(members) > 1:
                    return char_class(CharSet((c, c) for c in members))
            return literal(node.code)
        if isinstance(node, N.Set):
            return char_class(node.chars)
        if isinstance(node, N.Assert):
            return _ANCHORS[node.kind]
        if isinstance(node, N.Newline):
            return _NEWLINE_ANY if node.any_unicode else _NEWLINE_CRLF
        if isinstance(node, N.Concat):
            return "".join(self.atom(item) for item in node.items)
        if isinstance(node, N.Alt):
            return "(?:" + "|".join(self.emit(b) for b in node.branches) + ")"
        return self._repeat(node.item, node.low, node.high)

    def atom(self, node: N.Node) -> str:
        text = self.emit(node)
        return f"(?:{text})" if isinstance(node, N.Alt) and len(node.branches) > 1 else text

    def _repeat(self, item: N.Node, low: int, high: int | None) -> str:
        if high == 0:
            return ""
        body = self.emit(item)
        if body == "":
            return ""
        body = f"(?:{body})"
        if (low, high) == (0, None):
            return body + "*"
        if (low, high) == (1, None):
            return body + "+"
        if (low, high) == (0, 1):
            return body + "?"
        if high is None:
            return f"{body}{{{low},}}"
        return f"{body}{{{low}}}" if low == high else f"{body}{{{low},{high}}}"

    def _prefix(self, place: Place) -> str:
        """What a match passes through before reaching the node at ``place``."""
        out: list[str] = []
        for node, index in place.steps:
            if isinstance(node, N.Concat):
                out.extend(self.atom(item) for item in node.items[:index])
        return "".join(out)

    # --- the three PCRE2 assertions RE2 lacks -----------------------------------------------

    def _final_end(self, node: N.Assert, place: Place) -> None:
        variants = place.continuations()
        if variants is None:
            raise RegexUnsupported("$ or \\Z in too many nested repetitions", node.pos)
        before_final: dict[Before, bool] = {}
        exact = True
        for frames in variants:
            at_end = Evaluator("", Before.NEWLINE).accepts(frames)
            for before in Before:
                ok = Evaluator("\n", before).accepts(frames)
                before_final[before] = before_final.get(before, False) or ok
                exact = exact and ok == at_end
        if exact:
            self.override[id(node)] = _CONSUME_FINAL
            return
        if place.looped():
            raise RegexUnsupported(
                "$ or \\Z (before a final newline) followed, inside a repeated group, by "
                "something that can match that newline", node.pos)
        self.override[id(node)] = "\\z"
        truthy = frozenset(b for b, ok in before_final.items() if ok)
        if truthy:
            self.pending.append((node, place, _guard(truthy, node.pos) + "\\n\\z"))

    def _line_start(self, node: N.Assert, place: Place) -> None:
        variants = place.continuations()
        if variants is None:
            raise RegexUnsupported("multiline ^ in too many nested repetitions", node.pos)
        if not any(Evaluator("", Before.NEWLINE).accepts(frames) for frames in variants):
            self.override[id(node)] = "(?m:^)"
            return
        # Match the empty end case only where a character follows.
        rest = self._split(node, place, "multiline ^ followed by something that can match the "
                           "empty end of the subject (PCRE2's ^ does not match after a final "
                           "newline)", "[\\x00-\\x{10ffff}]")
        self.pending[-1] = (node, place, f"(?:\\A{rest}|(?m:^){self.pending[-1][2]})")

    def _not_word(self, node: N.Assert, place: Place) -> None:
        # RE2 tests \B between the bytes of a multibyte character too, where nothing can
        # follow but zero-width items; where what follows can be empty, it must also be at a
        # character boundary: the end, or before a whole character.
        variants = place.continuations()
        if variants is None:
            raise RegexUnsupported("\\B in too many nested repetitions", node.pos)
        if not any(0 in Evaluator("\u00e9", Before.OTHER).reached(frames) for frames in variants):
            return
        self._split(node, place, "\\B followed by something that can match the empty string "
                    "inside a repeated group", "(?:\\z|[\\x00-\\x{10ffff}])")
        self.pending[-1] = (node, place, "\\B" + self.pending[-1][2])

    def _split(self, node: N.Assert, place: Place, refusal: str, guard: str) -> str:
        """Take ``node`` out of the main pattern; add a term matching through it that is
        either non-empty after it, or empty and then ``guard``. Returns the plain tail."""
        tail = place.tail()
        if place.looped() or any(_special(item) for item in tail):
            raise RegexUnsupported(refusal, node.pos)
        self.override[id(node)] = _FAIL
        rest = "".join(self.atom(item) for item in tail)
        plus = _plus_seq(self, tail)
        zero = _zero_seq(self, tail)
        internal = [p for p in (plus, None if zero is None else zero + guard) if p]
        inner = "|".join(internal) if internal else _FAIL
        self.pending.append((node, place, f"(?:{inner})"))
        return rest

    def _possessive(self, node: N.Repeat, place: Place) -> None:
        """``X*`` that PCRE2 makes possessive before ``Y``: when ``Y`` (a character type, once
        or more) directly follows an unbounded ``X``, ``X*+Y`` is ``X*`` and then a ``Y``
        character that is not an ``X`` one."""
        parent, index = place.steps[-1] if place.steps else (None, 0)
        follower = (parent.items[index + 1] if isinstance(parent, N.Concat)
                    and index + 1 < len(parent.items) else None)
        first = follower.item if isinstance(follower, N.Repeat) and follower.low >= 1 \
            else follower
        if node.high is not None or not isinstance(first, (N.Set, N.Newline)) \
                or kind(first) not in WRONGLY_POSSESSIVE.get(kind(node.item), set()):
            raise RegexUnsupported(
                "a repetition PCRE2 makes possessive although what follows can match the same "
                "character (its auto-possessification of \\S \\h \\v \\R and .)", node.pos)
        assert isinstance(node.item, (N.Set, N.Newline)) and follower is not None
        taken = _chars(node.item)
        if isinstance(first, N.Set):
            once = char_class(~(~first.chars | taken))
        else:
            pair = "\\r\\n|" if 13 not in taken else ""
            once = "(?:" + pair + char_class(~(~_chars(first) | taken)) + ")"
        if isinstance(follower, N.Repeat):
            assert first is follower.item
            high = None if follower.high is None else follower.high - 1
            self.override[id(follower)] = once + self._repeat(first, follower.low - 1, high)
        else:
            self.override[id(follower)] = once

    def _newline(self, node: N.Newline | N.Repeat, place: Place) -> None:
        if isinstance(node, N.Repeat) and node.low >= 2:
            raise RegexUnsupported("\\R repeated at least twice (PCRE2 never splits \\r\\n)",
                                   node.pos)
        follows, _ = continuation_first(place)
        variants = place.continuations()
        if variants is None:
            raise RegexUnsupported("\\R in too many nested repetitions", _pos(node))
        # Splitting a \r\n pair can only add a match that stops between the two (what
        # follows cannot start with the \n). If the \n ends the subject, whether the match
        # then also exists past the pair is known; otherwise what follows must not depend
        # on where it is.
        risky = 10 in follows
        for frames in variants:
            unconditional = Evaluator("", Before.OTHER, assertions=False).accepts(frames)
            stops_final = 0 in Evaluator("\n", Before.OTHER).reached(frames)
            past_final = Evaluator("", Before.NEWLINE).accepts(frames)
            stops_inside = 0 in Evaluator("\nx", Before.OTHER).reached(frames)
            risky = (risky or (stops_final and not past_final)
                     or (stops_inside and not unconditional))
        if risky:
            raise RegexUnsupported(
                "\\R followed by something that can match or sit between the \\r and \\n of "
                "a pair (PCRE2 matches \\r\\n atomically)", _pos(node))


def _chars(node: N.Set | N.Newline) -> CharSet:
    if isinstance(node, N.Set):
        return node.chars
    return VSPACE if node.any_unicode else CharSet.of("\r\n")


def _pos(node: N.Newline | N.Repeat) -> int:
    return node.pos


def _unit_parent(place: Place, node: N.Node) -> bool:
    if not place.steps:
        return False
    parent = place.steps[-1][0]
    return isinstance(parent, N.Repeat) and parent.item is node


def _special(node: N.Node) -> bool:
    if isinstance(node, N.Assert):
        return node.kind in (N.Anchor.FINAL_END, N.Anchor.LINE_START, N.Anchor.NOT_WORD)
    if isinstance(node, N.Newline):
        return True
    if isinstance(node, N.Concat):
        return any(_special(i) for i in node.items)
    if isinstance(node, N.Alt):
        return any(_special(b) for b in node.branches)
    if isinstance(node, N.Repeat):
        return _special(node.item)
    return False


def _guard(truthy: frozenset[Before], pos: int) -> str:
    if truthy == frozenset(Before):
        return ""
    for mask in range(1, 1 << len(_GUARDS)):
        chosen = [g for i, g in enumerate(_GUARDS) if mask >> i & 1]
        covered: frozenset[Before] = frozenset().union(*(s for s, _ in chosen))
        if covered == truthy:
            return "(?:" + "|".join(text for _, text in chosen) + ")"
    raise RegexUnsupported(
        "$ or \\Z before a final newline whose outcome depends on the character before it",
        pos)


# Zero-width (assertions only) and non-empty parts of a node, for the multiline ^ split.


def _zero(t: Translator, node: N.Node) -> str | None:
    if isinstance(node, (N.Char, N.Set, N.Newline)):
        return None
    if isinstance(node, N.Assert):
        return t.emit(node)
    if isinstance(node, N.Concat):
        return _zero_seq(t, list(node.items))
    if isinstance(node, N.Alt):
        parts = [z for z in (_zero(t, b) for b in node.branches) if z is not None]
        return None if not parts else "(?:" + "|".join(parts) + ")"
    if node.high == 0 or node.low == 0:
        return ""
    return _zero(t, node.item)


def _plus(t: Translator, node: N.Node) -> str | None:
    if isinstance(node, (N.Char, N.Set, N.Newline)):
        return t.atom(node)
    if isinstance(node, N.Assert):
        return None
    if isinstance(node, N.Concat):
        return _plus_seq(t, list(node.items))
    if isinstance(node, N.Alt):
        parts = [p for p in (_plus(t, b) for b in node.branches) if p is not None]
        return None if not parts else "(?:" + "|".join(parts) + ")"
    if node.high == 0:
        return None
    item_plus = _plus(t, node.item)
    if item_plus is None:
        return None
    high = node.high
    options = [f"(?:{item_plus})" + t._repeat(node.item, max(node.low - 1, 0),
                                               None if high is None else high - 1)]
    item_zero = _zero(t, node.item)
    if item_zero is not None and (high is None or high >= 2):
        options.append(item_zero + f"(?:{item_plus})" +
                       t._repeat(node.item, 0, None if high is None else high - 2))
    return "(?:" + "|".join(options) + ")"


def _zero_seq(t: Translator, items: list[N.Node]) -> str | None:
    out = []
    for item in items:
        z = _zero(t, item)
        if z is None:
            return None
        out.append(z)
    return "".join(out)


def _plus_seq(t: Translator, items: list[N.Node]) -> str | None:
    options = []
    for i, item in enumerate(items):
        before = _zero_seq(t, items[:i])
        if before is None:
            break
        p = _plus(t, item)
        if p is not None:
            options.append(before + f"(?:{p})" + "".join(t.atom(x) for x in items[i + 1 :]))
    return None if not options else "(?:" + "|".join(options) + ")"


def translate(root: N.Node) -> str:
    """RE2 source for ``root``; raises RegexUnsupported for what has no exact rewriting."""
    return Translator(root).run()


__all__ = ["MAX_CODE_POINT", "translate"]
