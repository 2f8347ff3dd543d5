"""hitl in a plain program: it imports no orchestrator, and orchestrators imported but not
running leave the run to the process.

    python outside_tasks.py
"""

from __future__ import annotations

import json
import sys

import hitl_sync as hitl

ORCHESTRATORS = ("flyte", "flytekit", "prefect", "airflow")


def emit(**facts: object) -> None:
    print("RESULT " + json.dumps(facts), flush=True)


def run_of(event: hitl.Event[object]) -> str:
    return str(event._state.run_id)


plain = hitl.new_event("plain", data_type=int)
emit(step="plain", loaded=[m for m in ORCHESTRATORS if m in sys.modules], run=run_of(plain))

import flyte  # noqa: E402, F401
import flytekit  # noqa: E402, F401
import prefect  # noqa: E402, F401

imported = hitl.new_event("imported", data_type=int)
emit(step="imported", run=run_of(imported))
