"""The web layer of hitl: the Quart app, and the servers that run it under Hypercorn.

create_app() builds the app over one store; start_embedded() serves it from a
thread of the calling process (the runtime does this for the first event when
no HITL_ENDPOINT is set); run_forever() is `hitl serve`.

create_app is imported when first named: the embedded server starts without
the framework, which its routes load when a request first needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hosting import EmbeddedServer, run_forever, start_embedded

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["EmbeddedServer", "create_app", "run_forever", "start_embedded"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
