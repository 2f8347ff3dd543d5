"""What the benchmarks share: servers on 127.0.0.1, child processes, percentiles."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/s3server.py: the same moto_server the tests use

from tests.s3server import BUCKET, MotoServer, s3_environment  # noqa: E402

__all__ = [
    "BUCKET",
    "MotoServer",
    "free_port",
    "hitl_serve",
    "moto",
    "percentile",
    "s3_environment",
    "summary",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hitl_command() -> list[str]:
    hitl = shutil.which("hitl")
    return [hitl] if hitl else [sys.executable, "-m", "hitl_core.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without hitl settings, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HITL_")}
    env.update(extra)
    return env


@contextlib.contextmanager
def hitl_serve(store: str, workdir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`hitl serve` with its defaults on a free 127.0.0.1 port; yields its endpoint."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*hitl_command(), "serve", "--store", store, "--port", str(port)],
            env=clean_env(**(env or {})),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"hitl serve exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("hitl serve did not answer /health within 30 s")
            time.sleep(0.05)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def moto(workdir: Path) -> Iterator[MotoServer]:
    """moto_server on a free 127.0.0.1 port with one bucket; stopped on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = MotoServer(workdir, record=False)
    server.start()
    try:
        server.create_bucket(BUCKET)
        yield server
    finally:
        server.stop()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(values_ms: list[float]) -> str:
    return (
        f"n={len(values_ms):4d}  p50={percentile(values_ms, 0.5):8.1f} ms  "
        f"p99={percentile(values_ms, 0.99):8.1f} ms  mean={statistics.fmean(values_ms):8.1f} ms"
    )
