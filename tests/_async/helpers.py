"""HTTP helpers and readiness signals for the tests: a real client against the real server."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hitl_async import Event, HitlError, _operations
from hitl_async._store import Store, open_store
from hitl_core import runtime
from hitl_core.storage import Backend, open_backend
from hitl_core.wakeups import Wakeups

from ._compat import Call, run_concurrently, sleep, within


async def post(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, **kwargs)


async def get(url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(url, **kwargs)


async def answer(event: Event[Any], value: Any) -> httpx.Response:
    """Submit through the event's JSON API, as the seed's clients do."""
    return await post(event.api_url, json={"request_id": event.request_id, "value": value})


def without_token(url: str) -> str:
    return url.split("?", 1)[0]


def token_of(event: Event[Any]) -> dict[str, str]:
    """The event's token, as query parameters."""
    return {"token": event.form_url.split("token=", 1)[1]}


async def waited(event: Event[Any], act: Call, seconds: float = 10) -> list[Any]:
    """What wait() returned (or raised) while act() ran; TimeoutError past seconds."""
    results: list[Any] = []

    async def waiter() -> None:
        try:
            results.append(await event.wait())
        except HitlError as exc:
            results.append(exc)

    await within(seconds, lambda: run_concurrently([waiter, act]))
    return results


async def until_paused(event: Event[Any], waits: int = 1, seconds: float = 30) -> None:
    """Return once `waits` waits of this process are paused on event.

    From then on, only a wake-up or the app's long-poll can end them before
    their next tick: an answer given now cannot be found by a first look.
    """
    wakeups = runtime.current().wakeups
    deadline = time.monotonic() + seconds
    while wakeups.paused(event.request_id) < waits:
        if time.monotonic() > deadline:
            raise AssertionError(f"no wait paused on {event.request_id} within {seconds} s")
        await sleep(0.002)


async def pending_event(name: str, seconds: float = 30) -> dict[str, Any]:
    """The document of an event named name, once one is stored (in HITL_STORE, a local
    folder) with no outcome yet."""
    folder = Path(os.environ["HITL_STORE"]) / "events"
    store = open_store(os.environ["HITL_STORE"])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            document: dict[str, Any] = json.loads(path.read_text())
            if document["name"] != name:
                continue
            _, outcome = await _operations.look(store, document["request_id"])
            if outcome is None:
                return document
        await sleep(0.005)
    raise AssertionError(f"no pending event {name!r} was stored within {seconds} s")


async def answer_when_asked(name: str, value: Any, seconds: float = 30) -> dict[str, Any]:
    """Once an event named name is pending, answer it in the store, as `hitl answer`
    does; its stored document."""
    document = await pending_event(name, seconds)
    store = open_store(os.environ["HITL_STORE"])
    await _operations.answer(store, document["request_id"], value, via="cli")
    return document


class CountingBackend:
    """A store's own backend, with each call it serves recorded as (method, path)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.url = backend.url
        self.calls: list[tuple[str, str]] = []

    def read(self, path: str) -> bytes | None:
        self.calls.append(("read", path))
        return self.backend.read(path)

    def create(self, path: str, data: bytes, *, durable: bool = True) -> bool:
        self.calls.append(("create", path))
        return self.backend.create(path, data, durable=durable)

    def list(self, prefix: str) -> list[str]:
        self.calls.append(("list", prefix))
        return self.backend.list(prefix)

    def list_after(self, prefix: str, start_after: str) -> list[str]:
        self.calls.append(("list_after", prefix))
        return self.backend.list_after(prefix, start_after)

    def made(self, method: str, under: str = "") -> list[str]:
        """The paths of the calls of method so far, under a folder if one is named."""
        return [path for name, path in self.calls if name == method and path.startswith(under)]


def counted(store: Store, monkeypatch: pytest.MonkeyPatch) -> CountingBackend:
    """Count the storage calls the store makes from now on (until the test ends)."""
    counting = CountingBackend(store.backend)
    monkeypatch.setattr(store, "backend", counting)
    return counting


def store_of_another_process() -> Store:
    """A store object of its own on this test's store, as another process holds: what it
    stores wakes no waiter of this process."""
    url = os.environ["HITL_STORE"]
    endpoint = os.environ.get("HITL_S3_ENDPOINT_URL")
    return Store(open_backend(url, s3_endpoint_url=endpoint), wakeups=Wakeups())
