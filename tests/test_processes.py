"""Tasks as separate processes: killed and restarted, interrupted, cancelled from outside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import hitl_sync

from .conftest import FLAVORS, Lines
from .servers import Served, free_port

pytestmark = pytest.mark.once
WAITER = str(Path(__file__).with_name("waiter.py"))


class Waiter:
    """A waiter.py process and the JSON lines it prints."""

    def __init__(self, flavor: str, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, WAITER, flavor, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.lines = Lines(self.process.stdout)

    def line(self) -> dict[str, Any]:
        text = self.lines.next(timeout=60)
        if not text:
            self.process.wait(10)
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(
                f"waiter printed nothing (exit {self.process.returncode}):\n{stderr}"
            )
        return dict(json.loads(text))

    def finish(self) -> int:
        code = self.process.wait(60)
        self.lines.join()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        return code


@pytest.fixture
def env(isolated_settings: Path) -> dict[str, str]:
    return dict(os.environ)


@pytest.fixture
def waiters() -> Iterator[list[Waiter]]:
    started: list[Waiter] = []
    yield started
    for waiter in started:
        if waiter.process.poll() is None:
            waiter.process.kill()
        waiter.finish()


@pytest.mark.parametrize("flavor", FLAVORS)
def test_killed_task_reattaches_and_gets_the_answer_given_meanwhile(
    flavor: str, remote: Served, env: dict[str, str], waiters: list[Waiter]
) -> None:
    env = {**env, "HITL_ENDPOINT": remote.endpoint, "HITL_STORE": str(remote.store)}
    first = Waiter(flavor, env, "--poll", "60")
    waiters.append(first)
    asked = first.line()
    first.process.send_signal(signal.SIGKILL)
    first.finish()

    body = {"request_id": asked["request_id"], "value": "41"}
    assert httpx.post(asked["api_url"], json=body, timeout=30).status_code == 200

    second = Waiter(flavor, env, "--poll", "60")
    waiters.append(second)
    again = second.line()
    assert again == asked  # same request id, same form and API URLs
    assert second.line() == {"answer": 41}
    assert second.finish() == 0


@pytest.mark.parametrize("flavor", FLAVORS)
def test_restarted_embedded_server_keeps_the_form_url(
    flavor: str, env: dict[str, str], isolated_settings: Path, waiters: list[Waiter]
) -> None:
    env = {**env, "HITL_PORT": str(free_port())}
    first = Waiter(flavor, env, "--poll", "60")
    waiters.append(first)
    asked = first.line()
    first.process.send_signal(signal.SIGKILL)
    first.finish()

    # While the task is down, someone answers on the same store, with the CLI.
    answered = subprocess.run(
        [sys.executable, "-m", "hitl_cli", "answer", asked["request_id"], "8"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answered.returncode == 0, answered.stderr

    second = Waiter(flavor, env, "--poll", "60")
    waiters.append(second)
    assert second.line()["form_url"] == asked["form_url"]
    assert second.line() == {"answer": 8}
    assert second.finish() == 0


@pytest.mark.parametrize("flavor", FLAVORS)
def test_interrupted_wait_exits_cleanly_and_leaves_the_event_pending(
    flavor: str, env: dict[str, str], waiters: list[Waiter]
) -> None:
    waiter = Waiter(flavor, env, "--key", f"interrupt-{flavor}", "--poll", "60")
    waiters.append(waiter)
    waiter.line()
    waiter.process.send_signal(signal.SIGINT)
    # A thread or task left behind would keep the process alive past this wait.
    assert waiter.line() == {"error": "KeyboardInterrupt"}
    assert waiter.finish() == 130
    event = hitl_sync.new_event("restartable", data_type=int, key=f"interrupt-{flavor}")
    assert event.status().state == "pending"


@pytest.mark.parametrize("flavor", FLAVORS)
def test_cancel_from_another_process(
    flavor: str, env: dict[str, str], waiters: list[Waiter]
) -> None:
    waiter = Waiter(flavor, env, "--key", f"cancel-{flavor}", "--poll", "0.05")
    waiters.append(waiter)
    asked = waiter.line()
    event = hitl_sync.new_event("restartable", data_type=int, key=f"cancel-{flavor}")
    assert event.request_id == asked["request_id"]
    event.cancel()
    assert waiter.line() == {"error": "EventCancelled"}
    assert waiter.finish() == 1
