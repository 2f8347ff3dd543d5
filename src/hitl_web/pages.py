"""The app's pages: its templates, rendered with plain (synchronous) Jinja.

The templates use nothing of the request and await nothing, so every page is
rendered here, by the fast lane and the routes alike, without the framework:
half the cost of async Jinja, and the lane serves a form before the framework
is even imported.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2

from hitl_core import markdown

__all__ = ["as_a_person_reads", "render"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    environment.filters["answer"] = as_a_person_reads
    environment.filters["markdown"] = markdown.to_html  # escapes; raw HTML stays text
    environment.policies["json.dumps_kwargs"] = {"sort_keys": True}
    return environment


def render(name: str, **context: Any) -> str:
    """The page the template name makes of context."""
    return _environment().get_template(name).render(context)


def as_a_person_reads(value: Any) -> str:
    """An answer as a page shows it: Yes and No, Approved and Rejected, text as it is,
    the rest as JSON."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict) and set(value) == {"approved", "comment", "by"}:  # an Approval
        return "Approved" if value["approved"] else "Rejected"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
