"""Damaged documents in the store surface as StoreError (HTTP 503), never as crashes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import hitl_async as hitl

from ._compat import within
from .helpers import answer, get, token_of

pytestmark = pytest.mark.anyio


def store_dir() -> Path:
    return Path(os.environ["HITL_STORE"])


def overwrite(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document))


async def test_damaged_event_document() -> None:
    event = await hitl.new_event("damaged", data_type=int)
    overwrite(store_dir() / "events" / f"{event.request_id}.json", {"version": 1})
    with pytest.raises(hitl.StoreError, match="damaged"):
        await event.status()
    response = await get(f"{event.endpoint}/status/{event.request_id}", params=token_of(event))
    assert response.status_code == 503
    assert (await answer(event, 1)).status_code == 503


async def test_damaged_outcome_document() -> None:
    event = await hitl.new_event("damaged", data_type=int)
    (store_dir() / "outcomes").mkdir(exist_ok=True)
    overwrite(store_dir() / "outcomes" / f"{event.request_id}.json", {"version": 1})
    with pytest.raises(hitl.StoreError):
        await event.status()
    with pytest.raises(hitl.StoreError):
        await event.wait()


async def test_damaged_secret(tmp_path: Path) -> None:
    store = tmp_path / "fresh-store"
    store.mkdir()
    overwrite(store / "secret.json", {"version": 1, "secret": "zz"})
    with pytest.raises(hitl.StoreError, match="secret"):
        await hitl.new_event("secretive", data_type=int, store=str(store))


async def test_a_store_that_refuses_access_raises_instead_of_retrying(tmp_path: Path) -> None:
    store = tmp_path / "locked-store"
    event = await hitl.new_event("locked", data_type=int, store=str(store))
    outcomes = store / "outcomes"
    outcomes.mkdir(exist_ok=True)
    (outcomes / f"{event.request_id}.json").mkdir()  # unreadable as a document
    with pytest.raises(hitl.StoreError) as caught:
        await within(30, event.wait)
    assert not isinstance(caught.value, hitl.StoreUnavailable)


async def test_a_bug_beneath_the_store_ends_a_wait_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only I/O and service failures are retried: a programming error is not an outage."""
    event = await hitl.new_event("buggy", data_type=int, poll_interval_seconds=0.05)

    def bug(self: Path) -> bytes:
        raise TypeError("a bug, not an outage")

    monkeypatch.setattr(Path, "read_bytes", bug)
    with pytest.raises(TypeError, match="a bug"):
        await within(30, event.wait)
