"""Ways to call an implementation under test, each returning a :class:`Reply`.

A target is a callable with ``list_integrations``' signature, or an HTTP base URL served by
anything (queried with the standard library only).
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from integrations_core.model import Caller
from integrations_core.responses import to_json_value
from integrations_core.settings import Settings
from integrations_core.testing.report import Reply
from integrations_core.testing.strategies import Params, pairs_of

Client = Callable[[Sequence[dict[str, Any]], "Caller | None", Params], Reply]
"""``(records, caller, params) -> Reply``: how the laws talk to a target."""

DEFAULT_PATH = "/api/v1/integrations.list"


def reply_of(response: Any) -> Reply:
    """Reduce a response object to a :class:`Reply`.

    Accepts this library's ``Response``, objects with ``status``/``status_code`` and ``json()``
    or ``body`` (so a framework test client's response works too), and tuples
    ``(status, headers, body)`` or ``(status, body)``; a body may be JSON text or a dict.
    """
    headers: Any = None
    if isinstance(response, tuple):
        if len(response) == 3:
            status, headers, body = response
        else:
            status, body = response
    else:
        status = getattr(response, "status", None)
        if status is None:
            status = response.status_code
        headers = getattr(response, "headers", None)
        as_json = getattr(response, "json", None)
        body = as_json() if callable(as_json) else response.body
    return Reply(int(status), _lower(headers), _json_body(int(status), body))


def _lower(headers: Any) -> dict[str, str] | None:
    if headers is None:
        return None
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _json_body(status: int, body: Any) -> Any:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return {"<not JSON>": body[:300]}
    if isinstance(body, Mapping):
        # Encode exactly as the reference does (dates -> ISO strings), then compare as JSON.
        return json.loads(json.dumps(to_json_value(dict(body))))
    return body


def callable_target(function: Callable[..., Any]) -> Client:
    """A client calling ``function(records, caller, params)``; an exception becomes status -1."""

    def call(records: Sequence[dict[str, Any]], caller: Caller | None, params: Params) -> Reply:
        try:
            return reply_of(function(copy.deepcopy(list(records)), caller, copy.deepcopy(params)))
        except Exception as exc:  # a crash is a finding, not the end of the run
            return Reply(-1, None, {"exception": f"{type(exc).__name__}: {exc}"})

    return call


def reference_target(settings: Settings) -> Client:
    """A client for ``list_integrations`` itself under ``settings`` (the expected answers)."""
    from integrations_core.listing import list_integrations

    def run(records: Sequence[dict[str, Any]], caller: Caller | None, params: Params) -> Any:
        return list_integrations(records, caller, params, settings)

    return callable_target(run)


def http_target(
    base_url: str,
    auth: Mapping[Caller | None, Mapping[str, str]],
    *,
    path: str = DEFAULT_PATH,
    timeout: float = 10.0,
) -> Client:
    """A client sending ``GET base_url + path?params`` with the caller's headers from ``auth``.

    The records argument is ignored: the server holds its own data. Transport errors (refused
    connection, timeout) propagate as ``OSError``.
    """
    endpoint = base_url.rstrip("/") + path

    def call(records: Sequence[dict[str, Any]], caller: Caller | None, params: Params) -> Reply:
        if caller not in auth:
            raise ValueError(f"no auth headers for {caller!r}")
        query = urllib.parse.urlencode(pairs_of(params))
        request = urllib.request.Request(
            endpoint + ("?" + query if query else ""),
            headers={"Accept": "application/json", **auth[caller]},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, _lower(response.headers),
                             _json_body(response.status, response.read()))
        except urllib.error.HTTPError as error:
            with error:
                body = _json_body(error.code, error.read())
                return Reply(error.code, _lower(error.headers), body)

    return call
