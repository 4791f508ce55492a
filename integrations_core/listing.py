"""``list_integrations()``: Rocket.Chat's ``GET /api/v1/integrations.list`` as one pure function.

The pipeline of docs/architecture.md, top to bottom: 401 without a caller; 400
``invalid-params``; 403 without a listing permission; 400 for a bad ``sort``/``fields``/
``query``; then match, total, sort (``_id`` as the final key), page, project (and redact) -> 200.
Records are read, never changed; the response holds fresh copies of the returned page only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from itertools import islice
from typing import Any, cast

from . import responses
from .model import Caller
from .mql import compile_filter, compile_projection, compile_sort
from .mql.budget import Meter, WorkLimitError, metered
from .mql.documents import diagnose
from .mql.errors import InputError, LimitError, QueryError
from .mql.filter import Filter
from .mql.limits import Limits
from .mql.regex import escape
from .params import (
    ListRequest,
    ParamError,
    Params,
    RawParams,
    collect_params,
    parse_collected_params,
    with_id,
)
from .planner import Plan
from .responses import Response
from .settings import DEFAULT_SETTINGS, Settings
from .store import IntegrationStore
from .visibility import can_list, visibility_filter


def list_integrations(
    records: Iterable[Mapping[str, Any]],
    caller: Caller | None,
    params: Params,
    settings: Settings = DEFAULT_SETTINGS,
) -> Response:
    """Answer one integrations.list request over ``records``.

    ``caller`` is the authenticated user (None: not logged in); ``params`` the query-string
    pairs (a mapping or ``(key, value)`` pairs). Never raises for any ``params``.
    """
    if caller is None:
        return responses.unauthorized()
    raw: RawParams = {}
    rejected: QueryError | None = None
    try:
        raw = collect_params(params, settings)
        request = parse_collected_params(raw, settings)
    except ParamError as exc:
        return responses.invalid_params(exc.wire_message)
    except QueryError as exc:
        rejected = exc
    if not can_list(caller.permissions):
        return responses.forbidden()
    if rejected is None:
        try:
            return execute(records, caller, request, settings)
        except WorkLimitError as exc:
            return responses.invalid_params(f"request: {exc.reason}")
        except QueryError as exc:  # a sort over parallel arrays: MongoDB refuses it too
            rejected = cast(QueryError, exc.prefixed("sort"))
    param = re.split(r"[.\[]", rejected.path, maxsplit=1)[0]  # sort, fields or query
    # Limits are this library's own: their breach is always explained.
    show = settings.error_reasons or isinstance(rejected, LimitError)
    reason = str(rejected) if show else None
    return responses.invalid_json_param(param, str(raw.get(param, "")), reason)


def execute(
    records: Iterable[Mapping[str, Any]],
    caller: Caller,
    request: ListRequest,
    settings: Settings = DEFAULT_SETTINGS,
) -> Response:
    """The 200 response for a validated request by a caller allowed to list.

    Raises :class:`~integrations_core.mql.budget.WorkLimitError` when the request needs more
    work than ``settings`` allow, and a ``QueryError`` for a sort that cannot order the matches
    (parallel arrays); :func:`list_integrations` answers both with a 400. Over a store, the same
    pipeline runs on the candidates its plan gives.
    """
    if isinstance(records, IntegrationStore):
        with records.candidates(caller, request) as plan:
            return _respond(plan.records, caller, request, settings, plan)
    return _respond(records, caller, request, settings, None)


def _respond(records: Iterable[Mapping[str, Any]], caller: Caller, request: ListRequest,
             settings: Settings, plan: Plan | None) -> Response:
    match = _matcher(request, caller, settings.query_limits)
    meter = Meter(settings.max_work, limit_name="Settings.max_work (with max_work_per_record)",
                  max_time_ms=settings.max_time_ms)
    ordered = plan is not None and plan.ordered
    if plan is not None:
        # A store is allowed what the scan of all its records would be, so that it answers
        # every request the scan answers: it does the same work on fewer records, or less.
        meter.grant(plan.collection * settings.max_work_per_record)
    with metered(meter):
        if plan is not None and plan.stop_after is not None:
            # The plan knows the total: the first stop_after matches are all the page needs.
            kept, total = _scan(records, match, meter, settings, plan.stop_after, stop=True)
            page = _page(kept, request, settings.limits, ordered)
        elif (request.sort and not ordered) or request.count is None:
            kept, total = _scan(records, match, meter, settings, None)
            page = _page(kept, request, settings.limits, ordered)
        else:  # an unsorted (or index-ordered) page: keep offset + count matches, count the rest
            kept, total = _scan(records, match, meter, settings, request.offset + request.count)
            page = kept[request.offset:]
        if plan is not None and plan.total is not None:
            total = plan.total
        meter.check_time()
        return responses.page(page, _projection(request.fields, settings), request.offset, total)


_CHUNK = 256
"""Records matched between two charges to the budget (the largest step a check can overshoot)."""


def _scan(records: Iterable[Mapping[str, Any]], match: Filter, meter: Meter, settings: Settings,
          keep: int | None, stop: bool = False) -> tuple[list[Mapping[str, Any]], int]:
    """The matches (the first ``keep`` of them when ``keep`` is set) and how many there are
    (with ``stop``, the scan ends once ``keep`` are found and the count is of those).

    Each chunk of records is charged its static cost before it is matched; arrays, deep paths
    and regexes charge the rest as they run.
    """
    kept: list[Mapping[str, Any]] = []
    if type(records) is list:
        chunks: Iterable[list[Any]] = (records[i:i + _CHUNK]
                                       for i in range(0, len(records), _CHUNK))
    else:
        source = iter(records)
        if stop and keep is not None:  # read no record past the one that completes the page
            chunks = iter(lambda: list(islice(source, min(_CHUNK, keep - len(kept)))), [])
        else:
            chunks = iter(lambda: list(islice(source, _CHUNK)), [])
    per_record, allowance = match.cost, settings.max_work_per_record
    total = 0
    for chunk in chunks:
        meter.grant(len(chunk) * allowance)
        meter.charge(len(chunk) * per_record)
        meter.check_time()
        try:
            found = list(filter(match, chunk))
        except InputError:
            raise
        except Exception:  # a record no BSON document can be: say which one
            diagnose(chunk)
            raise
        total += len(found)
        if keep is None:
            kept.extend(found)
        elif len(kept) < keep:
            kept.extend(found[:keep - len(kept)])
        if stop and keep is not None and len(kept) >= keep:
            break
    return kept, total


def _matcher(request: ListRequest, caller: Caller, limits: Limits) -> Filter:
    # The user's query is compiled on its own, so that the compilation params.py did for it is
    # found in the cache; the scope, name and type are small and the same for many requests.
    base = compile_filter(request_filter(replace(request, query=None), caller),
                          limits=_base_limits(request.name))
    if not request.query:
        return base
    query = compile_filter(request.query, limits=limits)
    return _both(base, query)


def _both(first: Filter, second: Filter) -> Filter:
    def match(doc: Mapping[str, Any]) -> bool:
        return first(doc) and second(doc)

    both = cast(Filter, match)
    both.paths, both.cost = first.paths | second.paths, first.cost + second.cost
    return both


def _projection(fields: Mapping[str, int] | None,
                settings: Settings) -> Callable[[Mapping[str, Any]], Mapping[str, Any]] | None:
    """The user's projection, then the redacted fields taken out (docs/security.md)."""
    shape = None if fields is None else compile_projection(fields, limits=settings.limits)
    redactor = settings.redactor
    if redactor is None or shape is None:
        return redactor or shape

    def redacted(record: Mapping[str, Any]) -> Mapping[str, Any]:
        return redactor(shape(record))

    return redacted


