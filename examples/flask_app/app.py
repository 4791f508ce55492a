"""Flask serving ``GET /api/v1/integrations.list`` over the sample dataset.

Run from the repository root::

    .venv/bin/flask --app examples.flask_app.app run --port 5000
    curl -H 'X-User-Id: u-alice' -H 'X-Auth-Token: alice-token' \\
        'http://127.0.0.1:5000/api/v1/integrations.list?type=webhook-incoming'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from examples.users import DEMO_USERS, UserTable
from integrations_core import Response as Reply
from integrations_core import Settings, list_integrations
from integrations_core.cli import sample_records
from integrations_core.server import replies

PATH = "/api/v1/integrations.list"


def create_app(
    records: Sequence[Mapping[str, Any]], users: UserTable, settings: Settings | None = None
) -> Flask:
    """An app answering the endpoint over ``records`` for the callers in ``users``."""
    app = Flask(__name__, static_folder=None)  # no /static route
    library_settings = settings or Settings()

    def write(result: Reply) -> Response:
        return Response(result.json(), status=result.status, headers=result.headers)

    @app.get(PATH)
    def integrations_list() -> Response:
        caller = users.authenticate(
            request.headers.get("X-User-Id"), request.headers.get("X-Auth-Token")
        )
        # items(multi=True) keeps repeated keys, so the library can reject them (400).
        params = list(request.args.items(multi=True))
        return write(list_integrations(records, caller, params, library_settings))

    # Werkzeug's HTML error pages in Rocket.Chat's JSON shape instead.
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if isinstance(error, MethodNotAllowed):
            return write(replies.method_not_allowed(sorted(error.valid_methods or ())))
        return write(replies.not_found() if error.code == 404 else replies.internal_error())

    return app


app = create_app(sample_records(), DEMO_USERS)
