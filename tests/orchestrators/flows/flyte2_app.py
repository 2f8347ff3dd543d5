"""hitl's Flyte 2 app environment, served locally by Flyte, and a local run whose task uses it.

python flyte2_app.py WORKDIR RUN_NAME STORE PORT
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import flyte

import hitl_flyte
import hitl_sync as hitl

WORKDIR, RUN_NAME, STORE, PORT = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])

app = hitl_flyte.app_environment("hitl-local", store=STORE, port=PORT)
tasks = hitl_flyte.task_environment(app, "hitl-local-tasks")
env = flyte.TaskEnvironment(name="uses-hitl", depends_on=[tasks])


def emit(**facts: object) -> None:
    print("RESULT " + json.dumps(facts), flush=True)


@env.task
async def approve() -> bool:
    event = await hitl.new_event.aio("approve", data_type=bool, prompt="Ship it?")
    emit(endpoint=event.endpoint)
    return await event.wait.aio()


if __name__ == "__main__":
    emit(
        built=app.name,
        command=app.command,
        port=app.get_port().port,
        env_vars=app.env_vars,
        tasks_env_vars=tasks.env_vars,
        depends_on=[e.name for e in tasks.depends_on],
    )
    emit(
        built="default",
        command=hitl_flyte.app_env.command,
        env_vars=hitl_flyte.app_env.env_vars,
        depends_on=[e.name for e in hitl_flyte.env.depends_on],
    )
    flyte.init()
    # Served locally, Flyte runs the app's command in a process of its own; its
    # environment is this one's, so the store is named here as in the app's env_vars.
    os.environ["HITL_STORE"] = STORE
    handle = flyte.with_servecontext(mode="local").serve(app)
    handle.activate(wait=True)
    try:
        os.environ["HITL_ENDPOINT"] = handle.endpoint  # a local run uses the app so named
        run = flyte.with_runcontext(
            mode="local", name=RUN_NAME, raw_data_path=str(WORKDIR / "raw")
        ).run(approve)
        emit(approved=run.outputs()[0])
    finally:
        handle.deactivate(wait=True)
        emit(stopped=not handle.is_active())
