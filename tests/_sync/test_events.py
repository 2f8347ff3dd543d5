# WARNING: generated from tests/_async/test_events.py by codegen/unasync.py. DO NOT EDIT.
"""Creating events, answering them over HTTP, and what wait() returns."""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import Any, Literal

import pydantic
import pytest
from typing_extensions import TypedDict

import hitl_sync as hitl
from hitl_core import runtime

from ._compat import sleep, within
from .helpers import answer, get

pytestmark = pytest.mark.anyio
FAST = {"poll_interval_seconds": 0.05}


class Opaque:
    """A class pydantic cannot validate."""


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Movie(TypedDict):
    title: str
    year: int


class Release(pydantic.BaseModel):
    version: str
    approved: bool


@pytest.mark.parametrize(
    ("data_type", "submitted", "expected"),
    [
        (bool, True, True),
        (bool, "false", False),
        (bool, "yes", True),
        (int, "42", 42),
        (int, -7, -7),
        (float, "2.5", 2.5),
        (float, 3, 3.0),
        (str, "ship it", "ship it"),
        (str, "", ""),
    ],
)
def test_seed_types_round_trip(data_type: type[Any], submitted: Any, expected: Any) -> None:
    event = hitl.new_event("value", data_type=data_type, prompt="Give a value", **FAST)
    response = answer(event, submitted)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"
    result = event.wait()
    assert result == expected
    assert type(result) is data_type


@pytest.mark.parametrize(
    ("data_type", "submitted", "expected"),
    [
        (Colour, "green", Colour.GREEN),
        (Literal["low", "high"], "high", "high"),
        (Literal[1, 2, 3], "2", 2),
        (Point, {"x": 1, "y": 2}, Point(1, 2)),
        (Point, '{"x": 3, "y": 4}', Point(3, 4)),
        (Movie, {"title": "Alien", "year": 1979}, {"title": "Alien", "year": 1979}),
        (Release, {"version": "1.2", "approved": True}, Release(version="1.2", approved=True)),
        (list[int], [1, 2, 3], [1, 2, 3]),
        (list[int], "[4, 5]", [4, 5]),
        (dict[str, int], {"a": 1}, {"a": 1}),
    ],
)
def test_json_types_return_as_declared(data_type: Any, submitted: Any, expected: Any) -> None:
    event = hitl.new_event("typed", data_type=data_type, **FAST)
    response = answer(event, submitted)
    assert response.status_code == 200, response.text
    result = event.wait()
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("data_type", "submitted"),
    [
        (bool, "banana"),
        (int, "1.5"),
        (int, True),
        (float, "nan"),
        (str, 5),
        (Colour, "blue"),
        (Point, {"x": "one", "y": 2}),
        (list[int], "not json"),
    ],
)
def test_invalid_values_are_refused_and_change_nothing(data_type: Any, submitted: Any) -> None:
    event = hitl.new_event("strict", data_type=data_type, **FAST)
    response = answer(event, submitted)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert (event.status()).state == "pending"


def test_answered_request_returns_at_once_and_reattaches() -> None:
    first = hitl.new_event("approve", data_type=bool, key="deploy-42", **FAST)
    assert (answer(first, True)).status_code == 200
    again = hitl.new_event("approve", data_type=bool, key="deploy-42", poll_interval_seconds=60)
    assert again.request_id == first.request_id
    assert again.form_url == first.form_url
    assert again.wait() is True


def test_nth_call_in_a_run_is_its_own_request() -> None:
    first = hitl.new_event("step", data_type=int, run_id="run-a")
    second = hitl.new_event("step", data_type=int, run_id="run-a")
    other_run = hitl.new_event("step", data_type=int, run_id="run-b")
    assert len({first.request_id, second.request_id, other_run.request_id}) == 3


def test_same_key_with_another_type_is_refused() -> None:
    hitl.new_event("approve", data_type=bool, key="typed-key")
    with pytest.raises(hitl.InvalidValue, match="already exists"):
        hitl.new_event("approve", data_type=int, key="typed-key")


# A poll interval far past the deadline: if wait() slept whole intervals instead
# of honouring its deadline, within() would fail these tests.
SLOW_POLL = {"poll_interval_seconds": 600}


def test_timeout_returns_default_and_expires_the_event() -> None:
    event = hitl.new_event("late", data_type=int, timeout_seconds=0.2, default=7, **SLOW_POLL)
    assert within(30, event.wait) == 7
    assert (event.status()).state == "expired"
    response = answer(event, 3)
    assert response.status_code == 410
    assert (event.status()).state == "expired"


