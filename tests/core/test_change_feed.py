"""The change feed's names and what a process knows from it, on a fake wall clock
(milliseconds as plain numbers)."""

from __future__ import annotations

from datetime import datetime, timezone

from hitl_core import documents
from hitl_core.documents import OUTCOME_CHANGE, VOTE_CHANGE, Change
from hitl_core.waiting import FeedState

MARGIN_MS = 60_000
# 2025-06-13 14:00:00 UTC, the start of an hour.
HOUR = int(datetime(2025, 6, 13, 14, tzinfo=timezone.utc).timestamp() * 1000)
T = HOUR + 10 * 60_000  # 14:10


def name_of(request_id: str, kind: str, at_ms: int) -> str:
    at = datetime.fromtimestamp(at_ms / 1000, timezone.utc)
    return documents.change_path(request_id, kind, at).rsplit("/", 1)[1]


def test_change_names_sort_by_time_and_say_what_changed() -> None:
    at = datetime(2025, 6, 13, 14, 59, 59, 999_000, tzinfo=timezone.utc)
    path = documents.change_path("deploy-1a2b", VOTE_CHANGE, at)
    folder, name = path.rsplit("/", 1)
    assert folder == "changes/2025061314"
    assert documents.parse_change(name) == Change("deploy-1a2b", HOUR + 3_599_999, VOTE_CHANGE)
    names = [name_of("z-1", OUTCOME_CHANGE, T + d) for d in (0, 1, 999, 1000, 60_000)]
    assert sorted(names) == names
    assert documents.parse_change("1749823200000-x.json") is None
    assert documents.parse_change(".tmp-abc") is None
    document = documents.change_document("deploy-1a2b", VOTE_CHANGE, at)
    assert document["version"] == 1
    documents.check_change(document)


def test_a_cursor_lets_through_the_entries_named_from_its_time_on() -> None:
    names = [name_of("q-1", OUTCOME_CHANGE, T + d) for d in (-1, 0, 1)]
    cursor = documents.change_cursor(T)
    assert [name > cursor for name in names] == [False, True, True]


def test_one_folder_per_hour_of_the_window() -> None:
    assert documents.change_folders(T - MARGIN_MS, T) == ["changes/2025061314"]
    assert documents.change_folders(HOUR - 1, HOUR) == ["changes/2025061313", "changes/2025061314"]


def test_each_listing_starts_a_margin_before_the_last() -> None:
    feed = FeedState(T)
    first = feed.window(T + 500)
    assert (first.start_ms, first.folders, first.fresh) == (
        T - MARGIN_MS,
        ("changes/2025061314",),
        False,
    )
    feed.listed(first, [])
    second = feed.window(T + 1500)
    assert second.start_ms == T + 500 - MARGIN_MS  # not T + 500: clocks differ, writes lag


def test_a_window_across_the_hour_lists_two_folders() -> None:
    feed = FeedState(HOUR + 20_000)
    window = feed.window(HOUR + 21_000)
    assert window.folders == ("changes/2025061313", "changes/2025061314")
    assert not window.fresh


def test_after_a_long_gap_the_feed_starts_afresh_and_forgets() -> None:
    feed = FeedState(T)
    feed.nothing_at("q-1", votes=False, read_ms=T + 10)
    assert feed.known_pending("q-1", votes=False)
    later = T + 3 * 3_600_000
    window = feed.window(later)
    assert window.fresh and window.start_ms == later - MARGIN_MS
    assert len(window.folders) == 1
    feed.listed(window, [])
    assert not feed.known_pending("q-1", votes=False)  # read again: hours went unlisted


def test_a_read_that_found_nothing_is_trusted_until_a_change_is_listed() -> None:
    feed = FeedState(T)
    assert not feed.known_pending("q-1", votes=False)  # never read
    feed.nothing_at("q-1", votes=False, read_ms=T + 100)
    assert feed.known_pending("q-1", votes=False)
    window = feed.window(T + 1000)
    feed.listed(window, [Change("q-2", T + 900, OUTCOME_CHANGE)])  # another request
    assert feed.known_pending("q-1", votes=False)
    window = feed.window(T + 2000)
    feed.listed(window, [Change("q-1", T + 1900, OUTCOME_CHANGE)])
    assert not feed.known_pending("q-1", votes=False)


