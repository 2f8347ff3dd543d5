"""A Prefect 3 flow as its users write it, on Prefect's ephemeral server.

    python prefect_flow.py WORKDIR

Runs the flow twice (a task that fails once after its answer, retried by
Prefect in this process, and a question in the flow's own body), then once
with show=False; reports each flow run's link artifacts. Each line
"RESULT {json}" on stdout reports what a task or flow saw.
"""

from __future__ import annotations

import asyncio
import json
import sys
import warnings
from pathlib import Path

from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

import hitl_sync as hitl

WORKDIR = Path(sys.argv[1])


def emit(**facts: object) -> None:
    print("RESULT " + json.dumps(facts, default=str), flush=True)


def first_time(mark: str) -> bool:
    path = WORKDIR / mark
    if path.exists():
        return False
    path.touch()
    return True


@task(retries=1, retry_delay_seconds=0)
def ask(fruit: str, run: int) -> int:
    event = hitl.new_event(fruit, data_type=int, prompt=f"How many {fruit}?")
    emit(task="ask", fruit=fruit, run=run, request_id=event.request_id)
    count = event.wait()
    if first_time(f"{fruit}-{run}"):
        raise RuntimeError("the first attempt fails after its answer")
    return count


@task
async def ask_blocking_in_async(run: int) -> bool:
    """A blocking wait inside an async task: it works, and warns."""
    event = await hitl.new_event.aio("blocking", data_type=bool, prompt="Blocking?")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        answer = event.wait()
    emit(task="blocking", run=run, warnings=[str(w.message) for w in seen])
    return answer


@flow
def deliver(run: int, show: bool = True) -> list[object]:
    if not show:
        event = hitl.new_event("quiet", data_type=int, show=False)
        emit(flow="quiet", request_id=event.request_id, api_url=event.api_url)
        return [event.wait()]
    ok = hitl.new_event("go", data_type=bool, prompt="Go?").wait()  # in the flow's own body
    return [ok, ask("apples", run), asyncio.run(ask_blocking_in_async(run))]


def artifacts_of(flow_run_id: object) -> list[dict[str, object]]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return [{"key": a.key, "type": a.type, "data": a.data} for a in found]


if __name__ == "__main__":
    for run, show in ((1, True), (2, True), (3, False)):
        state = deliver(run, show, return_state=True)
        flow_run_id = state.state_details.flow_run_id
        outputs = state.result()
        emit(
            finished=run, outputs=outputs, flow_run=flow_run_id, artifacts=artifacts_of(flow_run_id)
        )