def test_timeout_without_default_raises_event_timeout() -> None:
    event = hitl.new_event("late", data_type=int, timeout_seconds=0.2, **SLOW_POLL)
    with pytest.raises(hitl.EventTimeout) as caught:
        within(30, event.wait)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.request_id == event.request_id


def test_deadline_holds_with_nobody_waiting(where: str) -> None:
    event = hitl.new_event("unattended", data_type=int, timeout_seconds=0.2)
    sleep(0.4)
    assert (event.status()).state == "expired"
    response = answer(event, 3)
    assert response.status_code == 410
    assert response.json()["status"] == "expired"


def test_cancel_after_the_deadline_leaves_the_event_expired(where: str) -> None:
    first = hitl.new_event("late", data_type=int, key="missed", timeout_seconds=0.2)
    sleep(0.4)  # the deadline passes with nobody waiting
    first.cancel()  # nothing to cancel any more
    assert (first.status()).state == "expired"
    # The task restarts: it gets its default, as an expired event gives.
    again = hitl.new_event(
        "late", data_type=int, key="missed", timeout_seconds=0.2, default=7, **SLOW_POLL
    )
    assert within(30, again.wait) == 7


def test_restarted_wait_keeps_the_stored_deadline() -> None:
    first = hitl.new_event("stored", data_type=int, key="deadline", timeout_seconds=0.3)
    # The task restarts and asks again, with a far longer timeout: the stored one stands.
    again = hitl.new_event(
        "stored", data_type=int, key="deadline", timeout_seconds=3600, **SLOW_POLL
    )
    assert again.request_id == first.request_id
    with pytest.raises(hitl.EventTimeout):
        within(30, again.wait)


def test_a_failed_call_gives_its_number_back(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store should be")
    with pytest.raises(hitl.StoreError):
        hitl.new_event("retried", data_type=int, store=str(blocked))
    first_try = hitl.new_event("retried", data_type=int, store=str(tmp_path / "store-ok"))
    runtime.current().forget_occurrences()  # a restart, with no failure this time
    restarted = hitl.new_event("retried", data_type=int, store=str(tmp_path / "store-ok"))
    assert restarted.request_id == first_try.request_id


def test_cancel_makes_waiters_raise_and_closes_the_form(where: str) -> None:
    event = hitl.new_event("doomed", data_type=str, **FAST)
    event.cancel()
    with pytest.raises(hitl.EventCancelled):
        event.wait()
    assert (answer(event, "too late")).status_code == 410
    event.cancel()  # cancelling twice is harmless


def test_cancel_after_an_answer_raises_already_answered() -> None:
    event = hitl.new_event("answered", data_type=int, **FAST)
    assert (answer(event, 5)).status_code == 200
    with pytest.raises(hitl.AlreadyAnswered) as caught:
        event.cancel()
    assert caught.value.value == 5
    assert event.wait() == 5


def test_status_reports_pending_then_answered(where: str) -> None:
    event = hitl.new_event("watched", data_type=float, **FAST)
    status = event.status()
    assert (status.state, status.value, status.done) == ("pending", None, False)
    assert (answer(event, "1.25")).status_code == 200
    status = event.status()
    assert (status.state, status.value, status.done) == ("answered", 1.25, True)


def test_event_create_is_new_event() -> None:
    event = hitl.Event.create("created", data_type=bool, prompt="Via create?")
    assert event.prompt == "Via create?"
    assert event.scope == "run"
    assert event.data_type is bool
    assert event.form_url.startswith(event.endpoint + "/form/" + event.request_id + "?token=")
    assert (get(event.form_url)).status_code == 200


def test_public_url_is_used_in_links(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITL_PUBLIC_URL", "https://hitl.example.com/")
    event = hitl.new_event("public", data_type=bool)
    assert event.form_url.startswith("https://hitl.example.com/form/")
    assert event.api_url.startswith("https://hitl.example.com/submit/json?token=")
    assert event.endpoint.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"data_type": Opaque}, TypeError),
        ({"data_type": bool, "timeout_seconds": 0}, ValueError),
        ({"data_type": bool, "poll_interval_seconds": -1}, ValueError),
        ({"data_type": bool, "scope": ""}, ValueError),
    ],
)
def test_bad_arguments_fail_clearly(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        hitl.new_event("bad", **kwargs)


def test_fsspec_store_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    monkeypatch.setenv("HITL_STORE", f"memory://hitl-{uuid.uuid4().hex}")
    event = hitl.new_event("in-memory", data_type=int, **FAST)
    assert (answer(event, "9")).status_code == 200
    assert event.wait() == 9
