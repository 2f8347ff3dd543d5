"""Respondents: who may answer, personal links, the proxy's header, and votes on approvals."""

from __future__ import annotations

from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client

from hitl_async._store import Store
from hitl_core import people
from hitl_core.documents import utc_now
from hitl_core.people import Approval
from hitl_core.rules import MAX_COMMENT
from hitl_web import create_app

from ..conftest import OPERATOR_KEY
from .conftest import Ask, bearer

pytestmark = [pytest.mark.anyio, pytest.mark.once]

TEAM = ("alice@example.com", "bob", "carol")


async def test_a_personal_link_answers_as_its_respondent(client: Client, ask: Ask) -> None:
    asked = await ask(int, respondents=TEAM)
    token = asked.personal["bob"]
    page = await client.get(f"/form/{asked.request_id}", query_string={"token": token})
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and "you are bob" in html
    assert f'name="token" value="{token}"' in html  # the form answers as bob
    response = await client.post(
        "/submit", form={"request_id": asked.request_id, "value": "3", "token": token}
    )
    assert response.status_code == 200
    stored = asked.outcome()
    assert stored is not None and (stored["value"], stored["by"], stored["via"]) == (
        3,
        "bob",
        "form",
    )
    status = await (
        await client.get(f"/status/{asked.request_id}", query_string=asked.query)
    ).get_json()
    assert status["by"] == "bob" and status["respondents"] == list(TEAM)


async def test_the_events_own_link_shows_but_does_not_answer(client: Client, ask: Ask) -> None:
    asked = await ask(int, respondents=TEAM)
    page = await client.get(f"/form/{asked.request_id}", query_string=asked.query)
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and "How many?" in html
    assert "<form" not in html and "Only the people named above may answer" in html
    response = await client.post("/submit/json", json=asked.body(3), query_string=asked.query)
    assert response.status_code == 403
    form = await client.post(
        "/submit", form={"request_id": asked.request_id, "value": "3", "token": asked.token}
    )
    assert form.status_code == 403
    cancel = await client.post(f"/events/{asked.request_id}/cancel", query_string=asked.query)
    assert cancel.status_code == 403
    assert asked.outcome() is None


async def test_a_personal_token_opens_its_own_event_only(client: Client, ask: Ask) -> None:
    first = await ask(int, respondents=TEAM)
    other = await ask(int, respondents=TEAM)
    replayed = {"token": first.personal["alice@example.com"]}
    for response in (
        await client.get(f"/form/{other.request_id}", query_string=replayed),
        await client.post("/submit/json", json=other.body(1), query_string=replayed),
        await client.get(f"/status/{other.request_id}", query_string=replayed),
    ):
        assert response.status_code == 403
    forged = first.personal["bob"].replace("p.Ym9i", "p.Y2Fyb2w")  # bob's mac, carol's name
    response = await client.post("/submit/json", json=first.body(1), query_string={"token": forged})
    assert response.status_code == 403
    assert first.outcome() is None and other.outcome() is None


async def test_the_operator_answers_an_event_with_respondents(client: Client, ask: Ask) -> None:
    asked = await ask(int, respondents=TEAM)
    response = await client.post("/submit/json", json=asked.body(5), headers=bearer(OPERATOR_KEY))
    assert response.status_code == 200
    stored = asked.outcome()
    assert stored is not None and stored["by"] == "operator"


async def test_the_proxys_header_counts_only_when_the_app_trusts_it(
    isolated_settings: Path, ask: Ask
) -> None:
    trusting = create_app(
        str(isolated_settings), trusted_user_header="X-Forwarded-User"
    ).test_client()
    naive = create_app(str(isolated_settings)).test_client()
    asked = await ask(int, respondents=TEAM)
    as_carol = {"X-Forwarded-User": "carol"}
    refused = await naive.post(
        "/submit/json", json=asked.body(1), query_string=asked.query, headers=as_carol
    )
    assert refused.status_code == 403
    mallory = await trusting.post(
        "/submit/json",
        json=asked.body(1),
        query_string=asked.query,
        headers={"X-Forwarded-User": "mallory"},
    )
    assert mallory.status_code == 403
    assert asked.outcome() is None
    # The header alone opens the events that name the user: no token needed behind the proxy.
    page = await trusting.get(f"/form/{asked.request_id}", headers=as_carol)
    assert page.status_code == 200 and "you are carol" in await page.get_data(as_text=True)
    mallory = {"X-Forwarded-User": "mallory"}
    not_named = await trusting.get(f"/form/{asked.request_id}", headers=mallory)
    missing = await trusting.get("/form/nothing-0123456789abcdef01234567", headers=mallory)
    assert not_named.status_code == missing.status_code == 403  # existence is not told
    # Another person's link stays theirs, whoever the proxy says is asking.
    foreign = await trusting.post(
        "/submit/json",
        json=asked.body(1),
        query_string={"token": asked.personal["bob"]},
        headers=as_carol,
    )
    assert foreign.status_code == 403
    # An answer needs a token even from the proxy's user (the form they see carries
    # theirs): a page on another site, riding on the proxy's session, has none.
    cross_site = await trusting.post("/submit/json", json=asked.body(2), headers=as_carol)
    assert cross_site.status_code == 403
    form = await trusting.post(
        "/submit", form={"request_id": asked.request_id, "value": "2"}, headers=as_carol
    )
    cancel = await trusting.post(f"/events/{asked.request_id}/cancel", headers=as_carol)
    assert form.status_code == cancel.status_code == 403
    assert asked.outcome() is None
    html = await page.get_data(as_text=True)
    assert f'name="token" value="{asked.personal["carol"]}"' in html  # her form carries hers
    accepted = await trusting.post(
        "/submit",
        form={"request_id": asked.request_id, "value": "2", "token": asked.personal["carol"]},
        headers=as_carol,
    )
    assert accepted.status_code == 200
    stored = asked.outcome()
    assert stored is not None and (stored["value"], stored["by"]) == (2, "carol")


