"""`hitl serve` watches every event with notices to send, so that reminders, escalations
and closing words go on while the task that asked is down.

Every scan lists the reach/ folder (names only), and hands the events whose
deadline has not long passed to the process's Reminders, which reads and sends
what falls due; claims make each notice go once, whichever replica sends it.
"""

from __future__ import annotations

import asyncio
import logging

from hitl_async._store import Store
from hitl_core import documents
from hitl_core.errors import StoreError
from hitl_core.runtime import Runtime

__all__ = ["watch_reach"]

log = logging.getLogger("hitl")

# Events closed by their deadline this long ago still get their closing word.
GRACE_SECONDS = 3600
MAX_REMEMBERED = 100_000


async def watch_reach(store: Store, process: Runtime, every: float) -> None:
    """Scan for events with a reach every `every` seconds, until cancelled."""
    seen: set[str] = set()
    while True:
        try:
            await _scan(store, process, seen)
        except StoreError as exc:
            log.warning("hitl: cannot look for notices to send: %s", exc)
        await asyncio.sleep(every)


async def _scan(store: Store, process: Runtime, seen: set[str]) -> None:
    now_ms = int(documents.utc_now().timestamp() * 1000)
    if len(seen) > MAX_REMEMBERED:
        seen.clear()
    for entry in await store.reach_entries():
        if entry.request_id in seen or entry.expires_ms < now_ms - GRACE_SECONDS * 1000:
            continue
        event = await store.read_event(entry.request_id)
        if event is not None:
            process.reminders.watch(store.backend, event)
        seen.add(entry.request_id)
