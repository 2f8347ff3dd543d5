"""The web layer of hitl: the Quart app, and the servers that run it under Hypercorn.

create_app() builds the app over one store; start_embedded() serves it from a
thread of the calling process (the runtime does this for the first event when
no HITL_ENDPOINT is set); run_forever() is `hitl serve`.
"""

from .app import create_app
from .hosting import EmbeddedServer, run_forever, start_embedded

__all__ = ["EmbeddedServer", "create_app", "run_forever", "start_embedded"]
