"""Running the app under Hypercorn: standalone (hitl serve) or embedded in a thread.

The embedded server runs on an asyncio loop in a daemon thread of its own, so
it serves asyncio, trio and blocking callers alike and outlives any one event
loop of the caller. It binds 127.0.0.1 unless told otherwise. The runtime
starts it through start_embedded(), which this distribution registers as its
"hitl.servers" entry point: the layers below never import this module.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable

from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config

from hitl_core.codec import prepare_validation
from hitl_core.config import Settings
from hitl_core.runtime import Runtime

from .app import create_app

__all__ = ["EmbeddedServer", "run_forever", "start_embedded"]

log = logging.getLogger("hitl")


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
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
        finally:
            self._socket.close()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        app = create_app(
            self.settings.store,
            api_key=self.settings.api_key,
            s3_endpoint_url=self.settings.s3_endpoint_url,
            process=self._process,
            trusted_user_header=self.settings.trusted_user_header,
        )

        @app.before_serving
        async def ready() -> None:
            self._ready.set()

        await hypercorn_serve(app, _config(self._socket), shutdown_trigger=self._stop.wait)


def start_embedded(settings: Settings, process: Runtime) -> EmbeddedServer:
    """Serve settings.store from this process (the runtime's server factory)."""
    server = EmbeddedServer(settings, process)
    server.start()
    log.info("hitl: serving %s at %s", settings.store, server.endpoint)
    return server


def run_forever(settings: Settings, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM (hitl serve)."""
    prepare_validation()  # a standalone server pays its imports before it listens
    sock = _bind(settings.host, settings.port)
    endpoint = _url(settings.host, sock.getsockname()[1])

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        app = create_app(
            settings.store,
            api_key=settings.api_key,
            s3_endpoint_url=settings.s3_endpoint_url,
            trusted_user_header=settings.trusted_user_header,
            watch_reach_every=settings.reach_scan_seconds,
        )

        @app.before_serving
        async def ready() -> None:
            if on_ready is not None:
                on_ready(endpoint)

        await hypercorn_serve(app, _config(sock), shutdown_trigger=stop.wait)

    try:
        asyncio.run(main())
    finally:
        sock.close()
