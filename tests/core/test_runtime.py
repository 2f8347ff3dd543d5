"""Per-process state: one runtime object whose tables stay bounded."""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass
from typing import Literal

import pytest

from hitl_core import codec, identity, runtime
from hitl_core.config import Settings
from hitl_core.occurrences import Occurrence
from hitl_core.runtime import MAX_COUNTED_NAMES, MAX_TYPE_SPECS, Runtime


def numbers(process: Runtime, name: str, calls: int, run: str = "run-a") -> list[int]:
    return [process.next_occurrence(run, "run", name).number for _ in range(calls)]


def test_calls_of_a_name_are_counted_per_run_and_scope() -> None:
    process = Runtime()
    assert numbers(process, "approve", 3) == [0, 1, 2]
    assert numbers(process, "approve", 1, run="run-b") == [0]
    assert process.next_occurrence("run-a", "global", "approve") == Occurrence(0)
    process.release_occurrence("run-a", "run", "approve", Occurrence(2))  # the third call failed
    assert numbers(process, "approve", 1) == [2]
    process.release_occurrence("run-a", "run", "approve", Occurrence(0))  # not the latest: kept
    assert numbers(process, "approve", 1) == [3]


def test_a_forgotten_name_counts_again_in_a_new_generation() -> None:
    process = Runtime(counted_names=3)
    first = process.next_occurrence("run", "run", "approve")
    assert first == Occurrence(0, generation=0)
    for n in range(5):
        process.next_occurrence("run", "run", f"other-{n}")
    assert process.sizes()["counted names"] == 3
    again = process.next_occurrence("run", "run", "approve")
    assert again.number == 0 and again.generation > first.generation
    ids = {
        identity.derive_request_id(
            "approve", run_id="run", scope="run", occurrence=o.number, generation=o.generation
        )
        for o in (first, again)
    }
    assert len(ids) == 2  # never the same request


def test_a_replayed_run_forgets_at_the_same_points() -> None:
    def replay() -> list[Occurrence]:
        process = Runtime(counted_names=3)
        names = ["a", "b", "a", "c", "d", "e", "a", "b", "f", "a"]
        return [process.next_occurrence("run", "run", name) for name in names]

    assert replay() == replay()


def test_counted_names_are_bounded_least_recently_used_first() -> None:
    process = Runtime()
    process.next_occurrence("run", "run", "kept")
    for n in range(MAX_COUNTED_NAMES + 500):
        process.next_occurrence("run", "run", f"name-{n}")
        if n % 1000 == 0:
            process.next_occurrence("run", "run", "kept")  # in use: stays
    assert process.sizes()["counted names"] == MAX_COUNTED_NAMES
    kept = process.next_occurrence("run", "run", "kept")
    assert (kept.number, kept.generation) == (12, 0)


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


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # this process has threads
def test_a_forked_child_has_a_runtime_of_its_own() -> None:
    parent = runtime.current()
    parent.next_occurrence("run", "run", "approve")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports and leaves at once, skipping pytest's cleanup
        child = runtime.current()
        count = child.next_occurrence("run", "run", "approve").number
        os.write(write, json.dumps([child is parent, child.run_id, count]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as reports:
        same, run_id, count = json.loads(reports.read())
    os.waitpid(pid, 0)
    assert not same and run_id != parent.run_id and count == 0
