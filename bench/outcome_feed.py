"""Storage requests per poll tick with 0 and with 20,000 outcomes stored (S3 on moto_server).

Starts moto_server on 127.0.0.1, with an extra route that stores objects from
inside the server (20,000 outcomes and their change entries take seconds that
way, not the minutes of 40,000 PUTs), and measures, at each size:

(a) 1,000 waits of one process on pending events: the requests of one poll tick;
(b) 200 waits of one process on events that another process answers (a child
    process writing through its own store: no wake-up reaches the waits, the
    change feed tells them): listings per tick, reads per answer, and how long
    each answer took to reach its wait;

next to the old figure: the listing of outcomes/ that the waits of a process
shared per tick before the change feed (measured by making it once).

The waits are hitl_async's outcome_of(), the loop Event.wait() runs when the
event is served in-process. Requests are counted from moto_server's own log
(every HTTP request it served).

    python bench/outcome_feed.py
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
from _support import BUCKET, MotoServer, percentile, s3_environment, stop_process

# moto_server as tests/servers.py runs it (one request at a time, so conditional
# writes are atomic), plus POST /bench-fill: {"bucket", "objects": {key: text}}.
FILLABLE_MOTO = """
import json, sys, threading
from werkzeug.serving import run_simple
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication, MotoRequestHandler, create_backend_app,
)
from moto.s3.models import s3_backends
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
lock = threading.Lock()

def fill(environ, start_response):
    body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key, text in body["objects"].items():
        s3.put_object(body["bucket"], key, text.encode())
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"filled"]

def one_at_a_time(environ, start_response):
    with lock:
        if environ.get("PATH_INFO") == "/bench-fill":
            return fill(environ, start_response)
        return list(app(environ, start_response))

run_simple(sys.argv[1], int(sys.argv[2]), one_at_a_time, threaded=True,
           request_handler=MotoRequestHandler)
"""

# The other process: answers each request id through its own store, spread over
# `spread` seconds; prints when it stored each.
WRITER = """
import json, sys, time
from hitl_core import documents
from hitl_sync._store import open_store
store = open_store(sys.argv[1], s3_endpoint_url=sys.argv[2])
ids, spread = json.loads(sys.argv[3]), float(sys.argv[4])
began = time.monotonic()
for n, request_id in enumerate(ids):
    time.sleep(max(0.0, began + spread * n / len(ids) - time.monotonic()))
    store.write_outcome(documents.outcome_document(
        request_id, documents.ANSWERED, now=documents.utc_now(), value=n, via="cli",
        type_name="int",
    ))
    print(json.dumps({"id": request_id, "at": time.time()}), flush=True)
