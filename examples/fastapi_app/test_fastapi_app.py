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


def test_only_get_is_served() -> None:
    client = TestClient(example.create_app(contract.RECORDS, contract.USERS))
    assert client.post(contract.PATH, headers=contract.AS_ALICE).status_code == 405


def test_module_app_serves_the_sample() -> None:
    contract.check_sample_app(getter(example.app))
