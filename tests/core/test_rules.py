"""The rules of an event's life, on documents and a clock the test controls."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl_core import codec, documents, rules
from hitl_core.errors import AlreadyAnswered, InvalidValue

START = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
TIMEOUT = 60.0


def event(data_type: Any = int, timeout: float = TIMEOUT) -> dict[str, Any]:
    return documents.event_document(
        request_id="question-0123456789abcdef01234567",
        name="question",
        scope="run",
        run_id="run",
        prompt="How many?",
        type_description=codec.describe(data_type).describe(),
        token_hash="0" * 64,
        timeout_seconds=timeout,
        now=START,
    )


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def state(event: dict[str, Any], outcome: dict[str, Any] | None, now: datetime) -> str:
    holding = rules.effective(event, outcome, now)
    return "pending" if holding is None else str(holding["state"])


def test_a_pending_event_takes_a_valid_answer() -> None:
    asked = event(int)
    answer = rules.answer(asked, None, "42", via="api", now=at(1))
    assert (answer["state"], answer["value"], answer["via"]) == ("answered", 42, "api")
    assert state(asked, answer, at(2)) == "answered"
    assert rules.settled_answer(answer, answer) is answer


def test_an_invalid_answer_is_refused() -> None:
    with pytest.raises(InvalidValue, match="whole number"):
        rules.answer(event(int), None, "1.5", via="api", now=at(1))
    with pytest.raises(InvalidValue, match="a value is required"):
        rules.answer(event(int), None, rules.MISSING, via="form", now=at(1))


def test_the_first_outcome_stands() -> None:
    asked = event(int)
    first = rules.answer(asked, None, 1, via="api", now=at(1))
    with pytest.raises(AlreadyAnswered) as caught:
        rules.answer(asked, first, 2, via="api", now=at(2))
    assert (caught.value.state, caught.value.value) == ("answered", 1)
    # Two answers raced; the other one was written first.
    mine = rules.answer(asked, None, 2, via="api", now=at(1))
    with pytest.raises(AlreadyAnswered):
        rules.settled_answer(mine, first)


def test_past_the_deadline_an_event_is_expired_recorded_or_not() -> None:
    asked = event(int)
    assert state(asked, None, at(TIMEOUT - 1)) == "pending"
    assert rules.due_expiry(asked, None, at(TIMEOUT - 1)) is None
    assert state(asked, None, at(TIMEOUT)) == "expired"
    due = rules.due_expiry(asked, None, at(TIMEOUT + 9))
    assert due is not None and due["state"] == "expired"
    assert due["at"] == asked["expires_at"]  # dated at the deadline, whenever recorded
    with pytest.raises(AlreadyAnswered) as caught:
        rules.answer(asked, None, 3, via="api", now=at(TIMEOUT + 1))
    assert caught.value.state == "expired"


def test_a_cancel_closes_a_pending_event_once() -> None:
    asked = event(int)
    cancelled = rules.cancel(asked, None, via="api", now=at(1))
    assert cancelled is not None and cancelled["state"] == "cancelled"
    assert rules.cancel(asked, cancelled, via="api", now=at(2)) is None  # twice is harmless
    assert rules.settled_cancel(asked["request_id"], cancelled) is cancelled


def test_a_cancel_after_an_answer_is_refused() -> None:
    asked = event(int)
    answer = rules.answer(asked, None, 5, via="api", now=at(1))
    with pytest.raises(AlreadyAnswered) as caught:
        rules.cancel(asked, answer, via="api", now=at(2))
    assert (caught.value.state, caught.value.value) == ("answered", 5)


def test_a_cancel_after_the_deadline_leaves_the_event_expired() -> None:
    asked = event(int)
    for outcome in (None, rules.expiry(asked["request_id"], via="timeout", now=at(TIMEOUT))):
        with pytest.raises(AlreadyAnswered) as caught:
            rules.cancel(asked, outcome, via="api", now=at(TIMEOUT + 5))
        assert caught.value.state == "expired"


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["answer", "cancel", "expire", "bad answer"]),
        st.floats(min_value=0, max_value=2 * TIMEOUT),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(ACTIONS)
def test_whatever_happens_the_first_outcome_written_stands(actions: list[Any]) -> None:
    """Any sequence of actions, applied as a store would (create-if-absent):
    the stored outcome only changes from none to the first outcome written,
    and the state reported is what that outcome (or the deadline) says."""
    asked = event(int)
    stored: dict[str, Any] | None = None
    for action, seconds in sorted(actions, key=lambda item: item[1]):
        now = at(seconds)
        wanted: dict[str, Any] | None = None
        try:
            due = rules.due_expiry(asked, stored, now)
            if due is not None:
                stored = stored or due
            if action == "answer":
                wanted = rules.answer(asked, stored, 7, via="api", now=now)
            elif action == "bad answer":
                wanted = rules.answer(asked, stored, "seven", via="api", now=now)
            elif action == "cancel":
                wanted = rules.cancel(asked, stored, via="api", now=now)
            else:
                wanted = rules.expiry(asked["request_id"], via="timeout", now=now)
        except (AlreadyAnswered, InvalidValue) as refused:
            if isinstance(refused, AlreadyAnswered):
                assert stored is not None or seconds >= TIMEOUT
                assert refused.state == state(asked, stored, now)
            continue
        before = stored
        stored = stored or wanted
        assert before is None or stored is before
        if action == "answer" and before is None:
            assert seconds < TIMEOUT  # no answer is accepted past the deadline
        assert state(asked, stored, now) in ("pending", "answered", "cancelled", "expired")
    if stored is not None:
        assert state(asked, stored, at(10 * TIMEOUT)) == stored["state"]
