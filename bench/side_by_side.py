"""Side by side: the seed project's app and `hitl serve` under the same wrk load.

The seed is flyteplugins-hitl 2.12.1 from the package index, run the way its own
app environment runs it (flyteplugins/hitl/_event.py: `uvicorn
flyteplugins.hitl._app:app`), in a venv of its own holding exactly what that
environment installs: fastapi, uvicorn, python-multipart and aiofiles. That is
plain uvicorn, without the [standard] extra; `--seed-uvicorn standard` installs
uvicorn[standard] (uvloop, httptools) into a separate venv (suffix -standard)
for an extra comparison. The venvs are made on first use under
${XDG_CACHE_HOME:-~/.cache}/hitl-bench/.

Ours is `hitl serve` with its defaults (one process) on a fresh local store; the
seed is one uvicorn worker with its storage root (RAW_DATA_PATH) in a temp dir.
Both listen on free 127.0.0.1 ports and stay up for the whole run. In each round,
four figures are measured with wrk (1 thread, 16 connections, --seconds each), on
the seed then on ours back to back:

- first answers: every request answers a different pending event (ours: events
  created before the load; the seed: request documents written before). Every
  response must be 200, and for ours every 200 must have its outcome document;
- form renders: the form of a pending event, cycling over 1,000 of them (200);
- repeated answers: one answered event answered again and again (ours refuses
  with 409 and the standing answer; the seed overwrites it and answers 200);
- /health (200).

Unless --no-workers is given, `hitl serve --workers 2` on a store of its own is
measured the same way, for the speed-up of two worker processes over one.

It prints requests/s and ours/seed per figure and round, then the mean of the
per-round ratios beside the targets. Targets are reported, not asserted: the
exit status is non-zero only when a measurement is invalid (an unexpected
status, a socket error, an answer lost, events run out, a server gone). wrk
shares the machine's cores with the server it loads.

    python bench/side_by_side.py [--rounds 2] [--seconds 5] [--events 20000]
                                 [--seed-uvicorn plain|standard] [--no-workers]

Run it with the project's dev environment (.venv/bin/python); wrk must be on PATH.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from _support import clean_env, free_port, start_server, stop_process

SEED_VERSION = "2.12.1"
SEED_PACKAGES = ("fastapi", "python-multipart", "aiofiles")  # and uvicorn, per variant
WRK_THREADS = 1
WRK_CONNECTIONS = 16
FORMS = 1000  # pending events whose forms are rendered in turn
READY_SECONDS = 60.0

FIGURES = ("first answers", "form renders", "repeated answers", "/health")
TARGETS = {"first answers": 1.0, "form renders": 1.5, "repeated answers": 1.0, "/health": 1.0}
# Expected status per figure, per server.
EXPECTED = {
    "first answers": {"seed": 200, "ours": 200},
    "form renders": {"seed": 200, "ours": 200},
    "repeated answers": {"seed": 200, "ours": 409},
    "/health": {"seed": 200, "ours": 200},
}
KINDS = {
    "first answers": "answer",
    "form renders": "form",
    "repeated answers": "answer",
    "/health": "health",
}

# Run in a child process with HITL_STORE and HITL_ENDPOINT set: creates argv[2]
# events keyed argv[1]-<n> and prints "request_id token" for each.
CREATE_EVENTS = """
import logging, sys
from urllib.parse import parse_qs, urlsplit
import hitl_sync

logging.getLogger("hitl.links").setLevel(logging.WARNING)
prefix, count = sys.argv[1], int(sys.argv[2])
lines = []
for n in range(count):
    event = hitl_sync.new_event(
        f"bench-{n}", data_type=bool, prompt="Ship it?", key=f"{prefix}-{n}",
        timeout_seconds=86400,
    )
    token = parse_qs(urlsplit(event.form_url).query)["token"][0]
    lines.append(f"{event.request_id} {token}")
print("\\n".join(lines))
"""

# wrk's script. Arguments after "--": KIND FLAVOR LIST [cycle]. KIND is answer,
# form or health, FLAVOR ours or seed, LIST a file of "id token" lines handed
# out in order (from the start again with "cycle"). It counts requests sent and
# statuses seen, and done() prints them on one line.
LUA = r"""
local requests, next_index, cycle, threads = {}, 1, false, {}
sent, statuses = 0, {}  -- globals: done() reads them from each thread

