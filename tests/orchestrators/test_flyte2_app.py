"""hitl's Flyte 2 app environment: what it deploys (its command and environment), and the
app served locally by Flyte, answering the questions of a local run that uses it.

A cluster cannot run here: deploying the app and the tasks that find it through
Flyte's app endpoints are not tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..servers import free_port
from .running import answer

pytestmark = pytest.mark.orchestrators


def test_the_app_environment_served_locally_answers_a_local_run(
    start, tmp_path: Path, run_name: str
):  # type: ignore[no-untyped-def]
    port = free_port()
    store = tmp_path / "app-store"
    flow = start("flyte2_app.py", str(tmp_path), run_name, str(store), str(port))
    # What the environments deploy: `hitl serve` behind Flyte's ingress, the store shared.
    default = flow.result(built="default")
    assert default["command"] == ["hitl", "serve", "--port", "8080"]
    assert default["env_vars"] == {"HITL_HOST": "0.0.0.0"}
    assert default["depends_on"] == ["hitl"]
    built = flow.result(built="hitl-local")
    assert built["command"] == ["hitl", "serve", "--port", str(port)] and built["port"] == port
    assert built["env_vars"] == {"HITL_HOST": "0.0.0.0", "HITL_STORE": str(store)}
    assert built["tasks_env_vars"] == {"HITL_FLYTE_APP": "hitl-local", "HITL_STORE": str(store)}
    assert built["depends_on"] == ["hitl-local"]

    link = flow.next_link()
    assert link["url"].startswith(f"http://localhost:{port}/form/")
    assert flow.result(endpoint=f"http://localhost:{port}")
    answer(link["url"], True)
    assert flow.finish() == 0
    assert flow.result(approved=True) and flow.result(stopped=True)
    assert list((store / "events").glob("approve-*.json"))  # the app's store, as configured
