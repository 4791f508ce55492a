"""Django serving ``GET /api/v1/integrations.list`` over the sample dataset, in one module.

The settings are configured in code (no project, no database). Run from the repository root::

    .venv/bin/python -m examples.django_app.app runserver 8001
    curl -H 'X-User-Id: u-carol' -H 'X-Auth-Token: carol-token' \\
        'http://127.0.0.1:8001/api/v1/integrations.list?name=bot'

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

from examples.users import DEMO_USERS, UserTable
from integrations_core import Response as Reply
from integrations_core import Settings, list_integrations
from integrations_core.cli import sample_records
from integrations_core.server import replies

PATH = "api/v1/integrations.list"


def integrations_list_view(
    records: Sequence[Mapping[str, Any]], users: UserTable, settings: Settings | None = None
) -> Callable[[HttpRequest], HttpResponse]:
    """A view answering the endpoint over ``records`` for the callers in ``users``."""
    library_settings = settings or Settings()

    def integrations_list(request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):  # require_GET would answer an empty 405
            return write(replies.method_not_allowed(["GET", "HEAD"]))
        caller = users.authenticate(
            request.headers.get("X-User-Id"), request.headers.get("X-Auth-Token")
        )
        # QueryDict.lists() keeps repeated keys, so the library can reject them (400).
        params = [(key, value) for key, values in request.GET.lists() for value in values]
        return write(list_integrations(records, caller, params, library_settings))

    return integrations_list


def write(result: Reply) -> HttpResponse:
    """The library's response as Django's."""
    return HttpResponse(result.json(), status=result.status, headers=result.headers)


# Django's HTML error pages in Rocket.Chat's JSON shape instead (used when DEBUG is False).
def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Any path the URL configuration does not serve."""
    return write(replies.not_found())


def handler500(request: HttpRequest) -> HttpResponse:
    """An error inside a view."""
    return write(replies.internal_error())


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
