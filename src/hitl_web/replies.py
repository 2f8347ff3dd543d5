"""What the app sends back: JSON bodies, and which routes answer with pages."""

from __future__ import annotations

import json
from typing import Any

from quart import Response, request

__all__ = ["HTML_ENDPOINTS", "json_reply", "prefers_json"]

# Routes that people open in a browser: their errors are pages, not JSON.
HTML_ENDPOINTS = frozenset({"routes.index", "routes.form", "routes.submit_form", "routes.inbox"})


def json_reply(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def prefers_json() -> bool:
    """Whether the client asks for JSON rather than a page (Accept)."""
    accepted = request.accept_mimetypes
    return accepted.best_match(["text/html", "application/json"]) == "application/json"