"""


class FillableMoto(MotoServer):
    """MotoServer (tests/servers.py) that can also be filled from inside."""

    def start(self) -> None:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-c", FILLABLE_MOTO, "127.0.0.1", str(self.port)],
                env={**os.environ, "MOTO_PORT": str(self.port)},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.endpoint}/moto-api/data.json", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.05)

    def fill(self, objects: dict[str, str]) -> None:
        items = list(objects.items())
        for first in range(0, len(items), 5000):
            chunk = dict(items[first : first + 5000])
            body = {"bucket": BUCKET, "objects": chunk}
            httpx.post(f"{self.endpoint}/bench-fill", json=body, timeout=120).raise_for_status()


def stored_long_ago(prefix: str, count: int) -> dict[str, str]:
    """count answered outcomes with their change entries, written over the last hour
    up to three minutes ago (the entries land in this hour's folder and the last's)."""
    from hitl_core import documents, strict_json

    now = documents.utc_now()
    objects = {}
    for n in range(count):
        request_id = f"stored-{n}"
        at = now - timedelta(minutes=3) - timedelta(minutes=55) * n / count
        outcome = documents.outcome_document(
            request_id, documents.ANSWERED, now=at, value=n, via="cli", type_name="int"
        )
        entry = documents.change_document(request_id, documents.OUTCOME_CHANGE, at)
        objects[f"{prefix}/{documents.outcome_path(request_id)}"] = strict_json.dumps(
            outcome
        ).decode()
        path = documents.change_path(request_id, documents.OUTCOME_CHANGE, at)
        objects[f"{prefix}/{path}"] = strict_json.dumps(entry).decode()
    return objects


def kinds(requests: list[tuple[str, str, int]], prefix: str) -> dict[str, int]:
    """The requests by what they did."""
    counted = {"feed listings": 0, "outcome listings": 0, "outcome reads": 0, "writes": 0}
    other = 0
    for method, path, _ in requests:
        if method == "PUT":
            counted["writes"] += 1
        elif "list-type=2" in path and f"prefix={prefix}/changes/" in path:
            counted["feed listings"] += 1
        elif "list-type=2" in path and f"prefix={prefix}/outcomes/" in path:
            counted["outcome listings"] += 1
        elif path.startswith(f"/{BUCKET}/{prefix}/outcomes/"):
            counted["outcome reads"] += 1
        else:
            other += 1
    counted["other"] = other
    return counted


def write_elsewhere(command: list[str]) -> str:
    """Run the other process to its end; what it printed."""
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        output, _ = writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            stop_process(writer)
    return output


async def _all_paused(request_ids: list[str]) -> None:
    from hitl_core import runtime

    wakeups = runtime.current().wakeups
    with anyio.fail_after(120):
        # The signal is a count that other threads change: look at it often.
        while not all(wakeups.paused(r) for r in request_ids):  # noqa: ASYNC110
            await anyio.sleep(0.01)


async def _midway(poll: float) -> None:
    """Sleep until halfway between two ticks, so a window holds whole ticks."""
    await anyio.sleep((poll / 2 - time.monotonic() % poll) % poll)


async def pending(s3: MotoServer, url: str, prefix: str, size: int, args: Any) -> dict[str, Any]:
    """(a): the requests of the ticks that waits on pending events make."""
    from hitl_async._store import open_store
    from hitl_async._waiting import outcome_of

    store = open_store(url, s3_endpoint_url=s3.endpoint)
    ids = [f"pending-{size}-{n}" for n in range(args.waits)]
    async with anyio.create_task_group() as group:
        until = time.monotonic() + 3600
        for request_id in ids:
            wait = functools.partial(
                outcome_of, store, request_id, until=until, poll_interval=args.poll
            )
            group.start_soon(wait)
        await _all_paused(ids)  # each made its first look: one read each, once
        await anyio.sleep(args.poll)
        await _midway(args.poll)
        mark, started = len(s3.requests()), time.monotonic()
        await anyio.sleep(args.ticks * args.poll)
        ticks = (time.monotonic() - started) / args.poll
        counted = kinds(s3.requests()[mark:], prefix)
        group.cancel_scope.cancel()
    return {"ticks": ticks, **counted}


async def answered_elsewhere(
    s3: MotoServer, url: str, prefix: str, size: int, args: Any
) -> dict[str, Any]:
    """(b): waits whose answers another process stores."""
    from hitl_async._store import open_store
    from hitl_async._waiting import outcome_of

    store = open_store(url, s3_endpoint_url=s3.endpoint)
    ids = [f"answered-{size}-{n}" for n in range(args.answered)]
    returned: dict[str, float] = {}

    async def wait(request_id: str) -> None:
        until = time.monotonic() + 3600
        outcome = await outcome_of(store, request_id, until=until, poll_interval=args.poll)
        assert outcome is not None and outcome["state"] == "answered"
        returned[request_id] = time.time()

    async with anyio.create_task_group() as group:
        for request_id in ids:
            group.start_soon(wait, request_id)
        await _all_paused(ids)
        await anyio.sleep(args.poll)
        await _midway(args.poll)
        mark, started = len(s3.requests()), time.monotonic()
        command = [sys.executable, "-c", WRITER, url, s3.endpoint, json.dumps(ids)]
        output = await anyio.to_thread.run_sync(write_elsewhere, [*command, str(args.spread)])
        with anyio.fail_after(60):
            while len(returned) < len(ids):  # noqa: ASYNC110
                await anyio.sleep(0.05)
        await anyio.sleep(args.poll)  # and one more tick: nothing left to read
        ticks = (time.monotonic() - started) / args.poll
        counted = kinds(s3.requests()[mark:], prefix)
    stored = {line["id"]: line["at"] for line in map(json.loads, output.splitlines())}
    delays = [returned[r] - stored[r] for r in ids]
    return {"ticks": ticks, "p50": percentile(delays, 0.5), "max": max(delays), **counted}


async def old_listing(s3: MotoServer, url: str, prefix: str) -> dict[str, Any]:
    """The listing of outcomes/ the waits shared per tick before the change feed."""
    from hitl_async._store import open_store

    store = open_store(url, s3_endpoint_url=s3.endpoint)
    mark, started = len(s3.requests()), time.monotonic()
    listed = await store.list_outcomes()
    return {
        "requests": kinds(s3.requests()[mark:], prefix)["outcome listings"],
        "names": len(listed),
        "seconds": time.monotonic() - started,
    }


async def measure(s3: MotoServer, args: Any) -> dict[int, dict[str, Any]]:
    prefix = "feed"
    url = f"s3://{BUCKET}/{prefix}"
    figures: dict[int, dict[str, Any]] = {}
    for size in (0, args.stored):
        if size:
            started = time.monotonic()
            await anyio.to_thread.run_sync(s3.fill, stored_long_ago(prefix, size))
            took = time.monotonic() - started
            print(f"  stored {size:,} outcomes and their change entries in {took:.1f} s")
        figures[size] = {
            "old": await old_listing(s3, url, prefix),
            "pending": await pending(s3, url, prefix, size, args),
            "answered": await answered_elsewhere(s3, url, prefix, size, args),
        }
        print(f"  measured at {size:,} outcomes")
    return figures


def report(figures: dict[int, dict[str, Any]], args: Any) -> None:
    sizes = sorted(figures)
    print()
    print(f"Storage requests per poll tick (poll {args.poll:g} s, S3 on moto_server)")
    header = "".join(f"{f'{size:,} outcomes':>18}" for size in sizes)
    print(f"{'':58}{header}")

    def row(label: str, values: list[str]) -> None:
        print(f"  {label:56}" + "".join(f"{v:>18}" for v in values))

    row(
        "before: the shared listing of outcomes/ (requests)",
        [str(figures[s]["old"]["requests"]) for s in sizes],
    )
    row(
        "  (taking, on moto_server)",
        [f"{figures[s]['old']['seconds']:.2f} s" for s in sizes],
    )
    for key, label in (
        ("pending", f"(a) {args.waits:,} waits on pending events: requests"),
        ("answered", f"(b) {args.answered} waits answered elsewhere: listings"),
    ):
        values = []
        for size in sizes:
            found = figures[size][key]
            # (a): every request of its ticks; (b): the listings (reads follow answers).
            counted = found["feed listings"]
            if key == "pending":
                counted = sum(v for k, v in found.items() if k not in ("ticks",))
            values.append(f"{counted / found['ticks']:.2f}")
        row(label, values)
    row(
        "    (a) of which reads, listings of outcomes/, other",
        [
            f"{f['outcome reads']}, {f['outcome listings']}, {f['other']}"
            for f in (figures[s]["pending"] for s in sizes)
        ],
    )
    row(
        "    (b) reads per answer",
        [f"{figures[s]['answered']['outcome reads'] / args.answered:.2f}" for s in sizes],
    )
    row(
        "    (b) answer to wait's return: p50 / max",
        [
            f"{figures[s]['answered']['p50']:.2f} / {figures[s]['answered']['max']:.2f} s"
            for s in sizes
        ],
    )
    print()
    print(
        "  (a) counts every request of the ticks measured; a tick lists one hour folder of\n"
        "  changes/ from a cursor, two when its window crosses the hour."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored", type=int, default=20_000, help="outcomes stored")
    parser.add_argument("--waits", type=int, default=1000, help="waits on pending events (a)")
    parser.add_argument("--answered", type=int, default=200, help="waits answered elsewhere (b)")
    parser.add_argument("--poll", type=float, default=1.0, help="poll_interval_seconds")
    parser.add_argument("--ticks", type=int, default=5, help="ticks measured in (a)")
    parser.add_argument("--spread", type=float, default=3.0, help="seconds the answers take (b)")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hitl-bench-") as tmp:
        home = Path(tmp)
        (home / "moto").mkdir()
        s3 = FillableMoto(home / "moto")
        s3.start()
        try:
            s3.create_bucket(BUCKET)
            os.environ.update(s3_environment(s3.endpoint, home))
            os.environ.pop("HITL_ENDPOINT", None)
            figures = anyio.run(measure, s3, args)
        finally:
            s3.stop()
    report(figures, args)
    print(f"\n  (the benchmark took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
