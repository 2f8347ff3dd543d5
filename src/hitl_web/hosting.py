"""Running the app under Hypercorn: standalone (hitl serve) or embedded in a thread.

The embedded server runs on an asyncio loop in a daemon thread of its own, so
it serves asyncio, trio and blocking callers alike and outlives any one event
loop of the caller. It binds 127.0.0.1 unless told otherwise. The runtime
starts it through start_embedded(), which this distribution registers as its
"hitl.servers" entry point: the layers below never import this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config

from hitl_core.codec import prepare_validation
from hitl_core.config import Settings
from hitl_core.runtime import Runtime
from hitl_core.threads import leave_signals_to_the_main_thread

from .deferred import Deferred, Routes
from .fast_lane import FastLane
from .services import open_services

__all__ = ["EmbeddedServer", "run_forever", "start_embedded"]

log = logging.getLogger("hitl")

# How soon a worker notices that the server that forked it is gone.
ORPHAN_CHECK_SECONDS = 1.0


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run main on uvloop where it is installed (the server's requests cost less
    there), else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def _site(
    settings: Settings,
    *,
    process: Runtime | None = None,
    eager: bool,
    watch_reach: bool = False,
    on_ready: Callable[[], None] | None = None,
) -> FastLane:
    """The app as create_app() makes it, with its routes deferred (deferred.py):
    built on first need, or as the server starts if eager."""
    shared = open_services(
        settings.store,
        api_key=settings.api_key,
        s3_endpoint_url=settings.s3_endpoint_url,
        process=process,
        trusted_user_header=settings.trusted_user_header,
    )
    every = settings.reach_scan_seconds if watch_reach else None

    def build() -> Routes:
        from .app import routes_app  # the framework loads here, not with the server

        return routes_app(shared, watch_reach_every=every)

    return FastLane(Deferred(build, eager=eager, on_ready=on_ready), shared)


def _config(sock: socket.socket) -> Config:
    # Hypercorn closes the socket it is given; it gets a duplicate so that the
    # owner of the original closes exactly what it opened.
    config = Config()
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.accesslog = None
    config.errorlog = log
    config.graceful_timeout = 2.0
    config.keep_alive_timeout = 30.0
    return config


class EmbeddedServer:
    """The app, served from a daemon thread until stop() or interpreter exit."""

    def __init__(self, settings: Settings, process: Runtime) -> None:
        self.settings = settings
        self._process = process
        try:
            self._socket = _bind(settings.host, settings.port)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or settings.port == 0:
                raise
            log.warning(
                "hitl: port %s on %s is taken; serving on a free port instead "
                "(set HITL_PORT to choose one)",
                settings.port,
                settings.host,
            )
            self._socket = _bind(settings.host, 0)
        self.port: int = self._socket.getsockname()[1]
        self.endpoint = _url(settings.host, self.port)
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="hitl-server", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the embedded hitl server did not start in time")
        if self._failure is not None:
            raise RuntimeError("the embedded hitl server failed to start") from self._failure

    def stop(self, timeout: float = 5.0) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass
        self._thread.join(timeout)

    def _run(self) -> None:
        leave_signals_to_the_main_thread()
        try:
            _run_loop(self._serve())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            self._socket.close()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        # The first form is served before the routes' framework is imported.
        site = _site(self.settings, process=self._process, eager=False, on_ready=self._ready.set)
        await hypercorn_serve(site, _config(self._socket), shutdown_trigger=self._stop.wait)


def start_embedded(settings: Settings, process: Runtime) -> EmbeddedServer:
    """Serve settings.store from this process (the runtime's server factory)."""
    server = EmbeddedServer(settings, process)
    server.start()
    log.info("hitl: serving %s at %s", settings.store, server.endpoint)
    return server


def run_forever(
    settings: Settings, on_ready: Callable[[str], None] | None = None, *, workers: int = 1
) -> None:
    """Serve until SIGINT or SIGTERM (hitl serve), in `workers` processes that share
    one listening socket and one store.

    Each worker is a process of its own (its own event loop, caches and store
    client), forked before any loop or thread starts. Only the first watches the
    store for notices to send, and announces readiness. A worker that dies stops
    the others: the server exits non-zero, for its supervisor to restart.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    # A standalone server pays its imports before it listens (and before it forks).
    prepare_validation()
    from . import app  # noqa: F401  (the routes and their framework)

    sock = _bind(settings.host, settings.port)
    endpoint = _url(settings.host, sock.getsockname()[1])
    try:
        if workers == 1:
            _serve_worker(settings, sock, endpoint, on_ready, watch=True)
            return
        children = [
            _fork_worker(settings, sock, endpoint, on_ready, first=i == 0) for i in range(workers)
        ]
    finally:
        sock.close()
    _supervise(children)


def _fork_worker(
    settings: Settings,
    sock: socket.socket,
    endpoint: str,
    on_ready: Callable[[str], None] | None,
    *,
    first: bool,
) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        ready = on_ready if first else None
        _serve_worker(settings, sock, endpoint, ready, watch=first, parent=os.getppid())
    except BaseException:  # a worker reports its own failure, then leaves
        log.exception("hitl: worker %s failed", os.getpid())
        code = 1
    finally:
        os._exit(code)


def _supervise(children: list[int]) -> None:
    """Wait for the workers; pass SIGINT and SIGTERM on to them; when one ends
    unasked, stop the rest and exit non-zero."""
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        _signal_all(children, signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    running = set(children)
    failed = False
    while running:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        running.discard(pid)
        if not stopping:
            log.error("hitl: worker %s ended unasked (status %s); stopping the others", pid, status)
            failed = stopping = True
            _signal_all(running, signal.SIGTERM)
    if failed:
        raise SystemExit(1)


def _signal_all(children: Iterable[int], signum: int) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _serve_worker(
    settings: Settings,
    sock: socket.socket,
    endpoint: str,
    on_ready: Callable[[str], None] | None,
    *,
    watch: bool,
    parent: int | None = None,
) -> None:
    """Serve the app on sock until SIGINT or SIGTERM, or (a worker) until its parent
    is gone: a worker never outlives the server it belongs to, even killed."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if parent is not None:
            orphaned = asyncio.create_task(_stop_when_orphaned(parent, stop))

        def ready() -> None:
            if on_ready is not None:
                on_ready(endpoint)

        site = _site(settings, eager=True, watch_reach=watch, on_ready=ready)
        try:
            await hypercorn_serve(site, _config(sock), shutdown_trigger=stop.wait)
        finally:
            if parent is not None:
                orphaned.cancel()

    _run_loop(main())


async def _stop_when_orphaned(parent: int, stop: asyncio.Event) -> None:
    # Nothing signals a parent's end to its child: it is looked for.
    while True:
        await asyncio.sleep(ORPHAN_CHECK_SECONDS)
        if os.getppid() != parent:
            break
    log.error("hitl: the server that started worker %s is gone; stopping", os.getpid())
    stop.set()
