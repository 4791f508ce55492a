"""The Django example, driven through Django's test client."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.test import Client, override_settings

from examples import contract
from examples.django_app import app as example


def getter(client: Client) -> contract.Get:
    def get(url: str, headers: Mapping[str, str]) -> contract.Reply:
        response = client.get(url, headers=dict(headers))
        received = {name.lower(): value for name, value in response.headers.items()}
        return contract.Reply(response.status_code, received, response.content.decode())

    return get


class URLConf:
    """A ROOT_URLCONF given as an object instead of a module name, with the module's error
    handlers."""

    def __init__(self, urlpatterns: list[Any]) -> None:
        self.urlpatterns = urlpatterns
        self.handler404 = example.handler404
        self.handler500 = example.handler500


CONTRACT_URLCONF = URLConf(example.build_urlpatterns(contract.RECORDS, contract.USERS))


@pytest.fixture
def client() -> Iterator[Client]:
    with override_settings(ROOT_URLCONF=CONTRACT_URLCONF):
        yield Client()


@pytest.mark.parametrize("case", contract.CASES, ids=lambda case: case.id)
def test_adapter_contract(client: Client, case: contract.Case) -> None:
    contract.check(getter(client), case)


def test_errors_are_rocketchat_json(client: Client) -> None:
    def send(method: str, url: str) -> contract.Reply:
        response = client.generic(method, url)
        received = {name.lower(): value for name, value in response.headers.items()}
        return contract.Reply(response.status_code, received, response.content.decode())

    contract.check_errors(send)


def test_module_app_serves_the_sample() -> None:
    with override_settings(ROOT_URLCONF=example.__name__):
        contract.check_sample_app(getter(Client()))