def test_a_change_named_up_to_a_margin_before_the_read_still_counts() -> None:
    """A writer whose clock runs 30 s behind ours names its entry 30 s in our past."""
    feed = FeedState(T)
    feed.nothing_at("q-1", votes=False, read_ms=T + 100)
    feed.listed(feed.window(T + 1000), [])
    window = feed.window(T + 2000)
    assert window.start_ms <= T - 30_000  # the cursor lags: the entry is listed
    feed.listed(window, [Change("q-1", T - 30_000, OUTCOME_CHANGE)])
    assert not feed.known_pending("q-1", votes=False)
    # One named more than a margin before the read is older than what the read saw.
    feed.nothing_at("q-2", votes=False, read_ms=T + 2100)
    feed.listed(feed.window(T + 3000), [Change("q-2", T + 2100 - MARGIN_MS - 1, OUTCOME_CHANGE)])
    assert feed.known_pending("q-2", votes=False)


def test_an_entry_seen_again_makes_the_waits_look_again() -> None:
    """The store names an outcome before it writes it: an entry listed while the outcome
    is not there yet is listed again (the windows overlap), and the waits look again."""
    feed = FeedState(T)
    feed.nothing_at("q-1", votes=False, read_ms=T)
    entry = Change("q-1", T + 500, OUTCOME_CHANGE)
    feed.listed(feed.window(T + 1000), [entry])
    assert not feed.known_pending("q-1", votes=False)
    feed.nothing_at("q-1", votes=False, read_ms=T + 1100)  # looked: not there yet
    feed.listed(feed.window(T + 2000), [entry])
    assert not feed.known_pending("q-1", votes=False)  # look again
    # Once the entry is older than a read by the margin, it stops costing reads.
    feed.nothing_at("q-1", votes=False, read_ms=T + 500 + MARGIN_MS + 1)
    feed.listed(feed.window(T + 500 + MARGIN_MS + 2), [entry])
    assert feed.known_pending("q-1", votes=False)


def test_votes_concern_only_the_waits_that_count_them() -> None:
    feed = FeedState(T)
    for votes in (True, False):
        feed.nothing_at("q-1", votes=votes, read_ms=T + 100)
    feed.listed(feed.window(T + 1000), [Change("q-1", T + 900, VOTE_CHANGE)])
    assert not feed.known_pending("q-1", votes=True)
    assert feed.known_pending("q-1", votes=False)
    feed.listed(feed.window(T + 2000), [Change("q-1", T + 1900, OUTCOME_CHANGE)])
    assert not feed.known_pending("q-1", votes=False)


def test_a_read_that_raced_a_listing_of_its_change_is_not_trusted() -> None:
    feed = FeedState(T)
    # The listing ran while the read was on its way: the read began before the
    # outcome landed, so its "nothing" is stale.
    feed.listed(feed.window(T + 1000), [Change("q-1", T + 800, OUTCOME_CHANGE)])
    feed.nothing_at("q-1", votes=False, read_ms=T + 700)
    assert not feed.known_pending("q-1", votes=False)
    # A read that began long before the last listing is not trusted either.
    feed.listed(feed.window(T + 5 * MARGIN_MS), [])
    feed.nothing_at("q-2", votes=False, read_ms=T + 5 * MARGIN_MS - MARGIN_MS - 1)
    assert not feed.known_pending("q-2", votes=False)


def test_an_outcome_read_is_forgotten_as_pending() -> None:
    feed = FeedState(T)
    feed.nothing_at("q-1", votes=False, read_ms=T + 100)
    feed.forget("q-1")
    assert not feed.known_pending("q-1", votes=False)


def test_what_is_known_pending_is_bounded() -> None:
    feed = FeedState(T, remembered=3)
    for n in range(5):
        feed.nothing_at(f"q-{n}", votes=False, read_ms=T + n)
    assert [feed.known_pending(f"q-{n}", votes=False) for n in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]


def test_changes_listed_long_ago_are_not_kept() -> None:
    feed = FeedState(T)
    feed.listed(
        feed.window(T + 1000), [Change(f"q-{n}", T + 900, OUTCOME_CHANGE) for n in range(50)]
    )
    feed.listed(feed.window(T + 3 * MARGIN_MS), [])
    assert len(feed._recent) == 0
