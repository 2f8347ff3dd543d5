"""Flyte 2 (the flyte package): the run and action of flyte.ctx(), the link in the task's report.

An action's name is derived from its parent, its inputs and its call order,
so a retried action, in this process or in a new pod, has the same name.
Each attempt gets a report of its own; that report marks the attempt.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..links import Link, html_card
from . import Place
from .attempts import SameObject

if TYPE_CHECKING:
    from ..runtime import Runtime

NAME = "flyte"


def _context() -> Any:
    flyte: Any = sys.modules["flyte"]
    return flyte.ctx()


def place(runtime: Runtime) -> Place | None:
    context = _context()
    if not context:  # outside a task flyte.ctx() is a falsy null context
        return None
    # @flyte.trace swaps in an action of its own; task_action stays the task's.
    action = getattr(context, "task_action", None) or context.action
    parts = [action.org, action.project, action.domain, action.run_name, action.name]
    run_id = "/".join(["flyte", *(part or "-" for part in parts)])
    report = getattr(context, "report", None)
    return Place(run_id, None if report is None else SameObject(report), NAME)


def show(link: Link) -> None:
    """Add the link to the task's report and flush it, so it shows while the task waits.

    The Flyte UI shows reports of tasks declared with report=True.
    """
    if not _context():
        return
    import flyte.report

    flyte.report.get_tab("main").log(html_card(link))
    flyte.report.flush()
