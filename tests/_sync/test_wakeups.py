# WARNING: generated from tests/_async/test_wakeups.py by codegen/unasync.py. DO NOT EDIT.
"""Answers reach waiters at once: same-process wake-ups and the app's long-poll."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import hitl_sync as hitl

from ..servers import Served, free_port, start_server, stop_server
from ._compat import Call, in_thread, run_concurrently, sleep, within
from .helpers import answer, get, post, token_of

pytestmark = [pytest.mark.anyio, pytest.mark.every_store]
# Only a wake-up can end these waits in time: the next storage poll is ten minutes away.
SLOW = {"poll_interval_seconds": 600}


def answered_while_waiting(event: hitl.Event[Any], act: Any) -> list[Any]:
    """What wait() returned (or raised) while act() ran beside it."""
    results: list[Any] = []

    def waiter() -> None:
        try:
            results.append(event.wait())
        except hitl.HitlError as exc:
            results.append(exc)

    def actor() -> None:
        sleep(0.2)
        act()

    within(30, lambda: run_concurrently([waiter, actor]))
    return results


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
    isolated_settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HITL_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nobody listens
    event = hitl.new_event("fallback", data_type=int, poll_interval_seconds=0.2)
    # The person reaches another server on the same store.
    other = in_thread(
        lambda: start_server(os.environ["HITL_STORE"], log_dir=Path(isolated_settings).parent)
    )
    try:

        def person() -> None:
            response = post(
                f"{other.endpoint}/submit/json",
                params=token_of(event),
                json={"request_id": event.request_id, "value": 5},
            )
            assert response.status_code == 200, response.text

        assert answered_while_waiting(event, person) == [5]
    finally:
        in_thread(lambda: stop_server(other))
    assert "cannot long-poll" in caplog.text


def test_long_poll_returns_when_the_event_closes(where: str) -> None:
    event = hitl.new_event("held", data_type=int, **SLOW)
    url = f"{event.endpoint}/events/{event.request_id}/wait"
    replies: list[dict[str, Any]] = []

    def held() -> None:
        replies.append((get(url, params={**token_of(event), "timeout": "30"})).json())

    def person() -> None:
        sleep(0.2)
        assert (answer(event, 3)).status_code == 200

    within(25, lambda: run_concurrently([held, person]))
    assert [(r["status"], r["value"]) for r in replies] == [("answered", 3)]
    again = get(url, params={**token_of(event), "timeout": "30"})
    assert (again.json()["status"], again.json()["value"]) == ("answered", 3)


def test_long_poll_with_no_time_left_answers_pending(where: str) -> None:
    event = hitl.new_event("held", data_type=int, **SLOW)
    url = f"{event.endpoint}/events/{event.request_id}/wait"
    reply = get(url, params={**token_of(event), "timeout": "0"})
    assert reply.status_code == 200
    assert reply.json()["status"] == "pending"


@pytest.mark.parametrize("timeout", ["-1", "61", "soon", "nan", "inf"])
def test_long_poll_refuses_a_bad_timeout(where: str, timeout: str) -> None:
    event = hitl.new_event("held", data_type=int, **SLOW)
    url = f"{event.endpoint}/events/{event.request_id}/wait"
    reply = get(url, params={**token_of(event), "timeout": timeout})
    assert reply.status_code == 400
    assert "timeout" in reply.json()["detail"]


def test_long_poll_needs_the_event_token(where: str, served: Served) -> None:
    event = hitl.new_event("held", data_type=int, **SLOW)
    url = f"{event.endpoint}/events/{event.request_id}/wait"
    assert (get(url, params={"timeout": "0"})).status_code == 401
    assert (get(url, params={"timeout": "0", "token": "wrong"})).status_code == 403
    unknown = f"{event.endpoint}/events/no-such-event-00/wait"
    assert (get(unknown, params={**token_of(event), "timeout": "0"})).status_code == 404


def test_long_polls_held_per_event_are_bounded(where: str) -> None:
    event = hitl.new_event("held", data_type=int, **SLOW)
    url = f"{event.endpoint}/events/{event.request_id}/wait"
    codes: list[int] = []

    def holder() -> Call:
        def hold() -> None:
            codes.append((get(url, params={**token_of(event), "timeout": "5"})).status_code)

        return hold

    def person() -> None:
        sleep(1)  # the holders are held
        assert (answer(event, 1)).status_code == 200

    within(30, lambda: run_concurrently([*(holder() for _ in range(12)), person]))
    assert sorted(codes) == [200] * 8 + [429] * 4
