"""POST /events/wait: one long-poll for many events, and the waits of a process that
share it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

import hitl_async
from hitl_async._waiting import LongPolls

from ..servers import start_server, stop_server
from .conftest import Ask, Asked

pytestmark = [pytest.mark.anyio, pytest.mark.once]


def watched(*events: Asked, timeout: float = 30) -> dict[str, Any]:
    return {
        "events": [{"request_id": e.request_id, "token": e.token} for e in events],
        "timeout": timeout,
    }


async def until(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await anyio.sleep(0.005)


async def test_the_events_answered_while_held_are_named(
    app: Quart, client: Client, ask: Ask
) -> None:
    events = [await ask(int) for _ in range(5)]
    holds = app.extensions["hitl"].holds
    replies: list[Any] = []

    async def hold() -> None:
        reply = await client.post("/events/wait", json=watched(*events))
        replies.append((reply.status_code, await reply.get_json()))

    with anyio.fail_after(20):  # far below the 30 s held
        async with anyio.create_task_group() as group:
            group.start_soon(hold)
            await until(lambda: holds.total == 5)
            answer = events[3].body(4)
            sent = await client.post("/submit/json", json=answer, query_string=events[3].query)
            assert sent.status_code == 200
    assert replies == [(200, {"closed": [events[3].request_id]})]
    assert holds.total == 0

    # An outcome already known is told at once.
    again = await client.post("/events/wait", json=watched(*events, timeout=30))
    assert await again.get_json() == {"closed": [events[3].request_id]}


async def test_nothing_closed_within_the_timeout_names_none(client: Client, ask: Ask) -> None:
    events = [await ask() for _ in range(3)]
    started = time.monotonic()
    reply = await client.post("/events/wait", json=watched(*events, timeout=0.3))
    assert await reply.get_json() == {"closed": []}
    assert time.monotonic() - started >= 0.3


async def test_one_wrong_token_refuses_the_whole_request(client: Client, ask: Ask) -> None:
    first, second = await ask(), await ask()
    body = watched(first, second)
    body["events"][1]["token"] = first.token
    reply = await client.post("/events/wait", json=body)
    assert reply.status_code == 403
    assert "closed" not in await reply.get_json()


@pytest.mark.parametrize(
    "body",
    [
        {"events": []},
        {"events": [{"request_id": "a-b"}]},
        {"events": "x"},
        {"events": [{"request_id": "../x", "token": "t"}]},
        {"events": [{"request_id": "a-b", "token": "t"}] * 401},
        {"events": [{"request_id": "a-b", "token": "t"}], "timeout": 61},
    ],
)
async def test_malformed_requests_are_400(client: Client, body: Any) -> None:
    reply = await client.post("/events/wait", json=body)
    assert reply.status_code == 400


async def test_the_waits_of_a_process_share_one_long_poll(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    served = start_server(store)
    try:
        monkeypatch.setenv("HITL_STORE", str(store))
        monkeypatch.setenv("HITL_ENDPOINT", served.endpoint)
        events = [
            await hitl_async.new_event(f"many{i}", data_type=int, key=f"many{i}") for i in range(60)
        ]
        polls = LongPolls.of(served.endpoint)
        results: dict[str, int] = {}

        async def wait(event: hitl_async.Event[int]) -> None:
            try:
                results[event.request_id] = await event.wait()
            except hitl_async.EventCancelled:  # the rest, cancelled at the end
                pass

        def held() -> int:
            return int(httpx.get(f"{served.endpoint}/health").json()["long_polls"])

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for event in events:
                    group.start_soon(wait, event)
                await until(lambda: held() == 60)
                assert polls.requests == 1  # sixty waits, one connection held
                async with httpx.AsyncClient() as client:
                    for number, event in enumerate(events[:3]):
                        token = event.form_url.split("token=")[1]
                        body = {"request_id": event.request_id, "value": number}
                        headers = {"Authorization": f"Bearer {token}"}
                        sent = await client.post(event.api_url, json=body, headers=headers)
                        assert sent.status_code == 200
                await until(lambda: len(results) == 3)
                assert results == {e.request_id: n for n, e in enumerate(events[:3])}
                for event in events[3:]:
                    await event.cancel()
    finally:
        stop_server(served)
