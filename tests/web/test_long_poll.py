"""GET /events/{id}/wait: the long-poll that wakes waiters in other processes."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from .conftest import Ask, Asked

pytestmark = [pytest.mark.anyio, pytest.mark.once]


async def until_held(app: Quart, asked: Asked, holds: int) -> None:
    """Return once the app holds this many long-polls of the event (its own count)."""
    services = app.extensions["hitl"]
    deadline = time.monotonic() + 30
    while services.holds.held(asked.request_id) < holds:
        assert time.monotonic() < deadline, f"the app never held {holds} long-polls"
        await anyio.sleep(0.002)


async def long_poll(client: Client, asked: Asked, hold: str = "30") -> Any:
    return await client.get(
        f"/events/{asked.request_id}/wait", query_string={**asked.query, "timeout": hold}
    )


async def test_a_held_long_poll_returns_when_the_event_is_answered(
    app: Quart, client: Client, ask: Ask
) -> None:
    asked = await ask()
    replies: list[Any] = []

    async def hold() -> None:
        replies.append(await (await long_poll(client, asked)).get_json())

    with anyio.fail_after(20):  # far below the 30 s the long-poll would hold
        async with anyio.create_task_group() as group:
            group.start_soon(hold)
            await until_held(app, asked, 1)
            answered = await client.post(
                "/submit/json", json=asked.body(3), query_string=asked.query
            )
            assert answered.status_code == 200
    assert [(r["status"], r["value"]) for r in replies] == [("answered", 3)]
    again = await (await long_poll(client, asked)).get_json()
    assert (again["status"], again["value"]) == ("answered", 3)


async def test_no_time_left_answers_pending_at_once(client: Client, ask: Ask) -> None:
    asked = await ask()
    reply = await long_poll(client, asked, hold="0")
    assert reply.status_code == 200
    assert (await reply.get_json())["status"] == "pending"


async def test_the_deadline_ends_a_long_poll(client: Client, ask: Ask) -> None:
    asked = await ask(timeout_seconds=0.3)
    with anyio.fail_after(20):
        reply = await long_poll(client, asked, hold="60")
    assert (await reply.get_json())["status"] == "expired"


@pytest.mark.parametrize("given", ["-1", "61", "soon", "nan", "inf"])
async def test_a_bad_timeout_is_400(client: Client, ask: Ask, given: str) -> None:
    asked = await ask()
    reply = await long_poll(client, asked, hold=given)
    assert reply.status_code == 400
    assert "timeout" in (await reply.get_json())["detail"]


async def test_long_polls_held_per_event_are_capped(app: Quart, client: Client, ask: Ask) -> None:
    asked = await ask()
    limit = app.extensions["hitl"].holds.per_event
    codes: list[int] = []

    async def hold() -> None:
        codes.append((await long_poll(client, asked)).status_code)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            for _ in range(limit):
                group.start_soon(hold)
            await until_held(app, asked, limit)
            refused = [await long_poll(client, asked) for _ in range(4)]
            assert [r.status_code for r in refused] == [429] * 4
            assert {r.headers["Retry-After"] for r in refused} == {"1"}
            # Another event is not held back by this one's holders.
            other = await ask()
            assert (await long_poll(client, other, hold="0")).status_code == 200
            await client.post("/submit/json", json=asked.body(1), query_string=asked.query)
    assert codes == [200] * limit
    assert app.extensions["hitl"].holds.total == 0
