"""The record of an answer: via, at, who (when known), a comment, and the digest of the
question as it was shown, in the stored outcome, in GET /status and in status()."""

from __future__ import annotations

import hashlib
import json

import pytest
from quart.typing import TestClientProtocol as Client

from hitl_core import rules

from ..conftest import OPERATOR_KEY
from .conftest import Ask, bearer

pytestmark = [pytest.mark.anyio, pytest.mark.once]


async def test_an_answer_records_its_comment_and_the_question_it_answered(
    client: Client, ask: Ask
) -> None:
    asked = await ask(bool, prompt="Deploy v2.3?")
    body = asked.body(True, comment="checked the diff")
    response = await client.post("/submit/json", json=body, query_string=asked.query)
    assert response.status_code == 200
    answered = await response.get_json()
    stored = asked.outcome()
    assert stored is not None
    event = json.loads((asked.store_dir / "events" / f"{asked.request_id}.json").read_text())
    shown = json.dumps([event["prompt"], event["type"]], sort_keys=True, ensure_ascii=False)
    expected = hashlib.sha256(shown.encode()).hexdigest()
    for record in (answered, stored):
        assert record["comment"] == "checked the diff"
        assert record["via"] == "api" and record["by"] is None  # a link's holder is not named
        assert record["question_sha256"] == expected
    status = await (
        await client.get(f"/status/{asked.request_id}", query_string=asked.query)
    ).get_json()
    assert (status["comment"], status["via"], status["question_sha256"]) == (
        "checked the diff",
        "api",
        expected,
    )
    assert status["answered_at"] == stored["at"]


async def test_the_operator_key_is_recorded_as_the_operator(client: Client, ask: Ask) -> None:
    asked = await ask(int)
    response = await client.post("/submit/json", json=asked.body(3), headers=bearer(OPERATOR_KEY))
    assert response.status_code == 200
    stored = asked.outcome()
    assert stored is not None and stored["by"] == "operator" and stored["comment"] is None


@pytest.mark.parametrize(
    ("comment", "why"),
    [("x" * (rules.MAX_COMMENT + 1), "at most"), (42, "text"), (["a"], "text")],
)
async def test_a_comment_that_is_not_short_text_is_refused(
    client: Client, ask: Ask, comment: object, why: str
) -> None:
    asked = await ask(int)
    body = asked.body(3, comment=comment)
    response = await client.post("/submit/json", json=body, query_string=asked.query)
    assert response.status_code == 422
    assert why in (await response.get_json())["detail"]
    assert asked.outcome() is None


async def test_the_form_takes_a_comment_and_shows_it_with_the_answer(
    client: Client, ask: Ask
) -> None:
    asked = await ask(bool)
    page = await (await client.get(f"/form/{asked.request_id}", query_string=asked.query)).get_data(
        as_text=True
    )
    assert 'name="comment"' in page
    fields = {
        "request_id": asked.request_id,
        "token": asked.token,
        "value": "true",
        "comment": "<b>looks fine</b>",
    }
    assert (await client.post("/submit", form=fields)).status_code == 200
    stored = asked.outcome()
    assert stored is not None and (stored["via"], stored["comment"]) == (
        "form",
        "<b>looks fine</b>",
    )
    page = await (await client.get(f"/form/{asked.request_id}", query_string=asked.query)).get_data(
        as_text=True
    )
    assert "Comment: &lt;b&gt;looks fine&lt;/b&gt;" in page
