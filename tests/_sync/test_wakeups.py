# WARNING: generated from tests/_async/test_wakeups.py by codegen/unasync.py. DO NOT EDIT.
"""Answers reach waiters at once: same-process wake-ups and the app's long-poll."""

from __future__ import annotations

from typing import Any

import pytest

import hitl_sync as hitl

from ..servers import Served, free_port
from .helpers import answer, post, token_of, until_paused, waited

pytestmark = pytest.mark.anyio
# Only a wake-up can end these waits in time: the next storage poll is ten minutes away.
SLOW = {"poll_interval_seconds": 600}


def answered_while_waiting(event: hitl.Event[Any], act: Any) -> list[Any]:
    """What wait() returned (or raised) when act() ran once the wait was paused."""

    def actor() -> None:
        until_paused(event)
        act()

    return waited(event, actor, seconds=30)


@pytest.mark.every_store
def test_an_answer_wakes_its_waiter_at_once(where: str) -> None:
    event = hitl.new_event("wake", data_type=int, **SLOW)

    def person() -> None:
        assert (answer(event, 7)).status_code == 200

    assert answered_while_waiting(event, person) == [7]


def test_a_cancel_wakes_its_waiter_at_once(where: str) -> None:
    event = hitl.new_event("wake", data_type=int, **SLOW)
    results = answered_while_waiting(event, event.cancel)
    assert [type(result) for result in results] == [hitl.EventCancelled]


def test_a_cancel_through_the_api_wakes_its_waiter(where: str) -> None:
    event = hitl.new_event("wake", data_type=int, **SLOW)

    def operator() -> None:
        url = f"{event.endpoint}/events/{event.request_id}/cancel"
        assert (post(url, params=token_of(event))).status_code == 200

    results = answered_while_waiting(event, operator)
    assert [type(result) for result in results] == [hitl.EventCancelled]


def test_waiters_fall_back_to_polling_when_the_app_is_unreachable(
    served: Served, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HITL_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("HITL_STORE", served.store)
    event = hitl.new_event("fallback", data_type=int, poll_interval_seconds=0.2)

    def person() -> None:
        # Another server on the same store takes the answer: only polling finds it.
        response = post(
            f"{served.endpoint}/submit/json",
            params=token_of(event),
            json={"request_id": event.request_id, "value": 5},
        )
        assert response.status_code == 200, response.text

    assert answered_while_waiting(event, person) == [5]
    assert "cannot long-poll" in caplog.text
