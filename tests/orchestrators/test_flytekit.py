"""flytekit, run locally: each local run of a workflow asks its own questions (local runs
have no execution id), and the link is in a Deck of the task."""

from __future__ import annotations

import httpx
import pytest

from .running import answer

pytestmark = pytest.mark.orchestrators


def test_each_local_run_asks_its_own_question_and_shows_it_in_a_deck(start):  # type: ignore[no-untyped-def]
    flow = start("flytekit_flow.py", "plain")
    first = flow.next_link()
    asked = flow.result(task="ask")
    assert asked["in_deck"] and asked["decks"] == 1
    answer(first["url"], 1)
    assert flow.result(run=1)["outputs"] == 1

    second = flow.next_link()
    assert second["name"] == "apples" and not second["before"]
    assert second["url"] != first["url"]
    answer(second["url"], 2)
    assert flow.finish() == 0
    assert flow.result(run=2)["outputs"] == 2


def test_show_false_adds_no_deck(start):  # type: ignore[no-untyped-def]
    flow = start("flytekit_flow.py", "quiet")
    for run in (1, 2):
        asked = flow.result(task="ask", decks=0)
        reply = httpx.post(asked["api_url"], json={"request_id": asked["request_id"], "value": run})
        assert reply.status_code == 200
        assert flow.result(run=run)["outputs"] == run
        flow.results.remove(asked)
    assert flow.finish() == 0
    assert not any("waits for an answer" in line for line in flow.stderr)
