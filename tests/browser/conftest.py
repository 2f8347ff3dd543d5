"""Forms in a real browser: Playwright driving the system's Chromium (HITL_CHROMIUM, else
`chromium` on the PATH), JavaScript off, against the embedded server on 127.0.0.1.

They run in the nox session "browser", which installs Playwright (and, as root on
Debian, Chromium)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

# Chromium's own calls home fail on a closed network, many at a time: keep it quiet.
QUIET = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("HITL_CHROMIUM") or shutil.which("chromium")
    if not executable:
        raise RuntimeError("no Chromium: apt-get install chromium, or set HITL_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=QUIET)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh page with JavaScript off: the forms must work without it."""
    context = chromium.new_context(java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()
