"""What the app sends back: JSON bodies, and which routes answer with pages."""

from __future__ import annotations

import json
from typing import Any

from quart import Response

__all__ = ["HTML_ENDPOINTS", "json_reply"]

# Routes that people open in a browser: their errors are pages, not JSON.
HTML_ENDPOINTS = frozenset({"routes.index", "routes.form", "routes.submit_form"})


def json_reply(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
