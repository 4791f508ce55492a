"""The error hierarchy: every rejection of user input is an :class:`InputError`."""

from __future__ import annotations


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
