"""``list_integrations()``: Rocket.Chat's ``GET /api/v1/integrations.list`` as one pure function.

The pipeline of DESIGN 4.2, top to bottom: 401 without a caller; 400 ``invalid-params``; 403
without a listing permission; 400 for a bad ``sort``/``fields``/``query``; then match, total,
sort (``_id`` as the final key), page, project (and redact) -> 200. Records are read, never
changed; the response holds fresh copies of the returned page only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import islice
from typing import Any

from . import responses
from .model import Caller
from .mql import compile_filter, compile_projection, compile_sort
from .mql.errors import LimitError, QueryError
from .mql.limits import Limits
from .mql.paths import DocPred
from .mql.projection import Projection
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
from .responses import Response, to_json_value
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
    if rejected is not None:
        param = re.split(r"[.\[]", rejected.path, maxsplit=1)[0]  # sort, fields or query
        # Limits are this library's own: their breach is always explained.
        show = settings.error_reasons or isinstance(rejected, LimitError)
        reason = str(rejected) if show else None
        return responses.invalid_json_param(param, str(raw.get(param, "")), reason)
    return execute(records, caller, request, settings)


def execute(
    records: Iterable[Mapping[str, Any]],
    caller: Caller,
    request: ListRequest,
    settings: Settings = DEFAULT_SETTINGS,
) -> Response:
    """The 200 response for a validated request by a caller allowed to list.

    Over a store, the same pipeline runs on the candidates its plan gives.
    """
    if isinstance(records, IntegrationStore):
        with records.candidates(caller, request) as plan:
            return _respond(plan.records, caller, request, settings, plan)
    return _respond(records, caller, request, settings, None)


def _respond(records: Iterable[Mapping[str, Any]], caller: Caller, request: ListRequest,
             settings: Settings, plan: Plan | None) -> Response:
    found: Iterable[Mapping[str, Any]] = filter(_matcher(request, caller, settings.limits),
                                                records)
    if plan is not None and plan.stop_after is not None:
        found = islice(found, plan.stop_after)  # total is known: the page is all that is left
    matches = list(found)
    total = len(matches) if plan is None or plan.total is None else plan.total
    page = _page(matches, request, settings.limits, plan is not None and plan.ordered)
    shape = _projection(request.fields, settings)
    integrations = [to_json_value(shape(record) if shape else record) for record in page]
    return responses.success(integrations, request.offset, total)


def _matcher(request: ListRequest, caller: Caller, limits: Limits) -> DocPred:
    # The user's query is compiled on its own, so that the compilation params.py did for it is
    # found in the cache; the scope, name and type are small and the same for many requests.
    base = compile_filter(request_filter(replace(request, query=None), caller),
                          limits=_base_limits(request.name))
    if not request.query:
        return base
    query = compile_filter(request.query, limits=limits)
    return lambda doc: base(doc) and query(doc)


def _projection(fields: Mapping[str, int] | None, settings: Settings) -> Projection | None:
    """The user's projection with the redacted fields taken out of every record."""
    hidden = {path: 0 for path in sorted(settings.redacted)}
    if fields is None:
        return compile_projection(hidden, limits=settings.limits) if hidden else None
    shape = compile_projection(fields, limits=settings.limits)
    if hidden and not shape.inclusion:
        # params.py refused any projection path related to a redacted one, so no collision.
        shape = compile_projection({**fields, **hidden}, limits=settings.limits)
    return shape


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
    if count is None:
        return order.sorted(matches)[start:]
    return order.top(matches, start + count)[start:]
