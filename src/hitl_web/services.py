"""What the routes share: one per app, kept in app.extensions["hitl"]."""

from __future__ import annotations

from dataclasses import dataclass

from quart import current_app

from hitl_async._store import Store
from hitl_core.runtime import Runtime

from .holds import Holds

__all__ = ["Services", "services"]


@dataclass
class Services:
    """The store the app serves, its operator key, and the process it runs in."""

    store: Store
    api_key: str | None
    runtime: Runtime  # whose live events lend it their types (the store wakes its waiters)
    poll_interval: float  # how often a long-poll looks for outcomes other replicas stored
    holds: Holds
    trusted_user_header: str | None = None  # set by an authenticating proxy, when named


def services() -> Services:
    """The services of the app handling the current request."""
    found: Services = current_app.extensions["hitl"]
    return found