local function build(kind, flavor, id, token)
  if kind == "health" then
    return wrk.format("GET", "/health")
  elseif kind == "form" then
    if flavor == "ours" then return wrk.format("GET", "/form/" .. id .. "?token=" .. token) end
    return wrk.format("GET", "/form/" .. id)
  end
  local headers = {["Content-Type"] = "application/json"}
  local body = '{"request_id": "' .. id .. '", "value": true, "data_type": "bool"}'
  if flavor == "ours" then
    headers["Authorization"] = "Bearer " .. token
    body = '{"request_id": "' .. id .. '", "value": true}'
  end
  return wrk.format("POST", "/submit/json", headers, body)
end

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  cycle = args[4] == "cycle"
  for line in io.lines(args[3]) do
    local id, token = line:match("^(%S+) (%S+)$")
    requests[#requests + 1] = build(args[1], args[2], id, token)
  end
end

function request()
  if #requests == 0 then  -- wrk's own check of the script, before init
    return wrk.format("GET", "/health")
  end
  if next_index > #requests then
    next_index = cycle and 1 or #requests  -- run out: main() refuses the figure
  end
  sent = sent + 1
  next_index = next_index + 1
  return requests[next_index - 1]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, counts, parts = 0, {}, {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  for status, n in pairs(counts) do
    parts[#parts + 1] = status .. ":" .. n
  end
  io.write("side-by-side sent=" .. total .. " statuses=" .. table.concat(parts, ",") .. "\n")
end
"""


class Invalid(Exception):
    """The measurement is not what it claims to be: no figure is reported."""


@dataclass
class Load:
    """One wrk run: its rate, the statuses it saw and how many requests it sent."""

    rate: float
    statuses: dict[int, int]
    sent: int
    socket_errors: str

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())


@dataclass
class Server:
    """A server process on 127.0.0.1 and the storage it serves."""

    endpoint: str
    store: str  # ours: the hitl store; the seed: its RAW_DATA_PATH
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Side:
    """One server under test, and what each figure of the current round sends it."""

    name: str  # "seed", "ours", or "ours-2w" (hitl serve --workers 2)
    served: Server
    lists: dict[str, Path]  # figure -> file of "id token" lines
    created: int = 0  # the first-answer events this round

    @property
    def flavor(self) -> str:
        """Which app it is: "seed" or "ours"."""
        return "seed" if self.name == "seed" else "ours"


# -- the seed ---------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hitl-bench"


def seed_venv(variant: str) -> Path:
    """The seed's venv (made on first use): flyteplugins-hitl and its app's packages."""
    suffix = "-standard" if variant == "standard" else ""
    venv = cache_dir() / f"seed-flyteplugins-hitl-{SEED_VERSION}{suffix}"
    marker = venv / ".installed"
    if marker.exists():
        return venv
    print(f"installing the seed into {venv} ...", flush=True)
    uvicorn = "uvicorn[standard]" if variant == "standard" else "uvicorn"
    packages = [f"flyteplugins-hitl=={SEED_VERSION}", SEED_PACKAGES[0], uvicorn, *SEED_PACKAGES[1:]]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, *packages], check=True)
    marker.write_text(" ".join(packages) + "\n")
    return venv


def seed_versions(venv: Path) -> str:
    names = ("flyteplugins-hitl", "fastapi", "uvicorn", "uvloop", "httptools")
    code = (
        "from importlib.metadata import version, PackageNotFoundError\n"
        f"for name in {names!r}:\n"
        "    try: print(f'{name} {version(name)}')\n"
        "    except PackageNotFoundError: pass\n"
    )
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    return ", ".join(found.stdout.split("\n")[:-1])


def wait_ready(endpoint: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll GET /health until 200, READY_SECONDS at most."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the seed exited early:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the seed did not answer /health within {READY_SECONDS:.0f} s")


def start_seed(venv: Path, root: Path, workdir: Path) -> Server:
    """`uvicorn flyteplugins.hitl._app:app` on a free 127.0.0.1 port, storing under root."""
    port = free_port()
    log = workdir / f"seed-{port}.log"
    command = [
        str(venv / "bin" / "uvicorn"),
        "flyteplugins.hitl._app:app",
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        *("--log-level", "warning", "--no-access-log"),
    ]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            env=clean_env(RAW_DATA_PATH=str(root)),
            cwd=workdir,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Server(f"http://127.0.0.1:{port}", str(root), process, log)
    try:
        wait_ready(served.endpoint, process, log)
    except BaseException:
        stop_process(process)
        raise
    return served


def seed_requests(root: str, prefix: str, count: int) -> list[str]:
    """Request documents as the seed's Event.create writes them; "request_id -" lines."""
    lines = []
    for n in range(count):
        request_id = f"{prefix}-{uuid.uuid4()}"
        folder = Path(root) / "hitl-requests" / request_id
        folder.mkdir(parents=True)
        document = {
            "prompt": "Ship it?",
            "data_type": "bool",
            "event_name": f"bench-{n}",
            "response_path": f"{root}/hitl-requests/{request_id}/response.json",
        }
        (folder / "request.json").write_text(json.dumps(document))
        lines.append(f"{request_id} -")
    return lines


def seed_responses(root: str, lines: list[str]) -> int:
    """How many of these requests have a response document."""
    folder = Path(root) / "hitl-requests"
    return sum((folder / line.split()[0] / "response.json").exists() for line in lines)


# -- ours -------------------------------------------------------------------


def our_events(served: Server, prefix: str, count: int) -> list[str]:
    """count events made in served's store by a child process; "request_id token" lines."""
    env = clean_env(HITL_STORE=served.store, HITL_ENDPOINT=served.endpoint)
    made = subprocess.run(
        [sys.executable, "-c", CREATE_EVENTS, prefix, str(count)],
        env=env,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise RuntimeError(f"creating events failed:\n{made.stderr}")
    return [line for line in made.stdout.splitlines() if line.strip()]


def outcome_count(store: str) -> int:
    """Outcome documents in the store, once their number holds still (in-flight answers)."""
    folder = Path(store) / "outcomes"
    seen, deadline = -1, time.monotonic() + 5
    while time.monotonic() < deadline:
        now = sum(1 for name in os.listdir(folder) if name.endswith(".json"))
        if now == seen:
            return now
        seen = now
        time.sleep(0.2)
    return seen


# -- load -------------------------------------------------------------------


def answer_once(side: Side, line: str) -> None:
    """Answer one event before its repeated answers are measured; 200 expected."""
    request_id, token = line.split()
    body: dict[str, object] = {"request_id": request_id, "value": True}
    headers = {}
    if side.flavor == "ours":
        headers["Authorization"] = f"Bearer {token}"
    else:
        body["data_type"] = "bool"
    reply = httpx.post(f"{side.served.endpoint}/submit/json", json=body, headers=headers)
    if reply.status_code != 200:
        raise Invalid(f"{side.name}: the first answer got {reply.status_code}: {reply.text}")


def run_wrk(side: Side, figure: str, seconds: int, script: Path) -> Load:
    kind = KINDS[figure]
    mode = "once" if figure == "first answers" else "cycle"
    command = [
        "wrk",
        *(f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s"),
        *("-s", str(script), side.served.endpoint),
        *("--", kind, side.flavor, str(side.lists[figure]), mode),
    ]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    output = ran.stdout + ran.stderr
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    counted = re.search(r"side-by-side sent=(\d+) statuses=(\S*)", output)
    if ran.returncode != 0 or rate is None or counted is None:
        raise Invalid(f"wrk failed on {side.name}, {figure}:\n{output}")
    statuses = {}
    for part in filter(None, counted.group(2).split(",")):
        status, n = part.split(":")
        statuses[int(status)] = int(n)
    errors = re.search(r"Socket errors: (.*)", output)
    return Load(float(rate.group(1)), statuses, int(counted.group(1)), errors[1] if errors else "")


def check(side: Side, figure: str, load: Load) -> None:
    """Refuse a figure whose requests did not all get the expected status."""
    expected = EXPECTED[figure][side.flavor]
    if load.socket_errors:
        raise Invalid(f"{side.name}, {figure}: wrk socket errors: {load.socket_errors}")
    if load.answered == 0 or set(load.statuses) != {expected}:
        unexpected = {s: n for s, n in load.statuses.items() if s != expected}
        raise Invalid(
            f"{side.name}, {figure}: {sum(unexpected.values())} responses not {expected}: "
            f"{unexpected or 'no responses at all'}"
        )
    if figure == "first answers" and load.sent >= side.created:
        raise Invalid(
            f"!!! {side.name}, first answers: wrk sent {load.sent} requests and only "
            f"{side.created} events were created: events ran out, the figure is void. "
            "Raise --events."
        )


def check_durable(side: Side, load: Load, stored: int) -> str:
    """Every 200 stored an answer; answers past them were in flight when wrk stopped."""
    answered = load.statuses.get(200, 0)
    line = f"{answered} answered 200, {stored} answers stored"
    if stored > answered:
        line += f" (+{stored - answered} of {load.sent - answered} in flight when wrk stopped)"
    if side.flavor == "ours" and not answered <= stored <= load.sent:
        raise Invalid(f"ours, first answers: answers lost or unaccounted for: {line}")
    return line


def answers_stored(side: Side) -> int:
    """Ours: outcome documents in the store; the seed: responses to this round's requests."""
    if side.flavor == "ours":
        return outcome_count(side.served.store)
    return seed_responses(side.served.store, side.lists["first answers"].read_text().splitlines())


def measure(side: Side, figure: str, seconds: int, script: Path) -> float:
    """One figure on one server: its requests/s, once every check passed."""
    first = figure == "first answers"
    before = answers_stored(side) if first else 0
    load = run_wrk(side, figure, seconds, script)
    check(side, figure, load)
    expected = EXPECTED[figure][side.flavor]
    line = f"    {figure:17s} {side.name:7s} {load.rate:8.0f} req/s  {load.answered} x {expected}"
    if first:
        line += f"; {check_durable(side, load, answers_stored(side) - before)}"
    print(line, flush=True)
    return load.rate


def prepare(side: Side, round_number: int, events: int, workdir: Path) -> None:
    """The round's pending events (or seed requests) in lists, and one answered event."""
    prefix = f"r{round_number}"
    total = events + FORMS + 1
    if side.flavor == "ours":
        lines = our_events(side.served, prefix, total)
    else:
        lines = seed_requests(side.served.store, prefix, total)
    if len(lines) != total:
        raise RuntimeError(f"{side.name}: {len(lines)} events made, {total} asked")
    chunks = {
        "first answers": lines[:events],
        "form renders": lines[events : events + FORMS],
        "repeated answers": lines[-1:],
        "/health": ["- -"],
    }
    for figure, chunk in chunks.items():
        path = workdir / f"{side.name}-{prefix}-{KINDS[figure]}-{len(chunk)}.txt"
        path.write_text("\n".join(chunk) + "\n")
        side.lists[figure] = path
    side.created = events
    answer_once(side, lines[-1])


# -- report -----------------------------------------------------------------

COLUMNS = f"{'figure':17s} {'seed req/s':>11s} {'ours req/s':>11s} {'ours/seed':>10s}"


def print_round(number: int, rates: dict[str, dict[str, float]]) -> None:
    workers = "ours-2w" in rates[FIGURES[0]]
    print(f"round {number}:  {COLUMNS}" + (f" {'2 workers/1':>12s}" if workers else ""))
    for figure in FIGURES:
        seed, ours = rates[figure]["seed"], rates[figure]["ours"]
        line = f"          {figure:17s} {seed:11.0f} {ours:11.0f} {ours / seed:10.2f}"
        if workers:
            line += f" {rates[figure]['ours-2w'] / ours:12.2f}"
        print(line)
    print(flush=True)


def print_summary(rounds: list[dict[str, dict[str, float]]]) -> None:
    print(f"mean over {len(rounds)} round(s): {COLUMNS}  target")
    for figure in FIGURES:
        seed = statistics.fmean(r[figure]["seed"] for r in rounds)
        ours = statistics.fmean(r[figure]["ours"] for r in rounds)
        ratio = statistics.fmean(r[figure]["ours"] / r[figure]["seed"] for r in rounds)
        met = "met" if ratio >= TARGETS[figure] else "NOT met"
        print(
            f"{'':22s}{figure:17s} {seed:11.0f} {ours:11.0f} {ratio:10.2f}  "
            f">= {TARGETS[figure]:.1f}  {met}"
        )
    if "ours-2w" in rounds[0][FIGURES[0]]:
        print(f"\nhitl serve --workers 2 over --workers 1, on {os.cpu_count()} cores (mean):")
        for figure in FIGURES:
            speedup = statistics.fmean(r[figure]["ours-2w"] / r[figure]["ours"] for r in rounds)
            print(f"{'':22s}{figure:17s} {speedup:.2f}x")


def log_findings(name: str, served: Server) -> None:
    """Error-looking lines of a server's log, counted (the log itself goes with the temp dir)."""
    text = served.log.read_text(errors="replace") if served.log.exists() else ""
    pattern = re.compile(r"traceback|error|exception|warn|critical", re.IGNORECASE)
    found = collections.Counter(line.strip() for line in text.splitlines() if pattern.search(line))
    lines = len(text.splitlines())
    print(f"{name} log: {lines} lines, {sum(found.values())} error-looking")
    for line, n in found.most_common(10):
        print(f"    {n:6d} x {line[:160]}")


# -- main -------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Targets (ours/seed, mean over rounds): "
        + ", ".join(f"{f} >= {t}" for f, t in TARGETS.items()),
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the four figures (2)")
    parser.add_argument("--seconds", type=int, default=5, help="wrk seconds per figure (5)")
    parser.add_argument(
        "--events",
        type=int,
        default=20000,
        help="pending events per round per server for first answers (20000)",
    )
    parser.add_argument(
        "--seed-uvicorn",
        choices=("plain", "standard"),
        default="plain",
        help="the seed's uvicorn: plain, as its app environment installs it (default), "
        "or uvicorn[standard] in a venv of its own",
    )
    parser.add_argument(
        "--no-workers",
        dest="workers",
        action="store_false",
        help="skip `hitl serve --workers 2` (measured by default, for its speed-up over 1)",
    )
    args = parser.parse_args()
    if min(args.rounds, args.seconds, args.events) < 1:
        parser.error("--rounds, --seconds and --events take positive numbers")
    return args


def preflight() -> str:
    """wrk's version line; refuse to start without wrk or without hitl importable."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not on PATH (Debian: apt-get install wrk)")
    if importlib.util.find_spec("hitl_cli") is None:
        sys.exit("hitl is not importable: run this with the project's .venv/bin/python")
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (version.stdout + version.stderr).split(" Copyright")[0].strip()


def run(args: argparse.Namespace, venv: Path, workdir: Path) -> None:
    script = workdir / "load.lua"
    script.write_text(LUA)
    seed_root, store = workdir / "seed-root", workdir / "ours-store"
    seed_root.mkdir()
    sides: list[Side] = []
    try:
        sides.append(Side("seed", start_seed(venv, seed_root, workdir), {}))
        served = start_server(store, log_dir=workdir)
        ours = Server(served.endpoint, served.store, served.process, served.log)
        sides.append(Side("ours", ours, {}))
        if args.workers:
            two = start_server(workdir / "ours-2w-store", log_dir=workdir, args=("--workers", "2"))
            sides.append(Side("ours-2w", Server(two.endpoint, two.store, two.process, two.log), {}))
        print("\n".join(f"{side.name} at {side.served.endpoint}" for side in sides) + "\n")
        rounds = []
        for number in range(1, args.rounds + 1):
            started = time.monotonic()
            for side in sides:
                prepare(side, number, args.events, workdir)
            print(f"round {number}: events ready in {time.monotonic() - started:.0f} s")
            rates: dict[str, dict[str, float]] = {}
            for figure in FIGURES:
                rates[figure] = {s.name: measure(s, figure, args.seconds, script) for s in sides}
            print_round(number, rates)
            rounds.append(rates)
        print_summary(rounds)
    finally:
        for side in reversed(sides):
            alive = side.served.process.poll() is None
            stop_process(side.served.process)
            if not alive:
                print(f"!!! {side.name} was no longer running", file=sys.stderr)
        print()
        for side in sides:
            log_findings(side.name, side.served)


def main() -> None:
    args = parse_args()
    wrk_version = preflight()
    venv = seed_venv(args.seed_uvicorn)
    print(
        f"side by side: the seed (uvicorn {args.seed_uvicorn}: {seed_versions(venv)}) "
        "and `hitl serve` (defaults, one process)"
    )
    print(
        f"wrk: {WRK_THREADS} thread, {WRK_CONNECTIONS} connections, {args.seconds} s per figure, "
        f"{args.rounds} round(s), {args.events} first-answer events per round per server "
        f"({wrk_version})"
    )
    with tempfile.TemporaryDirectory(prefix="hitl-side-by-side-") as tmp:
        try:
            run(args, venv, Path(tmp))
        except Invalid as exc:
            print(f"\nINVALID MEASUREMENT: {exc}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
