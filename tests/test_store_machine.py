"""The store's law (issue 13): whatever was inserted, replaced and deleted, the store answers
every request exactly as ``list_integrations`` does over ``list(store)`` (the same JSON bytes),
and holds what a plain ordered mapping of ``_id`` -> record would.

Set STORE_MACHINE_EXAMPLES for a longer run (default 50 programs of up to 40, for each of two record mixes steps).
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from store_strategies import CALLERS, IDS, SETTINGS, SORTS, id_key, records, requests

from integrations_core import Caller, IntegrationStore, Settings, list_integrations
from integrations_core.store import DuplicateIdError, UnknownIdError

EXAMPLES = int(os.environ.get("STORE_MACHINE_EXAMPLES", "50"))


def outcome(records: Any, caller: Caller | None, params: dict[str, str],
            options: Settings) -> tuple[Any, ...]:
    """The response as bytes, or the exception the scan lets escape (a sort on parallel
    arrays), which the store must let escape alike."""
    try:
        response = list_integrations(records, caller, params, options)
    except Exception as exc:  # compared, not hidden
        return ("raised", type(exc).__name__, str(exc))
    return (response.status, response.headers, response.json())


def machine(odd_types: bool) -> type[RuleBasedStateMachine]:
    """A store next to a model: a dict from MongoDB's ``_id`` equality to the record."""

    class StoreMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model: dict[tuple[str, Any], dict[str, Any]] = {}
            self.store = IntegrationStore(sorts=SORTS)

        @initialize(initial=st.lists(records(odd_types), max_size=12))
        def build(self, initial: list[dict[str, Any]]) -> None:
            unique = {}
            for record in initial:
                unique.setdefault(id_key(record["_id"]), record)
            self.store = IntegrationStore(list(unique.values()), sorts=SORTS)
            self.model = copy.deepcopy(unique)

        @rule(record=records(odd_types))
        def insert(self, record: dict[str, Any]) -> None:
            key = id_key(record["_id"])
            if key in self.model:
                with pytest.raises(DuplicateIdError, match="duplicate _id"):
                    self.store.insert(record)
                return
            self.store.insert(record)
            self.model[key] = copy.deepcopy(record)
            record["name"] = "changed after insert"  # the store holds its own copy

        @rule(record=records(odd_types))
        def replace(self, record: dict[str, Any]) -> None:
            key = id_key(record["_id"])
            if key not in self.model:
                with pytest.raises(UnknownIdError):
                    self.store.replace(record)
                return
            self.store.replace(record)
            self.model[key] = copy.deepcopy(record)  # same position: a dict keeps the key's place

        @rule(_id=IDS)
        def delete(self, _id: Any) -> None:
            key = id_key(_id)
            if key not in self.model:
                with pytest.raises(UnknownIdError):
                    self.store.delete(_id)
                return
            self.store.delete(_id)
            del self.model[key]

        @rule()
        def rebuild(self) -> None:
            """A store built at once from the records indexes them as the writes did."""
            self.store = IntegrationStore(self.store, sorts=SORTS)

        @rule(caller=CALLERS, params=requests(), options=SETTINGS)
        def request(self, caller: Caller | None, params: dict[str, str], options: Settings) -> None:
            expected = outcome(list(self.store), caller, params, options)
            assert outcome(self.store, caller, params, options) == expected
            if expected[0] == 200:
                plan = self.store.explain(caller, params, options)
                assert plan["status"] == 200
                event(f"stage {plan['stage']} {plan.get('direction', '')}, total from "
                      f"{plan['totalFrom']}" + (", regrouped" if "regroup" in plan else "")
                      + (f", {next(iter(plan['partition']))} partition"
                         if "partition" in plan else ""))

        @invariant()
        def holds_the_model(self) -> None:
            assert len(self.store) == len(self.model)
            assert list(self.store) == list(self.model.values())
            for key, record in self.model.items():
                assert self.store.get(key[1]) == record

    return StoreMachine


_SETTINGS = settings(
    max_examples=EXAMPLES, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Odd values everywhere, and records of the two integration types only: "all" callers see
# every record, so that sorted indexes serve them and their walks are put to the test.
TestStore = machine(odd_types=True).TestCase
TestStore.settings = _SETTINGS
TestTypedStore = machine(odd_types=False).TestCase
TestTypedStore.settings = _SETTINGS
