"""Airflow: the task instance named by the AIRFLOW_CTX_* variables Airflow sets for a task.

Each try of an Airflow task is a new process, with AIRFLOW_CTX_TRY_NUMBER
counting up; the request ids do not depend on it, so a retry finds the
question of the try before. The link shows in the task's log.

Airflow sets no variable for the map index of a mapped task: it comes from the
running task instance (get_current_context()["ti"].map_index), or from
AIRFLOW_CTX_MAP_INDEX where a launcher (a pod operator) sets it.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from ..links import Link
from . import Place

if TYPE_CHECKING:
    from ..runtime import Runtime

NAME = "airflow"


def _variable(name: str, default: str = "-") -> str:
    return os.environ.get(f"AIRFLOW_CTX_{name}", "").strip() or default


def _running_map_index() -> str | None:
    """The map index of the task instance Airflow runs in this process, if it runs one."""
    if "airflow" not in sys.modules:
        return None
    for module in ("airflow.sdk", "airflow.operators.python"):  # Airflow 3, then 2
        try:
            get_current_context: Any = importlib.import_module(module).get_current_context
        except (ImportError, AttributeError):
            continue
        try:
            index = get_current_context()["ti"].map_index
        except Exception:  # no task instance runs here
            return None
        return None if index is None else str(index)
    return None


def place(runtime: Runtime) -> Place | None:
    run = _variable("DAG_RUN_ID", "")
    if not run:
        return None
    index = _variable("MAP_INDEX", "") or _running_map_index() or "-1"
    parts = [_variable("DAG_ID"), run, _variable("TASK_ID"), index]
    return Place("/".join(["airflow", *parts]), _variable("TRY_NUMBER", ""), NAME)


def show(link: Link) -> None:
    """Airflow shows a task's log lines; the log line is all it needs."""
