"""Storage requests per poll tick with 0 and with 20,000 outcomes stored (S3 on moto_server).

Starts moto_server on 127.0.0.1, with an extra route that stores objects from
inside the server (20,000 outcomes and their change entries take seconds that
way, not the minutes of 40,000 PUTs), and measures, at each size:

(a) 1,000 waits of one process on pending events: the requests of one poll tick;
(b) 200 waits of one process on events that another process answers (a child
    process writing through its own store: no wake-up reaches the waits, the
    change feed tells them): listings per tick, reads per answer, and how long
    each answer took to reach its wait;
(c) waits through the app (--through-app N, 0 to skip): `hitl serve` on the same
    store, N pending events stored as new_event() stores them, and N waits of one
    process that hold their long-polls on the app (POST /events/wait, 400 events a
    request), started 400 at a time; once the app's /health reports N holds and
    the app and the waits have read each outcome: the connections the process
    holds, the app's holds, the long-poll requests sent, and what the app and the
    waits ask of the store over --window seconds in which nothing changes (holds
    are renewed every 25 s: make it longer); then 20 events answered by another
    process, and how long each answer took to reach its wait;

next to the old figure: the listing of outcomes/ that the waits of a process
shared per tick before the change feed (measured by making it once).

The waits of (a) and (b) are hitl_async's outcome_of(), the loop Event.wait()
runs when the event is served in-process; those of (c) the same loop with the
event's LongPoll, as Event.wait() runs it when another process serves the event.
Requests are counted from moto_server's own log (every HTTP request it served);
in (c) the app's requests carry an app id in their User-Agent (and the other
process's another), so that the log tells them from the waits' requests.

(c) starts 4,000 waits, 400 at a time, by default: each wait and each of the app's
first holds reads the event's outcome once, and moto_server (one request at a
time) serves about 150 a second on a 2-core machine, so 10,000 waits take over
two minutes to set up, 4,000 about one. Started all at once, the app's first
reads of a request queue behind those of the others and outlast its 25 s hold;
the app then drops what they read and reads again at the next hold.

    python bench/outcome_feed.py                      # (a), (b), (c): 4,000 waits
    python bench/outcome_feed.py --through-app 0      # (a), (b)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import anyio
import httpx
from _support import (
    BUCKET,
    MotoServer,
    percentile,
    s3_environment,
    start_server,
    stop_process,
    stop_server,
)

if TYPE_CHECKING:
    from tests.servers import Served

# moto_server as tests/servers.py runs it (one request at a time, so conditional
# writes are atomic), plus POST /bench-fill: {"bucket", "objects": {key: text}}.
# Its log is plain (werkzeug colours every line but a 200's, and the request line
# parsed then misses reads that find nothing: 404s), and a request whose
# User-Agent names an app id (AWS_SDK_UA_APP_ID) is logged with "app=<id>" before
# its request line.
FILLABLE_MOTO = """
import json, re, sys, threading
import werkzeug.serving
from werkzeug.serving import run_simple
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication, MotoRequestHandler, create_backend_app,
)
from moto.s3.models import s3_backends
werkzeug.serving._log_add_style = False
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
lock = threading.Lock()

class NamingHandler(MotoRequestHandler):
    def log(self, type, message, *args):
        agent = self.headers.get("User-Agent", "") if getattr(self, "headers", None) else ""
        found = re.search("app/([a-z-]+)", agent)
        if found:
            message = "app=" + found.group(1) + " " + message
        super().log(type, message, *args)

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
           request_handler=NamingHandler)
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


_NAMED_REQUEST = re.compile(
    r'(?:app=([a-z-]+) )?"(GET|PUT|HEAD|POST|DELETE) (/\S*) HTTP/1\.\d" (\d{3})'
)
# The app ids (User-Agent: app/<id>) that tell the clients apart in (c); the
# benchmark's own process names none.
APP = "hitl-serve"
WRITER_APP = "bench-writer"
ANSWERS = 20  # events answered elsewhere in (c)
WAVE = 400  # waits started at once in (c): the events of one long-poll request


