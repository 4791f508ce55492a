"""What the conformance kit found: one :class:`Failure` per broken law, with a minimal example."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from integrations_core.model import Caller
from integrations_core.responses import to_json_value
from integrations_core.testing.strategies import Params

LAWS: dict[str, str] = {
    "reference": "status and envelope equal list_integrations' for the same inputs",
    "scope": "no returned integration lies outside the caller's permission scope, even for "
             "queries written to widen a scope merged with them",
    "total": "total is independent of offset, count, sort and fields",
    "tiling": "pages of any size, concatenated, give the same list",
}
"""The laws :func:`check_implementation` checks, by name."""

_MAX_SHOWN_RECORDS = 8


class Reply(NamedTuple):
    """A response reduced to what the laws compare: status, lower-cased headers, JSON body.

    ``headers`` is ``None`` when the target did not expose them; ``status`` is ``-1`` when a
    callable target raised (the body then names the exception).
    """

    status: int
    headers: dict[str, str] | None
    body: Any

    def brief(self) -> str:
        """``status body`` as one JSON line."""
        return f"{self.status} {json.dumps(self.body, ensure_ascii=False, default=str)}"


@dataclass(frozen=True)
class Failure:
    """A broken law and the smallest example Hypothesis found for it."""

    law: str
    message: str
    records: Sequence[dict[str, Any]]
    caller: Caller | None
    params: Params
    expected: Reply | None = None
    actual: Reply | None = None

    def __str__(self) -> str:
        caller = "None (not logged in)" if self.caller is None else (
            f"Caller({self.caller.user_id!r}, {sorted(self.caller.permissions)})"
        )
        lines = [
            f"[{self.law}] {self.message}",
            f"  caller:   {caller}",
            f"  params:   {self.params!r}",
            f"  records:  {len(self.records)}",
        ]
        for record in self.records[:_MAX_SHOWN_RECORDS]:
            shown = to_json_value(record)
            lines.append(f"    {json.dumps(shown, ensure_ascii=False, default=str)}")
        if len(self.records) > _MAX_SHOWN_RECORDS:
            lines.append(f"    ... {len(self.records) - _MAX_SHOWN_RECORDS} more")
        if self.expected is not None:
            lines.append(f"  expected: {self.expected.brief()}")
        if self.actual is not None:
            lines.append(f"  actual:   {self.actual.brief()}")
        return "\n".join(lines)


@dataclass
class ConformanceReport:
    """The outcome of :func:`check_implementation`: ``ok`` when no law was broken."""

    target: str
    laws: tuple[str, ...]
    max_examples: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every checked law held on every example."""
        return not self.failures

    def __str__(self) -> str:
        head = (
            f"conformance of {self.target}: {len(self.laws)} laws, "
            f"up to {self.max_examples} examples each: "
        )
        if self.ok:
            return head + "all laws hold (" + ", ".join(self.laws) + ")"
        broken = ", ".join(f.law for f in self.failures)
        return head + f"{len(self.failures)} broken ({broken})\n\n" + "\n\n".join(
            str(f) for f in self.failures
        )
