"""The change feed: waits learn of what other processes store from a listing per tick
that does not grow with the outcomes the store holds."""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from typing import Any

import pytest

import hitl_async as hitl
from hitl_async import _operations
from hitl_async._store import Store
from hitl_async._waiting import outcome_of
from hitl_core import documents, rules, strict_json
from hitl_core.documents import utc_now
from hitl_core.storage import Backend, LocalBackend

from ._compat import Call, in_thread, run_concurrently, sleep, within
from .helpers import counted, store_of_another_process, until_paused, waited

pytestmark = pytest.mark.anyio
INTERVAL = 0.1


def store_of(event: hitl.Event[Any]) -> Store:
    store: Store = event._store
    return store


def write_outcome_unannounced(store: Store, request_id: str, value: Any) -> None:
    """Store an answer without its change entry, as a writer that has announced it
    earlier (or not at all) does."""
    document = documents.outcome_document(
        request_id, documents.ANSWERED, now=utc_now(), value=value, via="cli", type_name="int"
    )
    path = documents.outcome_path(request_id)
    assert store.backend.create(path, strict_json.dumps(document))


async def store_answered_long_ago(backend: Backend, count: int) -> None:
    """Outcomes of other requests, with their change entries of two hours ago."""
    at = utc_now() - timedelta(hours=2)
    for n in range(count):
        request_id = f"old-{n}"
        document = documents.outcome_document(
            request_id, documents.ANSWERED, now=at, value=n, via="cli", type_name="int"
        )
        entry = documents.change_document(request_id, documents.OUTCOME_CHANGE, at)
        writes = {
            documents.outcome_path(request_id): document,
            documents.change_path(request_id, documents.OUTCOME_CHANGE, at): entry,
        }
        for path, written in writes.items():
            if isinstance(backend, LocalBackend):  # quicker than a durable write
                (backend.root / path).parent.mkdir(parents=True, exist_ok=True)
                (backend.root / path).write_bytes(strict_json.dumps(written))
            else:
                await in_thread(functools.partial(backend.create, path, strict_json.dumps(written)))


def announce_at(store: Store, request_id: str, seconds_ago: float) -> None:
    """A change entry named seconds_ago in the past (a writer whose clock runs behind)."""
    at = utc_now() - timedelta(seconds=seconds_ago)
    document = documents.change_document(request_id, documents.OUTCOME_CHANGE, at)
    path = documents.change_path(request_id, documents.OUTCOME_CHANGE, at)
    assert store.backend.create(path, strict_json.dumps(document))


@pytest.mark.every_store
async def test_an_answer_another_process_stores_is_found_through_the_feed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await hitl.new_event("feed", data_type=int, poll_interval_seconds=INTERVAL)
    calls = counted(store_of(event), monkeypatch)
    other = store_of_another_process()

    async def person() -> None:
        await until_paused(event)
        calls.calls.clear()
        await sleep(5 * INTERVAL)
        # Ticks went by: the feed was listed, the outcome was not read.
        assert calls.made("list_after", "changes/")
        assert not calls.made("read", "outcomes/")
        assert not calls.made("list", "outcomes")
        await _operations.answer(other, event.request_id, 5, via="cli")

    assert await waited(event, person) == [5]
    assert calls.made("read", "outcomes/")  # read once the feed showed the change


