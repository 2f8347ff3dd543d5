# WARNING: generated from tests/_async/helpers.py by codegen/unasync.py. DO NOT EDIT.
"""HTTP helpers and readiness signals for the tests: a real client against the real server."""

from __future__ import annotations

import time
from typing import Any

import httpx

from hitl_core import runtime
from hitl_sync import Event

from ._compat import sleep


def post(url: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return client.post(url, **kwargs)


def get(url: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(timeout=30) as client:
        return client.get(url, **kwargs)


def answer(event: Event[Any], value: Any) -> httpx.Response:
    """Submit through the event's JSON API, as the seed's clients do."""
    return post(event.api_url, json={"request_id": event.request_id, "value": value})


def without_token(url: str) -> str:
    return url.split("?", 1)[0]


def token_of(event: Event[Any]) -> dict[str, str]:
    """The event's token, as query parameters."""
    return {"token": event.form_url.split("token=", 1)[1]}


def until_paused(event: Event[Any], waits: int = 1, seconds: float = 30) -> None:
    """Return once `waits` waits of this process are paused on event.

    From then on, only a wake-up or the app's long-poll can end them before
    their next tick: an answer given now cannot be found by a first look.
    """
    wakeups = runtime.current().wakeups
    deadline = time.monotonic() + seconds
    while wakeups.paused(event.request_id) < waits:
        if time.monotonic() > deadline:
            raise AssertionError(f"no wait paused on {event.request_id} within {seconds} s")
        sleep(0.002)
