"""FastAPI serving ``GET /api/v1/integrations.list`` over the sample dataset.

Run from the repository root (the ``examples`` extra installs FastAPI and uvicorn)::

    .venv/bin/uvicorn examples.fastapi_app.app:app --port 8000
    curl -G -H 'X-User-Id: u-alice' -H 'X-Auth-Token: alice-token' \\
        --data-urlencode 'sort={"name": 1}' --data-urlencode 'count=5' \\
        'http://127.0.0.1:8000/api/v1/integrations.list'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException

from examples.users import DEMO_USERS, UserTable
from integrations_core import Response as Reply
from integrations_core import Settings, list_integrations
from integrations_core.cli import sample_records
from integrations_core.server import replies

PATH = "/api/v1/integrations.list"


def create_app(
    records: Sequence[Mapping[str, Any]], users: UserTable, settings: Settings | None = None
) -> FastAPI:
    """An app answering the endpoint over ``records`` for the callers in ``users``."""
    # No trailing-slash redirects and no HTML documentation pages: every answer is JSON.
    app = FastAPI(title="integrations.list", redirect_slashes=False, docs_url=None,
                  redoc_url=None, openapi_url=None)
    library_settings = settings or Settings()

    def write(result: Reply) -> Response:
        return Response(content=result.json(), status_code=result.status, headers=result.headers)

    # A plain `def`: the library is CPU-bound and synchronous, so FastAPI runs it in a thread.
    @app.get(PATH)
    def integrations_list(request: Request) -> Response:
        caller = users.authenticate(
            request.headers.get("x-user-id"), request.headers.get("x-auth-token")
        )
        # multi_items() keeps repeated keys, so the library can reject them (400).
        params = request.query_params.multi_items()
        return write(list_integrations(records, caller, params, library_settings))

    # Starlette's own 404/405 ({"detail": ...}) in Rocket.Chat's shape instead.
    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "GET").split(", ")
            return write(replies.method_not_allowed(allowed))
        return write(replies.not_found() if exc.status_code == 404
                     else replies.internal_error())

    return app


app = create_app(sample_records(), DEMO_USERS)
