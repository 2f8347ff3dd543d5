# WARNING: generated from tests/_async/test_http.py by codegen/unasync.py. DO NOT EDIT.
"""The routes and status codes of DESIGN.md, against a real Hypercorn server."""

from __future__ import annotations

import enum
from typing import Any, Literal

import pydantic
import pytest

import hitl_sync as hitl

from ..conftest import OPERATOR_KEY
from ..servers import Served
from ._compat import Call, run_concurrently
from .helpers import answer, get, post, token_of, without_token

pytestmark = [pytest.mark.anyio, pytest.mark.every_store]
FAST = {"poll_interval_seconds": 0.05}


class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


class Pair(pydantic.BaseModel):
    left: int
    right: int


def pending_event(data_type: Any = int, **kwargs: Any) -> hitl.Event[Any]:
    return hitl.new_event("http", data_type=data_type, **FAST, **kwargs)


def assert_unanswered(event: hitl.Event[Any]) -> None:
    assert (event.status()).state == "pending"


def test_health(where: str) -> None:
    event = pending_event()
    response = get(f"{event.endpoint}/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"request_id": "x"}',
    ],
)
def test_malformed_body_is_400(where: str, body: bytes) -> None:
    event = pending_event()
    response = post(event.api_url, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"]
    assert_unanswered(event)


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "UPPER", "", "a/b", "x" * 100, 7])
def test_bad_request_id_is_400(where: str, bad_id: Any) -> None:
    event = pending_event()
    response = post(event.api_url, json={"request_id": bad_id, "value": 1})
    assert response.status_code == 400
    assert_unanswered(event)


def test_foreign_response_path_is_400(where: str, tmp_path: Any) -> None:
    event = pending_event()
    body = {"request_id": event.request_id, "value": 1, "response_path": str(tmp_path / "x.json")}
    response = post(event.api_url, json=body)
    assert response.status_code == 400
    assert not (tmp_path / "x.json").exists()
    assert_unanswered(event)


def test_own_response_path_and_claimed_data_type_are_accepted(where: str) -> None:
    event = pending_event(int)
    status = (get(f"{event.endpoint}/status/{event.request_id}", params=token_of(event))).json()
    body = {
        "request_id": event.request_id,
        "value": "12",
        "data_type": "str",  # what the client claims does not matter: the event says int
        "response_path": status["response_path"],
    }
    response = post(event.api_url, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["value"] == 12
    assert event.wait() == 12


def test_claimed_data_type_cannot_loosen_validation(where: str) -> None:
    event = pending_event(int)
    body = {"request_id": event.request_id, "value": "twelve", "data_type": "str"}
    assert (post(event.api_url, json=body)).status_code == 422
    assert_unanswered(event)


def test_missing_token_is_401_and_wrong_token_is_403(where: str) -> None:
    event = pending_event()
    body = {"request_id": event.request_id, "value": 1}
    no_token = post(without_token(event.api_url), json=body)
    assert no_token.status_code == 401
    other = pending_event()
    wrong = post(other.api_url, json=body)  # a real token, for another event
    assert wrong.status_code == 403
    forged = post(without_token(event.api_url), json=body, headers=_bearer("0" * 40))
    assert forged.status_code == 403
    for path in (f"/form/{event.request_id}", f"/status/{event.request_id}"):
        assert (get(event.endpoint + path)).status_code == 401
        assert (get(event.endpoint + path, params={"token": "nope"})).status_code == 403
    assert_unanswered(event)


def test_bearer_token_works_like_the_query_token(where: str) -> None:
    event = pending_event()
    token = token_of(event)["token"]
    body = {"request_id": event.request_id, "value": 3}
    response = post(without_token(event.api_url), json=body, headers=_bearer(token))
    assert response.status_code == 200
    assert event.wait() == 3


def test_unknown_request_is_404(where: str) -> None:
    event = pending_event()
    body = {"request_id": "nobody-0123456789abcdef01234567", "value": 1}
    assert (post(event.api_url, json=body)).status_code == 404
    status_url = f"{event.endpoint}/status/nobody-0123456789abcdef01234567"
    assert (get(status_url, params=token_of(event))).status_code == 404


def test_second_answer_is_409_with_the_standing_answer(where: str) -> None:
    event = pending_event()
    assert (answer(event, 1)).status_code == 200
    late = answer(event, 2)
    assert late.status_code == 409
    assert late.json()["value"] == 1
    assert event.wait() == 1


def test_cancelled_and_expired_are_410(where: str) -> None:
    cancelled = pending_event()
    cancelled.cancel()
    expired = pending_event(timeout_seconds=0.05, default=None)
    assert expired.wait() is None
    for event, state in ((cancelled, "cancelled"), (expired, "expired")):
        response = answer(event, 1)
        assert response.status_code == 410
        assert response.json()["status"] == state
        assert (event.status()).state == state


# The server answers 413 before reading the whole upload; httpx's upload generator
# is then left unfinished, which trio reports when it collects it. Only that one.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <async_generator object ByteStream:"
    "pytest.PytestUnraisableExceptionWarning"
)
def test_body_too_large_is_413(where: str) -> None:
    event = pending_event(str)
    response = answer(event, "x" * 200_000)
    assert response.status_code == 413
    assert_unanswered(event)
    form = post(
        f"{event.endpoint}/submit",
        data={
            "request_id": event.request_id,
            "token": token_of(event)["token"],
            "value": "x" * 200_000,
        },
    )
    assert form.status_code == 413
    assert_unanswered(event)


