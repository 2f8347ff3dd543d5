# WARNING: generated from tests/_async/test_replicas.py by codegen/unasync.py. DO NOT EDIT.
"""Two `hitl serve` replicas on one S3 store behave as one service."""

from __future__ import annotations

from typing import Any

import pytest

import hitl_sync as hitl

from ..servers import Served
from ._compat import Call, run_concurrently, within
from .helpers import get, post, token_of, until_paused

# Slow: once per run, on one flavor; each flavor has a slow fault test of its own.
pytestmark = [pytest.mark.anyio, pytest.mark.slow(flavor="trio")]
# Only a wake-up can end these waits in time: the next storage poll is ten minutes away.
SLOW = {"poll_interval_seconds": 600}


def submit(replica: Served, event: hitl.Event[Any], value: Any) -> Any:
    return post(
        f"{replica.endpoint}/submit/json",
        params=token_of(event),
        json={"request_id": event.request_id, "value": value},
    )


def test_fifty_racing_submissions_through_two_replicas_store_one(
    replicas: tuple[Served, Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HITL_ENDPOINT", replicas[0].endpoint)
    event = hitl.new_event("race", data_type=int, poll_interval_seconds=0.2)
    results: list[tuple[int, Any]] = []

    def submitter(value: int) -> Call:
        def send() -> None:
            response = submit(replicas[value % 2], event, value)
            results.append((response.status_code, response.json().get("value")))

        return send

    within(60, lambda: run_concurrently([submitter(value) for value in range(50)]))
    winners = [value for code, value in results if code == 200]
    assert len(winners) == 1
    assert sorted(code for code, _ in results) == [200] + [409] * 49
    assert {value for code, value in results if code == 409} == set(winners)
    assert event.wait() == winners[0]
    for replica in replicas:
        status = get(f"{replica.endpoint}/status/{event.request_id}", params=token_of(event))
        assert (status.json()["status"], status.json()["value"]) == ("answered", winners[0])


@pytest.mark.parametrize("links_to", [0, 1])
def test_any_replica_serves_an_event_linked_to_another(
    replicas: tuple[Served, Served], monkeypatch: pytest.MonkeyPatch, links_to: int
) -> None:
    linked, other = replicas[links_to], replicas[1 - links_to]
    monkeypatch.setenv("HITL_ENDPOINT", linked.endpoint)
    event = hitl.new_event("approve", data_type=bool, prompt="Ship build 42?", **SLOW)
    assert event.form_url.startswith(linked.endpoint)

    form = get(f"{other.endpoint}/form/{event.request_id}", params=token_of(event))
    assert form.status_code == 200
    assert "Ship build 42?" in form.text
    status = get(f"{other.endpoint}/status/{event.request_id}", params=token_of(event))
    assert status.json()["status"] == "pending"

    answers: list[bool] = []

    def waiter() -> None:
        answers.append(event.wait())

    def person() -> None:
        until_paused(event)  # the waiter holds a long-poll on the replica its links name
        response = submit(other, event, True)
        assert response.status_code == 200, response.text

    # The waiter long-polls `linked`, which finds the answer `other` stored.
    within(30, lambda: run_concurrently([waiter, person]))
    assert answers == [True]
    status = get(f"{linked.endpoint}/status/{event.request_id}", params=token_of(event))
    assert (status.json()["status"], status.json()["value"]) == ("answered", True)


def test_racing_votes_through_two_replicas_count_once(
    replicas: tuple[Served, Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HITL_ENDPOINT", replicas[0].endpoint)
    team = ["alice", "bob", "carol", "dan"]
    event = hitl.new_event(
        "deploy", data_type=hitl.Approval, respondents=team, quorum="all", **SLOW
    )
    results: list[tuple[str, int]] = []

    def voter(person: str, attempt: int) -> Call:
        def send() -> None:
            response = post(
                f"{replicas[attempt % 2].endpoint}/submit/json",
                params={"token": event.link_for(person).split("token=", 1)[1]},
                json={"request_id": event.request_id, "value": True, "comment": f"#{attempt}"},
            )
            results.append((person, response.status_code))

        return send

    # Twenty votes by one person: one counts.
    within(60, lambda: run_concurrently([voter("alice", n) for n in range(20)]))
    assert sorted(code for _, code in results) == [200] + [409] * 19
    assert (event.status()).state == "pending"
    # Then the others at once, through both replicas, each twice.
    results.clear()
    within(60, lambda: run_concurrently([voter(p, n) for p in team[1:] for n in range(2)]))
    for person in team[1:]:
        assert sorted(code for who, code in results if who == person) == [200, 409]
    decision = within(60, event.wait)
    assert decision.approved is True
    assert sorted(decision.by) == sorted(team)
    status = get(f"{replicas[1].endpoint}/status/{event.request_id}", params=token_of(event))
    assert sorted(v["by"] for v in status.json()["votes"]) == sorted(team)
