"""Storage backends: create-if-absent is atomic, readers never see partial documents."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hitl_core.errors import StoreError
from hitl_core.storage import Backend, LocalBackend, open_backend


@pytest.fixture(params=["local", "memory"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "local":
        yield open_backend(str(tmp_path / "store"))
    else:
        url = f"memory://hitl-test-{uuid.uuid4().hex}"
        store = open_backend(url)
        yield store
        fs, root = store.fs, store.root  # type: ignore[attr-defined]
        if fs.exists(root):
            fs.rm(root, recursive=True)


def test_create_if_absent_keeps_the_first(backend: Backend) -> None:
    assert backend.read("outcomes/a.json") is None
    assert backend.create("outcomes/a.json", b"first") is True
    assert backend.create("outcomes/a.json", b"second") is False
    assert backend.read("outcomes/a.json") == b"first"
    assert backend.list("outcomes") == ["a.json"]
    assert backend.list("nothing-here") == []


def test_racing_creates_have_exactly_one_winner(backend: Backend) -> None:
    barrier = threading.Barrier(16)
    wins: list[bytes] = []

    def racer(n: int) -> None:
        data = f"writer {n}".encode() * 1000
        barrier.wait(10)
        if backend.create("outcomes/race.json", data):
            wins.append(data)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(wins) == 1
    assert backend.read("outcomes/race.json") == wins[0]


@pytest.mark.parametrize("path", ["../escape.json", "/abs.json", "a//b.json", "a/./b.json", ""])
def test_paths_outside_the_store_are_refused(backend: Backend, path: str) -> None:
    with pytest.raises(ValueError):
        backend.read(path)
    with pytest.raises(ValueError):
        backend.create(path, b"x")


def test_local_store_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = LocalBackend(tmp_path)
    store.create("events/x.json", b"{}")
    store.create("events/x.json", b"{}")
    assert sorted(os.listdir(tmp_path / "events")) == ["x.json"]


def test_local_store_errors_are_store_errors(tmp_path: Path) -> None:
    (tmp_path / "events").write_text("a file where a folder should be")
    store = LocalBackend(tmp_path)
    with pytest.raises(StoreError):
        store.create("events/x.json", b"{}")


def test_filesystems_without_atomic_create_are_refused() -> None:
    with pytest.raises(StoreError, match="atomic create-if-absent"):
        open_backend("ftp://example.invalid/hitl")


@pytest.mark.parametrize("url", ["file://./relative", "file://host/share"])
def test_file_urls_with_a_host_are_refused(url: str) -> None:
    with pytest.raises(StoreError, match="absolute path"):
        open_backend(url)


def test_file_urls_name_local_directories(tmp_path: Path) -> None:
    store = open_backend(f"file://{tmp_path}")
    assert isinstance(store, LocalBackend)
    assert store.root == tmp_path
