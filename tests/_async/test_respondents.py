"""Respondents and approvals through the real embedded server: personal links, quorum,
the record of who decided, and inbox links."""

from __future__ import annotations

import os
from typing import Any

import pytest

import hitl_async as hitl
from hitl_async import _operations
from hitl_async._store import open_store
from hitl_core import people
from hitl_core.documents import utc_now

from .helpers import get, post

pytestmark = pytest.mark.anyio

# Contacts are None: a notification here would leave the machine (test_notifications.py
# sends them, to servers on 127.0.0.1).
TEAM: dict[str, str | None] = {"alice@example.com": None, "bob": None, "carol": None}


async def vote(event: hitl.Event[Any], person: str, value: Any, **extra: Any) -> int:
    url, _, token = event.link_for(person).partition("?token=")
    response = await post(
        url.replace(f"/form/{event.request_id}", "/submit/json"),
        params={"token": token},
        json={"request_id": event.request_id, "value": value, **extra},
    )
    return response.status_code


async def test_an_approval_waits_for_its_quorum_and_says_who_decided() -> None:
    event = await hitl.new_event(
        "deploy",
        data_type=hitl.Approval,
        prompt="Deploy **v2.3**?",
        respondents=TEAM,
        quorum=2,
        timeout_seconds=60,
    )
    assert event.respondents == tuple(TEAM)
    assert await vote(event, "carol", True, comment="looks fine") == 200
    assert (await event.status()).state == "pending"
    assert await vote(event, "bob", "yes") == 200
    decision = await event.wait()
    assert decision == hitl.Approval(True, "carol: looks fine", ("carol", "bob"))
    status = await event.status()
    assert status.value == decision and status.by == ["carol", "bob"]


async def test_a_rejection_vetoes_an_approval() -> None:
    event = await hitl.new_event(
        "deploy", data_type=hitl.Approval, respondents=list(TEAM), quorum="all", timeout_seconds=60
    )
    assert await vote(event, "alice@example.com", True) == 200
    assert await vote(event, "bob", False, comment="freeze week") == 200
    assert await event.wait() == hitl.Approval(False, "freeze week", ("bob",))
    assert await vote(event, "carol", True) == 409


async def test_an_approval_without_respondents_is_one_answer() -> None:
    event = await hitl.new_event("ship", data_type=hitl.Approval, timeout_seconds=60)
    response = await post(
        event.api_url, json={"request_id": event.request_id, "value": False, "comment": "no"}
    )
    assert response.status_code == 200
    assert await event.wait() == hitl.Approval(False, "no", ())


async def test_personal_links_and_the_inbox_name_the_respondent() -> None:
    event = await hitl.new_event("count", data_type=int, respondents=["bob", "carol"])
    other = await hitl.new_event("other", data_type=int, respondents=["carol"])
    with pytest.raises(ValueError, match="not a respondent"):
        event.link_for("mallory")
    assert event.link_for("bob") != event.link_for("carol") != event.form_url
    inbox = await hitl.inbox_url("bob")
    listed = (await get(inbox, headers={"Accept": "application/json"})).json()
    assert listed["for"] == "bob"
    assert [e["request_id"] for e in listed["events"]] == [event.request_id]
    assert listed["events"][0]["form_url"] == event.link_for("bob")
    page = await get(inbox)
    assert "Questions for bob" in page.text and other.request_id not in page.text
    forged = inbox.replace("i.Ym9i", "i.Y2Fyb2w")  # bob's mac with carol's name
    assert (await get(forged)).status_code == 403


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"respondents": "bob"}, "not one id"),
        ({"respondents": []}, "names nobody"),
        ({"respondents": ["bob", "bob"]}, "twice"),
        ({"respondents": ["bob", ""]}, "non-empty"),
        ({"respondents": ["bob\nsudo"]}, "control characters"),
        ({"respondents": {"bob": 7}}, "must be a URL"),
        ({"quorum": 2, "respondents": ["a", "b"], "data_type": int}, "hitl.Approval only"),
        ({"quorum": 3, "respondents": ["a", "b"]}, "needs at least 3 respondents"),
        ({"quorum": "all"}, "needs respondents"),
        ({"quorum": 0, "respondents": ["a"]}, "from 1"),
        ({"quorum": True, "respondents": ["a"]}, "from 1"),
    ],
)
async def test_bad_respondents_and_quorums_are_refused_before_anything_is_stored(
    options: dict[str, Any], message: str
) -> None:
    options.setdefault("data_type", hitl.Approval)
    with pytest.raises((ValueError, TypeError), match=message):
        await hitl.new_event("deploy", **options)


async def test_a_rerun_with_other_respondents_is_another_question() -> None:
    await hitl.new_event("deploy", data_type=hitl.Approval, respondents=["a"], key="deploy-42")
    with pytest.raises(hitl.InvalidValue, match="respondents"):
        await hitl.new_event(
            "deploy", data_type=hitl.Approval, respondents=["a", "b"], key="deploy-42"
        )


async def test_auto_answer_decides_an_approval() -> None:
    with hitl.testing.auto_answer({"deploy": True}):
        event = await hitl.new_event(
            "deploy", data_type=hitl.Approval, respondents=["a", "b"], quorum=2
        )
    assert await event.wait() == hitl.Approval(True, None, ())
    assert (await event.status()).via == "auto"


async def test_the_waiter_records_a_decision_its_last_voter_did_not() -> None:
    event = await hitl.new_event(
        "deploy",
        data_type=hitl.Approval,
        respondents=["a", "b"],
        quorum=2,
        poll_interval_seconds=0.05,
        timeout_seconds=60,
    )
    # Votes stored by a process that stopped before it counted them.
    store = open_store(os.environ["HITL_STORE"])
    document = await _operations.read_event(store, event.request_id)
    for person in ("a", "b"):
        vote = people.vote_document(document, person, True, comment=None, via="form", now=utc_now())
        await store.create_vote(vote)
    assert await store.read_outcome(event.request_id) is None
    assert await event.wait() == hitl.Approval(True, None, ("a", "b"))
    assert await store.read_outcome(event.request_id) is not None
