"""The timing decisions of a wait, on a fake clock (seconds as plain numbers)."""

from __future__ import annotations

import logging

import pytest

from hitl_core.waiting import LONG_POLL, SIGNAL, WaitSchedule, next_tick

INTERVAL = 5.0


def schedule(
    *, start: float = 101.0, timeout: float = 60.0, long_poll: bool = False
) -> WaitSchedule:
    return WaitSchedule(
        request_id="q-1",
        started=start,
        until=start + timeout,
        poll_interval=INTERVAL,
        long_poll=long_poll,
    )


def test_ticks_fall_on_multiples_of_the_interval() -> None:
    assert next_tick(101.0, 5) == 105.0
    assert next_tick(105.0, 5) == 110.0
    assert next_tick(0.2, 0.5) == 0.5


def test_a_polling_wait_pauses_until_the_next_tick_and_counts_as_polling() -> None:
    wait = schedule()
    assert wait.first
    pause = wait.nothing_yet(101.0, long_poll_reachable=False)
    assert (pause.until, pause.long_poll, pause.polling) == (105.0, False, True)
    assert not wait.first
    wait.resumed(pause, None, 105.01)
    assert not wait.read_now and wait.since == 105.0  # a listing from the tick on counts


def test_the_deadline_cuts_a_pause_short() -> None:
    wait = schedule(start=101.0, timeout=2.0)
    pause = wait.nothing_yet(102.5, long_poll_reachable=False)
    assert pause.until == 103.0
    assert not wait.deadline_reached(102.99)
    assert wait.deadline_reached(103.0)


def test_a_wake_up_makes_the_next_look_a_read() -> None:
    wait = schedule()
    pause = wait.nothing_yet(101.0, long_poll_reachable=False)
    wait.resumed(pause, SIGNAL, 102.0)
    assert wait.read_now and wait.since == 102.0


def test_a_long_polling_wait_holds_until_its_deadline_and_does_not_poll() -> None:
    wait = schedule(long_poll=True)
    pause = wait.nothing_yet(101.0, long_poll_reachable=True)
    assert (pause.until, pause.long_poll, pause.polling) == (161.0, True, False)


def test_a_failed_long_poll_falls_back_to_the_next_tick() -> None:
    wait = schedule(long_poll=True)
    pause = wait.nothing_yet(101.0, long_poll_reachable=True)
    assert wait.long_poll_failed(101.3, pause.until) == 105.0
    # Next round: the app is unreachable, so this waiter polls, and tries the app again.
    wait.resumed(pause, None, 105.0)
    again = wait.nothing_yet(105.0, long_poll_reachable=False)
    assert (again.until, again.long_poll, again.polling) == (110.0, True, True)


def test_a_long_poll_that_reports_the_event_closed_sits_out_one_tick() -> None:
    wait = schedule(long_poll=True)
    pause = wait.nothing_yet(101.0, long_poll_reachable=True)
    wait.resumed(pause, LONG_POLL, 102.0)
    assert wait.read_now
    unread = wait.nothing_yet(102.0, long_poll_reachable=True)  # the outcome is not stored yet
    assert (unread.until, unread.long_poll, unread.polling) == (105.0, False, True)
    wait.resumed(unread, None, 105.0)
    assert wait.nothing_yet(105.0, long_poll_reachable=True).long_poll  # and back to the app


def test_store_failures_back_off_from_half_a_second_to_thirty(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wait = schedule(timeout=3600.0)
    now, delays = 101.0, []
    with caplog.at_level(logging.WARNING, logger="hitl"):
        for _ in range(9):
            pause = wait.store_failed(now, expire=True, reason="timed out")
            assert pause is not None
            delays.append(round(pause.until - now, 3))
            now = pause.until
        wait.store_answered()
        wait.store_answered()
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert caplog.text.count("retrying in") == 9
    assert caplog.text.count("the store answers again") == 1
    assert wait.store_failed(now, expire=True, reason="again").until - now == 0.5  # type: ignore[union-attr]


def test_past_the_deadline_a_failing_store_ends_a_wait_unless_it_must_record_the_expiry() -> None:
    wait = schedule(start=101.0, timeout=1.0)
    assert wait.store_failed(103.0, expire=False, reason="down") is None
    retry = wait.store_failed(103.0, expire=True, reason="down")
    assert retry is not None and retry.until == 103.5  # past the deadline, it keeps retrying


def test_before_the_deadline_a_retry_never_waits_past_it() -> None:
    wait = schedule(start=101.0, timeout=0.2)
    retry = wait.store_failed(101.0, expire=True, reason="down")
    assert retry is not None and retry.until == pytest.approx(101.2)