def request_filter(request: ListRequest, caller: Caller) -> dict[str, Any]:
    """The MQL filter of a request: ``{"$and": [scope, name, type, query]}``, empty parts left out.

    The caller's scope is always one of the conjuncts, so no parameter can widen what the caller
    sees. ``name`` is a case-insensitive literal substring (an escaped ``$regex``).
    """
    scope = visibility_filter(caller)
    parts: list[Mapping[str, Any]] = []
    if request.name:
        parts.append({"name": {"$regex": escape(request.name), "$options": "i"}})
    if request.type:
        parts.append({"type": request.type})
    if request.query:
        parts.append(request.query)
    return {"$and": [scope, *parts]} if parts else scope


def _base_limits(name: str | None) -> Limits:
    # The scope, name and type filter is the library's own (at most six levels deep); only the
    # escaped name, up to twice as long as the parameter, can outgrow the default limits.
    return Limits(max_depth=8, max_nodes=64, max_list_length=4,
                  max_regex_length=max(1, 2 * len(name or "")))


def _page(
    matches: list[Mapping[str, Any]], request: ListRequest, limits: Limits, ordered: bool
) -> list[Mapping[str, Any]]:
    start, count = request.offset, request.count
    if start >= len(matches):
        return []
    if not request.sort or ordered:
        return matches[start:] if count is None else matches[start : start + count]
    order = compile_sort(with_id(request.sort), limits=limits)
    try:
        if count is None:
            return order.sorted(matches)[start:]
        return order.top(matches, start + count)[start:]
    except InputError:
        raise
    except Exception:  # a record no BSON document can be: say which one
        diagnose(matches)
        raise
