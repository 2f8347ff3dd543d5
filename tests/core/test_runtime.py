"""Per-process state: one runtime object whose tables stay bounded."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Literal

import pytest

from hitl_core import codec, runtime
from hitl_core.config import Settings
from hitl_core.runtime import MAX_COUNTED_NAMES, MAX_TYPE_SPECS, Runtime


def test_calls_of_a_name_are_counted_per_run_and_scope() -> None:
    process = Runtime()
    assert [process.next_occurrence("run-a", "run", "approve") for _ in range(3)] == [0, 1, 2]
    assert process.next_occurrence("run-b", "run", "approve") == 0
    assert process.next_occurrence("run-a", "global", "approve") == 0
    process.release_occurrence("run-a", "run", "approve", 2)  # the third call failed
    assert process.next_occurrence("run-a", "run", "approve") == 2
    process.release_occurrence("run-a", "run", "approve", 0)  # not the latest: kept
    assert process.next_occurrence("run-a", "run", "approve") == 3


def test_counted_names_are_bounded_least_recently_used_first() -> None:
    process = Runtime()
    process.next_occurrence("run", "run", "kept")
    for n in range(MAX_COUNTED_NAMES + 500):
        process.next_occurrence("run", "run", f"name-{n}")
        if n % 1000 == 0:
            process.next_occurrence("run", "run", "kept")  # in use: stays
    assert process.sizes()["counted names"] == MAX_COUNTED_NAMES
    assert process.next_occurrence("run", "run", "kept") > 1


def test_type_specs_are_built_once_and_bounded() -> None:
    process = Runtime()
    assert process.type_spec(list[int]) is process.type_spec(list[int])
    for n in range(MAX_TYPE_SPECS + 50):
        process.type_spec(Literal[n])
    assert process.sizes()["type specs"] == MAX_TYPE_SPECS


@dataclass
class Holder:
    spec: codec.TypeSpec


def test_live_types_are_kept_only_while_their_event_lives() -> None:
    process = Runtime()
    holder = Holder(codec.describe(int))
    process.remember_event("q-1", holder)
    assert process.live_type("q-1") is holder.spec
    del holder
    gc.collect()
    assert process.live_type("q-1") is None
    assert process.sizes()["live events"] == 0


class FakeServer:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_embedded_servers_come_from_the_registered_factory(
    tmp_path: pytest.TempPathFactory,
) -> None:
    process = Runtime()
    started: list[FakeServer] = []

    def factory(settings: Settings, owner: Runtime) -> FakeServer:
        assert owner is process
        started.append(FakeServer(f"http://127.0.0.1:{9000 + len(started)}"))
        return started[-1]

    process.set_server_factory(factory)
    settings = Settings.resolve(store=str(tmp_path), port=0)
    endpoint = process.embedded_endpoint(settings)
    assert process.embedded_endpoint(settings) == endpoint  # one per store and address
    assert process.wakeups.served_here(endpoint)
    process.stop_servers()
    assert started[0].stopped and not process.wakeups.served_here(endpoint)
    assert len(started) == 1


def test_the_installed_web_layer_is_the_default_factory() -> None:
    from hitl_web.hosting import start_embedded

    process = Runtime()
    assert process._factory() is start_embedded


def test_there_is_one_runtime_per_process() -> None:
    assert runtime.current() is runtime.current()
