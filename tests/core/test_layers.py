"""Imports point one way: a blocking program that never serves loads no web framework."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..servers import free_port

WEB = ("quart", "hypercorn", "werkzeug", "jinja2", "hitl_web")

BLOCKING_TASK = """
import json, sys
import hitl_sync as hitl
event = hitl.new_event("remote", data_type=int, prompt="How many?", timeout_seconds=0.5, default=0)
event.status()
assert event.wait() == 0  # long-polling the endpoint, which does not answer
print(json.dumps(sorted(sys.modules)))
"""


def test_a_blocking_task_served_elsewhere_loads_no_web_framework(isolated_settings: Path) -> None:
    env = {**os.environ, "HITL_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    done = subprocess.run(
        [sys.executable, "-c", BLOCKING_TASK], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert "hitl_sync" in loaded
    assert not loaded & set(WEB), sorted(loaded & set(WEB))
    assert "hitl_async" not in loaded  # nor the async flavor


def test_importing_either_flavor_loads_no_web_framework() -> None:
    code = "import sys, hitl_async, hitl_sync; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not any(f"'{name}'" in done.stdout for name in WEB)
