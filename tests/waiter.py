"""A task that asks one question and waits, in the flavor named on the command line.

Prints one JSON line when the event exists ({"request_id", "form_url", "api_url"})
and one when the wait ends ({"answer": ...} or {"error": "<exception class>"}).
Settings come from the environment (HITL_STORE, HITL_RUN_ID, HITL_ENDPOINT, ...).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from asyncio import CancelledError
from typing import Any

TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def created(event: Any) -> None:
    emit(request_id=event.request_id, form_url=event.form_url, api_url=event.api_url)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("flavor", choices=["asyncio", "trio", "sync"])
    parser.add_argument("--name", default="restartable")
    parser.add_argument("--type", choices=sorted(TYPES), default="int")
    parser.add_argument("--key")
    parser.add_argument("--poll", type=float, default=0.1)
    args = parser.parse_args()
    # Ctrl-C must interrupt this task even when it was started with SIGINT
    # ignored (as every job in the background of a shell is).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    options = {"data_type": TYPES[args.type], "poll_interval_seconds": args.poll, "key": args.key}

    try:
        if args.flavor == "sync":
            import hitl_sync

            event = hitl_sync.new_event(args.name, **options)
            created(event)
            emit(answer=event.wait())
        else:
            import anyio

            import hitl_async

            async def run() -> None:
                event = await hitl_async.new_event(args.name, **options)
                created(event)
                emit(answer=await event.wait())

            anyio.run(run, backend=args.flavor)
    except (KeyboardInterrupt, CancelledError):
        # Python 3.10's asyncio runner turns Ctrl-C into a CancelledError of the run.
        emit(error="KeyboardInterrupt")
        return 130
    except Exception as exc:
        emit(error=type(exc).__name__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
