"""A workflow run as users run it: its own process, its link read from the line hitl logs."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

FLOWS = Path(__file__).parent / "flows"
LINK = re.compile(
    r"hitl: question '(?P<name>[^']*)' \((?P<type>[^)]*)\)(?P<before>, asked before,)? "
    r"(?P<stands>waits for an answer|is answered|is cancelled|is expired) at (?P<url>\S+)"
)


class Flow:
    """A flow script in a process of its own, with the lines it writes gathered as they come."""

    def __init__(self, script: str, *args: str, env: dict[str, str], cwd: Path) -> None:
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.stderr: list[str] = []
        self.results: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            [sys.executable, str(FLOWS / script), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
            # Its own process group, which servers it starts (Prefect's) join: stop() ends all.
            start_new_session=True,
        )
        self._readers = [
            threading.Thread(target=self._read, args=(stream, kind), daemon=True)
            for stream, kind in ((self.process.stdout, "out"), (self.process.stderr, "err"))
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: Any, kind: str) -> None:
        for line in stream:
            self.lines.put((kind, line.rstrip("\n")))
        self.lines.put((kind, ""))  # the stream ended

    def _take(self, seconds: float) -> tuple[str, str] | None:
        try:
            kind, line = self.lines.get(timeout=seconds)
        except queue.Empty:
            return None
        if kind == "err":
            self.stderr.append(line)
        elif line.startswith("RESULT "):
            self.results.append(json.loads(line[len("RESULT ") :]))
        return kind, line

    def next_link(self, seconds: float = 120) -> re.Match[str]:
        """The next link line hitl logs (a new question, or one asked before)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            taken = self._take(deadline - time.monotonic())
            if taken and taken[0] == "err" and (found := LINK.search(taken[1])):
                return found
            if self.process.poll() is not None and self.lines.empty():
                break
        raise AssertionError("no link was logged:\n" + "\n".join(self.stderr[-40:]))

    def result(self, seconds: float = 120, **matching: Any) -> dict[str, Any]:
        """The first RESULT with these facts, waiting for it if need be."""
        deadline = time.monotonic() + seconds
        while True:
            for result in self.results:
                if all(result.get(k) == v for k, v in matching.items()):
                    return result
            if time.monotonic() > deadline or (
                self.process.poll() is not None and self.lines.empty()
            ):
                raise AssertionError(
                    f"no result {matching}: {self.results}\n" + "\n".join(self.stderr[-40:])
                )
            self._take(0.2)

    def finish(self, seconds: float = 180) -> int:
        """Wait for the process to end, gathering what it wrote; its exit code."""
        try:
            code = self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError("the flow did not end:\n" + "\n".join(self.stderr[-40:])) from None
        while self._take(5) is not None and not self._ended():
            pass
        return code

    def _ended(self) -> bool:
        return self.process.poll() is not None and self.lines.empty()

    def stop(self) -> None:
        """Kill the process and what it started, if they still run, and close its streams."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        for reader in self._readers:
            reader.join(30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def api_url_of(form_url: str) -> str:
    base, query = form_url.split("/form/", 1)
    return f"{base}/submit/json?{query.split('?', 1)[1]}"


def answer(form_url: str, value: Any) -> None:
    """Answer through the JSON API, as a person's curl would."""
    request_id = form_url.split("/form/", 1)[1].split("?", 1)[0]
    reply = httpx.post(
        api_url_of(form_url), json={"request_id": request_id, "value": value}, timeout=30
    )
    assert reply.status_code == 200, reply.text


def environment(home: Path, **extra: str) -> dict[str, str]:
    """A flow's environment: this test's store, a home of its own, no hitl settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HITL_", "AIRFLOW_CTX_", "FLYTE_", "PREFECT_", "_FLYTE"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        HITL_STORE=str(home / "store"),
        HITL_PORT="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
