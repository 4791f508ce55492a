"""``list_integrations()``: Rocket.Chat's ``GET /api/v1/integrations.list`` as one pure function.

The pipeline of docs/architecture.md, top to bottom: 401 without a caller; 400
``invalid-params``; 403 without a listing permission; 400 for a bad ``sort``/``fields``/
``query``; then match, total, sort (``_id`` as the final key), page, project (and redact) -> 200.
Records are read, never changed; the response holds fresh copies of the returned page only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any, cast

from . import responses
from .model import Caller
from .mql.budget import Meter, WorkLimitError, metered
from .mql.codegen import Scan, TopScan
from .mql.documents import diagnose
from .mql.errors import InputError, LimitError, QueryError
from .mql.filter import Filter, Template, compile_template
from .mql.limits import Limits
from .mql.regex import escape
from .mql.sort import Selection
from .params import (
    ListRequest,
    ParamError,
    Params,
    RawParams,
    collect_params,
)
from .planner import Plan
from .prepared import Prepared, parse_cached
from .responses import Response
from .settings import DEFAULT_SETTINGS, Settings
from .store import IntegrationStore
from .visibility import LIST_PERMISSIONS, USER, granted, scope_template, visibility_filter


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
        request, prepared = parse_cached(raw, settings)
    except ParamError as exc:
        return responses.invalid_params(exc.wire_message)
    except QueryError as exc:
        rejected = exc
    if LIST_PERMISSIONS.isdisjoint(caller.permissions):  # Caller holds them as plain names
        return responses.forbidden()
    if rejected is None:
        try:
            return _execute(records, caller, request, settings, prepared)
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
    return _execute(records, caller, request, settings, Prepared(request, settings))


def _execute(records: Iterable[Mapping[str, Any]], caller: Caller, request: ListRequest,
             settings: Settings, prepared: Prepared) -> Response:
    if isinstance(records, IntegrationStore):
        with records.candidates(caller, request) as plan:
            return _respond(plan.records, caller, request, settings, plan, prepared)
    return _respond(records, caller, request, settings, None, prepared)


def _respond(records: Iterable[Mapping[str, Any]], caller: Caller, request: ListRequest,
             settings: Settings, plan: Plan | None, prepared: Prepared) -> Response:
    template = _template(caller, request, settings, prepared)
    values = {USER.name: caller.user_id}
    meter = Meter(settings.max_work, limit_name="Settings.max_work (with max_work_per_record)",
                  max_time_ms=settings.max_time_ms)
    ordered = plan is not None and plan.ordered
    if plan is not None:
        # A store is allowed what the scan of all its records would be, so that it answers
        # every request the scan answers: it does the same work on fewer records, or less.
        meter.grant(plan.collection * settings.max_work_per_record)
    with metered(meter):
        match, scan = template.bind(values), template.scan(values)
        if plan is not None and plan.stop_after is not None:
            # The plan knows the total: the first stop_after matches are all the page needs.
            kept, total = _scan(records, match, meter, settings, plan.stop_after, stop=True,
                                scan=scan)
            page = _page(kept, request, prepared, ordered)
        elif (request.sort and not ordered and scan is not None
              and Selection.fits(prepared.order(), _end(request))):
            # The first page of a sort on top-level fields: its candidates picked as matched.
            selection = Selection(prepared.order(), cast(int, _end(request)))

            def picker() -> TopScan:
                top = template.top_scan(selection.fields, selection.descending,
                                        selection.dates, values)
                return cast(TopScan, top)

            kept, total = _scan(records, match, meter, settings, None, scan=scan,
                                select=(selection, picker))
            page = _page(kept, request, prepared, ordered, selection)
        elif (request.sort and not ordered) or request.count is None:
            kept, total = _scan(records, match, meter, settings, None, scan=scan)
            page = _page(kept, request, prepared, ordered)
        else:  # an unsorted (or index-ordered) page: keep offset + count matches, count the rest
            kept, total = _scan(records, match, meter, settings, request.offset + request.count,
                                scan=scan)
            page = kept[request.offset:]
        if plan is not None and plan.total is not None:
            total = plan.total
        meter.check_time()
        return responses.page(page, prepared.projection(), request.offset, total)


def _template(caller: Caller, request: ListRequest, settings: Settings,
              prepared: Prepared) -> Template:
    """The scope, ``name``, ``type`` and user query as one filter, the user id a parameter: one
    compiled template per permission set and request, whoever the caller."""
    names = granted(caller.permissions)

    def parts() -> list[tuple[Mapping[str, Any], Limits]]:
        base: list[tuple[Mapping[str, Any], Limits]] = [
            (_filter(request, scope_template(names), None), _base_limits(request.name))]
        return [*base, (request.query, settings.query_limits)] if request.query else base

    if request.query and prepared.query_key is None:
        return compile_template(parts)
    key = ("listing", names, request.name, request.type, prepared.query_key,
           settings.query_limits if request.query else None)
    return compile_template(parts, key)


_CHUNK = 256
"""Records matched between two charges to the budget (the largest step a check can overshoot)."""


def _chunks(records: Iterable[Mapping[str, Any]], keep: int | None, stop: bool,
            kept: list[Mapping[str, Any]]) -> Iterable[list[Any]]:
    if type(records) is list:
        return (records[i:i + _CHUNK] for i in range(0, len(records), _CHUNK))
    source = iter(records)
    if stop and keep is not None:  # read no record past the one that completes the page
        return iter(lambda: list(islice(source, min(_CHUNK, keep - len(kept)))), [])
    return iter(lambda: list(islice(source, _CHUNK)), [])


def _start_chunk(chunk: list[Any], per_record: int, meter: Meter, settings: Settings) -> None:
    meter.grant(len(chunk) * settings.max_work_per_record)
    meter.charge(len(chunk) * per_record)
    meter.check_time()


def _scan(records: Iterable[Mapping[str, Any]], match: Filter, meter: Meter, settings: Settings,
          keep: int | None, stop: bool = False, scan: Scan | None = None,
          select: tuple[Selection, Callable[[], TopScan]] | None = None
          ) -> tuple[list[Mapping[str, Any]], int]:
    """The matches (the first ``keep`` of them when ``keep`` is set) and how many there are
    (with ``stop``, the scan ends once ``keep`` are found and the count is of those).

    Each chunk of records is charged its static cost before it is matched; arrays, deep paths
    and regexes charge the rest as they run. ``scan``, when given, is ``match`` as one loop
    over a chunk (generated code: no call per record); ``select``, a sort's selection and what
    makes the scan that picks its candidates as it matches (``keep`` None).
    """
    kept: list[Mapping[str, Any]] = []
    total = 0
    for chunk in _chunks(records, keep, stop, kept):
        _start_chunk(chunk, match.cost, meter, settings)
        # Every match is kept: the scans append to ``kept`` itself.
        found = kept if keep is None and scan is not None else []
        before = len(found)
        try:
            if select is not None:
                _select(chunk, found, scan, *select)
            elif scan is None:
                found = list(filter(match, chunk))
            else:
                scan(chunk, found)
        except InputError:
            raise
        except Exception:  # a record no BSON document can be: say which one
            diagnose(chunk)
            raise
        total += len(found) - before
        if found is kept:
            continue
        if keep is None:
            kept.extend(found)
        elif len(kept) < keep:
            kept.extend(found[:keep - len(kept)])
        if stop and keep is not None and len(kept) >= keep:
            break
    return kept, total


def _select(chunk: list[Any], found: list[Mapping[str, Any]], scan: Scan | None,
            selection: Selection, picker: Callable[[], TopScan]) -> None:
    if not selection.kinds:
        selection.begin(chunk[0])
        if selection.ok:
            selection.picker = picker()
    if selection.ok:
        top = cast(TopScan, selection.picker)
        selection.ok = top(chunk, found, selection.cand, selection.vals, selection.bound,
                           selection.kinds)
        selection.narrow()
    else:
        cast(Scan, scan)(chunk, found)


def _end(request: ListRequest) -> int | None:
    return None if request.count is None else request.offset + request.count


def request_filter(request: ListRequest, caller: Caller) -> dict[str, Any]:
    """The MQL filter of a request: ``{"$and": [scope, name, type, query]}``, empty parts left out.

    The caller's scope is always one of the conjuncts, so no parameter can widen what the caller
    sees. ``name`` is a case-insensitive literal substring (an escaped ``$regex``).
    """
    return _filter(request, visibility_filter(caller), request.query)


def _filter(request: ListRequest, scope: dict[str, Any],
            query: Mapping[str, Any] | None) -> dict[str, Any]:
    parts: list[Mapping[str, Any]] = [scope]
    if request.name:
        parts.append({"name": {"$regex": escape(request.name), "$options": "i"}})
    if request.type:
        parts.append({"type": request.type})
    if query:
        parts.append(query)
    return {"$and": parts} if len(parts) > 1 else scope


def _base_limits(name: str | None) -> Limits:
    # The scope, name and type filter is the library's own (at most six levels deep); only the
    # escaped name, up to twice as long as the parameter, can outgrow the default limits.
    return Limits(max_depth=8, max_nodes=64, max_list_length=4,
                  max_regex_length=max(1, 2 * len(name or "")))


def _page(matches: list[Mapping[str, Any]], request: ListRequest, prepared: Prepared,
          ordered: bool, selection: Selection | None = None) -> list[Mapping[str, Any]]:
    start, count = request.offset, request.count
    if start >= len(matches):
        return []
    if not request.sort or ordered:
        return matches[start:] if count is None else matches[start : start + count]
    order = prepared.order()
    try:
        if selection is not None:
            return selection.page(matches)[start:]
        if count is None:
            return order.sorted(matches)[start:]
        return order.top(matches, start + count)[start:]
    except InputError:
        raise
    except Exception:  # a record no BSON document can be: say which one
        diagnose(matches)
        raise
