"""Django serving ``GET /api/v1/integrations.list`` over the sample dataset, in one module.

The settings are configured in code (no project, no database). Run from the repository root::

    .venv/bin/python -m examples.django_app.app runserver
    curl -H 'X-User-Id: u-carol' -H 'X-Auth-Token: carol-token' \\
        'http://127.0.0.1:8000/api/v1/integrations.list?name=bot'

or under any WSGI server: ``gunicorn examples.django_app.app:application``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import django
from django.conf import settings as django_settings

if not django_settings.configured:
    django_settings.configure(
        DEBUG=False,
        SECRET_KEY="examples-only-not-secret",
        ALLOWED_HOSTS=["localhost", "127.0.0.1", "[::1]", "testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from examples.users import DEMO_USERS, UserTable
from integrations_core import Settings, list_integrations
from integrations_core.cli import sample_records

PATH = "api/v1/integrations.list"


def integrations_list_view(
    records: Sequence[Mapping[str, Any]], users: UserTable, settings: Settings | None = None
) -> Callable[[HttpRequest], HttpResponse]:
    """A view answering the endpoint over ``records`` for the callers in ``users``."""
    library_settings = settings or Settings()

    @require_GET
    def integrations_list(request: HttpRequest) -> HttpResponse:
        caller = users.authenticate(
            request.headers.get("X-User-Id"), request.headers.get("X-Auth-Token")
        )
        # QueryDict.lists() keeps repeated keys, so the library can reject them (400).
        params = [(key, value) for key, values in request.GET.lists() for value in values]
        result = list_integrations(records, caller, params, library_settings)
        return HttpResponse(result.json(), status=result.status, headers=result.headers)

    return integrations_list


def build_urlpatterns(
    records: Sequence[Mapping[str, Any]], users: UserTable, settings: Settings | None = None
) -> list[URLPattern]:
    """The URL configuration serving the endpoint (a ROOT_URLCONF module's ``urlpatterns``)."""
    return [path(PATH, integrations_list_view(records, users, settings))]


urlpatterns = build_urlpatterns(sample_records(), DEMO_USERS)
application = get_wsgi_application()

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
