"""Structured answers get a form of fields: one widget each, defaults shown, errors beside
the field they concern, and the value stored as the type would have it."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
from typing import Any, Literal

import pydantic
import pytest
from quart.typing import TestClientProtocol as Client
from typing_extensions import TypedDict

from hitl_core import codec
from hitl_core.labels import expected_answer

from .conftest import Ask, Asked

pytestmark = [pytest.mark.anyio, pytest.mark.once]


class Size(enum.Enum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Target(pydantic.BaseModel):
    region: Literal["eu", "us"]
    zones: int = 2


class Release(pydantic.BaseModel):
    """A release to roll out."""

    version: str = pydantic.Field(title="Version", description="as tagged in git")
    replicas: int = pydantic.Field(default=3, ge=1, le=50)
    canary: bool = False
    size: Size
    starts: datetime.date
    target: Target
    owners: list[str] = []
    ports: list[int] = [8080]
    note: str | None = None


@dataclasses.dataclass
class Budget:
    amount: float
    approved_by: str


class Ticket(TypedDict):
    title: str
    priority: int


async def form_of(client: Client, asked: Asked) -> str:
    response = await client.get(f"/form/{asked.request_id}", query_string=asked.query)
    assert response.status_code == 200
    return str(await response.get_data(as_text=True))


async def send(client: Client, asked: Asked, fields: dict[str, str]) -> tuple[int, str]:
    form = {"request_id": asked.request_id, "token": asked.token, "fields": "1", **fields}
    response = await client.post("/submit", form=form)
    return response.status_code, str(await response.get_data(as_text=True))


def field_error(html: str, name: str) -> str | None:
    """The error shown in the field block of the widget named name, if any."""
    found = re.search(
        rf'<div class="field invalid">(?:(?!<div class="field).)*?name="{re.escape(name)}"'
        r'(?:(?!<div class="field).)*?<p class="error field-error" role="alert">([^<]*)</p>',
        html,
        re.S,
    )
    return found[1] if found else None


GOOD = {
    "field.version": "2.3.1",
    "field.replicas": "4",
    "field.canary": "on",
    "field.size": "2",
    "field.starts": "2026-12-01",
    "field.target.region": "1",
    "field.target.zones": "3",
    "field.owners": "alice\n\n bob \n",
    "field.ports": "80\n443",
    "field.note": "",
}


async def test_a_model_gets_one_widget_per_field_with_its_defaults(
    client: Client, ask: Ask
) -> None:
    html = await form_of(client, await ask(Release))
    assert "Expected answer: Release, in the fields below" in html
    assert '<label for="f-version">Version' in html and "as tagged in git" in html
    assert re.search(
        r'type="number" id="f-replicas" name="field.replicas" step="1" '
        r'min="1" max="50" value="3"',
        html,
    )
    assert 'type="checkbox" id="f-canary" name="field.canary">' in html  # default False
    assert '<option value="" selected disabled>Choose one</option>' in html
    assert '<option value="0">small</option>' in html and " selected>small" not in html
    assert 'type="date" id="f-starts" name="field.starts"' in html
    assert "<legend>Target</legend>" in html and 'name="field.target.zones"' in html
    assert re.search(r'name="field.ports" rows="4">8080</textarea>', html)
    assert "(one per line)" in html and "Answer in JSON" not in html


async def test_the_fields_make_the_value_the_type_validates(client: Client, ask: Ask) -> None:
    asked = await ask(Release)
    status, html = await send(client, asked, GOOD)
    assert status == 200, html
    stored = asked.outcome()
    assert stored is not None
    assert Release.model_validate(stored["value"]) == Release(
        version="2.3.1",
        replicas=4,
        canary=True,
        size=Size.LARGE,
        starts=datetime.date(2026, 12, 1),
        target=Target(region="us", zones=3),
        owners=["alice", "bob"],
        ports=[80, 443],
        note=None,
    )


async def test_errors_show_beside_their_fields_and_keep_what_was_typed(
    client: Client, ask: Ask
) -> None:
    asked = await ask(Release)
    status, html = await send(
        client,
        asked,
        {**GOOD, "field.replicas": "many", "field.ports": "80\nhttp", "field.version": ""},
    )
    assert status == 422
    assert field_error(html, "field.replicas") == "a whole number, like 42"
    assert field_error(html, "field.version") == "required"
    assert field_error(html, "field.ports") == "a whole number, like 42"
    assert field_error(html, "field.starts") is None
    assert 'name="field.replicas" step="1" min="1" max="50" value="many"' in html
    assert 'name="field.target.zones" step="1" value="3"' in html
    assert asked.outcome() is None
    # Read, but out of the type's bounds: the schema's verdict, on its field.
    status, html = await send(client, asked, {**GOOD, "field.replicas": "99"})
    assert status == 422 and "99 is greater than the maximum of 50" in (
        field_error(html, "field.replicas") or ""
    )
    assert asked.outcome() is None


async def test_a_dataclass_and_a_typed_dict_get_fields_too(client: Client, ask: Ask) -> None:
    budget = await ask(Budget)
    assert 'name="field.amount" step="any"' in await form_of(client, budget)
    status, _ = await send(client, budget, {"field.amount": "1200.5", "field.approved_by": "cfo"})
    assert status == 200
    assert (budget.outcome() or {})["value"] == {"amount": 1200.5, "approved_by": "cfo"}
    ticket = await ask(Ticket)
    status, _ = await send(client, ticket, {"field.title": "Disk full", "field.priority": "1"})
    assert status == 200
    assert (ticket.outcome() or {})["value"] == {"title": "Disk full", "priority": 1}


async def test_a_list_of_whole_numbers_is_one_box(client: Client, ask: Ask) -> None:
    asked = await ask(list[int])
    html = await form_of(client, asked)
    assert "Expected answer: a list of whole numbers" in html
    status, _ = await send(client, asked, {"field": "3\n1\n2"})
    assert status == 200 and (asked.outcome() or {})["value"] == [3, 1, 2]


async def test_a_forged_choice_is_refused(client: Client, ask: Ask) -> None:
    asked = await ask(Release)
    status, html = await send(client, asked, {**GOOD, "field.size": "7"})
    assert status == 422 and field_error(html, "field.size") == "choose one of the options"
    assert asked.outcome() is None


@pytest.mark.parametrize(
    ("data_type", "words"),
    [
        (bool, "yes or no"),
        (int, "a whole number"),
        (float, "a number"),
        (str, "text"),
        (Size, "one of: small, medium, large"),
        (Literal["a", "b"], "one of: a, b"),
        (list[int], "a list of whole numbers"),
        (list[datetime.date], "a list of dates"),
        (int | None, "a whole number (or nothing)"),
        (Release, "Release, in the fields below"),
        (dict[str, int], "a JSON object"),
    ],
)
def test_expected_answers_read_as_a_person_would(data_type: Any, words: str) -> None:
    assert expected_answer(codec.describe(data_type).describe()) == words


class Address(pydantic.BaseModel):
    city: str
    zip: str


class Options(pydantic.BaseModel):
    verbose: bool = False


class Change(pydantic.BaseModel):
    window: datetime.datetime = datetime.datetime.fromisoformat("2026-12-01T10:00:30+05:00")
    address: Address | None = None
    options: Options | None = None
    notify: bool | None = None
    tags: list[int] = [1, 2]
    note: str = "n/a"
    tier: Literal["gold", "silver"] | None = "gold"


async def test_left_alone_or_cleared_fields_mean_what_they_show(client: Client, ask: Ask) -> None:
    asked = await ask(Change)
    html = await form_of(client, asked)
    # The default time, shown in UTC to the second; optional groups ask for nothing.
    assert 'name="field.window" step="1" value="2026-12-01T05:00:30"' in html
    assert not re.search(r'name="field.address.city"[^>]*required', html)
    assert '<option value="0">Yes</option>' in html  # an optional yes/no can say neither
    fields = {
        "field.window": "2026-12-01T05:00:30",
        "field.address.city": "",
        "field.address.zip": "",
        "field.notify": "",
        "field.tags": "",
        "field.note": "",
        "field.tier": "",
    }
    status, html = await send(client, asked, fields)
    assert status == 200, html
    stored = asked.outcome()
    assert stored is not None
    assert Change.model_validate(stored["value"]) == Change(
        window=datetime.datetime(2026, 12, 1, 5, 0, 30, tzinfo=datetime.timezone.utc),
        address=None,
        options=None,
        notify=None,
        tags=[],
        note="",
        tier=None,
    )


async def test_a_group_begun_must_be_finished(client: Client, ask: Ask) -> None:
    asked = await ask(Change)
    status, html = await send(
        client, asked, {"field.address.city": "Lyon", "field.address.zip": ""}
    )
    assert status == 422 and field_error(html, "field.address.zip") == "required"
    status, _ = await send(
        client, asked, {"field.address.city": "Lyon", "field.address.zip": "69001"}
    )
    assert status == 200
    assert (asked.outcome() or {})["value"]["address"] == {"city": "Lyon", "zip": "69001"}