def test_invalid_value_is_422_with_a_message(where: str) -> None:
    event = pending_event(bool)
    response = answer(event, "banana")
    assert response.status_code == 422
    assert "banana" in response.json()["detail"]
    assert_unanswered(event)


def test_concurrent_submissions_exactly_one_wins(where: str) -> None:
    event = pending_event(int)
    results: list[tuple[int, Any]] = []

    def submitter(value: int) -> Call:
        def submit() -> None:
            response = answer(event, value)
            results.append((response.status_code, response.json().get("value")))

        return submit

    run_concurrently([submitter(value) for value in range(20)])
    winners = [value for code, value in results if code == 200]
    assert len(winners) == 1
    assert sorted(code for code, _ in results) == [200] + [409] * 19
    assert {value for code, value in results if code == 409} == set(winners)
    assert event.wait() == winners[0]


def test_form_shows_a_widget_that_fits_the_type(where: str) -> None:
    widgets = {
        int: 'type="number" name="value" step="1"',
        float: 'type="number" name="value" step="any"',
        bool: 'type="radio" name="value" value="true"',
        str: '<textarea name="value"',
        list[int]: "Answer in JSON",
        Shade: '<select name="value" required>\n        <option value="light">light</option>',
        Literal[1, 2]: '<option value="1">1</option><option value="2">2</option>',
        Pair: "Answer in JSON. Schema:",
    }
    for data_type, widget in widgets.items():
        event = pending_event(data_type)
        page = get(event.form_url)
        assert page.status_code == 200
        assert widget in page.text
        assert f'name="request_id" value="{event.request_id}"' in page.text


def test_form_escapes_what_it_shows(where: str) -> None:
    event = pending_event(str, prompt="<script>alert(1)</script> & more")
    page = get(event.form_url)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_form_submission_answers_the_event(where: str) -> None:
    event = pending_event(bool)
    fields = {"request_id": event.request_id, "token": token_of(event)["token"], "value": "true"}
    response = post(f"{event.endpoint}/submit", data=fields)
    assert response.status_code == 200
    assert "Thank you" in response.text
    assert event.wait() is True
    page = get(event.form_url)
    assert "Answered" in page.text and "<form" not in page.text


def test_form_with_an_invalid_value_shows_the_form_again(where: str) -> None:
    event = pending_event(int)
    fields = {"request_id": event.request_id, "token": token_of(event)["token"], "value": "1.5"}
    response = post(f"{event.endpoint}/submit", data=fields)
    assert response.status_code == 422
    assert "not a whole number" in response.text and "<form" in response.text
    assert_unanswered(event)


def test_get_never_changes_state(where: str) -> None:
    event = pending_event(bool)
    for path in (f"/form/{event.request_id}", f"/status/{event.request_id}"):
        get(event.endpoint + path, params={**token_of(event), "value": "true"})
    assert (get(f"{event.endpoint}/submit", params={"value": "true"})).status_code == 405
    assert_unanswered(event)


def test_status_route(where: str) -> None:
    event = pending_event(int, prompt="How many?")
    url = f"{event.endpoint}/status/{event.request_id}"
    pending = (get(url, params=token_of(event))).json()
    assert (pending["status"], pending["prompt"], pending["data_type"]) == (
        "pending",
        "How many?",
        "int",
    )
    answer(event, 4)
    answered = (get(url, params=token_of(event))).json()
    assert (answered["status"], answered["value"]) == ("answered", 4)


def test_cancel_route(where: str) -> None:
    event = pending_event()
    url = f"{event.endpoint}/events/{event.request_id}/cancel"
    assert (post(url)).status_code == 401
    assert (get(url, params=token_of(event))).status_code == 405
    assert_unanswered(event)
    assert (post(url, params=token_of(event))).status_code == 200
    assert (post(url, params=token_of(event))).status_code == 200  # already cancelled
    with pytest.raises(hitl.EventCancelled):
        event.wait()
    answered = pending_event()
    answer(answered, 1)
    url = f"{answered.endpoint}/events/{answered.request_id}/cancel"
    refused = post(url, params=token_of(answered))
    assert (refused.status_code, refused.json()["value"]) == (409, 1)
    expired = pending_event(timeout_seconds=0.05, default=0)
    expired.wait()
    url = f"{expired.endpoint}/events/{expired.request_id}/cancel"
    assert (post(url, params=token_of(expired))).status_code == 410
    assert (expired.status()).state == "expired"


def test_operator_key_lists_and_answers_any_event(remote: Served) -> None:
    event = pending_event(str, prompt="operator question")
    assert (get(f"{remote.endpoint}/events")).status_code == 401
    assert (get(f"{remote.endpoint}/events", headers=_bearer("wrong"))).status_code == 403
    listed = (get(f"{remote.endpoint}/events", headers=_bearer(OPERATOR_KEY))).json()
    assert event.request_id in {e["request_id"] for e in listed["events"]}
    index = get(f"{remote.endpoint}/", headers=_bearer(OPERATOR_KEY))
    assert "operator question" in index.text
    body = {"request_id": event.request_id, "value": "from the operator"}
    response = post(f"{remote.endpoint}/submit/json", json=body, headers=_bearer(OPERATOR_KEY))
    assert response.status_code == 200
    assert event.wait() == "from the operator"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
