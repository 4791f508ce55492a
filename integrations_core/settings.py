"""Every limit and behaviour switch of the endpoint, with a Rocket.Chat 7.x compatibility preset.

docs/security.md gives the threat model, what each limit stops and the measured worst case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .mql.limits import DEFAULT_LIMITS, MAX_DEPTH_CEILING, Limits
from .redaction import SECRET_FIELDS as SECRET_FIELDS  # re-exported: part of the public API
from .redaction import Redactor, redacted_fields, revealed

_POSITIVE = ("max_param_length", "max_query_length", "max_sort_length", "max_fields_length",
             "max_sort_keys", "max_conditions", "max_regexes", "default_count", "max_count",
             "max_work", "max_work_per_record")


@dataclass(frozen=True)
class Settings:
    """Limits and profile flags for :func:`~integrations_core.list_integrations`.

    The defaults are this library's own behaviour: strict parameters, ``query`` and ``fields``
    enabled (and safe), precise error reasons. :meth:`rocketchat_7` switches to the observable
    behaviour of a Rocket.Chat 7.x server where it is not a security flaw. Every limit breach
    is a 400 whose message names the limit.
    """

    limits: Limits = DEFAULT_LIMITS
    """Bounds on the ``query``, ``sort`` and ``fields`` documents (depth, values, lists, regex
    length); ``max_depth`` is at most 100 (MongoDB's nesting limit for BSON documents), so that
    parsing the JSON text never recurses deeply."""
    max_param_length: int = 8192
    """Longest value, in characters, of ``offset``, ``count``, ``name`` and ``type``."""
    max_query_length: int = 8192
    """Longest ``query`` text, in characters."""
    max_sort_length: int = 1024
    """Longest ``sort`` text, in characters."""
    max_fields_length: int = 4096
    """Longest ``fields`` text, in characters."""
    max_sort_keys: int = 4
    """Most keys a ``sort`` may have (MongoDB allows 32; ``_id`` is added after them)."""
    max_conditions: int = 16
    """Most conditions a ``query`` may evaluate per record: one per operator (a plain value is
    an implicit ``$eq``), one per regular expression, and one per member of ``$all`` and per
    member of ``$in``/``$nin`` that is not a string or a number (those are one set lookup)."""
    max_regexes: int = 8
    """Most regular expressions a ``query`` may run per record (``$regex``, regex values, and
    regexes inside ``$in``/``$nin``/``$all``/``$not``)."""
    max_work: int = 30_000_000
    """The work budget of one request, in the deterministic units of
    :mod:`integrations_core.mql.budget` (about a nanosecond each on the reference machine), on
    top of :attr:`max_work_per_record` for every record the request reads. A request that needs
    more is refused with a 400 naming the limit, never answered with a partial page."""
    max_work_per_record: int = 6_000
    """The budget each record read adds: a request may cost a bounded multiple of a plain scan
    of the collection (about 0.5 µs a record), never more. A ``query`` whose static cost per
    record is over it is refused when it is compiled."""
    max_time_ms: int | None = None
    """An optional wall-clock limit per request, checked between steps (off by default: the
    work budget is deterministic, a clock is not)."""
    default_count: int = 50
    """Page size when ``count`` is not given (Rocket.Chat's ``API_Default_Count``)."""
    max_count: int = 100
    """Larger counts are clamped to this (``API_Upper_Count_Limit``)."""
    allow_infinite_count: bool = True
    """``count=0`` means every match; when False it means ``default_count``
    (``API_Allow_Infinite_Count``)."""
    redact: bool | Iterable[str] = False
    """Fields removed from every returned record, and which no ``query``, ``sort``, ``fields``,
    ``name`` or ``type`` may read: True for :data:`SECRET_FIELDS`, or an iterable of dotted
    paths. Off by default, as in Rocket.Chat. Stored as a frozenset; see :attr:`redacted`.
    A path that cannot be honoured (a numeric component such as ``urls.0``, ``_id``, what the
    visibility scope reads) is a ValueError here (:mod:`integrations_core.redaction`)."""

    query_enabled: bool = True
    """False: ``query`` is accepted and ignored, as 7.x does unless the server sets
    ``ALLOW_UNSAFE_QUERY_AND_FIELDS_API_PARAMS``."""
    fields_enabled: bool = True
    """False: ``fields`` is an unknown parameter (7.x's ``IntegrationsListProps`` schema)."""
    js_parse_int: bool = False
    """True: ``offset``/``count`` are read with JavaScript's ``parseInt`` (``"10abc"`` is 10,
    ``"0x10"`` is 16) and may be JSON numbers; False: only decimal digits."""
    validate_type: bool = True
    """False: any non-empty ``type`` is matched exactly instead of being checked."""
    ajv_messages: bool = False
    """True: parameter errors use the messages of 7.x's schema validator (Ajv)."""
    error_reasons: bool = True
    """True: sort/fields/query errors carry ``details.reason`` with the path and the cause
    (limit breaches always do)."""

    def __post_init__(self) -> None:
        for name in _POSITIVE:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Settings.{name} must be a positive integer, not {value!r}")
        if self.max_time_ms is not None and (
            isinstance(self.max_time_ms, bool) or not isinstance(self.max_time_ms, int)
            or self.max_time_ms < 1
        ):
            raise ValueError(f"Settings.max_time_ms must be None or a positive integer, not "
                             f"{self.max_time_ms!r}")
        if not isinstance(self.limits, Limits):
            raise ValueError(f"Settings.limits must be a Limits, not {self.limits!r}")
        if not 1 <= self.limits.max_depth <= MAX_DEPTH_CEILING:  # Limits checks it too
            raise ValueError(f"Settings.limits.max_depth must be between 1 and "
                             f"{MAX_DEPTH_CEILING}, not {self.limits.max_depth!r}")
        hidden = redacted_fields(self.redact)
        object.__setattr__(self, "redact", hidden)
        object.__setattr__(self, "_redactor", Redactor(hidden) if hidden else None)
        object.__setattr__(self, "_query_limits", replace(
            self.limits, max_conditions=self.max_conditions, max_regexes=self.max_regexes))

    @property
    def query_limits(self) -> Limits:
        """:attr:`limits` with :attr:`max_conditions` and :attr:`max_regexes`: what a ``query``
        is compiled with."""
        return self._query_limits  # type: ignore[attr-defined, no-any-return]

    @property
    def redacted(self) -> frozenset[str]:
        """The redacted field paths (empty when redaction is off)."""
        return self.redact  # type: ignore[return-value]  # normalised by __post_init__

    @property
    def redactor(self) -> Redactor | None:
        """What removes the redacted fields from a returned record (None when redaction is
        off)."""
        return self._redactor  # type: ignore[attr-defined, no-any-return]

    def hides(self, path: str) -> str | None:
        """The redacted field that reading ``path`` would reveal, or None.

        ``path`` reveals a redacted field if it is the field, inside it (``token.0``,
        ``script.x``) or around it (``a`` for ``a.b``). Numeric components may be array
        indexes, so ``a.0.b`` reveals ``a.b`` too (:mod:`integrations_core.redaction`).
        """
        return revealed(path, self.redacted)

    @classmethod
    def rocketchat_7(cls, **overrides: Any) -> Settings:
        """Rocket.Chat 7.x's observable quirks that are not security flaws (see
        docs/rocketchat-differences.md); keyword arguments override single fields."""
        preset: dict[str, Any] = {
            "query_enabled": False,
            "fields_enabled": False,
            "js_parse_int": True,
            "validate_type": False,
            "ajv_messages": True,
            "error_reasons": False,
        }
        preset.update(overrides)
        return cls(**preset)


DEFAULT_SETTINGS = Settings()
