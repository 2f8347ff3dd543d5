"""What the fast lane and the routes share on the wire: the headers every response
carries, the limits on a request body, and the reply when the store is down."""

from __future__ import annotations

__all__ = ["BODY_TIMEOUT_SECONDS", "MAX_BODY_BYTES", "SECURITY_HEADERS", "STORE_UNAVAILABLE"]

# The largest request body read, and how long it may take to arrive.
MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_SECONDS = 30

# Sent with every response.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# The reply to a request the store could not serve.
STORE_UNAVAILABLE = {
    "status": "unavailable",
    "detail": "the event store is unavailable; nothing was changed, try again shortly",
}