class FillableMoto(MotoServer):
    """MotoServer (tests/servers.py) that can also be filled from inside."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self._named: list[tuple[str, str, str, int]] = []
        self._named_upto = 0  # bytes of the log read by requests_by_client()

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

    def requests_by_client(self) -> list[tuple[str, str, str, int]]:
        """(client, method, path, status) of every S3 request so far, as requests() has
        them; client is the app id its User-Agent named, "" for none. The log is read
        from where the last call stopped (it is asked every second while it grows)."""
        with self.log.open("rb") as log:
            log.seek(self._named_upto)
            text = log.read()
        whole = text[: text.rfind(b"\n") + 1]  # a line being written waits for the next call
        self._named_upto += len(whole)
        for match in _NAMED_REQUEST.finditer(whole.decode(errors="replace")):
            client, method, path, status = match.groups()
            if not path.startswith("/moto-api/"):
                self._named.append((client or "", method, unquote(path), int(status)))
        return list(self._named)

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
    counted = dict.fromkeys(
        ("feed listings", "outcome listings", "reach listings", "outcome reads", "event reads"),
        0,
    )
    counted["writes"] = other = 0
    for method, path, _ in requests:
        if method == "PUT":
            counted["writes"] += 1
        elif "list-type=2" in path and f"prefix={prefix}/changes/" in path:
            counted["feed listings"] += 1
        elif "list-type=2" in path and f"prefix={prefix}/outcomes/" in path:
            counted["outcome listings"] += 1
        elif "list-type=2" in path and f"prefix={prefix}/reach/" in path:
            counted["reach listings"] += 1
        elif path.startswith(f"/{BUCKET}/{prefix}/outcomes/"):
            counted["outcome reads"] += 1
        elif path.startswith(f"/{BUCKET}/{prefix}/events/"):
            counted["event reads"] += 1
        else:
            other += 1
    counted["other"] = other
    return counted


def write_elsewhere(command: list[str], env: dict[str, str] | None = None) -> str:
    """Run the other process to its end; what it printed."""
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
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


def event_objects(
    prefix: str, secret: bytes, ids: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Pending events as new_event() stores them (the event document, then its entry in
    the operator's listing), an hour to live; and their tokens."""
    from hitl_core import codec, documents, identity, strict_json

    now = documents.utc_now()
    described = codec.describe(int).describe()
    objects, tokens = {}, {}
    for request_id in ids:
        token = tokens[request_id] = identity.event_token(secret, request_id)
        event = documents.event_document(
            request_id=request_id,
            name="through-app",
            scope="bench",
            run_id="bench",
            prompt="Go on?",
            type_description=described,
            token_hash=identity.hash_token(token),
            timeout_seconds=3600,
            now=now,
        )
        entry = f"{documents.listing_folder()}/{documents.entry_name(event)}"
        objects[f"{prefix}/{documents.event_path(request_id)}"] = strict_json.dumps(event).decode()
        objects[f"{prefix}/{entry}"] = strict_json.dumps(documents.entry_document(event)).decode()
    return objects, tokens


@contextlib.asynccontextmanager
async def serving(s3: FillableMoto, url: str) -> AsyncIterator[Served]:
    """`hitl serve` on the store, its S3 requests named APP in moto_server's log."""
    env = {**s3_environment(s3.endpoint, s3.workdir.parent), "AWS_SDK_UA_APP_ID": APP}
    start = functools.partial(start_server, url, log_dir=s3.workdir, env=env)
    served = await anyio.to_thread.run_sync(start)
    try:
        yield served
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(stop_server, served)