async def test_a_quorum_of_distinct_approvals_decides(client: Client, ask: Ask) -> None:
    asked = await ask(Approval, respondents=TEAM, quorum=2)

    async def vote(person: str, value: object, **extra: object) -> tuple[int, dict[str, object]]:
        response = await client.post(
            "/submit/json",
            json=asked.body(value, **extra),
            query_string={"token": asked.personal[person]},
        )
        return response.status_code, await response.get_json()

    status, body = await vote("alice@example.com", True, comment="diff reviewed")
    assert status == 200 and body["status"] == "submitted" and body["vote"]["approved"] is True
    assert asked.outcome() is None  # one approval of two
    status, body = await vote("alice@example.com", True)
    assert status == 409 and body["vote"]["comment"] == "diff reviewed"
    status, _ = await vote("alice@example.com", False)  # no changing a vote
    assert status == 409
    assert len(asked.votes()) == 1
    status, body = await vote("bob", "yes")
    assert status == 200
    stored = asked.outcome()
    assert stored is not None
    assert stored["value"] == {
        "approved": True,
        "comment": "alice@example.com: diff reviewed",
        "by": ["alice@example.com", "bob"],
    }
    assert stored["by"] == ["alice@example.com", "bob"]
    status, _ = await vote("carol", True)
    assert status == 409 and len(asked.votes()) == 2
    shown = await (
        await client.get(f"/status/{asked.request_id}", query_string=asked.query)
    ).get_json()
    assert [v["by"] for v in shown["votes"]] == ["alice@example.com", "bob"]
    assert shown["quorum"] == 2


async def test_a_rejection_decides_at_once(client: Client, ask: Ask) -> None:
    asked = await ask(Approval, respondents=TEAM, quorum="all")
    token = {"token": asked.personal["bob"]}
    await client.post(
        "/submit/json", json=asked.body(True), query_string={"token": asked.personal["carol"]}
    )
    response = await client.post(
        "/submit",
        form={
            "request_id": asked.request_id,
            "value": "false",
            "comment": "not on a Friday",
            **token,
        },
    )
    assert response.status_code == 200 and "Rejected" in await response.get_data(as_text=True)
    stored = asked.outcome()
    assert stored is not None
    assert stored["value"] == {"approved": False, "comment": "not on a Friday", "by": ["bob"]}


async def test_the_approval_form_has_approve_and_reject(client: Client, ask: Ask) -> None:
    asked = await ask(Approval, respondents=TEAM, quorum=2)
    token = {"token": asked.personal["carol"]}
    html = await (await client.get(f"/form/{asked.request_id}", query_string=token)).get_data(
        as_text=True
    )
    assert 'name="value" value="true">Approve</button>' in html
    assert 'name="value" value="false" class="reject">Reject</button>' in html
    assert 'name="comment"' in html and "2 approvals decide" in html
    await client.post("/submit", form={"request_id": asked.request_id, "value": "true", **token})
    html = await (await client.get(f"/form/{asked.request_id}", query_string=token)).get_data(
        as_text=True
    )
    assert "You voted <strong>Approve</strong>" in html and "<form" not in html


@pytest.mark.parametrize(
    ("value", "extra"),
    [
        ("maybe", {}),
        (None, {}),
        (True, {"comment": "x" * (MAX_COMMENT + 1)}),
        (True, {"comment": 7}),
    ],
)
async def test_a_bad_vote_is_refused_and_nothing_is_stored(
    client: Client, ask: Ask, value: object, extra: dict[str, object]
) -> None:
    asked = await ask(Approval, respondents=TEAM, quorum=2)
    response = await client.post(
        "/submit/json",
        json=asked.body(value, **extra),
        query_string={"token": asked.personal["bob"]},
    )
    assert response.status_code == 422
    assert asked.votes() == [] and asked.outcome() is None


async def test_a_vote_from_someone_not_listed_is_refused_and_not_stored(
    isolated_settings: Path, ask: Ask
) -> None:
    asked = await ask(Approval, respondents=TEAM, quorum=2)
    trusting = create_app(str(isolated_settings), trusted_user_header="X-Forwarded-User")
    client = trusting.test_client()
    for headers, query in (
        ({"X-Forwarded-User": "mallory"}, asked.query),  # a proxy user not named
        ({}, asked.query),  # the event's own link
    ):
        response = await client.post(
            "/submit/json", json=asked.body(True), query_string=query, headers=headers
        )
        assert response.status_code == 403
    assert asked.votes() == [] and asked.outcome() is None


async def test_a_vote_after_the_votes_decided_changes_nothing(
    client: Client, ask: Ask, store: Store
) -> None:
    asked = await ask(Approval, respondents=TEAM, quorum=1)
    event = await store.read_event(asked.request_id)
    assert event is not None
    # Bob's approval was stored, and its process stopped before recording the decision.
    await store.create_vote(
        people.vote_document(event, "bob", True, comment=None, via="form", now=utc_now())
    )
    late = await client.post(
        "/submit/json", json=asked.body(False), query_string={"token": asked.personal["carol"]}
    )
    assert late.status_code == 409
    stored = asked.outcome()
    assert stored is not None and stored["value"] == {
        "approved": True,
        "comment": None,
        "by": ["bob"],
    }
    assert [vote["by"] for vote in asked.votes()] == ["bob"]
