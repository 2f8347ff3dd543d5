"""The test run: every Python 3.10-3.13 runs the suite on asyncio, trio and blocking;
what needs no repeating runs once; then lint, layers, the codegen check and types.

    tests-3.10 ... tests-3.13   unit tests and the three flavors' suite (pytest -m "not once")
    once                        route contract, every store and server, faults, CLI (-m once)
    orchestrators               Flyte 2, flytekit, Prefect 3 in local mode, Airflow's variables
    browser                     forms in Chromium through Playwright, JavaScript off
    lint                        ruff, lint-imports (layers), codegen --check
    types                       mypy --strict over the packages and typed usage examples

Locally, a Python that is not installed is skipped with a line that says so;
with CI set (CI=true), every one is required. So is Chromium for "browser": run
as root on Debian, the session installs it (apt-get install chromium); elsewhere
install it yourself, or point HITL_CHROMIUM at one.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# The sessions that need one interpreter use the one running nox.
CURRENT = f"{sys.version_info.major}.{sys.version_info.minor}"


def _expose_pyenv_pythons() -> None:
    """pyenv hides interpreters from its shims unless PYENV_VERSION names them:
    name every installed 3.10-3.13 (the newest patch of each) after those named."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    if not root.is_dir():
        return
    newest: dict[str, tuple[int, str]] = {}
    for entry in root.iterdir():
        found = re.fullmatch(r"3\.(1[0-3])\.(\d+)", entry.name)
        if found:
            minor, patch = found.groups()
            newest[minor] = max(newest.get(minor, (-1, "")), (int(patch), entry.name))
    named = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
    found_names = [name for _, name in sorted(newest.values())]
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(named + found_names))


_expose_pyenv_pythons()
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")  # the machine's interpreters are the matrix
# Installed packages come compiled, as pip leaves them: the servers and child processes
# the tests start then import from bytecode, even where PYTHONDONTWRITEBYTECODE is set.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "once", "orchestrators", "browser", "lint", "types"]
REQUIRED = os.environ.get("CI", "").lower() in ("1", "true")
nox.options.error_on_missing_interpreters = REQUIRED

# Most tests wait on servers and child processes rather than compute, so pytest
# runs them in parallel workers (pytest-xdist); one more than the two cores of
# CI's machine helps where servers start, more than that only adds contention.
PYTEST = ("pytest", "-p", "no:cacheprovider", "-n")
# The files with the longest tests first, so that no worker is left with one at the end
# (pytest collects each file once).
ONCE_ORDER = (
    "tests/test_notifications.py",
    "tests/_sync/test_store_outage.py",
    "tests/_async/test_replicas.py",
    "tests/_async/test_polling_cost.py",
    "tests/test_codegen.py",
    "tests/test_cli.py",
    "tests",
)
# Tests with sessions of their own, which install what they need.
ELSEWHERE = "not orchestrators and not browser"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Unit tests, and the suite of each flavor: asyncio, trio and blocking."""
    session.install(".[test]")
    session.run(*PYTEST, "2", "-m", f"not once and {ELSEWHERE}", *session.posargs)


@nox.session(python=CURRENT)
def once(session: nox.Session) -> None:
    """What one run needs once: the route contract through Quart's test client, bad
    input on both servers, S3 replicas, outages, processes and the CLI."""
    session.install(".[test]")
    session.run(*PYTEST, "3", "-m", f"once and {ELSEWHERE}", *(session.posargs or ONCE_ORDER))


@nox.session(python=CURRENT)
def orchestrators(session: nox.Session) -> None:
    """Real orchestrators in local mode, each flow in a process of its own: run identity,
    retries in the same process and in a new one, the link in each UI, the Flyte app."""
    session.install(".[test,flyte,flytekit,prefect]")
    # Prefect's flow takes longest: started first, it ends with the others.
    first = ("tests/orchestrators/test_prefect.py", "tests/orchestrators")
    session.run(*PYTEST, "2", "-m", "orchestrators", *(session.posargs or first))


@nox.session(python=CURRENT)
def browser(session: nox.Session) -> None:
    """What a person does in a browser: forms of fields, errors beside them, approvals,
    the inbox; Playwright drives the system's Chromium with JavaScript off."""
    chromium = _chromium(session)
    session.install(".[test]", "playwright")
    session.run(*PYTEST, "2", "-m", "browser", *session.posargs, env={"HITL_CHROMIUM": chromium})


def _chromium(session: nox.Session) -> str:
    """The system's Chromium; as root on Debian, installed when missing."""
    found = os.environ.get("HITL_CHROMIUM") or shutil.which("chromium")
    if not found and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        install = ("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium")
        try:
            session.run(*install, external=True)
        except nox.command.CommandFailed:  # package lists not fetched yet
            session.run("apt-get", "update", "-q", external=True)
            session.run(*install, external=True)
        found = shutil.which("chromium")
    if found:
        return found
    message = "Chromium is not installed: apt-get install chromium, or set HITL_CHROMIUM"
    if REQUIRED:
        session.error(message)
    session.skip(message)
    raise AssertionError("unreachable")


@nox.session(python=CURRENT)
def lint(session: nox.Session) -> None:
    """ruff, the import layers, and the generated blocking flavor against a fresh generation."""
    session.install(".", "ruff", "import-linter", "unasync==0.6.0", "setuptools")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")
    session.run("python", "codegen/unasync.py", "--check")


@nox.session(python=CURRENT)
def types(session: nox.Session) -> None:
    """mypy --strict over every package, and over typed examples of the public API."""
    session.install(".[test]", "mypy", "types-jsonschema")
    session.run("mypy")
    session.run("mypy", "--strict", "tests/types")
