"""What the benchmarks share: servers on 127.0.0.1, child processes, percentiles."""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/servers.py: the same servers the tests start

from tests.servers import (  # noqa: E402
    BUCKET,
    MotoServer,
    free_port,
    s3_environment,
    start_server,
    stop_process,
    stop_server,
)

__all__ = [
    "BUCKET",
    "MotoServer",
    "free_port",
    "hitl_serve",
    "moto",
    "percentile",
    "s3_environment",
    "stop_process",
    "summary",
]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without hitl settings, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HITL_")}
    env.update(extra)
    return env


@contextlib.contextmanager
def hitl_serve(store: str, workdir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`hitl serve` with its defaults on a free 127.0.0.1 port; yields its endpoint."""
    served = start_server(store, log_dir=workdir, env=env)
    try:
        yield served.endpoint
    finally:
        stop_server(served)


@contextlib.contextmanager
def moto(workdir: Path) -> Iterator[MotoServer]:
    """moto_server on a free 127.0.0.1 port with one bucket; stopped on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    server = MotoServer(workdir)
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
