"""The matrix: Python 3.10-3.13 x {asyncio, trio, sync}, plus lint, types and codegen."""

from __future__ import annotations

import os

import nox

# pyenv keeps the other interpreters off its shims unless PYENV_VERSION names them;
# its own shim that started nox has already set it to a single version, so extend it.
_PYENV_VERSIONS = ["3.11.7", "3.10.13", "3.12.1", "3.13.0"]
_named = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(_named + _PYENV_VERSIONS))
# Never fetch an interpreter: the ones on this machine are the matrix.
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["tests", "lint", "types"]

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
FLAVORS = ["asyncio", "trio", "sync"]


@nox.session(python=PYTHONS)
@nox.parametrize("flavor", FLAVORS)
def tests(session: nox.Session, flavor: str) -> None:
    """The one test suite, for one flavor (flavor-neutral tests run with asyncio)."""
    session.install(".[test]")
    session.run("pytest", "-p", "no:cacheprovider", f"--flavor={flavor}", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff, and the generated blocking flavor matches a fresh generation."""
    session.install("ruff", "unasync==0.6.0", "setuptools")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("python", "codegen/unasync.py", "--check")


@nox.session(python="3.11")
def types(session: nox.Session) -> None:
    """mypy --strict over both flavors and the shared core."""
    session.install(".[test]", "mypy", "types-jsonschema")
    session.run("mypy")
