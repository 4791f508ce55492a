"""Verification tools for code that serves or consumes integrations.list (extra ``testing``).

Hypothesis strategies, plain functions with keyword arguments::

    integration_records()  callers()  queries()  list_params()

and the conformance kit ``check_implementation(target)``, which checks a callable with
``list_integrations``' signature, or an HTTP base URL, against this library. No Hypothesis
plugin is registered: import what you use. See docs/testing.md.
"""

from __future__ import annotations

from integrations_core.testing.conformance import check_implementation
from integrations_core.testing.report import LAWS, ConformanceReport, Failure, Reply
from integrations_core.testing.strategies import (
    callers,
    integration_records,
    list_params,
    pairs_of,
    queries,
)

__all__ = [
    "LAWS",
    "ConformanceReport",
    "Failure",
    "Reply",
    "callers",
    "check_implementation",
    "integration_records",
    "list_params",
    "pairs_of",
    "queries",
]