async def wait_through(
    store: Any, endpoint: str, until: float, poll: float, request_id: str, token: str
) -> float:
    """What Event.wait() does for an event another process serves; when it returned."""
    from hitl_async._waiting import LongPoll, outcome_of

    long_poll = LongPoll(endpoint, request_id, token)
    try:
        await outcome_of(
            store, request_id, until=until, poll_interval=poll, long_poll=long_poll, expire=True
        )
    finally:
        await long_poll.close()
    return time.time()


def long_polls_sent(endpoint: str) -> list[tuple[int, float]]:
    """The long-poll requests this loop sends to endpoint, as (events, seconds of hold
    asked): an event hook on the client that LongPolls would otherwise make itself (it
    changes nothing else)."""
    from hitl_async._waiting import LongPolls
    from hitl_core.endpoint import tls_context

    sent: list[tuple[int, float]] = []

    async def note(request: httpx.Request) -> None:
        body = json.loads(request.content)
        sent.append((len(body["events"]), float(body["timeout"])))

    hooks = {"request": [note]}
    # LongPolls makes this client itself when it has none (the same but for the hook).
    LongPolls.of(endpoint)._client = httpx.AsyncClient(verify=tls_context(), event_hooks=hooks)
    return sent


async def app_holds(endpoint: str) -> int:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{endpoint}/health", timeout=10)
    return int(response.json()["long_polls"])


def by_client(
    requests: list[tuple[str, str, str, int]], client: str, prefix: str
) -> dict[str, int]:
    """The requests of one client by kind (client "": this process)."""
    return kinds([(m, p, s) for c, m, p, s in requests if c == client], prefix)


async def all_held(s3: FillableMoto, endpoint: str, ids: list[str], prefix: str, mark: int) -> None:
    """Until the app holds a long-poll for each of ids, and it and the waits have read
    the outcome of each (in the requests from mark on)."""
    from hitl_core import documents

    paths = {f"/{BUCKET}/{prefix}/{documents.outcome_path(r)}" for r in ids}

    def unread() -> bool:
        requests = s3.requests_by_client()[mark:]
        return any(
            not paths <= {path for c, method, path, _ in requests if c == client}
            for client in (APP, "")
        )

    # What other processes do, seen from here: look now and then.
    with anyio.fail_after(120):
        while await app_holds(endpoint) < len(ids):  # noqa: ASYNC110
            await anyio.sleep(0.25)
        while unread():  # noqa: ASYNC110
            await anyio.sleep(0.25)


async def steady(
    s3: FillableMoto, served: Served, sent: list[tuple[int, float]], prefix: str, window: float
) -> dict[str, Any]:
    """The window in which nothing changes: what the app and the waits ask of the store,
    the connections held (sampled every second), and the app's CPU time."""
    from hitl_async._waiting import LongPolls

    polls = LongPolls.of(served.endpoint)
    mark, renewals = len(s3.requests_by_client()), len(sent)
    cpu, started = cpu_seconds(served.process.pid), time.monotonic()
    connections, holds = [], []
    while time.monotonic() < started + window:
        connections.append(polls.requests)
        holds.append(await app_holds(served.endpoint))
        await anyio.sleep(min(1.0, max(0.0, started + window - time.monotonic())))
    took = time.monotonic() - started
    requests = s3.requests_by_client()[mark:]
    return {
        "window": took,
        "connections": connections,
        "holds": holds,
        "renewals": sent[renewals:],
        "app": by_client(requests, APP, prefix),
        "waits": by_client(requests, "", prefix),
        "app cpu": (cpu_seconds(served.process.pid) - cpu) / took,
    }


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def answered_through(
    s3: FillableMoto,
    url: str,
    chosen: list[str],
    returned: dict[str, float],
    prefix: str,
    args: Any,
) -> dict[str, Any]:
    """ANSWERS events answered by another process: how long each took to reach its wait,
    and what the app and the waits read meanwhile."""
    mark = len(s3.requests_by_client())
    command = [sys.executable, "-c", WRITER, url, s3.endpoint, json.dumps(chosen)]
    env = {**os.environ, "AWS_SDK_UA_APP_ID": WRITER_APP}
    output = await anyio.to_thread.run_sync(write_elsewhere, [*command, str(args.spread)], env)
    with anyio.fail_after(60):
        while not all(r in returned for r in chosen):  # noqa: ASYNC110
            await anyio.sleep(0.05)
    await anyio.sleep(args.poll)  # and one more tick of the app: nothing left to read
    requests = s3.requests_by_client()[mark:]
    stored = {line["id"]: line["at"] for line in map(json.loads, output.splitlines())}
    delays = [returned[r] - stored[r] for r in chosen]
    return {
        "answers": len(chosen),
        "p50": percentile(delays, 0.5),
        "max": max(delays),
        "answer app": by_client(requests, APP, prefix),
        "answer waits": by_client(requests, "", prefix),
    }


