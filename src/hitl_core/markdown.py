"""Prompts are Markdown (CommonMark), rendered to HTML that is safe to put in a page.

Raw HTML in a prompt is shown as text, and links whose scheme could run code
(javascript:, vbscript:, file:, data: but for images) are not made links: the
rules of markdown-it-py's CommonMark preset with HTML turned off.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt

__all__ = ["to_html"]

_RENDERER = MarkdownIt("commonmark", {"html": False})


@functools.lru_cache(maxsize=256)
def to_html(prompt: str) -> str:
    """The prompt as an HTML fragment (the busiest prompts are kept: a form page shows
    its event's prompt each time it is opened)."""
    rendered: str = _RENDERER.render(prompt)
    return rendered
