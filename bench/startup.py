"""Start-up: from the first new_event() call to its form answering 200.

Each run is a fresh interpreter with a fresh local store: it imports hitl and
httpx and makes the HTTP client it will ask with (timed apart), then starts
the clock, calls new_event() (which starts the embedded server), and GETs the
form until it answers 200. It then times the first submission of the form,
which the routes answer: the embedded server builds them (and imports Quart)
on that first request.

Modules load from bytecode, as after any pip install: one run before the
measured ones may write it (PYTHONDONTWRITEBYTECODE is cleared for the
children), and is not counted.

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile

from _support import clean_env

CHILD = """
import time
started = time.perf_counter()
import httpx
import hitl_sync as hitl
client = httpx.Client(timeout=5)
imported = time.perf_counter() - started
started = time.perf_counter()
event = hitl.new_event("startup", data_type=bool, prompt="Ready?")
while client.get(event.form_url).status_code != 200:
    pass
startup = time.perf_counter() - started
started = time.perf_counter()
token = event.form_url.split("token=")[1]
fields = {"request_id": event.request_id, "value": "true", "token": token}
posted = client.post(event.form_url.split("/form/")[0] + "/submit", data=fields)
assert posted.status_code == 200, posted.text
print(imported, startup, time.perf_counter() - started)
client.close()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    imports, startups, submits = [], [], []
    for run in range(args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="hitl-bench-") as store:
            env = clean_env(HITL_STORE=store, HITL_PORT="0")
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            out = subprocess.run(
                [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
            )
            if out.returncode:
                raise RuntimeError(out.stderr)
            imported, startup, submitted = map(float, out.stdout.split())
            if run == 0:
                continue  # it may have compiled what the others load
            imports.append(imported * 1000)
            startups.append(startup * 1000)
            submits.append(submitted * 1000)
    print(f"start-up over {args.runs} fresh interpreters (blocking flavor, local store)")
    print(
        f"  first new_event() to form 200: median {statistics.median(startups):.0f} ms "
        f"(min {min(startups):.0f}, max {max(startups):.0f})"
    )
    print(
        f"  then the first form submission (it loads the routes): "
        f"median {statistics.median(submits):.0f} ms"
    )
    print(
        f"  import hitl_sync and httpx, and an HTTP client, before it: "
        f"median {statistics.median(imports):.0f} ms"
    )


if __name__ == "__main__":
    main()
