"""What the fast lane and the routes share: one per app."""

from __future__ import annotations

from dataclasses import dataclass

from hitl_async._store import Store, open_store
from hitl_core import runtime
from hitl_core.runtime import Runtime

from .holds import Holds

__all__ = ["LONG_POLL_STORE_INTERVAL", "Services", "open_services"]

# How often a long-poll looks for outcomes that other replicas stored.
LONG_POLL_STORE_INTERVAL = 1.0


@dataclass
class Services:
    """The store the app serves, its operator key, and the process it runs in."""

    store: Store
    api_key: str | None
    runtime: Runtime  # whose live events lend it their types (the store wakes its waiters)
    poll_interval: float  # how often a long-poll looks for outcomes other replicas stored
    holds: Holds
    trusted_user_header: str | None = None  # set by an authenticating proxy, when named


def open_services(
    store_url: str,
    *,
    api_key: str | None = None,
    s3_endpoint_url: str | None = None,
    poll_interval: float = LONG_POLL_STORE_INTERVAL,
    process: Runtime | None = None,
    trusted_user_header: str | None = None,
) -> Services:
    """The services of an app over one store (create_app() explains each setting)."""
    process = process or runtime.current()
    return Services(
        store=open_store(store_url, s3_endpoint_url=s3_endpoint_url, process=process),
        api_key=api_key,
        runtime=process,
        poll_interval=poll_interval,
        holds=Holds(),
        trusted_user_header=trusted_user_header,
    )
