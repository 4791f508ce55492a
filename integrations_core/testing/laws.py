"""The laws the conformance kit checks, each a function of one example.

A law asks the target (and, for comparison, the reference) through the clients in ``Context``
and raises :class:`Violation` when the answers break it. See ``LAWS`` in report.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from integrations_core.model import Caller
from integrations_core.mql import compile_filter, compile_projection
from integrations_core.mql.errors import InputError
from integrations_core.params import parse_list_params
from integrations_core.responses import to_json_value
from integrations_core.settings import Settings
from integrations_core.testing.report import Reply
from integrations_core.testing.strategies import Params, pairs_of
from integrations_core.testing.targets import Client
from integrations_core.visibility import can_list, visibility_filter

Record = dict[str, Any]
_PAGING = ("offset", "count")
_MAX_PAGES = 60


class Violation(Exception):
    """A broken law: what was wrong, the two replies, and the request if not the drawn one."""

    def __init__(self, message: str, expected: Reply | None, actual: Reply | None,
                 params: Params | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual
        self.params = params  # the request that broke the law, when not the drawn one


@dataclass(frozen=True)
class Context:
    """How a law reaches the target and the reference, and what the target is meant to follow."""

    target: Client
    reference: Client
    settings: Settings
    strict_errors: bool


Law = Callable[[Context, Sequence[Record], "Caller | None", Params, int], None]
"""``law(context, records, caller, params, page)``: returns, or raises :class:`Violation`."""


def _law_reference(ctx: Context, records: Sequence[Record], caller: Caller | None,
                   params: Params, page: int) -> None:
    for sent in [params, *_widening_attempts(params, caller)]:
        expected = ctx.reference(records, caller, sent)
        actual = ctx.target(records, caller, sent)
        difference = _difference(expected, actual, ctx.strict_errors)
        if difference:
            raise Violation(difference, expected, actual, sent)


def _law_scope(ctx: Context, records: Sequence[Record], caller: Caller | None,
               params: Params, page: int) -> None:
    visible = _visible(records, caller)
    if len(visible) == len(records):
        return  # nothing is hidden from this caller
    ids = {json.dumps(_wire(r.get("_id"))) for r in visible}
    for sent in [params, *_widening_attempts(params, caller)]:
        actual = ctx.target(records, caller, sent)
        items = _items(actual)
        if not items:
            continue
        try:
            fields = parse_list_params(sent, ctx.settings).fields
        except InputError:
            fields = None
        shape = compile_projection(fields) if fields else None
        shaped = [_wire(shape(r) if shape else r) for r in visible]
        for item in items:
            if isinstance(item, dict) and "_id" in item:
                outside = json.dumps(item["_id"]) not in ids
            else:  # no _id to go by: it must show part of a visible record (redaction hides)
                outside = not any(_shows_part_of(item, r) for r in shaped)
            if outside:
                shown = json.dumps(item.get("_id") if isinstance(item, dict) else item)
                raise Violation(f"integration {shown} is outside the caller's permission scope",
                                 ctx.reference(records, caller, sent), actual, sent)


def _widening_attempts(params: Params, caller: Caller | None) -> list[Params]:
    """The request with its ``query`` rewritten the ways that widen a merged scope.

    An implementation that merges the user's query into its scope filter (Rocket.Chat's
    ``Object.assign``) lets a top-level ``$or``, ``type`` or ``_createdBy._id`` replace the
    scope; combined as a conjunct, each of these only narrows.
    """
    pairs = pairs_of(params)
    keys = [k for k, _ in pairs]
    if keys.count("query") > 1 or caller is None:
        return []
    try:
        query = json.loads(dict(pairs).get("query") or "{}")
    except ValueError:
        return []
    if not isinstance(query, dict):
        return []
    anything = {"_id": {"$exists": True}}
    rewrites = [
        {"$or": [query or anything]},
        {**query, "$or": [anything]},
        {**query, "_createdBy._id": {"$ne": caller.user_id}},
        {**query, "type": {"$exists": True}},
    ]
    attempts: list[Params] = []
    for rewrite in rewrites:
        text = json.dumps(rewrite)
        sent = [(k, text if k == "query" else v) for k, v in pairs]
        if "query" not in keys:
            sent.append(("query", text))
        attempts.append(dict(sent) if isinstance(params, Mapping) else sent)
    return attempts


def _law_total(ctx: Context, records: Sequence[Record], caller: Caller | None,
               params: Params, page: int) -> None:
    first = ctx.target(records, caller, params)
    if first.status != 200 or not isinstance(first.body, dict):
        return
    base = [(k, v) for k, v in pairs_of(params) if k not in (*_PAGING, "sort", "fields")]
    reshaped = [*base, ("sort", '{"_id": -1}')]
    if ctx.settings.fields_enabled:
        reshaped.append(("fields", '{"name": 1}'))
    variants = [base, [*base, ("offset", str(page)), ("count", "1")], reshaped]
    for variant in variants:
        other = ctx.target(records, caller, variant)
        if other.status != 200 or _get(other, "total") != _get(first, "total"):
            raise Violation(
                f"total {_get(first, 'total')} for {pairs_of(params)}, but "
                f"{other.status} / total {_get(other, 'total')} for {variant}",
                first, other,
            )


def _law_tiling(ctx: Context, records: Sequence[Record], caller: Caller | None,
                params: Params, page: int) -> None:
    first = ctx.target(records, caller, params)
    total = _get(first, "total")
    if first.status != 200 or not isinstance(total, int):
        return
    base = [(k, v) for k, v in pairs_of(params) if k not in _PAGING]
    whole = max(1, min(ctx.settings.max_count, total))
    small = _pages(ctx, records, caller, base, page, total)
    large = _pages(ctx, records, caller, base, whole, total)
    if small != large:
        raise Violation(
            f"pages of {page} concatenated differ from pages of {whole} ({len(small)} vs "
            f"{len(large)} integrations; first difference at position "
            f"{_first_difference(small, large)})",
            Reply(200, None, {"integrations": large}), Reply(200, None, {"integrations": small}),
        )


def _pages(ctx: Context, records: Sequence[Record], caller: Caller | None,
           base: list[tuple[str, str]], size: int, total: int) -> list[Any]:
    collected: list[Any] = []
    for offset in range(0, max(total, 1), size)[:_MAX_PAGES]:
        pairs = [*base, ("offset", str(offset)), ("count", str(size))]
        reply = ctx.target(records, caller, pairs)
        items = _items(reply)
        want = max(0, min(size, total - offset))
        problem = ""
        if reply.status != 200 or items is None:
            problem = f"status {reply.status}"
        elif len(items) != want:
            problem = f"{len(items)} integrations where {want} remain"
        elif _get(reply, "offset") != offset or _get(reply, "count") != len(items):
            problem = "offset/count fields do not describe the page"
        elif _get(reply, "total") != total:
            problem = f"total changed to {_get(reply, 'total')}"
        if problem or items is None:
            raise Violation(f"page offset={offset} count={size} of {base}: {problem}",
                             ctx.reference(records, caller, pairs), reply)
        collected.extend(items)
    return collected


CHECKS: dict[str, Law] = {
    "reference": _law_reference,
    "scope": _law_scope,
    "total": _law_total,
    "tiling": _law_tiling,
}


# -- helpers --------------------------------------------------------------------------------

def _difference(expected: Reply, actual: Reply, strict: bool) -> str:
    if expected.status != actual.status:
        return f"status {actual.status}, expected {expected.status}"
    want, got = expected.body, actual.body
    if expected.status != 200 and not strict and isinstance(want, dict) and isinstance(got, dict):
        want, got = _error_essentials(want), _error_essentials(got)
    if want != got:
        return f"body differs: {_describe(want, got)}"
    if isinstance(want, dict) and list(want) != list(got):
        return f"body keys in order {list(got)}, expected {list(want)}"
    if expected.headers is not None and actual.headers is not None:
        media = [(r.headers or {}).get("content-type", "").split(";")[0].strip()
                 for r in (expected, actual)]
        if media[0] != media[1]:
            return f"content-type {media[1]!r}, expected {media[0]!r}"
    return ""


def _error_essentials(body: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in body.items() if k != "details"}
    if isinstance(body.get("details"), dict):
        kept["details"] = {k: v for k, v in body["details"].items() if k != "reason"}
    if body.get("errorType") == "invalid-params":
        kept.pop("error", None)  # the message wording is the implementation's own
    return kept


def _describe(want: Any, got: Any) -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in [*want, *(k for k in got if k not in want)]:
            if want.get(key, "<missing>") != got.get(key, "<missing>"):
                if key == "integrations" and isinstance(want.get(key), list):
                    return "integrations " + _ids_or_diff(want[key], got.get(key))
                return f"{key!r} is {json.dumps(got.get(key, '<missing>'), default=str)}, " \
                       f"expected {json.dumps(want.get(key, '<missing>'), default=str)}"
    return "values differ"


def _ids_or_diff(want: list[Any], got: Any) -> str:
    def ids(items: Any) -> Any:
        if isinstance(items, list) and all(isinstance(i, dict) and "_id" in i for i in items):
            return [i["_id"] for i in items]
        return None

    if ids(want) is not None and ids(got) is not None and ids(want) != ids(got):
        return f"have ids {ids(got)}, expected {ids(want)}"
    return f"differ at position {_first_difference(want, got if isinstance(got, list) else [])}"


def _first_difference(a: list[Any], b: list[Any]) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def _items(reply: Reply) -> list[Any] | None:
    if reply.status != 200:
        return None
    items = _get(reply, "integrations")
    return items if isinstance(items, list) else None


def _get(reply: Reply, key: str) -> Any:
    return reply.body.get(key) if isinstance(reply.body, dict) else None


def _visible(records: Sequence[Record], caller: Caller | None) -> list[Record]:
    if caller is None or not can_list(caller.permissions):
        return []
    match = compile_filter(visibility_filter(caller))
    return [r for r in records if match(r)]


def _wire(value: Any) -> Any:
    """``value`` as it looks after the reference's JSON encoding."""
    return json.loads(json.dumps(to_json_value(value)))


def _shows_part_of(item: Any, record: dict[str, Any]) -> bool:
    return isinstance(item, dict) and all(k in record and record[k] == v for k, v in item.items())
