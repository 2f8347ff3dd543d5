"""hitl serve --workers: several processes on one port and one store, stopped together."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import hitl_sync

from .servers import start_server, stop_server

pytestmark = pytest.mark.once


def _workers(pid: int) -> list[int]:
    """The child processes of pid (Linux's /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie is gone too: it only waits to be reaped.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def _until(condition: object, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux's /proc")
def test_two_workers_answer_every_event_once_and_stop_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    served = start_server(store, args=("--workers", "2"))
    try:
        workers = _workers(served.process.pid)
        assert len(workers) == 2
        monkeypatch.setenv("HITL_STORE", str(store))
        monkeypatch.setenv("HITL_ENDPOINT", served.endpoint)
        events = [hitl_sync.new_event(f"w{i}", data_type=int, key=f"w{i}") for i in range(40)]
        # A connection each, so that both workers take some.
        for number, event in enumerate(events):
            token = parse_qs(urlsplit(event.form_url).query)["token"][0]
            body = {"request_id": event.request_id, "value": number}
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client() as client:
                assert client.post(event.api_url, json=body, headers=headers).status_code == 200
                again = client.post(event.api_url, json=body, headers=headers)
                assert again.status_code == 409
        assert [event.wait() for event in events] == list(range(40))

        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(15) == 0
        assert all(_gone(pid) for pid in workers)
    finally:
        stop_server(served)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux's /proc")
def test_a_dead_worker_stops_the_server_and_a_killed_server_its_workers(tmp_path: Path) -> None:
    served = start_server(tmp_path / "store", args=("--workers", "2"))
    try:
        first, second = _workers(served.process.pid)
        os.kill(first, signal.SIGKILL)
        assert served.process.wait(15) == 1
        assert _until(lambda: _gone(second))
        assert "ended unasked" in served.output()
    finally:
        stop_server(served)

    served = start_server(tmp_path / "store", args=("--workers", "2"))
    try:
        workers = _workers(served.process.pid)
        served.process.kill()
        served.process.wait(15)
        assert _until(lambda: all(_gone(pid) for pid in workers))
    finally:
        stop_server(served)


def test_workers_must_be_a_positive_number(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="workers"):
        start_server(tmp_path / "store", args=("--workers", "0"))
