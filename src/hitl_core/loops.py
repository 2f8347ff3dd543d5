"""Which event loop, if any, runs on the calling thread: asked without importing one."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

__all__ = ["running_event_loop"]


def running_event_loop() -> str | None:
    """ "asyncio" or "trio" when that library runs an event loop on this thread, else None.

    trio is consulted only when the program imported it already.
    """
    try:
        asyncio.get_running_loop()
        return "asyncio"
    except RuntimeError:
        pass
    trio: Any = sys.modules.get("trio")
    if trio is not None:
        try:
            trio.lowlevel.current_trio_token()
            return "trio"
        except RuntimeError:
            pass
    return None
