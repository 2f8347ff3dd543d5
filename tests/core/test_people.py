"""How votes decide an approval: in the order cast, once, by listed respondents only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from hitl_core import codec, documents, people

START = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def approval(respondents: tuple[str, ...], quorum: int | str = 1) -> dict[str, Any]:
    return documents.event_document(
        request_id="deploy-0123456789abcdef01234567",
        name="deploy",
        scope="run",
        run_id="r",
        prompt="Deploy?",
        type_description=codec.describe(people.Approval).describe(),
        token_hash="x",
        timeout_seconds=60,
        now=START,
        respondents=respondents,
        quorum=quorum,
    )


def votes(event: dict[str, Any], *cast: tuple[str, bool]) -> list[dict[str, Any]]:
    """Votes cast a second apart, in this order."""
    return [
        people.vote_document(
            event, person, approved, comment=None, via="form", now=START + timedelta(seconds=n)
        )
        for n, (person, approved) in enumerate(cast)
    ]


def decided(event: dict[str, Any], cast: list[dict[str, Any]]) -> tuple[bool, list[str]] | None:
    outcome = people.tally(event, cast)
    return None if outcome is None else (outcome["value"]["approved"], outcome["value"]["by"])


TEAM = ("a", "b", "c")


@pytest.mark.parametrize(
    ("quorum", "cast", "expected"),
    [
        (2, [("a", True)], None),
        (2, [("a", True), ("b", True)], (True, ["a", "b"])),
        (2, [("a", True), ("b", False)], (False, ["b"])),  # a veto before the quorum
        (2, [("a", True), ("b", True), ("c", False)], (True, ["a", "b"])),  # too late
        (1, [("a", True), ("b", False)], (True, ["a"])),
        ("all", [("a", True), ("b", True)], None),
        ("all", [("a", True), ("b", True), ("c", True)], (True, ["a", "b", "c"])),
        (2, [("a", True), ("a", True)], None),  # one person, once
        (2, [("a", True), ("mallory", True)], None),  # not listed: not counted
        (2, [("mallory", False), ("a", True)], None),
    ],
)
def test_votes_decide_once_in_the_order_cast(
    quorum: int | str, cast: list[tuple[str, bool]], expected: tuple[bool, list[str]] | None
) -> None:
    event = approval(TEAM, quorum)
    stored = votes(event, *cast)
    assert decided(event, stored) == expected
    assert decided(event, list(reversed(stored))) == expected  # however they are listed


@pytest.mark.parametrize(
    ("quorum", "respondents", "data_type", "message"),
    [
        (2, ("a",), "approval", "needs at least 2"),
        (2, ("a", "b"), "int", "hitl.Approval only"),
        ("all", (), "approval", "needs respondents"),
        ("most", ("a",), "approval", "from 1"),
    ],
)
def test_quorums_that_cannot_be_met_are_refused(
    quorum: object, respondents: tuple[str, ...], data_type: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        people.check_quorum(quorum, data_type, respondents)
