"""An answer gets the same verdict from an embedded server and from `hitl serve`."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Literal, Optional

import pydantic
import pytest

import hitl_async as hitl

from .._async.helpers import answer, post

pytestmark = [pytest.mark.anyio, pytest.mark.once]
FAST = {"poll_interval_seconds": 0.05}


class Counted(pydantic.BaseModel):
    n: int


@dataclasses.dataclass
class Meeting:
    when: datetime.date


@dataclasses.dataclass
class Appointment:
    at: datetime.datetime


class Positive(pydantic.BaseModel):
    x: int

    @pydantic.field_validator("x")
    @classmethod
    def positive(cls, x: int) -> int:
        if x <= 0:
            raise ValueError("must be positive")
        return x


@pytest.mark.parametrize(
    ("data_type", "submitted"),
    [
        (Counted, {"n": "5"}),  # the schema says integer: text is refused everywhere
        (list[int], ["1", 2.5]),
        (Meeting, {"when": "garbage"}),  # formats are checked too
        (Appointment, {"at": "garbage"}),
        (Literal[1, True], 1.0),
    ],
)
async def test_refused_the_same_wherever_the_app_runs(
    where: str, data_type: Any, submitted: Any
) -> None:
    event = await hitl.new_event("consistent", data_type=data_type, **FAST)
    response = await answer(event, submitted)
    assert response.status_code == 422, response.text
    assert (await event.status()).state == "pending"


async def test_dates_travel_as_dates(where: str) -> None:
    event = await hitl.new_event("meeting", data_type=Meeting, **FAST)
    assert (await answer(event, {"when": "2026-12-01"})).status_code == 200
    assert await event.wait() == Meeting(datetime.date(2026, 12, 1))
    event = await hitl.new_event("appointment", data_type=Appointment, **FAST)
    assert (await answer(event, {"at": "2026-12-01T09:30:00Z"})).status_code == 200
    expected = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)
    assert await event.wait() == Appointment(expected)


async def test_choices_match_in_type_as_well_as_value(where: str) -> None:
    event = await hitl.new_event("exact", data_type=Literal[1, True], **FAST)
    response = await answer(event, "true")
    assert response.status_code == 200
    assert response.json()["value"] is True
    assert await event.wait() is True


async def test_null_answers_an_optional_type(where: str) -> None:
    event = await hitl.new_event("maybe", data_type=Optional[int], **FAST)  # noqa: UP045
    assert (await answer(event, None)).status_code == 200
    assert await event.wait() is None


async def test_null_is_not_a_seed_type_value(where: str) -> None:
    event = await hitl.new_event("needed", data_type=int, **FAST)
    response = await answer(event, None)
    assert response.status_code == 422
    assert "null" in response.json()["detail"]


async def test_custom_validators_run_in_the_embedded_server() -> None:
    event = await hitl.new_event("positive", data_type=Positive, **FAST)
    refused = await answer(event, {"x": -3})
    assert refused.status_code == 422
    assert "must be positive" in refused.json()["detail"]
    assert (await answer(event, {"x": 3})).status_code == 200
    assert await event.wait() == Positive(x=3)


async def test_huge_numbers_are_refused_not_crashed(where: str) -> None:
    event = await hitl.new_event("huge", data_type=float, **FAST)
    response = await post(
        event.api_url,
        content=b'{"request_id": "%s", "value": 1%s}' % (event.request_id.encode(), b"0" * 400),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert (await answer(event, "1_0.5")).status_code == 422
    assert (await event.status()).state == "pending"


async def test_deeply_nested_bodies_are_refused_not_crashed(where: str) -> None:
    event = await hitl.new_event("nested", data_type=list[Any], **FAST)
    depth = 5000
    body = b'{"request_id": "%s", "value": %s%s}' % (
        event.request_id.encode(),
        b"[" * depth,
        b"]" * depth,
    )
    response = await post(event.api_url, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert (await event.status()).state == "pending"
