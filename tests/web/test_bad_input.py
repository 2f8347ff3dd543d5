"""Input meant to break the app gets a clean refusal from the embedded server and from
`hitl serve` alike, and the stored state is left as it was."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import anyio
import httpx
import pydantic
import pytest

import hitl_async as hitl

from ..conftest import OPERATOR_KEY

pytestmark = [pytest.mark.anyio, pytest.mark.once]
FAST = {"poll_interval_seconds": 0.05}


class Deployment(pydantic.BaseModel):
    service: str
    replicas: int = 1


def stored_outcome(event: hitl.Event[Any]) -> dict[str, Any] | None:
    path = Path(os.environ["HITL_STORE"]) / "outcomes" / f"{event.request_id}.json"
    return dict(json.loads(path.read_text())) if path.exists() else None


def token(event: hitl.Event[Any]) -> str:
    return event.form_url.split("token=", 1)[1]


async def send(event: hitl.Event[Any], raw: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(
            event.api_url, content=raw.encode(), headers={"Content-Type": "application/json"}
        )


@pytest.fixture(params=["embedded", "remote"])
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The in-process server, or `hitl serve` in another process; both with the operator key."""
    monkeypatch.setenv("HITL_API_KEY", OPERATOR_KEY)
    if request.param == "remote":
        request.getfixturevalue("remote")
    return str(request.param)


@pytest.mark.parametrize(
    ("data_type", "value", "status"),
    [
        (list[float], "[1.5, NaN]", 400),
        (list[float], "[Infinity]", 400),
        (dict[str, Any], '{"x": -Infinity}', 400),
        (bool, 'true, "value": false', 400),  # a duplicate key
        (str, '"ok\\ud800"', 422),
        (Deployment, '{"service": "api", "replicas": 2, "region": "eu"}', 422),
    ],
)
async def test_refused_values_leave_the_event_pending(
    server: str, data_type: Any, value: str, status: int
) -> None:
    event = await hitl.new_event("bad", data_type=data_type, **FAST)
    response = await send(event, f'{{"request_id": "{event.request_id}", "value": {value}}}')
    assert response.status_code == status, response.text
    assert stored_outcome(event) is None
    assert (await event.status()).state == "pending"


async def test_a_token_with_a_lone_surrogate_is_403(server: str) -> None:
    event = await hitl.new_event("bad", data_type=int, **FAST)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            event.api_url.split("?")[0],
            content=f'{{"request_id": "{event.request_id}", "value": 1, "token": "\\ud800"}}',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 403
    assert stored_outcome(event) is None


async def test_every_server_stores_the_same_value(server: str) -> None:
    event = await hitl.new_event("deploy", data_type=Deployment, **FAST)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            event.api_url, json={"request_id": event.request_id, "value": {"service": "api"}}
        )
    assert response.status_code == 200, response.text
    stored = stored_outcome(event)
    assert stored is not None and stored["value"] == {"service": "api"}  # as sent
    assert await event.wait() == Deployment(service="api", replicas=1)


async def test_the_form_carries_no_operator_key(server: str) -> None:
    event = await hitl.new_event("form", data_type=int, **FAST)
    url = event.form_url.split("?")[0]
    async with httpx.AsyncClient(timeout=30) as client:
        page = await client.get(url, headers={"Authorization": f"Bearer {OPERATOR_KEY}"})
    assert page.status_code == 200
    assert OPERATOR_KEY not in page.text
    assert f'name="token" value="{token(event)}"' in page.text


async def test_a_wrong_token_is_403_whether_or_not_the_event_exists(server: str) -> None:
    event = await hitl.new_event("guarded", data_type=int, **FAST)
    base = event.endpoint
    async with httpx.AsyncClient(timeout=30) as client:
        codes = [
            (await client.get(f"{base}/status/{request_id}", params={"token": "0" * 40}))
            for request_id in (event.request_id, "nobody-0123456789abcdef01234567")
        ]
    assert [c.status_code for c in codes] == [403, 403]
    assert codes[0].json() == codes[1].json()
    assert stored_outcome(event) is None


async def test_cancel_after_the_deadline_is_410_and_stays_expired(server: str) -> None:
    event = await hitl.new_event("late", data_type=int, timeout_seconds=0.2, **FAST)
    await anyio.sleep(0.4)  # the deadline passes with nobody waiting: no expiry recorded yet
    assert stored_outcome(event) is None
    url = f"{event.endpoint}/events/{event.request_id}/cancel"
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, params={"token": token(event)})
    assert response.status_code == 410
    stored = stored_outcome(event)
    assert stored is not None and stored["state"] == "expired"
    assert (await event.status()).state == "expired"
    assert response.json()["closed_at"] == response.json()["expires_at"]
