"""Orchestrators load only when a program runs under them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.orchestrators


def test_a_plain_program_loads_no_orchestrator_and_has_a_run_of_its_own(start):  # type: ignore[no-untyped-def]
    flow = start("outside_tasks.py")
    plain = flow.result(step="plain")
    assert plain["loaded"] == []
    assert plain["run"].startswith("local-")
    # Imported, but no task of theirs runs: the run is still the process's.
    assert flow.result(step="imported")["run"] == plain["run"]
    assert flow.finish() == 0
    assert not [line for line in flow.stderr if "could not read the run" in line]
