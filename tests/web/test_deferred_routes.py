"""The embedded server serves the fast lane at once and builds its routes when a
request first needs them: once, however many requests come together."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypercorn.typing import ASGIReceiveCallable, ASGIReceiveEvent, ASGISendCallable, Scope

from hitl_web.deferred import Deferred, Routes

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the app runs on asyncio only


class Answering:
    """Routes that answer every request with their name, and count their start-ups."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = self.stopped = 0

    async def startup(self) -> None:
        self.started += 1

    async def shutdown(self) -> None:
        self.stopped += 1

    async def asgi_app(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": self.name.encode()})


async def request(app: Deferred) -> str:
    """GET / through app; the body it answers."""
    sent: list[dict[str, Any]] = []

    async def receive() -> ASGIReceiveEvent:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope: Any = {"type": "http", "method": "GET", "path": "/", "headers": []}
    await app(scope, receive, send)
    return b"".join(m.get("body", b"") for m in sent).decode()


async def lifespan(app: Deferred, *messages: str) -> list[dict[str, Any]]:
    """Run the lifespan protocol with these messages; what the app sent back."""
    queue = [{"type": f"lifespan.{m}"} for m in messages]
    sent: list[dict[str, Any]] = []

    async def receive() -> Any:
        return queue.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)  # type: ignore[arg-type]
    return sent


async def test_requests_that_come_together_build_the_routes_once() -> None:
    built: list[Answering] = []

    def build() -> Routes:
        built.append(Answering(f"routes {len(built) + 1}"))
        return built[-1]

    app = Deferred(build)
    replies = await asyncio.gather(*(request(app) for _ in range(20)))
    assert replies == ["routes 1"] * 20
    assert len(built) == 1 and built[0].started == 1
    assert await request(app) == "routes 1"


async def test_a_build_that_fails_is_tried_again_by_the_next_request() -> None:
    attempts: list[int] = []

    def build() -> Routes:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the framework is not installed")
        return Answering("built")

    app = Deferred(build)
    with pytest.raises(RuntimeError, match="not installed"):
        await request(app)
    assert await request(app) == "built"
    assert len(attempts) == 2


async def test_requests_waiting_on_a_failed_build_are_each_told_why() -> None:
    def build() -> Routes:
        raise RuntimeError("the framework is not installed")

    app = Deferred(build)
    failures = await asyncio.gather(*(request(app) for _ in range(5)), return_exceptions=True)
    assert [repr(f) for f in failures] == [repr(RuntimeError("the framework is not installed"))] * 5


async def test_lifespan_builds_eager_routes_and_stops_them() -> None:
    routes = Answering("eager")
    ready: list[bool] = []
    app = Deferred(lambda: routes, eager=True, on_ready=lambda: ready.append(True))
    sent = await lifespan(app, "startup", "shutdown")
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert ready == [True] and routes.started == 1 and routes.stopped == 1


async def test_lazy_routes_are_not_built_by_the_lifespan() -> None:
    built: list[Answering] = []
    app = Deferred(lambda: built.append(Answering("lazy")) or built[-1])
    sent = await lifespan(app, "startup", "shutdown")
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert built == []


async def test_eager_routes_that_fail_fail_the_start_up() -> None:
    def build() -> Routes:
        raise RuntimeError("broken install")

    ready: list[bool] = []
    app = Deferred(build, eager=True, on_ready=lambda: ready.append(True))
    sent = await lifespan(app, "startup")
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "broken install" in sent[0]["message"]
    assert ready == []


async def test_a_ready_hook_that_fails_fails_the_start_up() -> None:
    def ready() -> None:
        raise OSError("cannot announce the endpoint")

    app = Deferred(lambda: Answering("eager"), eager=True, on_ready=ready)
    sent = await lifespan(app, "startup")
    assert sent == [
        {
            "type": "lifespan.startup.failed",
            "message": repr(OSError("cannot announce the endpoint")),
        }
    ]


async def test_routes_that_fail_to_stop_say_so() -> None:
    class Stuck(Answering):
        async def shutdown(self) -> None:
            raise RuntimeError("a task would not stop")

    app = Deferred(lambda: Stuck("eager"), eager=True)
    sent = await lifespan(app, "startup", "shutdown")
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.failed"]


FIRST_FORM = """
import json, sys
import httpx
import hitl_sync as hitl

event = hitl.new_event("first", data_type=bool, prompt="Ready?")
form = httpx.get(event.form_url)
before = "quart" in sys.modules
status = httpx.get(event.api_url.replace("/submit/json", f"/status/{event.request_id}"),
                   params={"token": event.form_url.split("token=")[1]})
print(json.dumps({"form": form.status_code, "ready_text": "Ready?" in form.text,
                  "quart_before": before, "status": status.status_code,
                  "state": status.json().get("status"), "quart_after": "quart" in sys.modules}))
"""


def test_the_embedded_server_serves_a_form_before_loading_the_framework(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HITL_")}
    env.update(HITL_STORE=str(tmp_path / "store"), HITL_PORT="0")
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FORM], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "form": 200,
        "ready_text": True,
        "quart_before": False,
        "status": 200,
        "state": "pending",
        "quart_after": True,
    }
