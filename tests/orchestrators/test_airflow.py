"""Airflow, through the variables it sets for each task try (a real Airflow is too heavy
here): the dag, run, task and map index name the run; a new try finds its question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..servers import Served, start_server, stop_server
from .running import answer

pytestmark = pytest.mark.orchestrators

SCHEDULED = "scheduled__2026-11-27T00:00:00+00:00"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Served]:
    """The app apart from the workers, as in a deployment: `hitl serve` on the flows' store."""
    (tmp_path / "home").mkdir()
    served = start_server(tmp_path / "home" / "store")
    yield served
    stop_server(served)


def airflow(dag: str, try_number: int = 1, map_index: int = -1) -> dict[str, str]:
    return {
        "AIRFLOW_CTX_DAG_ID": dag,
        "AIRFLOW_CTX_DAG_RUN_ID": SCHEDULED,
        "AIRFLOW_CTX_TASK_ID": "approve_deploy",
        "AIRFLOW_CTX_TRY_NUMBER": str(try_number),
        "AIRFLOW_CTX_MAP_INDEX": str(map_index),
    }


def test_two_dags_scheduled_at_the_same_time_ask_their_own_questions(start, app: Served):  # type: ignore[no-untyped-def]
    deploy_a = start("airflow_task.py", "plain", HITL_ENDPOINT=app.endpoint, **airflow("deploy_a"))
    link_a = deploy_a.next_link()
    answer(link_a["url"], True)
    assert deploy_a.finish() == 0 and deploy_a.result(approved=True)

    deploy_b = start("airflow_task.py", "plain", HITL_ENDPOINT=app.endpoint, **airflow("deploy_b"))
    link_b = deploy_b.next_link()
    assert not link_b["before"] and link_b["url"] != link_a["url"]
    answer(link_b["url"], False)
    assert deploy_b.finish() == 0 and deploy_b.result(approved=False)


def test_a_new_try_finds_the_question_of_the_try_before(start, app: Served):  # type: ignore[no-untyped-def]
    first = start("airflow_task.py", "crash", HITL_ENDPOINT=app.endpoint, **airflow("deploy", 1))
    link = first.next_link()
    answer(link["url"], True)
    assert first.finish() == 3

    second = start("airflow_task.py", "plain", HITL_ENDPOINT=app.endpoint, **airflow("deploy", 2))
    again = second.next_link()
    assert again["before"] and again["stands"] == "is answered" and again["url"] == link["url"]
    assert second.finish() == 0 and second.result(approved=True)

    # A mapped instance of the task is a question of its own.
    mapped = start(
        "airflow_task.py", "plain", HITL_ENDPOINT=app.endpoint, **airflow("deploy", 1, 0)
    )
    own = mapped.next_link()
    assert not own["before"] and own["url"] != link["url"]
    answer(own["url"], False)
    assert mapped.finish() == 0 and mapped.result(approved=False)
