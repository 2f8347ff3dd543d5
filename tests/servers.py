"""Real servers on 127.0.0.1 for tests and benchmarks: `hitl serve`, moto_server, and a
TCP relay to put in front of a server and cut, like a network outage.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

__all__ = [
    "BUCKET",
    "MotoServer",
    "Relay",
    "Served",
    "free_port",
    "s3_environment",
    "start_server",
    "stop_process",
    "stop_server",
]

BUCKET = "hitl-tests"
_REQUEST_LINE = re.compile(r'"(GET|PUT|HEAD|POST|DELETE) (/\S*) HTTP/1\.\d" (\d{3})')
# The server's log colours the request line of any status but 200.
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


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
    command = [hitl] if hitl else [sys.executable, "-m", "hitl_cli"]
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


# moto_server's app behind one lock. moto checks If-None-Match and then writes,
# which its threaded server lets two requests interleave; S3 makes the pair
# atomic, and so does this lock (connections stay threaded and kept alive).
_MOTO_ATOMIC = """
import sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication, MotoRequestHandler, create_backend_app,
)
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
lock = threading.Lock()

def one_at_a_time(environ, start_response):
    with lock:
        return list(app(environ, start_response))

run_simple(sys.argv[1], int(sys.argv[2]), one_at_a_time, threaded=True,
           request_handler=MotoRequestHandler)
"""


class MotoServer:
    """moto_server's S3 in a child process, with its request log; each request is
    served whole before the next, so conditional writes are atomic as on S3."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "moto.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _MOTO_ATOMIC, "127.0.0.1", str(self.port)],
                env={**os.environ, "MOTO_PORT": str(self.port)},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited:\n{self.log.read_text(errors='replace')}")
            try:
                httpx.get(f"{self.endpoint}/moto-api/data.json", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not answer within 30 s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def create_bucket(self, name: str = BUCKET) -> str:
        httpx.put(f"{self.endpoint}/{name}", timeout=10).raise_for_status()
        return name

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every S3 request served so far, from the server's log."""
        served = []
        logged = _COLOUR.sub("", self.log.read_text(errors="replace"))
        for match in _REQUEST_LINE.finditer(logged):
            method, path, status = match.groups()
            if not path.startswith("/moto-api/"):
                served.append((method, unquote(path), int(status)))
        return served


class Relay:
    """A TCP relay from a free 127.0.0.1 port to a server's port.

    cut() closes the port and every open connection, as a network outage
    would, while the server behind keeps what it holds; restore() opens the
    same port again.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._open = self._open, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    restore = start
    stop = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    client.close()
                    server.close()
                    return
                self._open.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            # Both ends go down; the pump of the other direction then sees its
            # end of input and closes the other socket.
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._open.discard(source)
            source.close()
