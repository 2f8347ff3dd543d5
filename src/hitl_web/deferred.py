"""The routes, built when a request first needs them.

An embedded server answers its first form through the fast lane alone: the
framework under the routes (Quart, with Flask and Werkzeug) takes longer to
import than the rest of the server to start. The routes are built on the
first request the lane hands on, their import in a worker thread while the
lane goes on serving, and they then serve every such request. `hitl serve`
builds them as it starts (eager), so that it reports a broken install at once
and runs what the routes run while serving.

The ASGI lifespan is answered here: the routes' own start-up runs when they
are built, and their shut-down when the server stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from hypercorn.typing import ASGIReceiveCallable, ASGISendCallable, Scope

__all__ = ["Deferred", "Routes"]

log = logging.getLogger("hitl")


class Routes(Protocol):
    """What the deferred routes must offer: Quart's app does."""

    async def asgi_app(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None: ...

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...


class Deferred:
    """An ASGI app that builds its routes with build() on first need."""

    def __init__(
        self,
        build: Callable[[], Routes],
        *,
        eager: bool = False,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        self._build = build
        self._eager = eager
        self._on_ready = on_ready
        self._routes: Routes | None = None
        self._building: asyncio.Task[Routes] | None = None

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        routes = self._routes or await self.routes()
        await routes.asgi_app(scope, receive, send)

    async def routes(self) -> Routes:
        """The routes, built and started once; requests that come meanwhile wait."""
        if self._routes is not None:
            return self._routes
        building = self._building
        if building is None:
            building = self._building = asyncio.ensure_future(self._start())
            building.add_done_callback(_retrieved)
        try:
            # shielded: one caller that goes away does not stop the others' routes
            return await asyncio.shield(building)
        except Exception:
            if self._building is building:
                self._building = None  # the next request tries again
            raise

    async def _start(self) -> Routes:
        routes = await asyncio.get_running_loop().run_in_executor(None, self._build)
        await routes.startup()
        self._routes = routes
        return routes

    async def _lifespan(self, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._eager:
                        await self.routes()
                    if self._on_ready is not None:
                        self._on_ready()
                except Exception as exc:
                    log.exception("hitl: the app failed to start")
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    if self._building is not None and not self._building.done():
                        await asyncio.wait([self._building])
                    if self._routes is not None:
                        await self._routes.shutdown()
                except Exception as exc:
                    log.exception("hitl: the app failed to stop cleanly")
                    await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


def _retrieved(building: asyncio.Future[Routes]) -> None:
    # Every request that waited is told of a failed build; if all of them went away
    # first, the failure is still taken here rather than reported as never retrieved.
    if not building.cancelled():
        building.exception()
