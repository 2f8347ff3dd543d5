# WARNING: generated from tests/_async/test_store_outage.py by codegen/unasync.py. DO NOT EDIT.
"""The S3 server is out of reach for ten seconds while tasks wait and people submit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hitl_sync as hitl

from ..servers import BUCKET, MotoServer, Relay, Served, s3_environment, start_server, stop_server
from ._compat import in_thread, run_concurrently, sleep, within
from .helpers import answer, get, post, token_of, until_paused

# Slow: once per run, on one flavor; each flavor has a slow fault test of its own.
pytestmark = [pytest.mark.anyio, pytest.mark.slow(flavor="sync")]
OUTAGE_SECONDS = 10


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Relay]:
    """This test's own S3 server, reached through a relay that the test cuts."""
    home = tmp_path / "moto"
    home.mkdir()
    server = MotoServer(home)
    server.start()
    relay = Relay(server.port)
    try:
        server.create_bucket()
        relay.start()
        for name, value in s3_environment(relay.endpoint, tmp_path).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("HITL_STORE", f"s3://{BUCKET}/outage")
        yield relay
    finally:
        relay.cut()
        server.stop()


@pytest.fixture
def app(s3: Relay, tmp_path: Path) -> Iterator[Served]:
    """The app some of the waiting tasks long-poll."""
    served = start_server(f"s3://{BUCKET}/outage", log_dir=tmp_path)
    yield served
    stop_server(served)


@pytest.fixture
def other_replica(s3: Relay, tmp_path: Path) -> Iterator[Served]:
    """Where people answer once the outage is over: no waiter hears of it directly."""
    served = start_server(f"s3://{BUCKET}/outage", log_dir=tmp_path)
    yield served
    stop_server(served)


def until_held(replica: Served, long_polls: int) -> None:
    """Return once the replica holds this many long-polls (as its /health says)."""
    deadline = time.monotonic() + 30
    while (get(f"{replica.endpoint}/health")).json()["long_polls"] < long_polls:
        assert time.monotonic() < deadline, "the app never held the long-polls"
        sleep(0.01)


def submit(replica: Served, event: hitl.Event[int], value: int) -> Any:
    return post(
        f"{replica.endpoint}/submit/json",
        params=token_of(event),
        json={"request_id": event.request_id, "value": value},
    )


def test_waiters_and_answers_survive_an_s3_outage(
    s3: Relay, app: Served, other_replica: Served, caplog: pytest.LogCaptureFixture
) -> None:
    """Three tasks wait served by this process, polling the store themselves;
    three long-poll `hitl serve`, which watches the store for them. The answers
    come through another replica, so only polling the store can find them."""
    events = [
        hitl.new_event(
            f"survive-{n}",
            data_type=int,
            poll_interval_seconds=0.5,
            endpoint=app.endpoint if n % 2 else None,
        )
        for n in range(6)
    ]
    assert {event.endpoint == app.endpoint for event in events} == {True, False}
    results: dict[str, Any] = {}
    during: dict[str, Any] = {}

    def waiter(event: hitl.Event[int]) -> Any:
        def wait() -> None:
            results[event.request_id] = event.wait()

        return wait

    def outage() -> None:
        for event in events:
            until_paused(event)  # every waiter is waiting, none has its answer
        until_held(app, 3)  # and the app holds the long-polls of three
        in_thread(s3.cut)
        stopped = time.monotonic()
        response = answer(events[0], 99)  # through this process's app
        during["submit"] = (response.status_code, response.json())
        status_url = f"{events[1].endpoint}/status/{events[1].request_id}"  # `hitl serve`
        during["status"] = (get(status_url, params=token_of(events[1]))).status_code
        try:
            events[1].status()
        except Exception as exc:
            during["library"] = exc
        try:
            hitl.new_event("during", data_type=int)
        except Exception as exc:
            during["new_event"] = exc
        sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        in_thread(s3.restore)  # back, with every object it held
        for n, event in enumerate(events):
            response = submit(other_replica, event, n)
            assert response.status_code == 200, response.text

    within(120, lambda: run_concurrently([*map(waiter, events), outage]))

    # Every answer submitted after the outage reached its waiter; the one
    # submitted during it changed nothing.
    assert results == {event.request_id: n for n, event in enumerate(events)}
    code, body = during["submit"]
    assert code == 503
    assert "unavailable" in body["detail"]
    assert during["status"] == 503
    for key in ("library", "new_event"):
        assert isinstance(during[key], hitl.StoreUnavailable), repr(during[key])
        assert BUCKET in str(during[key])
    # Whoever polled the store (this process and the app) said what went wrong
    # and that it goes on.
    for logged in (caplog.text, app.output()):
        assert "the store failed while waiting for event" in logged
        assert "retrying in" in logged
        assert "the store answers again" in logged
