"""Prompts are Markdown on the form: formatted, raw HTML shown as text, unsafe links dropped,
the page's CSP as strict as before."""

from __future__ import annotations

import inspect

import pytest
from quart.typing import TestClientProtocol as Client

from hitl_core.approvals import describe_call

from .conftest import Ask

pytestmark = [pytest.mark.anyio, pytest.mark.once]

PROMPT = """Deploy **v2.3** to production?

[the diff](https://example.com/d/42) · [trap](javascript:alert(1)) · <script>alert(2)</script>

<img src=x onerror=alert(3)>"""


async def test_a_markdown_prompt_is_formatted_and_safe(client: Client, ask: Ask) -> None:
    asked = await ask(bool, prompt=PROMPT)
    response = await client.get(f"/form/{asked.request_id}", query_string=asked.query)
    page = await response.get_data(as_text=True)
    assert "Deploy <strong>v2.3</strong> to production?" in page
    assert '<a href="https://example.com/d/42">the diff</a>' in page
    assert "javascript:" not in page.replace("[trap](javascript:alert(1))", "")
    assert 'href="javascript' not in page
    assert "<script>alert(2)" not in page and "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_an_approval_shows_its_call_as_code_that_no_argument_escapes(
    client: Client, ask: Ask
) -> None:
    def run(command: str) -> None: ...

    call = describe_call(run, inspect.signature(run), ("```\n**bold** <b>x</b>",), {})
    asked = await ask(bool, prompt=call.prompt("Run this command?"))
    page = await (await client.get(f"/form/{asked.request_id}", query_string=asked.query)).get_data(
        as_text=True
    )
    code = page.split("<pre><code>", 1)[1].split("</code></pre>", 1)[0]
    assert code.startswith("run(\n    command=")
    assert "**bold** &lt;b&gt;x&lt;/b&gt;" in code  # shown as written, inside the block
    assert "<strong>" not in page
