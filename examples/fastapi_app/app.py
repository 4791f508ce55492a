"""FastAPI serving ``GET /api/v1/integrations.list`` over the sample dataset.

Run from the repository root::

    .venv/bin/pip install uvicorn
    .venv/bin/uvicorn examples.fastapi_app.app:app
    curl -H 'X-User-Id: u-alice' -H 'X-Auth-Token: alice-token' \\
        'http://127.0.0.1:8000/api/v1/integrations.list?sort={"name":1}&count=5'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response

from examples.users import DEMO_USERS, UserTable
from integrations_core import Settings, list_integrations
from integrations_core.cli import sample_records

PATH = "/api/v1/integrations.list"


def create_app(
    records: Sequence[Mapping[str, Any]], users: UserTable, settings: Settings | None = None
) -> FastAPI:
    """An app answering the endpoint over ``records`` for the callers in ``users``."""
    app = FastAPI(title="integrations.list")
    library_settings = settings or Settings()

    # A plain `def`: the library is CPU-bound and synchronous, so FastAPI runs it in a thread.
    @app.get(PATH)
    def integrations_list(request: Request) -> Response:
        caller = users.authenticate(
            request.headers.get("x-user-id"), request.headers.get("x-auth-token")
        )
        # multi_items() keeps repeated keys, so the library can reject them (400).
        params = request.query_params.multi_items()
        result = list_integrations(records, caller, params, library_settings)
        return Response(content=result.json(), status_code=result.status, headers=result.headers)

    return app


app = create_app(sample_records(), DEMO_USERS)
