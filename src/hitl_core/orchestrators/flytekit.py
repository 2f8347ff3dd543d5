"""flytekit: the execution and task of current_context(), the link in a Deck.

In a cluster, the execution (project, domain, name) and task name come from
the task's context, and the node from its output prefix, whose last part is
the attempt number (then, for an instance of a map task, its index). A local
execution has no id ("local" for everything), so each local workflow run gets
a label of its own in this process.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

from ..links import Link, html_card
from . import Place

if TYPE_CHECKING:
    from ..runtime import Runtime

NAME = "flytekit"
DECK = "Human input"
_ATTEMPT_SUFFIX = re.compile(r"/\d+/?$")


def _executing() -> Any:
    """The flytekit context of the running task, if a task is running."""
    manager: Any = sys.modules["flytekit"].FlyteContextManager
    context = manager.current_context()
    state = context.execution_state
    if state is None or state.mode is None or state.user_space_params is None:
        return None
    return context


def _outermost_execution() -> Any:
    from flytekit.core.context_manager import flyte_context_Var

    for context in flyte_context_Var.get():
        state = context.execution_state
        if state is not None and state.mode is not None:
            return context
    return None


def _array_index() -> str | None:
    """The index of this instance of a map task, from the variable flytekit names for it."""
    variable = os.environ.get("BATCH_JOB_ARRAY_INDEX_VAR_NAME")
    if not variable or not os.environ.get(variable, "").isdigit():
        return None
    offset = os.environ.get("BATCH_JOB_ARRAY_INDEX_OFFSET", "0")
    return str(int(os.environ[variable]) + (int(offset) if offset.isdigit() else 0))


def place(runtime: Runtime) -> Place | None:
    context = _executing()
    if context is None:
        return None
    params = context.execution_state.user_space_params
    execution = params.execution_id
    task = params.task_id
    if execution is None or execution.name in ("", "local"):
        outer = _outermost_execution() or context
        run_id = f"flytekit/local/{runtime.run_id}/{runtime.label_for(outer)}"
        return Place(run_id, None, NAME)
    prefix = params.output_metadata_prefix or ""
    index = _array_index()
    if index is not None:  # a map task's instance: its prefix ends /<attempt>/<index>
        prefix = re.sub(rf"/{index}/?$", "", prefix)
    node = _ATTEMPT_SUFFIX.sub("", prefix) or "-"
    parts = [execution.project, execution.domain, execution.name, task.name if task else "-"]
    run_id = "/".join(["flytekit", *(part or "-" for part in parts), node])
    if index is not None:
        run_id += f"/map-{index}"
    return Place(run_id, os.environ.get("FLYTE_ATTEMPT_NUMBER"), NAME)


def show(link: Link) -> None:
    """A Deck with the link, published at once so it shows while the task waits."""
    context = _executing()
    if context is None:
        return
    from flytekit import Deck

    Deck(DECK, html_card(link))
    if context.execution_state.user_space_params.enable_deck:
        Deck.publish()
