"""Every limit and behaviour switch of the endpoint, with a Rocket.Chat 7.x compatibility preset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .mql.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class Settings:
    """Limits and profile flags for :func:`~integrations_core.list_integrations`.

    The defaults are this library's own behaviour: strict parameters, ``query`` and ``fields``
    enabled (and safe), precise error reasons. :meth:`rocketchat_7` switches to the observable
    behaviour of a Rocket.Chat 7.x server where it is not a security flaw.
    """

    limits: Limits = DEFAULT_LIMITS
    """Bounds on the ``query``, ``sort`` and ``fields`` documents (depth, size, lists, regex)."""
    max_param_length: int = 8192
    """Longest value, in characters, of any query-string parameter."""
    default_count: int = 50
    """Page size when ``count`` is not given (Rocket.Chat's ``API_Default_Count``)."""
    max_count: int = 100
    """Larger counts are clamped to this (``API_Upper_Count_Limit``)."""
    allow_infinite_count: bool = True
    """``count=0`` means every match; when False it means ``default_count``
    (``API_Allow_Infinite_Count``)."""

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
    """True: sort/fields/query errors carry ``details.reason`` with the path and the cause."""

    def __post_init__(self) -> None:
        for name in ("max_param_length", "default_count", "max_count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Settings.{name} must be a positive integer, not {value!r}")

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
