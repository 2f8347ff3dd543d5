"""Airflow: the task instance named by the AIRFLOW_CTX_* variables Airflow sets for a task.

Each try of an Airflow task is a new process, with AIRFLOW_CTX_TRY_NUMBER
counting up; the request ids do not depend on it, so a retry finds the
question of the try before. The link shows in the task's log.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..links import Link
from . import Place

if TYPE_CHECKING:
    from ..runtime import Runtime

NAME = "airflow"


def _variable(name: str, default: str = "-") -> str:
    return os.environ.get(f"AIRFLOW_CTX_{name}", "").strip() or default


def place(runtime: Runtime) -> Place | None:
    run = _variable("DAG_RUN_ID", "")
    if not run:
        return None
    parts = [_variable("DAG_ID"), run, _variable("TASK_ID"), _variable("MAP_INDEX", "-1")]
    return Place("/".join(["airflow", *parts]), _variable("TRY_NUMBER", ""), NAME)


def show(link: Link) -> None:
    """Airflow shows a task's log lines; the log line is all it needs."""
