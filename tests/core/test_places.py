"""Run identity: explicit settings first, then the orchestrator's run down to the task, then
one id per process; retried attempts count their calls from the start."""

from __future__ import annotations

import gc

import pytest

from hitl_core import runtime
from hitl_core.occurrences import Occurrences
from hitl_core.orchestrators import Place, locate
from hitl_core.orchestrators.attempts import SameObject


def airflow(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(f"AIRFLOW_CTX_{name.upper()}", value)


def test_without_settings_a_process_has_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HITL_RUN_ID")
    process = runtime.Runtime()
    assert locate(None, process) == Place(process.run_id)
    assert locate(None, runtime.Runtime()).run_id != process.run_id


def test_two_dags_with_one_run_id_are_two_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HITL_RUN_ID")
    scheduled = "scheduled__2026-11-27T00:00:00+00:00"
    airflow(monkeypatch, dag_id="deploy_a", dag_run_id=scheduled, task_id="approve", try_number="1")
    a = locate(None, runtime.current())
    airflow(monkeypatch, dag_id="deploy_b")
    b = locate(None, runtime.current())
    assert a.run_id == f"airflow/deploy_a/{scheduled}/approve/-1"
    assert b.run_id == f"airflow/deploy_b/{scheduled}/approve/-1"
    assert a.orchestrator == b.orchestrator == "airflow"


def test_airflow_tasks_and_mapped_instances_are_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HITL_RUN_ID")
    airflow(monkeypatch, dag_id="d", dag_run_id="manual__1", task_id="t", try_number="1")
    seen = {locate(None, runtime.current()).run_id}
    airflow(monkeypatch, map_index="0")
    seen.add(locate(None, runtime.current()).run_id)
    airflow(monkeypatch, map_index="1")
    seen.add(locate(None, runtime.current()).run_id)
    airflow(monkeypatch, task_id="other")
    seen.add(locate(None, runtime.current()).run_id)
    assert len(seen) == 4
    # A retry is the same run, as another attempt.
    first = locate(None, runtime.current())
    airflow(monkeypatch, try_number="2")
    second = locate(None, runtime.current())
    assert second.run_id == first.run_id and second.attempt != first.attempt


def test_explicit_settings_come_first(monkeypatch: pytest.MonkeyPatch) -> None:
    airflow(monkeypatch, dag_id="d", dag_run_id="manual__1", task_id="t")
    monkeypatch.setenv("HITL_RUN_ID", "from-environment")
    assert locate(None, runtime.current()) == Place("from-environment", None, "airflow")
    assert locate("from-argument", runtime.current()).run_id == "from-argument"


def test_a_new_attempt_counts_from_the_start() -> None:
    counts = Occurrences(100)
    first = [counts.next("run", "run", "approve", attempt=1).number for _ in range(3)]
    assert first == [0, 1, 2]
    assert counts.next("run", "run", "other", attempt=1).number == 0
    second = [counts.next("run", "run", "approve", attempt=2).number for _ in range(2)]
    assert second == [0, 1]
    assert counts.next("run", "run", "other", attempt=2).number == 0
    # Another run's attempts are its own.
    assert counts.next("run-2", "run", "approve", attempt=1).number == 0


def test_a_new_attempt_keeps_its_generation() -> None:
    counts = Occurrences(2)
    kept = counts.next("run", "run", "approve", attempt=1)
    counts.next("run", "run", "b", attempt=1)
    counts.next("run", "run", "approve", attempt=1)  # approve is the most recently used
    counts.next("run", "run", "c", attempt=1)  # forgets b: a new generation begins
    again = counts.next("run", "run", "approve", attempt=2)
    assert (again.number, again.generation) == (0, kept.generation)


def test_an_attempt_marked_by_an_object_ends_with_it() -> None:
    class Report:
        pass

    report = Report()
    mark, same = SameObject(report), SameObject(report)
    assert mark == same and hash(mark) == hash(same)
    assert mark != SameObject(Report())
    del report
    gc.collect()
    assert mark != same  # the attempt is over; a new report at that address is another


def test_local_runs_without_an_id_get_labels_that_go_with_them() -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

    process = runtime.Runtime()
    first, second = Unhashable(), Unhashable()
    assert process.label_for(first) == process.label_for(first) == "run-1"
    assert process.label_for(second) == "run-2"
    del first
    gc.collect()
    assert process.sizes()["run labels"] == 1


def test_a_provided_app_comes_after_the_settings_and_a_failing_one_is_skipped(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from hitl_core.config import ProvidedApp, Settings

    process = runtime.Runtime()
    asked: list[int] = []

    def provider() -> ProvidedApp:
        asked.append(1)
        return ProvidedApp(
            "http://app.internal:8080", "s3://bucket/hitl", "https://hitl.example.com"
        )

    process.set_app_provider(provider)
    monkeypatch.delenv("HITL_STORE")
    settings = Settings.resolve(provided=process.provided_app)
    assert (settings.endpoint, settings.store, settings.public_url) == (
        "http://app.internal:8080",
        "s3://bucket/hitl",
        "https://hitl.example.com",
    )
    Settings.resolve(provided=process.provided_app)
    assert asked == [1] and not process.asks_for_an_app  # asked once
    monkeypatch.setenv("HITL_ENDPOINT", "http://127.0.0.1:9")
    assert Settings.resolve(provided=process.provided_app).endpoint == "http://127.0.0.1:9"

    def failing() -> ProvidedApp:
        raise ConnectionError("no route to the control plane")

    process.set_app_provider(failing)
    monkeypatch.delenv("HITL_ENDPOINT")
    assert Settings.resolve(provided=process.provided_app).endpoint is None
    assert "could not find the app to use (no route to the control plane)" in caplog.text
