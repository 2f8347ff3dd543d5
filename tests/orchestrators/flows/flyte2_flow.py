"""A Flyte 2 workflow as its users write it, run in local mode.

    python flyte2_flow.py WORKDIR RUN_NAME MODE

MODE "retry": ask() fails once after its answer; Flyte retries it in this process.
MODE "crash": the process dies after the answer; run again with MODE "resume".
MODE "quiet": the event is created with show=False.
Each line "RESULT {json}" on stdout reports what a task saw.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import flyte
import flyte.report

import hitl_sync as hitl

WORKDIR, RUN_NAME, MODE = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
env = flyte.TaskEnvironment(name="hitl-flow")


def emit(**facts: object) -> None:
    print("RESULT " + json.dumps(facts), flush=True)


def first_time(mark: str) -> bool:
    path = WORKDIR / f"{RUN_NAME}-{mark}"
    if path.exists():
        return False
    path.touch()
    return True


@env.task(report=True, retries=1)
async def ask(fruit: str) -> int:
    context = flyte.ctx()
    report = os.path.join(context.output_path, "report.html")
    event = await hitl.new_event.aio(fruit, data_type=int, prompt=f"How many {fruit}?")
    emit(task="ask", fruit=fruit, request_id=event.request_id, report=report, run=RUN_NAME)
    count = await event.wait.aio()
    if MODE == "retry" and first_time(fruit):
        raise RuntimeError("the first attempt fails after its answer")
    if MODE == "crash" and first_time(fruit):
        os._exit(3)  # the pod dies; a new one runs the same action
    emit(task="ask", fruit=fruit, answer=count, request_id=event.request_id)
    return count


@env.task(report=True)
async def quiet() -> int:
    event = await hitl.new_event.aio("quiet", data_type=int, show=False)
    report = os.path.join(flyte.ctx().output_path, "report.html")
    emit(task="quiet", request_id=event.request_id, api_url=event.api_url, report=report)
    return await event.wait.aio()


@env.task
async def main() -> list[int]:
    if MODE == "quiet":
        return [await quiet()]
    return [await ask("apples"), await ask("pears")]


if __name__ == "__main__":
    flyte.init()
    run = flyte.with_runcontext(
        mode="local",
        name=RUN_NAME,
        raw_data_path=str(WORKDIR / "raw"),
        run_base_dir=str(WORKDIR / "runs"),
    ).run(main)
    emit(task="main", outputs=list(run.outputs()[0]))
