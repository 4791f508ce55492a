"""The conformance kit: run the property suite against another implementation of the endpoint.

``check_implementation(target)`` draws records, callers and query strings, asks the target and
``list_integrations`` (the reference) the same questions, and checks the laws in
:data:`~integrations_core.testing.report.LAWS`. Each broken law is reported once, with the
minimal example Hypothesis shrank it to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.strategies import SearchStrategy

from integrations_core.model import Caller
from integrations_core.settings import Settings
from integrations_core.testing import strategies
from integrations_core.testing.laws import CHECKS, Context, Record, Violation
from integrations_core.testing.report import LAWS, ConformanceReport, Failure, Reply
from integrations_core.testing.strategies import Params, pairs_of
from integrations_core.testing.targets import (
    DEFAULT_PATH,
    Client,
    callable_target,
    http_target,
    reference_target,
)


def check_implementation(
    target: Callable[..., Any] | str,
    *,
    max_examples: int = 100,
    records: Sequence[Mapping[str, Any]] | None = None,
    settings: Settings | None = None,
    auth: Mapping[Caller | None, Mapping[str, str]] | None = None,
    callers: Iterable[Caller | None] | None = None,
    params: SearchStrategy[Params] | None = None,
    laws: Iterable[str] = tuple(LAWS),
    strict_errors: bool = False,
    path: str = DEFAULT_PATH,
    timeout: float = 10.0,
    seed: int | None = None,
) -> ConformanceReport:
    """Check ``target`` against ``list_integrations`` and report every broken law.

    ``target`` is a callable with ``list_integrations``' signature (called as
    ``target(records, caller, params)``) or an HTTP base URL. A callable gets generated records
    unless ``records`` fixes them; a URL needs ``records`` (what the server holds) and ``auth``
    (the request headers that authenticate each caller; ``None`` = not logged in, usually
    ``{}``). ``settings`` is the configuration the target is meant to behave like; it is given
    to the reference, never to the target. ``callers`` fixes the callers a callable target is
    asked for; ``params`` replaces the query-string strategy (default
    ``list_params(invalid=True)``). Error bodies are compared on status, ``success``,
    ``errorType`` and fixed texts unless ``strict_errors``. Do not call this from inside a
    Hypothesis test.
    """
    config = settings if settings is not None else Settings()
    chosen = tuple(laws)
    unknown = set(chosen) - set(LAWS)
    if unknown:
        raise ValueError(f"unknown laws {sorted(unknown)}; known: {list(LAWS)}")
    fixed = None if records is None else [dict(r) for r in records]
    if isinstance(target, str):
        if fixed is None or auth is None:
            raise ValueError("an HTTP target needs records= (the server's data) and auth=")
        client = http_target(target, auth, path=path, timeout=timeout)
        client(fixed, next(iter(auth)), {})  # fail fast, before Hypothesis, if unreachable
        who: SearchStrategy[Caller | None] = st.sampled_from(list(auth))
        name = target
    else:
        client = callable_target(target)
        who = _callers(callers, fixed)
        name = getattr(target, "__qualname__", repr(target))
    data = st.just(fixed) if fixed is not None else strategies.integration_records(max_size=6)
    asks = params if params is not None else strategies.list_params(
        queries=strategies.queries(settings=config), invalid=True,
        max_count=min(10, config.max_count),
    )
    context = Context(client, reference_target(config), config, strict_errors)
    report = ConformanceReport(name, chosen, max_examples)
    remaining = list(chosen)
    while remaining:  # one run checks every law; a broken law is reported and left out
        failure = _run(remaining, context, data, who, asks, max_examples, seed)
        if failure is None:
            break
        report.failures.append(failure)
        remaining.remove(failure.law)
    return report


def _callers(callers: Iterable[Caller | None] | None,
             records: Sequence[Record] | None) -> SearchStrategy[Caller | None]:
    if callers is not None:
        return st.sampled_from(list(callers))
    if records is None:
        return strategies.callers()
    owners = {(r.get("_createdBy") or {}).get("_id") for r in records}
    users = sorted(u for u in owners if isinstance(u, str)) or list(strategies.USER_IDS)
    return strategies.callers(user_ids=users)


def _run(laws: Sequence[str], context: Context, data: SearchStrategy[list[Record]],
         who: SearchStrategy[Caller | None], asks: SearchStrategy[Params], max_examples: int,
         seed: int | None) -> Failure | None:
    @hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(records=data, caller=who, params=asks, page=st.integers(1, 4))
    def prove(records: list[Record], caller: Caller | None, params: Params, page: int) -> None:
        # Laws ask some of the same questions: answer each once per example.
        ctx = dataclasses.replace(context, target=_memo(context.target),
                                  reference=_memo(context.reference))
        for law in laws:
            try:
                CHECKS[law](ctx, records, caller, params, page)
            except Violation as violation:
                raise _Found(law, violation, records, caller, params) from None

    if seed is not None:
        prove = hypothesis_seed(seed)(prove)
    try:
        prove()
    except _Found as found:
        return found.failure
    except Flaky as flaky:
        return Failure(laws[0], f"the target answered inconsistently (flaky): {flaky}", [], None,
                       {})
    return None


def _memo(client: Client) -> Client:
    answers: dict[Any, Reply] = {}

    def call(records: Sequence[Record], caller: Caller | None, params: Params) -> Reply:
        key = (caller, isinstance(params, Mapping), tuple(pairs_of(params)))
        if key not in answers:
            answers[key] = client(records, caller, params)
        return answers[key]

    return call


class _Found(Exception):
    def __init__(self, law: str, violation: Violation, records: list[Record],
                 caller: Caller | None, params: Params) -> None:
        super().__init__(violation.message)
        sent = params if violation.params is None else violation.params
        self.failure = Failure(law, violation.message, records, caller, sent,
                               violation.expected, violation.actual)


