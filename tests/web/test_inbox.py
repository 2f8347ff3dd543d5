"""GET /inbox: the events a person may answer, or every event for the operator, a page at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from hitl_async._store import Store
from hitl_core import identity
from hitl_core.people import Approval
from hitl_web import create_app

from ..conftest import OPERATOR_KEY
from .conftest import Ask, Asked, bearer

pytestmark = [pytest.mark.anyio, pytest.mark.once]
JSON = {"Accept": "application/json"}


async def inbox(client: Client, token: str, **query: Any) -> dict[str, Any]:
    response = await client.get("/inbox", query_string={"token": token, **query}, headers=JSON)
    assert response.status_code == 200, await response.get_data(as_text=True)
    body: dict[str, Any] = await response.get_json()
    return body


async def inbox_token(store: Store, person: str) -> str:
    return identity.inbox_token(await store.secret(), person)


def ids(page: dict[str, Any]) -> list[str]:
    return [event["request_id"] for event in page["events"]]


async def test_the_operator_pages_through_every_event_newest_first(
    client: Client, ask: Ask
) -> None:
    asked = [await ask(name=f"q{n}") for n in range(5)]
    answered = asked[1]
    await client.post("/submit/json", json=answered.body(4), query_string=answered.query)
    expired = await ask(name="late", timeout_seconds=0.001)
    newest_first = [a.request_id for a in reversed(asked)]

    first = await inbox(client, OPERATOR_KEY, per_page=2)
    assert first["for"] == "operator" and first["state"] == "pending"
    pending = [r for r in newest_first if r != answered.request_id]
    assert ids(first) == pending[:2] and first["next_page"] == 2
    second = await inbox(client, OPERATOR_KEY, per_page=2, page=2)
    assert ids(second) == pending[2:4] and second["next_page"] is None
    closed = await inbox(client, OPERATOR_KEY, state="closed")
    assert ids(closed) == [expired.request_id, answered.request_id]
    assert [e["status"] for e in closed["events"]] == ["expired", "answered"]
    assert ids(await inbox(client, OPERATOR_KEY, state="answered")) == [answered.request_id]
    assert ids(await inbox(client, OPERATOR_KEY, state="expired")) == [expired.request_id]
    every = await inbox(client, OPERATOR_KEY, state="all")
    assert ids(every) == [expired.request_id, *newest_first]
    link = every["events"][1]["form_url"]
    assert link.endswith(f"/form/{newest_first[0]}?token={asked[-1].token}")
    events = await (await client.get("/events", headers=bearer(OPERATOR_KEY))).get_json()
    assert ids(events) == ids(every)


async def test_a_page_costs_reads_of_that_page_alone(
    client: Client, ask: Ask, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real_read = store.backend.read

    def counted(path: str) -> bytes | None:
        reads.append(path)
        return real_read(path)

    async def reads_for_a_page() -> int:
        reads.clear()
        await inbox(client, OPERATOR_KEY, per_page=5, page=2)
        return len(reads)

    for n in range(12):
        await ask(name=f"q{n}")
    monkeypatch.setattr(store.backend, "read", counted)
    few = await reads_for_a_page()
    monkeypatch.undo()
    for n in range(48):
        await ask(name=f"more{n}")
    monkeypatch.setattr(store.backend, "read", counted)
    many = await reads_for_a_page()
    assert few == many == 2 * 5  # an event and its outcome per event shown, nothing else


async def test_a_respondents_inbox_lists_the_events_that_name_them(
    client: Client, ask: Ask, store: Store
) -> None:
    mine = await ask(Approval, name="deploy", respondents=("bob", "carol"), quorum=2)
    also = await ask(int, name="count", respondents=("bob",))
    await ask(int, name="theirs", respondents=("carol",))
    await ask(int, name="anyone")
    token = await inbox_token(store, "bob")
    page = await inbox(client, token)
    assert page["for"] == "bob" and ids(page) == [also.request_id, mine.request_id]
    assert page["events"][1]["form_url"].endswith(f"?token={mine.personal['bob']}")
    assert page["events"][1]["your_vote"] is None
    await client.post(
        "/submit/json", json=mine.body(True), query_string={"token": mine.personal["bob"]}
    )
    page = await inbox(client, token)
    assert page["events"][1]["your_vote"]["approved"] is True  # still pending for carol
    html = await (await client.get("/inbox", query_string={"token": token})).get_data(as_text=True)
    assert "Questions for bob" in html and "you voted Approve" in html
    assert f'href="http://localhost/form/{also.request_id}?token={also.personal["bob"]}"' in html


async def test_the_proxys_user_opens_their_inbox_without_a_link(
    isolated_settings: Path, ask: Ask
) -> None:
    asked = await ask(int, respondents=("carol",))
    trusting = create_app(str(isolated_settings), trusted_user_header="X-Forwarded-User")
    response = await trusting.test_client().get(
        "/inbox", headers={"X-Forwarded-User": "carol", **JSON}
    )
    assert ids(await response.get_json()) == [asked.request_id]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({}, 401),
        ({"token": "i.Ym9i.0000000000000000000000000000000000000000"}, 403),
        ({"token": "not-a-token"}, 403),
        ({"token": OPERATOR_KEY, "page": "0"}, 400),
        ({"token": OPERATOR_KEY, "page": "x"}, 400),
        ({"token": OPERATOR_KEY, "per_page": "201"}, 400),
        ({"token": OPERATOR_KEY, "state": "everything"}, 400),
    ],
)
async def test_bad_inbox_requests_are_refused(
    client: Client, ask: Ask, query: dict[str, str], status: int
) -> None:
    await ask()
    response = await client.get("/inbox", query_string=query, headers=JSON)
    assert response.status_code == status
    assert "events" not in await response.get_json()


async def test_an_events_own_token_opens_no_inbox(client: Client, ask: Ask) -> None:
    asked: Asked = await ask(int, respondents=("bob",))
    for token in (asked.token, asked.personal["bob"]):
        response = await client.get("/inbox", query_string={"token": token})
        assert response.status_code == 403


async def test_the_inbox_shows_prompts_as_markdown_and_escapes_html(
    client: Client, ask: Ask, store: Store
) -> None:
    await ask(int, prompt="Deploy **v2.3**? <script>alert(1)</script>", respondents=("bob",))
    token = await inbox_token(store, "bob")
    html = await (await client.get("/inbox", query_string={"token": token})).get_data(as_text=True)
    assert "Deploy <strong>v2.3</strong>?" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


async def test_the_inbox_page_never_echoes_the_operator_key(
    client: Client, ask: Ask, store: Store
) -> None:
    for n in range(3):
        await ask(name=f"q{n}", respondents=("bob",))
    html = await (
        await client.get("/inbox", query_string={"token": OPERATOR_KEY, "per_page": "1"})
    ).get_data(as_text=True)
    assert "older</a>" in html and OPERATOR_KEY not in html
    token = await inbox_token(store, "bob")
    html = await (
        await client.get("/inbox", query_string={"token": token, "per_page": "1"})
    ).get_data(as_text=True)
    assert f"token={token}" in html.replace("&amp;", "&")  # bob's own pages keep his link
