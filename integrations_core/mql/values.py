"""The engine's own BSON values, for the types Python has no class for (pymongo not needed).

Extended JSON decodes to these; records and queries may hold them or pymongo's ``bson``
classes interchangeably (:mod:`.bson` gives both the same type, order and equality, and
``mongo.to_bson`` turns these into pymongo's). Every class is immutable and hashable.

======================  =====================================  ==============================
class                   BSON type                              pymongo counterpart
======================  =====================================  ==============================
:class:`ObjectId`       objectId                               ``bson.ObjectId``
:class:`Binary`         binData of a subtype other than 0      ``bson.Binary``
:class:`Int64`          long (an ``int``)                      ``bson.Int64``
:class:`Timestamp`      timestamp                              ``bson.Timestamp``
:class:`Code`           javascript / javascriptWithScope       ``bson.Code``
:class:`DateMillis`     date outside ``datetime``'s years      ``bson.DatetimeMS``
:class:`MinKey`         minKey                                 ``bson.MinKey``
:class:`MaxKey`         maxKey                                 ``bson.MaxKey``
:class:`Regex`          regex                                  ``bson.Regex``
======================  =====================================  ==============================
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Final

EPOCH: Final = _dt.datetime(1970, 1, 1)
_HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class Regex:
    """A BSON regular expression value: a pattern and its MongoDB option letters."""

    pattern: str
    flags: str = ""


@dataclass(frozen=True, slots=True)
class ObjectId:
    """A 12-byte ObjectId; ``str()`` is its 24 lowercase hex digits."""

    binary: bytes

    def __post_init__(self) -> None:
        if type(self.binary) is not bytes or len(self.binary) != 12:
            raise ValueError("an ObjectId is 12 bytes")

    @classmethod
    def from_hex(cls, text: str) -> ObjectId:
        """The ObjectId written as 24 hex digits (ValueError otherwise)."""
        if len(text) != 24 or not _HEX.issuperset(text):
            raise ValueError("an ObjectId is 24 hex digits")
        return cls(bytes.fromhex(text))

    def __str__(self) -> str:
        return self.binary.hex()

    def __repr__(self) -> str:
        return f"ObjectId({self.binary.hex()!r})"


@dataclass(frozen=True, slots=True)
class Binary:
    """Binary data of a BSON subtype (0-255); plain ``bytes`` is subtype 0."""

    data: bytes
    subtype: int = 0

    def __post_init__(self) -> None:
        if type(self.data) is not bytes or not 0 <= self.subtype <= 255:
            raise ValueError("Binary takes bytes and a subtype 0-255")


class Int64(int):
    """A 64-bit integer that stays BSON type ``long`` (``$type: "long"``) whatever its size."""

    __slots__ = ()

    def __new__(cls, value: int) -> Int64:
        result = super().__new__(cls, value)
        if not -(2**63) <= result < 2**63:
            raise ValueError("an Int64 is within -2**63 .. 2**63 - 1")
        return result

    def __repr__(self) -> str:
        return f"Int64({int(self)})"


@dataclass(frozen=True, slots=True)
class Timestamp:
    """A BSON timestamp: seconds and an increment, each an unsigned 32-bit integer."""

    time: int
    inc: int

    def __post_init__(self) -> None:
        if not (0 <= self.time < 2**32 and 0 <= self.inc < 2**32):
            raise ValueError("Timestamp time and inc are unsigned 32-bit integers")


class Code:
    """JavaScript code, with an optional scope document (``javascriptWithScope``)."""

    __slots__ = ("code", "scope")
    code: str
    scope: Mapping[str, Any] | None

    def __init__(self, code: str, scope: Mapping[str, Any] | None = None) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "scope", None if scope is None else MappingProxyType(dict(scope)))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Code is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Code):
            return NotImplemented
        return self.code == other.code and self.scope == other.scope

    def __hash__(self) -> int:
        return hash((self.code, self.scope is None))

    def __reduce__(self) -> tuple[type, tuple[str, dict[str, Any] | None]]:
        return (Code, (self.code, None if self.scope is None else dict(self.scope)))

    def __repr__(self) -> str:
        scope = "" if self.scope is None else f", {dict(self.scope)!r}"
        return f"Code({self.code!r}{scope})"


@dataclass(frozen=True, slots=True, order=True)
class DateMillis:
    """A BSON date as milliseconds since the epoch, for dates ``datetime`` cannot hold."""

    millis: int

    def __post_init__(self) -> None:
        if not -(2**63) <= self.millis < 2**63:
            raise ValueError("a BSON date is a signed 64-bit count of milliseconds")


class _Key:
    __slots__ = ()
    _instances: ClassVar[dict[type, Any]] = {}

    def __new__(cls) -> Any:
        if cls not in _Key._instances:
            _Key._instances[cls] = super().__new__(cls)
        return _Key._instances[cls]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (type(self), ())


class MinKey(_Key):
    """BSON's MinKey: below every other value."""

    __slots__ = ()


class MaxKey(_Key):
    """BSON's MaxKey: above every other value."""

    __slots__ = ()
