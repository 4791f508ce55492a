"""The FastAPI example, driven through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from examples import contract
from examples.fastapi_app import app as example


def getter(app: FastAPI) -> contract.Get:
    client = TestClient(app)

    def get(url: str, headers: Mapping[str, str]) -> contract.Reply:
        response = client.get(url, headers=dict(headers))
        return contract.Reply(response.status_code, dict(response.headers), response.text)

    return get


@pytest.fixture(scope="module")
def get() -> contract.Get:
    return getter(example.create_app(contract.RECORDS, contract.USERS))


@pytest.mark.parametrize("case", contract.CASES, ids=lambda case: case.id)
def test_adapter_contract(get: contract.Get, case: contract.Case) -> None:
    contract.check(get, case)


def test_errors_are_rocketchat_json() -> None:
    client = TestClient(example.create_app(contract.RECORDS, contract.USERS))

    def send(method: str, url: str) -> contract.Reply:
        response = client.request(method, url, follow_redirects=False)
        return contract.Reply(response.status_code, dict(response.headers), response.text)

    contract.check_errors(send)


def test_module_app_serves_the_sample() -> None:
    contract.check_sample_app(getter(example.app))
