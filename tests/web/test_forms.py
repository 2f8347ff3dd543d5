"""The HTML form: what a person sees and sends."""

from __future__ import annotations

import enum
import html
import re
from typing import Any, Literal

import pydantic
import pytest
from quart.typing import TestClientProtocol as Client

from ..conftest import OPERATOR_KEY
from .conftest import Ask, Asked, bearer

pytestmark = [pytest.mark.anyio, pytest.mark.once]


class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


class Deployment(pydantic.BaseModel):
    service: str
    replicas: int = pydantic.Field(gt=0)


async def page(client: Client, asked: Asked, **options: Any) -> str:
    response = await client.get(f"/form/{asked.request_id}", **options)
    assert response.status_code == 200
    return str(await response.get_data(as_text=True))


async def submit(client: Client, asked: Asked, value: str | None) -> tuple[int, str]:
    fields = {"request_id": asked.request_id, "token": asked.token}
    if value is not None:
        fields["value"] = value
    response = await client.post("/submit", form=fields)
    return response.status_code, str(await response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("data_type", "widget"),
    [
        (int, 'type="number" name="value" step="1"'),
        (float, 'type="number" name="value" step="any"'),
        (bool, 'type="radio" name="value" value="true"'),
        (str, '<textarea name="value"'),
        (list[int], 'name="field" rows="4"'),
        (dict[str, int], "Answer in JSON"),
        (Shade, '<option value="light">light</option>'),
        (Literal[1, 2], '<option value="1">1</option><option value="2">2</option>'),
        (Deployment, 'name="field.replicas" step="1" min="1"'),
    ],
)
async def test_the_form_shows_a_widget_that_fits_the_type(
    client: Client, ask: Ask, data_type: Any, widget: str
) -> None:
    asked = await ask(data_type)
    text = await page(client, asked, query_string=asked.query)
    assert widget in text
    assert f'name="request_id" value="{asked.request_id}"' in text


async def test_the_form_escapes_what_it_shows(client: Client, ask: Ask) -> None:
    asked = await ask(str, prompt="<script>alert(1)</script> & more")
    text = await page(client, asked, query_string=asked.query)
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text


async def test_the_form_never_echoes_the_operator_key(client: Client, ask: Ask) -> None:
    asked = await ask(int)
    for options in (
        {"headers": bearer(OPERATOR_KEY)},
        {"query_string": {"token": OPERATOR_KEY}},
    ):
        text = await page(client, asked, **options)
        assert OPERATOR_KEY not in text
        # The form carries the event's own token, which the page mints.
        assert f'name="token" value="{asked.token}"' in text


async def test_a_form_submission_answers_the_event(client: Client, ask: Ask) -> None:
    asked = await ask(bool)
    status, text = await submit(client, asked, "true")
    assert status == 200 and "Thank you" in text
    stored = asked.outcome()
    assert stored is not None and (stored["value"], stored["via"]) == (True, "form")
    text = await page(client, asked, query_string=asked.query)
    assert "Answered" in text and "<form" not in text
    status, text = await submit(client, asked, "false")
    assert status == 409 and "The standing answer is <strong>Yes</strong>" in text


async def test_an_invalid_value_shows_the_form_again_with_the_error(
    client: Client, ask: Ask
) -> None:
    asked = await ask(int)
    status, text = await submit(client, asked, "1.5")
    assert status == 422
    assert "not a whole number" in text and "<form" in text and 'value="1.5"' in text
    status, text = await submit(client, asked, None)
    assert status == 422 and "a value is required" in text
    assert asked.outcome() is None


async def test_a_structured_answer_gets_the_error_of_what_was_typed(
    client: Client, ask: Ask
) -> None:
    asked = await ask(Deployment)
    status, text = await submit(client, asked, '{"service": "api", "replicas": 0}')
    assert status == 422
    assert "replicas: 0 is less than or equal to the minimum of 0" in text
    assert "is not of type" not in text
    status, text = await submit(client, asked, '{"service": "api", replicas: 2}')
    assert status == 422 and "the answer must be JSON" in text
    assert asked.outcome() is None
    status, _ = await submit(client, asked, '{"service": "api", "replicas": 2}')
    assert status == 200


async def test_a_closed_event_shows_no_form(client: Client, ask: Ask) -> None:
    asked = await ask(int, timeout_seconds=0.001)
    text = await page(client, asked, query_string=asked.query)
    assert "expired and takes no answer" in text and "<form" not in text
    status, text = await submit(client, asked, "3")
    assert status == 410 and "expired" in text


@pytest.mark.parametrize("data_type", [Shade, Literal["small", "large"]])
async def test_a_choice_has_no_option_chosen_for_the_person(
    client: Client, ask: Ask, data_type: Any
) -> None:
    asked = await ask(data_type)
    text = await page(client, asked, query_string=asked.query)
    select = text.split("<select", 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected disabled>Choose one</option>' in select
    assert select.count("selected") == 1
    status, _ = await submit(client, asked, "")
    assert status == 422 and asked.outcome() is None


async def test_pages_show_answers_as_a_person_reads_them(client: Client, ask: Ask) -> None:
    asked = await ask(bool)
    status, text = await submit(client, asked, "false")
    assert status == 200 and "Your answer <strong>No</strong> was recorded." in text
    text = await page(client, asked, query_string=asked.query)
    assert "Answered: <strong>No</strong>" in text and "false" not in text.split("Answered:")[1]


async def test_a_choice_of_the_text_1_and_the_number_1_keeps_them_apart(
    client: Client, ask: Ask
) -> None:
    for posted_index, expected in ((0, "1"), (1, 1)):
        asked = await ask(Literal["1", 1])
        text = await page(client, asked, query_string=asked.query)
        options = re.findall(r'<option value="([^"]*)">', text)
        assert len(options) == 2 and len(set(options)) == 2
        status, _ = await submit(client, asked, html.unescape(options[posted_index]))
        assert status == 200
        stored = asked.outcome()
        assert stored is not None and stored["value"] == expected
        assert type(stored["value"]) is type(expected)
