"""Prefect 3: the flow run and task run of its run contexts, the link as a link artifact.

A task retried by Prefect keeps its task run and counts up run_count; a flow
retried keeps its flow run. Tasks that a flow retry runs again are new task
runs in Prefect, so they ask anew; questions asked in the flow's own body
re-attach.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..links import Link
from . import Place

if TYPE_CHECKING:
    from ..runtime import Runtime

NAME = "prefect"


def place(runtime: Runtime) -> Place | None:
    from prefect.context import FlowRunContext, TaskRunContext

    task_context = TaskRunContext.get()
    flow_context = FlowRunContext.get()
    flow_run = flow_context.flow_run if flow_context is not None else None
    if task_context is not None:
        task_run = task_context.task_run
        flow_part = str(task_run.flow_run_id or (flow_run.id if flow_run else "-"))
        attempt = (task_run.flow_run_run_count, task_run.run_count)
        return Place(f"prefect/{flow_part}/{task_run.id}", attempt, NAME)
    if flow_run is not None:
        return Place(f"prefect/{flow_run.id}", flow_run.run_count, NAME)
    return None


def _as_text(text: str) -> str:
    """text escaped for Markdown, which Prefect renders artifacts with: shown as written."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)


def show(link: Link) -> None:
    """A link artifact on the flow run (and task run), keyed by the request id."""
    from prefect.artifacts import create_link_artifact

    create: Any = create_link_artifact  # _sync is added by Prefect's async dispatch
    create(
        link=link.form_url,
        link_text=_as_text(f"Answer {link.name!r}"),
        key=link.request_id,
        description=_as_text(f"hitl: {link.prompt}\n\nExpected: {link.type_name}"),
        _sync=True,  # even inside an async task
    )
