"""The busiest requests cost few storage calls, and the lane that serves them says
what the routes say."""

from __future__ import annotations

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from .._async.helpers import CountingBackend
from .._async.helpers import counted as count_calls
from ..conftest import OPERATOR_KEY
from .conftest import Ask, bearer

pytestmark = [pytest.mark.anyio, pytest.mark.once]


@pytest.fixture
def counted(app: Quart, monkeypatch: pytest.MonkeyPatch) -> CountingBackend:
    return count_calls(app.extensions["hitl"].store, monkeypatch)


async def test_an_answer_reads_the_event_once_and_writes_without_reading_the_outcome(
    client: Client, ask: Ask, counted: CountingBackend
) -> None:
    asked = await ask(int)
    response = await client.post("/submit/json", json=asked.body(7), query_string=asked.query)
    assert response.status_code == 200
    assert counted.made("read", "events/") == [f"events/{asked.request_id}.json"]
    assert counted.made("read", "outcomes/") == []  # the write tells whether one stands
    assert counted.made("create", "outcomes/") == [f"outcomes/{asked.request_id}.json"]
    assert len(counted.made("create", "changes/")) == 1  # announced to other processes

    counted.calls.clear()
    again = await client.post("/submit/json", json=asked.body(8), query_string=asked.query)
    assert again.status_code == 409
    assert (await again.get_json())["value"] == 7
    assert counted.calls == []  # what was written once is known


async def test_a_form_opened_again_reads_only_the_outcome(
    client: Client, ask: Ask, counted: CountingBackend
) -> None:
    asked = await ask(bool)
    for _ in range(3):
        form = await client.get(f"/form/{asked.request_id}", query_string=asked.query)
        assert form.status_code == 200
    assert len(counted.made("read", "events/")) == 1
    assert len(counted.made("read", "outcomes/")) == 3  # pending: it may change any moment


async def test_a_refused_answer_is_refused_as_the_routes_refuse_it(
    client: Client, ask: Ask
) -> None:
    asked = await ask(int)
    invalid = await client.post("/submit/json", json=asked.body("x"), query_string=asked.query)
    assert invalid.status_code == 422
    assert (await invalid.get_json())["status"] == "invalid"
    assert asked.outcome() is None

    answered = await client.post("/submit/json", json=asked.body(1), query_string=asked.query)
    assert answered.status_code == 200
    # An invalid value on an answered event: "answered already" is the better reason.
    late = await client.post("/submit/json", json=asked.body("x"), query_string=asked.query)
    assert late.status_code == 409


async def test_the_lane_and_the_routes_give_the_same_page_and_reply(
    client: Client, ask: Ask
) -> None:
    # The operator key goes to the routes; the event's own token takes the lane.
    asked = await ask(bool)
    by_token = await client.get(f"/form/{asked.request_id}", query_string=asked.query)
    by_key = await client.get(f"/form/{asked.request_id}", headers=bearer(OPERATOR_KEY))
    assert by_token.status_code == by_key.status_code == 200
    for response in (by_token, by_key):
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["X-Frame-Options"] == "DENY"
    # Both mint the event's token into the form: the pages are the same page.
    page = await by_token.get_data(as_text=True)
    assert page == await by_key.get_data(as_text=True)
    assert "How many?" in page and f'value="{asked.token}"' in page

    lane = await client.get("/health")
    assert lane.headers["Content-Type"] == "application/json"
    assert lane.headers["Content-Security-Policy"].startswith("default-src 'none'")
    head = await client.head("/health")  # not the lane's: the routes answer it
    assert head.status_code == 200
