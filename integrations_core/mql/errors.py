"""The error hierarchy: every rejection of user input is an :class:`InputError`."""

from __future__ import annotations

from itertools import islice


class InputError(ValueError):
    """Root of every user-input rejection; ``path`` names the offending place."""

    def __init__(self, message: str, path: str = "") -> None:
        self.reason = message
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)

    def prefixed(self, prefix: str) -> InputError:
        """The same error with ``prefix`` put in front of its path (``query`` + ``$or[1]``)."""
        path = join_path(prefix, self.path)
        return type(self)(self.reason, path)


class QueryError(InputError):
    """A filter, sort or projection that MQL (as this library allows it) cannot accept."""


class LimitError(QueryError):
    """A query that is well formed but exceeds a configured size limit."""


def join_path(prefix: str, path: str) -> str:
    """Join two error paths: ``a`` + ``b`` is ``a.b``; ``a`` + ``[1]`` is ``a[1]``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def describe(value: object, width: int = 40) -> str:
    """``value`` as an error message shows it: Python's repr, cut to about ``width`` characters.

    Bounded whatever ``value`` is: an integer too long to show is described by its number of
    digits (``str`` refuses ints over 4,300 digits, and converting is quadratic), a container
    shows its first items to two levels, and an object of another type only its type's name,
    so no user-supplied ``__repr__`` runs, nothing recurses deeply and nothing huge is built.
    """
    text = _describe(value, width, 2)
    return text if len(text) <= width else text[: width - 3] + "..."


_SHOWN = 4  # items of a container shown before "..."


def _describe(value: object, width: int, levels: int) -> str:
    if value is None or type(value) is bool or type(value) is float:
        return repr(value)
    if type(value) is int:
        digits = value.bit_length() * 30103 // 100000 + 1  # log10(2) = 0.30103
        return repr(value) if digits <= width else f"<an integer of about {digits} digits>"
    if type(value) is str or type(value) is bytes:
        return repr(value[: width + 1])
    if type(value) is dict:
        if not levels:
            return "{...}"
        shown = [f"{_describe(k, width, 0)}: {_describe(v, width, levels - 1)}"
                 for k, v in islice(value.items(), _SHOWN)]
        return "{" + _items(shown, len(value)) + "}"
    if type(value) is list or type(value) is tuple:
        if not levels:
            return "[...]" if type(value) is list else "(...)"
        shown = [_describe(v, width, levels - 1) for v in value[:_SHOWN]]
        if type(value) is list:
            return "[" + _items(shown, len(value)) + "]"
        return "(" + _items(shown, len(value)) + ("," if len(value) == 1 else "") + ")"
    return f"<{type(value).__name__}>"


def _items(shown: list[str], total: int) -> str:
    return ", ".join(shown) + (", ..." if total > len(shown) else "")
