"""Flyte 2 in local mode (flyte.with_runcontext(mode="local")): run identity down to the
action, retries in the same process and in a new one, the link in the task's report."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ..servers import start_server, stop_server
from .running import answer

pytestmark = pytest.mark.orchestrators


def test_a_retry_in_the_same_process_finds_its_question(start, tmp_path: Path, run_name: str):  # type: ignore[no-untyped-def]
    flow = start("flyte2_flow.py", str(tmp_path), run_name, "retry")
    apples = flow.next_link()
    assert apples["name"] == "apples" and apples["type"] == "int" and not apples["before"]
    asked = flow.result(task="ask", fruit="apples")
    # The link is in the task's report while the task waits for its answer.
    assert apples["url"].replace("&", "&amp;") in Path(asked["report"]).read_text()
    answer(apples["url"], 3)

    # Attempt 2 re-attaches to the question of attempt 1 and returns its answer at once.
    again = flow.next_link()
    assert again["name"] == "apples" and again["before"] and again["url"] == apples["url"]
    assert again["stands"] == "is answered"
    pears = flow.next_link()
    assert pears["name"] == "pears" and not pears["before"]
    answer(pears["url"], 5)
    assert flow.finish() == 0
    assert flow.result(task="main")["outputs"] == [3, 5]
    apples_ids = {r["request_id"] for r in flow.results if r.get("fruit") == "apples"}
    pears_ids = {r["request_id"] for r in flow.results if r.get("fruit") == "pears"}
    assert len(apples_ids) == len(pears_ids) == 1 and apples_ids != pears_ids


def test_a_retry_in_a_new_process_finds_its_question(start, tmp_path: Path, run_name: str):  # type: ignore[no-untyped-def]
    # As in a cluster, the app lives apart from the task's process: `hitl serve`.
    (tmp_path / "home").mkdir()
    app = start_server(tmp_path / "home" / "store")
    try:
        crash_and_resume(start, tmp_path, run_name, app.endpoint)
    finally:
        stop_server(app)


def crash_and_resume(start, tmp_path: Path, run_name: str, endpoint: str):  # type: ignore[no-untyped-def]
    crashing = start("flyte2_flow.py", str(tmp_path), run_name, "crash", HITL_ENDPOINT=endpoint)
    apples = crashing.next_link()
    assert apples["url"].startswith(endpoint)
    answer(apples["url"], 4)
    assert crashing.finish() == 3  # died after the answer, before returning it

    # A new process runs the same run: the answer given to the dead one is returned at once.
    resumed = start("flyte2_flow.py", str(tmp_path), run_name, "resume", HITL_ENDPOINT=endpoint)
    again = resumed.next_link()
    assert again["name"] == "apples" and again["before"] and again["stands"] == "is answered"
    assert resumed.result(task="ask", fruit="apples", answer=4)["request_id"] in apples["url"]
    pears = resumed.next_link()
    answer(pears["url"], 6)
    assert resumed.finish() == 0
    assert resumed.result(task="main")["outputs"] == [4, 6]


def test_two_runs_of_one_workflow_ask_their_own_questions(start, tmp_path: Path, run_name: str):  # type: ignore[no-untyped-def]
    first = start("flyte2_flow.py", str(tmp_path), run_name, "plain")
    apples = first.next_link()
    answer(apples["url"], 1)
    answer(first.next_link()["url"], 2)
    assert first.finish() == 0

    second = start("flyte2_flow.py", str(tmp_path), run_name + "-b", "plain")
    other = second.next_link()
    assert other["name"] == "apples" and not other["before"]
    assert other["url"] != apples["url"]
    answer(other["url"], 10)
    answer(second.next_link()["url"], 20)
    assert second.finish() == 0
    assert second.result(task="main")["outputs"] == [10, 20]


def test_show_false_shows_the_link_nowhere(start, tmp_path: Path, run_name: str):  # type: ignore[no-untyped-def]
    flow = start("flyte2_flow.py", str(tmp_path), run_name, "quiet")
    quiet = flow.result(task="quiet")
    request_id = quiet["request_id"]
    reply = httpx.post(quiet["api_url"], json={"request_id": request_id, "value": 8}, timeout=30)
    assert reply.status_code == 200
    assert flow.finish() == 0
    assert flow.result(task="main")["outputs"] == [8]
    assert not any(request_id in line for line in flow.stderr)
    report = Path(quiet["report"])
    assert not report.exists() or "hitl-event" not in report.read_text()
