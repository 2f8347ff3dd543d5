"""Real orchestrators in local mode, each flow in a process of its own.

They run in the nox session "orchestrators", which installs them."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .running import Flow, environment


@pytest.fixture
def run_name() -> Iterator[str]:
    """A run name of this test's own; Flyte's local mode keeps its metadata under /tmp/flyte."""
    name = f"hitl-test-{uuid.uuid4().hex[:12]}"
    yield name
    shutil.rmtree(Path("/tmp/flyte/metadata") / name, ignore_errors=True)


@pytest.fixture
def flows(tmp_path: Path) -> Iterator[list[Flow]]:
    """Flows a test starts; each is stopped, by its process, when the test ends."""
    started: list[Flow] = []
    yield started
    for flow in started:
        flow.stop()


@pytest.fixture
def start(tmp_path: Path, flows: list[Flow]):  # type: ignore[no-untyped-def]
    def start(script: str, *args: str, home: str = "home", **env: str) -> Flow:
        flow = Flow(script, *args, env=environment(tmp_path / home, **env), cwd=tmp_path)
        flows.append(flow)
        return flow

    return start