@pytest.mark.every_store
async def test_a_tick_costs_the_same_however_many_outcomes_are_stored(
    store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [
        await hitl.new_event(f"tick-{n}", data_type=int, poll_interval_seconds=INTERVAL)
        for n in range(3)
    ]
    calls = counted(store_of(events[0]), monkeypatch)
    measured: list[tuple[int, float]] = []  # (storage calls, ticks)

    async def measure() -> None:
        calls.calls.clear()
        started = time.monotonic()
        await sleep(4 * INTERVAL)
        # Listings of the change feed: no read, no listing of outcomes/.
        assert not calls.made("read", "outcomes/")
        assert not calls.made("list", "outcomes")
        listings = len(calls.made("list_after", "changes/"))
        measured.append((listings, (time.monotonic() - started) / INTERVAL))

    async def stored_elsewhere() -> None:
        for event in events:
            await until_paused(event)
        await measure()
        # Outcomes of other requests, announced two hours ago.
        await store_answered_long_ago(calls.backend, 1000 if store_kind == "local" else 30)
        await measure()
        other = store_of_another_process()
        for n, event in enumerate(events):
            await _operations.answer(other, event.request_id, n, via="cli")

    results: list[Any] = []

    def waiter(event: hitl.Event[int]) -> Call:
        async def wait() -> None:
            results.append(await event.wait())

        return wait

    await within(20, lambda: run_concurrently([*map(waiter, events), stored_elsewhere]))
    assert sorted(results) == [0, 1, 2]
    # One listing per tick for the three waits, before and after (two when the window
    # crosses an hour; a tick may fall on either edge of the window).
    assert all(1 <= listings <= 2 * (ticks + 2) for listings, ticks in measured), measured


async def test_an_entry_named_before_the_last_listing_is_still_seen() -> None:
    """A writer's clock may run behind this process's, and a write may take a while to
    show: the feed lists from a margin before its last listing."""
    event = await hitl.new_event("late", data_type=int, poll_interval_seconds=INTERVAL)
    other = store_of_another_process()

    async def person() -> None:
        await until_paused(event)
        await sleep(3 * INTERVAL)  # the feed has listed since
        write_outcome_unannounced(other, event.request_id, 7)
        announce_at(other, event.request_id, seconds_ago=30)

    # Missing it would leave the wait to its deadline, an hour away.
    assert await waited(event, person, seconds=5) == [7]


async def test_an_entry_seen_before_its_outcome_is_looked_at_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The store announces an outcome before writing it. An entry whose outcome is not
    there (its writer crashed, or is slow) costs a few reads and nothing else, and the
    outcome is found once it lands."""
    event = await hitl.new_event("ahead", data_type=int, poll_interval_seconds=INTERVAL)
    other = store_of_another_process()
    calls = counted(store_of(event), monkeypatch)
    results: list[Any] = []

    async def waiter() -> None:
        results.append(await event.wait())

    async def writer() -> None:
        await until_paused(event)
        await other.announce(event.request_id, documents.OUTCOME_CHANGE)
        calls.calls.clear()
        await sleep(5 * INTERVAL)
        assert results == []  # still waiting: the entry names nothing yet
        assert calls.made("read", "outcomes/")  # but it was looked at, and is again
        write_outcome_unannounced(other, event.request_id, 11)

    await within(5, lambda: run_concurrently([waiter, writer]))
    assert results == [11]


async def test_the_store_announces_an_outcome_and_a_vote_before_writing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await hitl.new_event(
        "order", data_type=hitl.Approval, respondents=["ann", "bob"], quorum=2
    )
    store = store_of(event)
    calls = counted(store, monkeypatch)
    document = event._state.event_document
    await _operations.vote(store, document, True, person="ann", via="api")
    creates = calls.made("create")
    assert [path.split("/")[0] for path in creates] == ["changes", "votes"]
    calls.calls.clear()
    await _operations.cancel(store, event.request_id, via="api")
    assert [path.split("/")[0] for path in calls.made("create")] == ["changes", "outcomes"]
    entry = calls.backend.read(calls.made("create")[0])
    assert entry is not None and b'"version"' in entry


async def test_votes_another_process_stores_decide_a_waiting_approval() -> None:
    """The voters' process stopped before it recorded the decision: the wait counts the
    votes when their entries show, and records it."""
    event = await hitl.new_event(
        "votes",
        data_type=hitl.Approval,
        respondents=["ann", "bob"],
        quorum=2,
        poll_interval_seconds=INTERVAL,
    )
    other = store_of_another_process()
    document = event._state.event_document

    async def voters() -> None:
        await until_paused(event)
        for person in ("ann", "bob"):
            wanted = rules.vote(document, None, True, person=person, via="api", now=utc_now())
            await other.create_vote(wanted)  # and no decision: the process stops here

    (decision,) = await waited(event, voters, seconds=5)
    assert decision.approved is True
    assert sorted(decision.by) == ["ann", "bob"]


async def test_a_renewed_wait_trusting_the_feed_costs_no_storage_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's long-poll: each hold of a pending event is a new wait."""
    event = await hitl.new_event("held", data_type=int)
    store = store_of(event)
    calls = counted(store, monkeypatch)

    async def hold(seconds: float, interval: float = 60) -> dict[str, Any] | None:
        until = time.monotonic() + seconds
        return await outcome_of(
            store, event.request_id, until=until, poll_interval=interval, trust_feed=True
        )

    assert await hold(0.05) is None
    assert calls.made("read", "outcomes/")  # the first hold reads
    calls.calls.clear()
    for _ in range(3):
        assert await hold(0.05) is None
    assert calls.calls == []  # the renewed ones do not
    # Without trust_feed the first look reads, as every wait's does.
    await outcome_of(store, event.request_id, until=time.monotonic() + 0.05, poll_interval=60)
    assert calls.made("read", "outcomes/")
    # An answer from another process reaches a renewed hold through the feed.
    await _operations.answer(store_of_another_process(), event.request_id, 3, via="cli")
    outcome = await within(5, lambda: hold(3, interval=INTERVAL))
    assert outcome is not None and outcome["value"] == 3
