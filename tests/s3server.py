"""A real S3 server for tests and benchmarks: moto_server on a free 127.0.0.1 port.

stop() ends the process like an outage would; start() brings it back on the
same port with every object it held, by replaying moto's request recording.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import httpx

__all__ = ["MotoServer", "s3_environment"]

BUCKET = "hitl-tests"
_REQUEST_LINE = re.compile(r'"(GET|PUT|HEAD|POST|DELETE) (/\S*) HTTP/1\.\d" (\d{3})')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
        self.port = _free_port()
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
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
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
