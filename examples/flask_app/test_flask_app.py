"""The Flask example, driven through Flask's test client."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from flask import Flask

from examples import contract
from examples.flask_app import app as example


def getter(app: Flask) -> contract.Get:
    client = app.test_client()

    def get(url: str, headers: Mapping[str, str]) -> contract.Reply:
        response = client.get(url, headers=dict(headers))
        received = {name.lower(): value for name, value in response.headers.items()}
        return contract.Reply(response.status_code, received, response.get_data(as_text=True))

    return get


@pytest.fixture(scope="module")
def get() -> contract.Get:
    return getter(example.create_app(contract.RECORDS, contract.USERS))


@pytest.mark.parametrize("case", contract.CASES, ids=lambda case: case.id)
def test_adapter_contract(get: contract.Get, case: contract.Case) -> None:
    contract.check(get, case)


def test_errors_are_rocketchat_json() -> None:
    client = example.create_app(contract.RECORDS, contract.USERS).test_client()

    def send(method: str, url: str) -> contract.Reply:
        response = client.open(url, method=method, follow_redirects=False)
        received = {name.lower(): value for name, value in response.headers.items()}
        return contract.Reply(response.status_code, received, response.get_data(as_text=True))

    contract.check_errors(send)


def test_module_app_serves_the_sample() -> None:
    contract.check_sample_app(getter(example.app))
