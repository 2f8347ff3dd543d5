"""Resume latency: from the submission's HTTP response to the moment wait() returns.

For each flavor (asyncio, trio, blocking) and each way a waiter can learn of
an answer, a child process creates COUNT events and waits on all of them with
poll_interval_seconds=5; this process answers them one at a time over HTTP and
notes when each response arrives. Both sides read time.time().

- same-process: the waiter's own embedded server takes the answers.
- long-poll:    the waiter runs in another process than `hitl serve` and
                long-polls it.
- polling:      the waiter's endpoint is unreachable, so only storage polling
                finds the answer (the baseline).

    python bench/resume_latency.py [--count 200] [--poll 5] [--flavors asyncio,trio,sync]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _support import clean_env, free_port, hitl_serve, stop_process, summary

WAITER = Path(__file__).with_name("_waiter.py")
MODES = ("same-process", "long-poll", "polling")
FLAVOR_NAMES = {"asyncio": "asyncio", "trio": "trio", "sync": "blocking"}


def _reader(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line.strip())
    lines.put("")


def measure(
    mode: str, flavor: str, count: int, poll: float, spacing: float, work: Path
) -> list[float]:
    store = str(work / f"store-{mode}-{flavor}")
    env = {"HITL_STORE": store, "HITL_PORT": "0", "HITL_RUN_ID": f"bench-{mode}-{flavor}"}
    with contextlib.ExitStack() as stack:
        served = None
        if mode != "same-process":
            served = stack.enter_context(hitl_serve(store, work))
            reachable = mode == "long-poll"
            env["HITL_ENDPOINT"] = served if reachable else f"http://127.0.0.1:{free_port()}"
        log = stack.enter_context((work / f"waiter-{mode}-{flavor}.log").open("w"))
        child = subprocess.Popen(
            [sys.executable, str(WAITER), flavor, str(count), str(poll)],
            env=clean_env(**env),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        stack.callback(stop_process, child)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_reader, args=(child.stdout, lines), daemon=True).start()
        events = []
        while (line := lines.get(timeout=300)) != "ready":
            if not line:
                raise RuntimeError(f"waiter exited; see {log.name}")
            events.append(json.loads(line))
        responded: dict[str, float] = {}
        with httpx.Client(timeout=30) as client:
            for event in events:
                url = event["api_url"]
                if served is not None:  # the answer goes to the live server
                    url = served + url[url.index("/submit/json") :]
                response = client.post(url, json={"request_id": event["id"], "value": 1})
                responded[event["id"]] = time.time()
                response.raise_for_status()
                time.sleep(spacing)
        returned: dict[str, float] = {}
        deadline = time.monotonic() + 2 * poll + 60
        while len(returned) < len(events) and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line.startswith("{"):
                done = json.loads(line)
                returned[done["done"]] = done["at"]
        if len(returned) < len(events):
            raise RuntimeError(f"{len(events) - len(returned)} waits never returned")
    return [(returned[i] - responded[i]) * 1000 for i in responded]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--spacing", type=float, default=0.01, help="seconds between answers")
    parser.add_argument("--flavors", default="asyncio,trio,sync")
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args()
    print(f"resume latency, {args.count} events per run, poll_interval_seconds={args.poll:g}")
    means: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="hitl-bench-") as tmp:
        for mode in args.modes.split(","):
            for flavor in args.flavors.split(","):
                latencies = measure(mode, flavor, args.count, args.poll, args.spacing, Path(tmp))
                means.setdefault(mode, []).extend(latencies)
                print(f"  {mode:12s} {FLAVOR_NAMES[flavor]:8s} {summary(latencies)}", flush=True)
    print("  (a negative latency: wait() returned before the submitter had its response)")
    if "polling" in means:
        baseline = statistics.fmean(means["polling"])
        for mode in ("same-process", "long-poll"):
            if mode in means:
                p50 = statistics.median(means[mode])
                # Below a millisecond the ratio says more about clocks than about waits.
                ratio = baseline / max(p50, 1.0)
                print(f"  {mode}: p50 is at least {ratio:,.0f}x below the polling mean")


if __name__ == "__main__":
    main()
