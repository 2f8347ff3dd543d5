"""Fixtures shared by every flavor: isolated settings, a real `hitl serve`, flavors."""

from __future__ import annotations

import os
import queue
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import pytest

from hitl_core import runtime
from hitl_core.delivery import NoticeFailed
from hitl_core.reach import Notice

from .servers import BUCKET, MotoServer, Served, s3_environment, start_server, stop_server

FLAVORS = ("asyncio", "trio", "sync")
ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--flavor",
        action="append",
        choices=FLAVORS,
        help="run only the tests of this flavor (repeatable); default: all three",
    )


def flavor_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    if "anyio_backend" in params:
        return str(params["anyio_backend"])
    if "flavor" in params:
        return str(params["flavor"])
    if "_sync" in item.path.parts:
        return "sync"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = config.getoption("--flavor")
    keep, drop = [], []
    for item in items:
        flavor = flavor_of(item)
        slow = item.get_closest_marker("slow")
        if slow is not None:
            # A slow fault test runs once per run, on the one flavor it names.
            if flavor != slow.kwargs["flavor"]:
                drop.append(item)
                continue
            item.add_marker(pytest.mark.once)
        # Flavor-neutral tests run with the asyncio flavor's share.
        (keep if not wanted or (flavor or "asyncio") in wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Tests marked every_store run on a local directory and on S3; the S3 runs go
    # to the session that runs once per CI run (the storage code is flavor-neutral).
    if metafunc.definition.get_closest_marker("every_store"):
        kinds = [pytest.param("local"), pytest.param("s3", marks=pytest.mark.once)]
        metafunc.parametrize("store_kind", kinds, indirect=True)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """local, or s3 for the tests marked every_store (their second run)."""
    return str(getattr(request, "param", "local"))


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto_server on a free 127.0.0.1 port for the whole session, with one bucket."""
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    try:
        server.create_bucket(BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_store(
    s3_server: MotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """This test's own prefix in the S3 bucket, with AWS settings that reach only moto."""
    for name, value in s3_environment(s3_server.endpoint, tmp_path).items():
        monkeypatch.setenv(name, value)
    url = f"s3://{BUCKET}/{uuid.uuid4().hex}"
    monkeypatch.setenv("HITL_STORE", url)
    yield url


@pytest.fixture(autouse=True)
def isolated_settings(
    request: pytest.FixtureRequest,
    store_kind: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Path:
    """No test sees the developer's hitl settings; embedded servers take free ports.

    HITL_STORE is this test's own store: a local folder (returned) or, for the
    S3 run of an every_store test, a prefix of the moto bucket.
    """
    for name in list(os.environ):
        if name.startswith(("HITL_", "AIRFLOW_CTX_", "FLYTE_", "AWS_")) or name in (
            "RAW_DATA_PATH",
            "_FLYTE_APP_RAW_DATA_PATH",
        ):
            monkeypatch.delenv(name)
    store = tmp_path / "store"
    monkeypatch.setenv("HITL_STORE", str(store))
    monkeypatch.setenv("HITL_PORT", "0")
    monkeypatch.setenv("HITL_RUN_ID", f"test-{uuid.uuid4().hex[:12]}")
    if store_kind == "s3":
        request.getfixturevalue("s3_store")
    return store


@pytest.fixture(autouse=True)
def notifications_stay_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A notification to anywhere but 127.0.0.1 is refused, not sent (it fails, as a
    refused channel does, and says why)."""
    deliveries = runtime.current().deliveries
    send = deliveries.sender

    def loopback_only(notice: Notice) -> None:
        if urlsplit(notice.url).hostname not in ("127.0.0.1", "::1"):
            raise NoticeFailed(f"tests send to 127.0.0.1 only, not to {notice.url}")
        send(notice)

    monkeypatch.setattr(deliveries, "sender", loopback_only)


@pytest.fixture(autouse=True)
def no_server_left_running() -> Iterator[None]:
    """Embedded servers a test started stop with it, and its events are watched no more
    for reminders (each test has a store of its own)."""
    yield
    runtime.current().stop_servers()
    runtime.current().reminders.clear()


class Lines:
    """The lines a child process prints, read by a thread so a wait can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._lines.put(line)
        finally:
            self._lines.put("")  # end of output

    def join(self, timeout: float = 10) -> None:
        self._thread.join(timeout)

    def next(self, timeout: float = 60) -> str:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output within {timeout} s") from None


OPERATOR_KEY = "operator-key-for-tests"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One standalone server for the session on a local store, with an operator key."""
    server = start_server(tmp_path_factory.mktemp("served-store"), api_key=OPERATOR_KEY)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def served_s3(s3_server: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One standalone server for the session on an S3 store, with an operator key."""
    home = tmp_path_factory.mktemp("served-s3")
    server = start_server(
        f"s3://{BUCKET}/served",
        api_key=OPERATOR_KEY,
        log_dir=home,
        env=s3_environment(s3_server.endpoint, home),
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def replica_pair(
    s3_server: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Served, Served]]:
    """Two `hitl serve` processes on one S3 store, as behind a load balancer."""
    home = tmp_path_factory.mktemp("replicas")
    env = s3_environment(s3_server.endpoint, home)
    first = start_server(f"s3://{BUCKET}/replicas", log_dir=home, env=env)
    try:
        second = start_server(f"s3://{BUCKET}/replicas", log_dir=home, env=env)
    except BaseException:
        stop_server(first)
        raise
    yield first, second
    stop_server(first)
    stop_server(second)


@pytest.fixture
def replicas(
    replica_pair: tuple[Served, Served],
    s3_server: MotoServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[Served, Served]:
    """Events of this test live in the replicas' S3 store."""
    for name, value in s3_environment(s3_server.endpoint, tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HITL_STORE", replica_pair[0].store)
    return replica_pair


@pytest.fixture
def remote(
    request: pytest.FixtureRequest, store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> Served:
    """Events of this test use a standalone server and its store (of this test's kind)."""
    served: Served = request.getfixturevalue("served_s3" if store_kind == "s3" else "served")
    monkeypatch.setenv("HITL_STORE", served.store)
    monkeypatch.setenv("HITL_ENDPOINT", served.endpoint)
    return served


@pytest.fixture(params=["embedded", "remote"])
def where(request: pytest.FixtureRequest) -> str:
    """Run the test against the in-process server and against `hitl serve`."""
    if request.param == "remote":
        request.getfixturevalue("remote")
    return str(request.param)
