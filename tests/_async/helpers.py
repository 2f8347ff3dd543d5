"""HTTP helpers for the tests: a real client against the real server."""

from __future__ import annotations

from typing import Any

import httpx

from hitl_async import Event


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
