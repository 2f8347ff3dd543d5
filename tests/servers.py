"""Real servers on 127.0.0.1 for tests and benchmarks: `hitl serve` and moto_server.

MotoServer.stop() ends the S3 server like an outage would; start() brings it
back on the same port with every object it held, by replaying moto's request
recording.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

__all__ = [
    "BUCKET",
    "MotoServer",
    "Served",
    "free_port",
    "s3_environment",
    "start_server",
    "stop_process",
    "stop_server",
]

BUCKET = "hitl-tests"
_REQUEST_LINE = re.compile(r'"(GET|PUT|HEAD|POST|DELETE) (/\S*) HTTP/1\.\d" (\d{3})')


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Terminate a child process, killing it if it does not end within 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A `hitl serve` process on 127.0.0.1."""

    endpoint: str
    store: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    store: Path | str,
    *,
    api_key: str | None = None,
    port: int | None = None,
    log_dir: Path | None = None,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Served:
    """`hitl serve` on 127.0.0.1, answering /health; env adds to this process's settings."""
    port = port or free_port()
    keep = ("HITL_S3_ENDPOINT_URL",)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HITL_") or k in keep},
        **(env or {}),
    }
    if api_key:
        env["HITL_API_KEY"] = api_key
    hitl = shutil.which("hitl") or ""
    command = [hitl] if hitl else [sys.executable, "-m", "hitl_core.cli"]
    log = (log_dir or Path(store).parent) / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                *command,
                *("serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)),
                *args,
            ],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", str(store), process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hitl serve exited early:\n{served.output()}")
        try:
            if httpx.get(f"{served.endpoint}/health", timeout=1).status_code == 200:
                return served
        except httpx.TransportError:
            time.sleep(0.05)
    stop_server(served)
    raise RuntimeError(f"hitl serve did not answer /health within 30 s:\n{served.output()}")


def stop_server(served: Served) -> None:
    stop_process(served.process)


def s3_environment(endpoint: str, home: Path) -> dict[str, str]:
    """AWS settings that reach only this server, never a real account or metadata service."""
    return {
        "AWS_ACCESS_KEY_ID": "hitl-tests",
        "AWS_SECRET_ACCESS_KEY": "hitl-tests",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "HITL_S3_ENDPOINT_URL": endpoint,
    }


class MotoServer:
    """moto_server in a child process, with its request log and a recording of its state."""

    def __init__(self, workdir: Path, *, record: bool = True) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.record = record
        self.recording = workdir / "moto-recording.jsonl"
        self.log = workdir / "moto.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server; after a stop(), with the objects it held."""
        restarting = self.recording.exists()
        env = dict(os.environ)
        if self.record:
            env.update(MOTO_ENABLE_RECORDING="true", MOTO_RECORDER_FILEPATH=str(self.recording))
        moto = shutil.which("moto_server")
        command = [moto] if moto else [sys.executable, "-m", "moto.server"]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [*command, "-H", "127.0.0.1", "-p", str(self.port)],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited:\n{self.log.read_text(errors='replace')}")
            try:
                httpx.get(f"{self.endpoint}/moto-api/data.json", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not answer within 30 s") from None
                time.sleep(0.05)
        if restarting and self.record:
            self._api("recorder/replay-recording")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def _api(self, path: str) -> None:
        httpx.post(f"{self.endpoint}/moto-api/{path}", timeout=60).raise_for_status()

    def create_bucket(self, name: str = BUCKET) -> str:
        httpx.put(f"{self.endpoint}/{name}", timeout=10).raise_for_status()
        return name

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every S3 request served so far, from the server's log."""
        served = []
        for match in _REQUEST_LINE.finditer(self.log.read_text(errors="replace")):
            method, path, status = match.groups()
            if not path.startswith("/moto-api/"):
                served.append((method, unquote(path), int(status)))
        return served
