"""Storage backends: create-if-absent is atomic, readers never see partial documents."""

from __future__ import annotations

import errno
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from hitl_core.errors import StoreError, StoreUnavailable
from hitl_core.storage import Backend, FsspecBackend, LocalBackend, open_backend

from ..servers import s3_environment


@pytest.fixture(params=["local", "memory", pytest.param("s3", marks=pytest.mark.once)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "local":
        yield open_backend(str(tmp_path / "store"))
    elif request.param == "s3":
        url = request.getfixturevalue("s3_store")
        yield open_backend(url, s3_endpoint_url=os.environ["HITL_S3_ENDPOINT_URL"])
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


def test_a_listing_from_a_cursor_gives_the_names_after_it_in_order(backend: Backend) -> None:
    for name in ("0003-c.json", "0001-a.json", "0002-b.json", "0002-a.json"):
        assert backend.create(f"changes/h1/{name}", b"{}")
    assert backend.create("changes/h2/0000-z.json", b"{}")  # another folder, not listed
    assert backend.list_after("changes/h1", "0002") == ["0002-a.json", "0002-b.json", "0003-c.json"]
    assert backend.list_after("changes/h1", "0002-a.json") == ["0002-b.json", "0003-c.json"]
    assert backend.list_after("changes/h1", "0003-c.json") == []
    assert backend.list_after("changes/h1", "") == backend.list("changes/h1")
    assert backend.list_after("changes/nothing-here", "0001") == []


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


def test_s3_without_a_bucket_is_refused() -> None:
    with pytest.raises(StoreError, match="names no bucket"):
        open_backend("s3://")


@pytest.mark.once  # botocore retries a refused connection for seconds
def test_unreachable_s3_is_store_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once closed
    for name, value in s3_environment(closed, tmp_path).items():
        monkeypatch.setenv(name, value)
    store = open_backend("s3://hitl-tests/unreachable", s3_endpoint_url=closed)
    for attempt in (
        lambda: store.read("events/x.json"),
        lambda: store.create("events/x.json", b"{}"),
        lambda: store.list("events"),
    ):
        with pytest.raises(StoreUnavailable) as caught:
            attempt()
        assert "s3://hitl-tests/unreachable" in str(caught.value)
        assert caught.value.__cause__ is not None  # the library's error stays chained


@pytest.mark.once
def test_standard_aws_endpoint_variable_is_honoured(
    s3_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without HITL_S3_ENDPOINT_URL, botocore's own AWS_ENDPOINT_URL_S3 picks the server."""
    endpoint = os.environ["HITL_S3_ENDPOINT_URL"]
    monkeypatch.delenv("HITL_S3_ENDPOINT_URL")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    store = open_backend(s3_store)
    assert store.create("events/std.json", b"{}") is True
    assert store.list("events") == ["std.json"]


def _memory_backend() -> FsspecBackend:
    backend = open_backend(f"memory://hitl-test-{uuid.uuid4().hex}")
    assert isinstance(backend, FsspecBackend)
    return backend


def _client_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": code}}, "GetObject")


def _translated(code: str, error: OSError) -> OSError:
    """An S3 error as s3fs raises it: a builtin error, botocore's as its cause."""
    error.__cause__ = _client_error(code)
    return error


def _botocore(name: str) -> Exception:
    from botocore import exceptions

    if name == "EndpointConnectionError":
        return exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    return getattr(exceptions, name)()


@pytest.mark.parametrize(
    ("failure", "passing"),
    [
        (lambda: TimeoutError("timed out"), True),
        (lambda: ConnectionRefusedError(errno.ECONNREFUSED, "refused"), True),
        (lambda: _translated("SlowDown", OSError(errno.EBUSY, "slow down")), True),
        (lambda: _translated("InternalError", OSError(errno.EIO, "internal")), True),
        (lambda: _botocore("EndpointConnectionError"), True),
        (lambda: _translated("AccessDenied", PermissionError("denied")), False),
        (lambda: _botocore("NoCredentialsError"), False),
        (lambda: OSError(errno.EROFS, "read-only file system"), False),
        (lambda: _translated("PermanentRedirect", OSError(errno.EREMCHG, "wrong region")), False),
    ],
)
def test_storage_failures_are_lasting_or_passing_by_their_codes(
    failure: Callable[[], Exception], passing: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = _memory_backend()

    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise failure()

    for method in ("cat_file", "pipe_file", "ls"):
        monkeypatch.setattr(backend.fs, method, fail)
    for call in (
        lambda: backend.read("events/x.json"),
        lambda: backend.create("events/x.json", b"{}"),
        lambda: backend.list("events"),
    ):
        with pytest.raises(StoreError) as caught:
            call()
        assert isinstance(caught.value, StoreUnavailable) is passing
        assert caught.value.__cause__ is not None


def test_a_missing_bucket_is_lasting_not_an_absent_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend = _memory_backend()

    def no_bucket(*args: object, **kwargs: object) -> NoReturn:
        raise _translated("NoSuchBucket", FileNotFoundError("The bucket does not exist"))

    def no_key(*args: object, **kwargs: object) -> NoReturn:
        raise _translated("NoSuchKey", FileNotFoundError("no such key"))

    monkeypatch.setattr(backend.fs, "cat_file", no_bucket)
    with pytest.raises(StoreError) as caught:
        backend.read("events/x.json")
    assert not isinstance(caught.value, StoreUnavailable)
    monkeypatch.setattr(backend.fs, "cat_file", no_key)
    assert backend.read("events/x.json") is None


def test_a_bug_beneath_the_store_propagates_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _memory_backend()

    def bug(*args: object, **kwargs: object) -> NoReturn:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(backend.fs, "cat_file", bug)
    with pytest.raises(TypeError, match="unsupported operand"):
        backend.read("events/x.json")


def test_local_errors_are_lasting_or_passing_by_errno(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalBackend(tmp_path)
    for number, passing in ((errno.EIO, True), (errno.ENOSPC, True), (errno.EACCES, False)):

        def fail(*args: object, number: int = number) -> NoReturn:
            raise OSError(number, os.strerror(number))

        monkeypatch.setattr(Path, "read_bytes", fail)
        with pytest.raises(StoreError) as caught:
            store.read("events/x.json")
        assert isinstance(caught.value, StoreUnavailable) is passing