async def through_app(
    s3: FillableMoto, url: str, prefix: str, size: int, args: Any
) -> dict[str, Any]:
    """(c): waits holding their long-polls through `hitl serve`, then answers from elsewhere."""
    from hitl_async._store import open_store

    store = open_store(url, s3_endpoint_url=s3.endpoint)
    ids = [f"app-{size}-{n}" for n in range(args.through_app)]
    started = time.monotonic()
    objects, tokens = event_objects(prefix, await store.secret(), ids)
    await anyio.to_thread.run_sync(s3.fill, objects)
    figures: dict[str, Any] = {"events took": time.monotonic() - started}
    async with serving(s3, url) as served:
        figures["app took"] = time.monotonic() - started - figures["events took"]
        figures.update(await hold_and_answer(s3, store, served, tokens, prefix, args))
    return figures


async def hold_and_answer(
    s3: FillableMoto, store: Any, served: Served, tokens: dict[str, str], prefix: str, args: Any
) -> dict[str, Any]:
    """The waits, held through the app: the steady window, then the answers."""
    endpoint, url = served.endpoint, served.store
    sent = long_polls_sent(endpoint)
    wait = functools.partial(wait_through, store, endpoint, time.monotonic() + 3600, args.poll)
    returned: dict[str, float] = {}

    async def waiting(request_id: str) -> None:
        returned[request_id] = await wait(request_id, tokens[request_id])

    ids = list(tokens)
    async with anyio.create_task_group() as group:
        started, mark = time.monotonic(), len(s3.requests_by_client())
        # A long-poll request's worth at a time: the app's first reads of a request
        # must end within its hold (see the module's docstring).
        for first in range(0, len(ids), WAVE):
            for request_id in ids[first : first + WAVE]:
                group.start_soon(waiting, request_id)
            await all_held(s3, endpoint, ids[: first + WAVE], prefix, mark)
        figures: dict[str, Any] = {"holds took": time.monotonic() - started}
        figures.update(await steady(s3, served, sent, prefix, args.window))
        chosen = ids[:: max(1, len(ids) // ANSWERS)][:ANSWERS]
        figures.update(await answered_through(s3, url, chosen, returned, prefix, args))
        group.cancel_scope.cancel()
    return figures


async def measure(s3: FillableMoto, args: Any) -> dict[int, dict[str, Any]]:
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
        if args.through_app:
            figures[size]["app"] = found = await through_app(s3, url, prefix, size, args)
            took = found["holds took"]
            print(f"  (c) {args.through_app:,} waits held through the app in {took:.1f} s")
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


def sampled(values: list[int]) -> str:
    """The value seen most often, and the range when others were seen."""
    common = max(set(values), key=values.count)
    low, high = min(values), max(values)
    return f"{common:,}" if low == high else f"{common:,} ({low:,}-{high:,})"


def asked(requests: list[tuple[int, float]], field: int) -> str:
    """min / p50 / max of one field of the long-poll requests sent."""
    values = [float(request[field]) for request in requests]
    if not values:
        return "-"
    return " / ".join(f"{percentile(values, q):.{field}f}" for q in (0, 0.5, 1))


def report_through_app(figures: dict[int, dict[str, Any]], args: Any) -> None:
    sizes = sorted(figures)
    found = [figures[size]["app"] for size in sizes]
    print()
    print(f"(c) {args.through_app:,} waits of one process through `hitl serve`")
    print(f"{'':54}" + "".join(f"{f'{size:,} outcomes':>22}" for size in sizes))

    def row(label: str, values: list[str]) -> None:
        print(f"  {label:52}" + "".join(f"{v:>22}" for v in values))

    def other(counted: dict[str, int]) -> int:
        return sum(counted.values()) - counted["feed listings"] - counted["outcome reads"]

    row(
        "setup (s): events stored / app up / all held",
        [f"{f['events took']:.1f} / {f['app took']:.1f} / {f['holds took']:.1f}" for f in found],
    )
    print(f"  in a window of {args.window:g} s in which nothing changes:")
    row(
        f"  connections the process holds ({math.ceil(args.through_app / 400)} expected)",
        [sampled(f["connections"]) for f in found],
    )
    row("  long-polls the app holds (/health)", [sampled(f["holds"]) for f in found])
    row(
        "  long-poll requests the process sent (renewals)", [str(len(f["renewals"])) for f in found]
    )
    row("    the hold each asked (s): min / p50 / max", [asked(f["renewals"], 1) for f in found])
    row("    the events each watched: min / p50 / max", [asked(f["renewals"], 0) for f in found])
    row(
        "  the app's storage requests per second",
        [f"{sum(f['app'].values()) / f['window']:.2f}" for f in found],
    )
    for key in ("feed listings", "reach listings", "event reads", "outcome reads", "writes"):
        row(f"    {key}", [str(f["app"][key]) for f in found])
    row(
        "    other",
        [str(f["app"]["other"] + f["app"]["outcome listings"]) for f in found],
    )
    row(
        "  the waits' storage requests: listings, reads, other",
        [
            f"{f['waits']['feed listings']}, {f['waits']['outcome reads']}, {other(f['waits'])}"
            for f in found
        ],
    )
    row("  the app's CPU (share of one core)", [f"{f['app cpu']:.0%}" for f in found])
    answers = found[0]["answers"]
    print(f"  {answers} events answered by another process:")
    row(
        "  answer to the wait's return: p50 / max",
        [f"{f['p50']:.2f} / {f['max']:.2f} s" for f in found],
    )
    row(
        "  reads of outcomes per answer: the app, the waits",
        [
            f"{f['answer app']['outcome reads'] / answers:.2f}, "
            f"{f['answer waits']['outcome reads'] / answers:.2f}"
            for f in found
        ],
    )
    print()
    print(
        "  (c) samples connections and holds once a second (a renewal may show, for a moment,\n"
        "  one request fewer). Expected: the app lists changes/ once a tick (1 s) and reach/\n"
        "  every 15 s, and reads nothing; the waits ask nothing while they hold long-polls."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stored", type=int, default=20_000, help="outcomes stored")
    parser.add_argument("--waits", type=int, default=1000, help="waits on pending events (a)")
    parser.add_argument("--answered", type=int, default=200, help="waits answered elsewhere (b)")
    parser.add_argument("--poll", type=float, default=1.0, help="poll_interval_seconds")
    parser.add_argument("--ticks", type=int, default=5, help="ticks measured in (a)")
    parser.add_argument("--spread", type=float, default=3.0, help="seconds the answers take (b)")
    parser.add_argument(
        "--through-app", type=int, default=4000, help="waits through `hitl serve` (c); 0: none"
    )
    parser.add_argument(
        "--window", type=float, default=30.0, help="seconds measured in (c); 25 span a renewal"
    )
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
    if args.through_app:
        report_through_app(figures, args)
    print(f"\n  (the benchmark took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
