"""The committed blocking flavor is exactly what the generator produces."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.once


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "codegen" / "unasync.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=root,
    )


def test_committed_generation_is_current() -> None:
    done = run_check(ROOT)
    assert done.returncode == 0, done.stderr


def copy_repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for folder in ("codegen", "src", "tests/_async", "tests/_sync"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_check_catches_edits_and_stale_files(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    assert run_check(copy).returncode == 0

    (copy / "src/hitl_sync/leftover.py").write_text("x = 1\n")
    done = run_check(copy)
    assert done.returncode == 1
    assert "leftover.py is in a generated folder but no source produces it" in done.stderr

    (copy / "src/hitl_sync/leftover.py").unlink()
    events = copy / "src/hitl_sync/_events.py"
    events.write_text(events.read_text() + "\n# edited by hand\n")
    done = run_check(copy)
    assert done.returncode == 1
    assert "_events.py differs from a fresh generation" in done.stderr


def test_event_loop_imports_and_async_words_cannot_reach_the_blocking_flavor(
    tmp_path: Path,
) -> None:
    copy = copy_repo(tmp_path)
    store = copy / "src/hitl_async/_store.py"
    original = store.read_text()
    store.write_text(original.replace("import json\n", "import json\nimport anyio\n", 1))
    done = run_check(copy)
    assert done.returncode == 1
    assert "'import anyio' would reach the blocking flavor" in done.stderr

    store.write_text(original.replace('"""The event store', '"""Await the event store', 1))
    done = run_check(copy)
    assert done.returncode == 1
    assert "'Await'" in done.stderr or "'await'" in done.stderr
