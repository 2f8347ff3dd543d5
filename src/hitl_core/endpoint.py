"""A one-time look at a configured endpoint: is it up, and does it serve our store?

Events carry links to the endpoint; if it is down or serves another store,
those links lead nowhere. This only warns: a server may legitimately start
after the task that creates events.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import urllib.error
import urllib.request

from .storage import store_fingerprint

__all__ = ["check_endpoint", "tls_context"]

log = logging.getLogger("hitl")


def check_endpoint(endpoint: str, store_url: str, timeout: float = 2.0) -> None:
    """Warn if endpoint is unreachable or serves another store (callers ask once per pair)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/health", timeout=timeout) as response:
            health = json.loads(response.read(4096))
    except (OSError, ValueError) as exc:
        log.warning(
            "hitl: the endpoint %s does not answer (%s); links will not work", endpoint, exc
        )
        return
    if isinstance(health, dict) and health.get("store") != store_fingerprint(store_url):
        log.warning(
            "hitl: the endpoint %s serves another store than %s; "
            "its forms will not find these events (set the same HITL_STORE for both)",
            endpoint,
            store_url,
        )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client of this process; building one reads the CA bundle."""
    import httpx

    return httpx.create_ssl_context()
