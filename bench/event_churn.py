"""Memory of a long-lived process that creates and closes many events.

One process (blocking flavor, embedded server, a local store on a temporary
folder, in /dev/shm when there is one) asks question after question: each is
created, cancelled, and waited for (the wait raises EventCancelled at once).
Questions come from 100 runs with 50 names each, the way a service asking for
approvals would. The resident set size and the runtime's table sizes are
printed after 1,000 events and after every tenth of the total, so growth per
event shows as the difference. Run it with PYTHONPATH pointing at another
checkout's src to compare versions.

    python bench/event_churn.py [--events 100000]
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import tempfile
import time
from pathlib import Path

from _support import clean_env

# Thousands of events: their link lines are not what is measured.
logging.getLogger("hitl.links").setLevel(logging.WARNING)


def rss_mb() -> float:
    """The resident set size of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    checkpoints = {1_000, *range(args.events // 10, args.events + 1, args.events // 10)}
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="hitl-churn-", dir=shm if shm.is_dir() else None) as d:
        os.environ.clear()
        os.environ.update(clean_env(HITL_STORE=d, HITL_PORT="0"))
        import hitl_sync as hitl

        try:
            from hitl_core import runtime
        except ImportError:  # a version of hitl from before the runtime object
            runtime = None  # type: ignore[assignment]

        started = time.perf_counter()
        first: float | None = None
        print(f"{'events':>8} {'RSS MB':>8} {'growth':>8}   runtime tables")
        for n in range(1, args.events + 1):
            event = hitl.new_event(
                f"step-{n % 50}", data_type=bool, prompt="Go on?", run_id=f"run-{n // 1000}"
            )
            event.cancel()
            try:
                event.wait()
            except hitl.EventCancelled:
                pass
            del event
            if n in checkpoints:
                gc.collect()
                memory = rss_mb()
                first = memory if first is None else first
                sizes = runtime.current().sizes() if runtime else {}
                shown = ", ".join(f"{k} {v}" for k, v in sizes.items() if v)
                print(f"{n:>8} {memory:>8.1f} {memory - first:>+8.1f}   {shown}", flush=True)
        elapsed = time.perf_counter() - started
        print(f"{args.events} events in {elapsed:.0f} s ({args.events / elapsed:.0f} per second)")


if __name__ == "__main__":
    main()
