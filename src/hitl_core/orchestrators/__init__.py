"""Where a call runs: the run identity an orchestrator gives it, and where its owner looks.

    locate(run_id, runtime)   the Place of a new_event() call: its run id and attempt
    show(place, link)         show the event's link where the orchestrator's user looks

An orchestrator's adapter is imported only when the orchestrator itself is
already imported by the running program (or, for Airflow, when its task
variables are set): hitl never imports an orchestrator, and a program that
runs under none pays nothing.

Run ids are namespaced down to the task, so two workflows, two runs of one
workflow and two tasks of one run never share a request:

    Flyte 2    flyte/<org>/<project>/<domain>/<run>/<action>           (flyte.ctx())
    flytekit   flytekit/<project>/<domain>/<execution>/<task>/<node>[/map-<i>]
    Prefect    prefect/<flow run>[/<task run>]                         (its run contexts)
    Airflow    airflow/<dag id>/<run id>/<task id>/<map index>         (AIRFLOW_CTX_*)

An explicit run_id= or HITL_RUN_ID comes first; without any of these, the
process has one run id of its own. Each place also names its *attempt*, so a
task retried in the same process counts its calls from the start again and
finds the questions the failed attempt asked (occurrences.py).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..links import Link

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["Link", "Place", "locate", "show"]

log = logging.getLogger("hitl")


@dataclass(frozen=True)
class Place:
    """The run a call belongs to, which attempt of it this is, and the orchestrator it runs in."""

    run_id: str
    attempt: Hashable = None
    orchestrator: str | None = None


class Adapter(Protocol):
    """An orchestrator's adapter module: place() inside one of its tasks, show() a link there."""

    def place(self, runtime: Runtime) -> Place | None: ...

    def show(self, link: Link) -> None: ...


# Name, what tells that the program runs under it, and the adapter module.
_ADAPTERS: tuple[tuple[str, Callable[[], bool], str], ...] = (
    ("flyte", lambda: "flyte" in sys.modules, "flyte2"),
    ("flytekit", lambda: "flytekit" in sys.modules, "flytekit"),
    ("prefect", lambda: "prefect" in sys.modules, "prefect"),
    ("airflow", lambda: bool(os.environ.get("AIRFLOW_CTX_DAG_RUN_ID")), "airflow"),
)


_MODULES = {name: module for name, _, module in _ADAPTERS}


def _adapter(module: str) -> Adapter:
    found: Any = importlib.import_module(f"{__name__}.{module}")
    adapter: Adapter = found
    return adapter


def _orchestrator_place(runtime: Runtime) -> Place | None:
    for _, running, module in _ADAPTERS:
        if not running():
            continue
        try:
            found = _adapter(module).place(runtime)
        except Exception:  # an orchestrator's internals changed: ask as a plain program would
            log.warning("hitl: could not read the run of %s; using this process's", module)
            log.debug("hitl: %s run lookup failed", module, exc_info=True)
            continue
        if found is not None:
            return found
    return None


def locate(run_id: str | None, runtime: Runtime) -> Place:
    """The Place of a call: run_id=, HITL_RUN_ID, the orchestrator's run, else the process's.

    An explicit run id is taken as it is, with no attempts: it names the run
    and the calls in it are counted as one sequence.
    """
    explicit = run_id or os.environ.get("HITL_RUN_ID", "").strip() or None
    found = _orchestrator_place(runtime)
    if explicit is not None:
        return Place(explicit, None, found.orchestrator if found else None)
    if found is not None:
        return found
    return Place(runtime.run_id)


def show(place: Place, link: Link) -> None:
    """Show the link where the user of the orchestrator the call runs in looks (it may block)."""
    if place.orchestrator is None:
        return
    try:
        _adapter(_MODULES[place.orchestrator]).show(link)
    except Exception:  # showing a link never fails the event
        log.warning(
            "hitl: could not show the link of %r in %s",
            link.name,
            place.orchestrator,
            exc_info=True,
        )
