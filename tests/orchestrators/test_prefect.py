"""Prefect 3 on its ephemeral server: run identity from the flow run and task run, a task
retried in the same process finds its question, the link is a link artifact of the run."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from .running import answer

pytestmark = pytest.mark.orchestrators

PREFECT = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Prefect starts a temporary server for the flow; on a busy machine that is slow.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
}


@pytest.mark.timeout(600)
def test_runs_retries_artifacts_and_a_blocking_wait_in_an_async_task(start, tmp_path: Path):  # type: ignore[no-untyped-def]
    flow = start(
        "prefect_flow.py", str(tmp_path), PREFECT_HOME=str(tmp_path / "prefect"), **PREFECT
    )
    links: dict[int, dict[str, str]] = {}
    for run in (1, 2):
        go = flow.next_link(seconds=300)  # the first waits for Prefect's server to start
        assert go["name"] == "go" and not go["before"]
        answer(go["url"], True)
        apples = flow.next_link()
        assert apples["name"] == "apples" and not apples["before"]
        answer(apples["url"], 10 * run)
        # Prefect retries the task in this process: attempt 2 finds the question.
        again = flow.next_link()
        assert again["name"] == "apples" and again["before"] and again["url"] == apples["url"]
        assert again["stands"] == "is answered"
        blocking = flow.next_link()
        assert blocking["name"] == "blocking"
        answer(blocking["url"], False)
        asked = {"go": go["url"], "apples": apples["url"], "blocking": blocking["url"]}
        links[run] = asked

        finished = flow.result(finished=run, seconds=120)
        assert finished["outputs"] == [True, 10 * run, False]
        # Each link is an artifact of the flow run, keyed by its request id.
        artifacts = {a["key"]: str(a["data"]) for a in finished["artifacts"]}
        for url in asked.values():
            request_id = url.split("/form/", 1)[1].split("?", 1)[0]
            assert url in artifacts[request_id], finished["artifacts"]

        seen = flow.result(task="blocking", run=run)["warnings"]
        assert any("use `await event.wait.aio()` instead" in w for w in seen)

    # Two runs of one flow never share a question.
    assert not set(links[1].values()) & set(links[2].values())

    quiet = flow.result(flow="quiet", seconds=120)
    reply = httpx.post(quiet["api_url"], json={"request_id": quiet["request_id"], "value": 3})
    assert reply.status_code == 200
    finished = flow.result(finished=3, seconds=120)
    assert finished["outputs"] == [3]
    assert finished["artifacts"] == []
    assert flow.finish() == 0
    assert not any(quiet["request_id"] in line for line in flow.stderr)
