"""The services of the app handling the current request (the routes run under Quart)."""

from __future__ import annotations

from quart import current_app

from .services import Services

__all__ = ["services"]


def services() -> Services:
    """The services of the app handling the current request."""
    found: Services = current_app.extensions["hitl"]
    return found
