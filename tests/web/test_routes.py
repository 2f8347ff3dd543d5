"""Every route and status code of the contract (DESIGN.md, "The web app")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from quart.typing import TestClientProtocol as Client

from hitl_core import strict_json
from hitl_core.storage import store_fingerprint

from ..conftest import OPERATOR_KEY
from .conftest import Ask, bearer

pytestmark = [pytest.mark.anyio, pytest.mark.once]
RAW_JSON = {"Content-Type": "application/json"}


async def test_health_names_the_store(client: Client, isolated_settings: Any) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert await response.get_json() == {
        "status": "ok",
        "store": store_fingerprint(str(isolated_settings)),
        "long_polls": 0,
    }


async def test_every_reply_carries_the_security_headers(client: Client, ask: Ask) -> None:
    asked = await ask()
    for path in ("/health", "/", f"/form/{asked.request_id}", f"/status/{asked.request_id}"):
        response = await client.get(path, query_string=asked.query)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_json_answer_is_accepted_and_stored(client: Client, ask: Ask) -> None:
    asked = await ask(int)
    response = await client.post("/submit/json", json=asked.body("12"), query_string=asked.query)
    assert response.status_code == 200
    body = await response.get_json()
    assert (body["status"], body["value"], body["data_type"]) == ("submitted", 12, "int")
    assert body["response_path"] == asked.outcome_path()
    stored = asked.outcome()
    assert stored is not None and (stored["state"], stored["value"], stored["via"]) == (
        "answered",
        12,
        "api",
    )


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not json", "standard JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"request_id": "x"}', "JSON object"),
        (b'{"request_id": 7, "value": 1}', "request_id"),
        (b'{"request_id": "../../etc/passwd", "value": 1}', "request_id"),
        (b'{"request_id": "UPPER", "value": 1}', "request_id"),
    ],
)
async def test_malformed_bodies_are_400(client: Client, ask: Ask, body: bytes, why: str) -> None:
    asked = await ask()
    response = await client.post(
        "/submit/json", data=body, headers=RAW_JSON, query_string=asked.query
    )
    assert response.status_code == 400
    assert why in (await response.get_json())["detail"]
    assert asked.outcome() is None


@pytest.mark.parametrize(
    ("data_type", "value", "status", "why"),
    [
        (list[float], "[1.5, NaN]", 400, "NaN is not a JSON value"),
        (list[float], "[Infinity]", 400, "Infinity is not a JSON value"),
        (dict[str, Any], '{"x": -Infinity}', 400, "-Infinity is not a JSON value"),
        (bool, 'true, "value": false', 400, "the key 'value' appears twice"),
        (list[Any], "[" * 5000 + "]" * 5000, 400, "nests deeper"),
        (str, '"ok\\ud800"', 422, "lone surrogate"),
    ],
)
async def test_what_is_not_standard_json_is_refused(
    client: Client, ask: Ask, data_type: Any, value: str, status: int, why: str
) -> None:
    asked = await ask(data_type)
    body = f'{{"request_id": "{asked.request_id}", "value": {value}}}'.encode()
    response = await client.post(
        "/submit/json", data=body, headers=RAW_JSON, query_string=asked.query
    )
    assert response.status_code == status
    assert why in (await response.get_json())["detail"]
    assert asked.outcome() is None


async def test_a_token_with_a_lone_surrogate_is_403(client: Client, ask: Ask) -> None:
    asked = await ask(int)
    body = f'{{"request_id": "{asked.request_id}", "value": 1, "token": "\\ud800"}}'.encode()
    response = await client.post("/submit/json", data=body, headers=RAW_JSON)
    assert response.status_code == 403
    assert asked.outcome() is None


async def test_foreign_response_path_is_400(client: Client, ask: Ask, tmp_path: Any) -> None:
    asked = await ask()
    foreign = str(tmp_path / "x.json")
    response = await client.post(
        "/submit/json", json=asked.body(1, response_path=foreign), query_string=asked.query
    )
    assert response.status_code == 400
    assert not (tmp_path / "x.json").exists()
    assert asked.outcome() is None


async def test_own_response_path_and_claimed_data_type_are_accepted(
    client: Client, ask: Ask
) -> None:
    asked = await ask(int)
    body = asked.body("12", data_type="str", response_path=asked.outcome_path())
    response = await client.post("/submit/json", json=body, query_string=asked.query)
    assert response.status_code == 200
    assert (await response.get_json())["value"] == 12


async def test_claimed_data_type_cannot_loosen_validation(client: Client, ask: Ask) -> None:
    asked = await ask(int)
    body = asked.body("twelve", data_type="str")
    response = await client.post("/submit/json", json=body, query_string=asked.query)
    assert response.status_code == 422
    assert asked.outcome() is None


async def test_missing_token_is_401_with_a_challenge(client: Client, ask: Ask) -> None:
    asked = await ask()
    for response in (
        await client.post("/submit/json", json=asked.body(1)),
        await client.get(f"/status/{asked.request_id}"),
        await client.get(f"/form/{asked.request_id}"),
        await client.post(f"/events/{asked.request_id}/cancel"),
        await client.get(f"/events/{asked.request_id}/wait", query_string={"timeout": "0"}),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert asked.outcome() is None


async def test_a_wrong_token_is_403_whether_or_not_the_event_exists(
    client: Client, ask: Ask
) -> None:
    asked, other = await ask(), await ask()
    missing = "nobody-0123456789abcdef01234567"
    for request_id in (asked.request_id, missing):
        replies = [
            await client.post(
                "/submit/json",
                json={"request_id": request_id, "value": 1},
                query_string=other.query,
            ),
            await client.get(f"/status/{request_id}", query_string={"token": "0" * 40}),
            await client.get(f"/form/{request_id}", query_string=other.query),
        ]
        assert [r.status_code for r in replies] == [403, 403, 403]
        assert (await replies[0].get_json())["detail"] == "this token does not open this event"
    assert asked.outcome() is None


async def test_the_token_may_come_as_bearer_query_or_field(client: Client, ask: Ask) -> None:
    by_header, by_field = await ask(), await ask()
    response = await client.post(
        "/submit/json", json=by_header.body(3), headers=bearer(by_header.token)
    )
    assert response.status_code == 200
    response = await client.post("/submit/json", json=by_field.body(4, token=by_field.token))
    assert response.status_code == 200


async def test_unknown_request_with_the_operator_key_is_404(client: Client) -> None:
    missing = "nobody-0123456789abcdef01234567"
    response = await client.get(f"/status/{missing}", headers=bearer(OPERATOR_KEY))
    assert response.status_code == 404
    assert (await response.get_json())["request_id"] == missing


async def test_second_answer_is_409_with_the_standing_answer(client: Client, ask: Ask) -> None:
    asked = await ask()
    first = await client.post("/submit/json", json=asked.body(1), query_string=asked.query)
    assert first.status_code == 200
    stored = asked.outcome()
    late = await client.post("/submit/json", json=asked.body(2), query_string=asked.query)
    assert late.status_code == 409
    assert (await late.get_json())["value"] == 1
    assert asked.outcome() == stored


async def test_cancelled_and_expired_events_take_no_answer(client: Client, ask: Ask) -> None:
    cancelled, expired = await ask(), await ask(timeout_seconds=0.001)
    cancel = await client.post(
        f"/events/{cancelled.request_id}/cancel", query_string=cancelled.query
    )
    assert cancel.status_code == 200
    for asked, state in ((cancelled, "cancelled"), (expired, "expired")):
        response = await client.post("/submit/json", json=asked.body(1), query_string=asked.query)
        assert response.status_code == 410
        assert (await response.get_json())["status"] == state
        stored = asked.outcome()
        assert stored is not None and stored["state"] == state  # the expiry is recorded


async def test_body_too_large_is_413(client: Client, ask: Ask) -> None:
    asked = await ask(str)
    response = await client.post(
        "/submit/json", json=asked.body("x" * 200_000), query_string=asked.query
    )
    assert response.status_code == 413
    assert (await response.get_json())["detail"] == "the request body is larger than 64 KiB"
    form = await client.post(
        "/submit",
        form={"request_id": asked.request_id, "token": asked.token, "value": "x" * 200_000},
    )
    assert form.status_code == 413
    assert asked.outcome() is None


async def test_invalid_value_is_422_with_a_message(client: Client, ask: Ask) -> None:
    asked = await ask(bool)
    response = await client.post(
        "/submit/json", json=asked.body("banana"), query_string=asked.query
    )
    assert response.status_code == 422
    assert "banana" in (await response.get_json())["detail"]
    assert asked.outcome() is None


async def test_a_damaged_store_is_503_and_changes_nothing(client: Client, ask: Ask) -> None:
    asked = await ask()
    (asked.store_dir / "events" / f"{asked.request_id}.json").write_text('{"version": 1}')
    for response in (
        await client.get(f"/status/{asked.request_id}", query_string=asked.query),
        await client.post("/submit/json", json=asked.body(1), query_string=asked.query),
    ):
        assert response.status_code == 503
        assert "nothing was changed" in (await response.get_json())["detail"]
    assert asked.outcome() is None


async def test_status_reports_the_question_and_its_answer(client: Client, ask: Ask) -> None:
    asked = await ask(int, prompt="How many?")
    url = f"/status/{asked.request_id}"
    pending = await (await client.get(url, query_string=asked.query)).get_json()
    assert (pending["status"], pending["prompt"], pending["data_type"]) == (
        "pending",
        "How many?",
        "int",
    )
    await client.post("/submit/json", json=asked.body(4), query_string=asked.query)
    answered = await (await client.get(url, query_string=asked.query)).get_json()
    assert (answered["status"], answered["value"]) == ("answered", 4)
    assert answered["answered_at"]


async def test_a_get_never_changes_state(client: Client, ask: Ask) -> None:
    asked = await ask(bool)
    expired = await ask(bool, timeout_seconds=0.001)
    for target in (asked, expired):
        for path in (f"/form/{target.request_id}", f"/status/{target.request_id}"):
            await client.get(path, query_string={**target.query, "value": "true"})
    assert (await client.get("/submit", query_string={"value": "true"})).status_code == 405
    assert asked.outcome() is None and expired.outcome() is None
    status = await client.get(f"/status/{expired.request_id}", query_string=expired.query)
    assert (await status.get_json())["status"] == "expired"  # known without being recorded


async def test_cancel_route(client: Client, ask: Ask) -> None:
    asked = await ask()
    url = f"/events/{asked.request_id}/cancel"
    assert (await client.get(url, query_string=asked.query)).status_code == 405
    assert asked.outcome() is None
    assert (await client.post(url, query_string=asked.query)).status_code == 200
    again = await client.post(url, query_string=asked.query)  # already cancelled: harmless
    assert again.status_code == 200 and (await again.get_json())["status"] == "cancelled"

    answered = await ask()
    await client.post("/submit/json", json=answered.body(1), query_string=answered.query)
    refused = await client.post(
        f"/events/{answered.request_id}/cancel", query_string=answered.query
    )
    assert (refused.status_code, (await refused.get_json())["value"]) == (409, 1)


async def test_cancel_after_the_deadline_is_410_and_the_event_stays_expired(
    client: Client, ask: Ask
) -> None:
    asked = await ask(timeout_seconds=0.001)
    url = f"/events/{asked.request_id}/cancel"
    for _ in range(2):
        response = await client.post(url, query_string=asked.query)
        assert response.status_code == 410
        assert (await response.get_json())["status"] == "expired"
        stored = asked.outcome()
        assert stored is not None and stored["state"] == "expired"


async def test_the_operator_key_lists_and_answers_any_event(client: Client, ask: Ask) -> None:
    asked = await ask(str, prompt="operator question")
    damaged = await ask()
    (damaged.store_dir / "events" / f"{damaged.request_id}.json").write_text("{not json")
    assert (await client.get("/events")).status_code == 401
    assert (await client.get("/events", headers=bearer("wrong"))).status_code == 403
    assert (await client.get("/events", headers=bearer(asked.token))).status_code == 403
    listed = await (await client.get("/events", headers=bearer(OPERATOR_KEY))).get_json()
    assert [e["request_id"] for e in listed["events"]] == [asked.request_id]
    inbox = await client.get("/inbox", headers=bearer(OPERATOR_KEY))
    assert "operator question" in await inbox.get_data(as_text=True)
    assert (await client.get("/inbox")).status_code == 401
    assert "operator question" not in await (await client.get("/")).get_data(as_text=True)
    response = await client.post(
        "/submit/json", json=asked.body("from the operator"), headers=bearer(OPERATOR_KEY)
    )
    assert response.status_code == 200
    assert json.loads(json.dumps(asked.outcome()))["value"] == "from the operator"


async def test_a_refusal_carries_the_status_of_the_event(client: Client, ask: Ask) -> None:
    asked = await ask(int, prompt="How many?")
    await client.post("/submit/json", json=asked.body(1), query_string=asked.query)
    status = await (
        await client.get(f"/status/{asked.request_id}", query_string=asked.query)
    ).get_json()
    for refused in (
        await client.post("/submit/json", json=asked.body(2), query_string=asked.query),
        await client.post(f"/events/{asked.request_id}/cancel", query_string=asked.query),
    ):
        assert refused.status_code == 409
        body = await refused.get_json()
        assert body.pop("detail")
        assert body == status


async def test_a_wrong_method_is_405_with_the_methods_allowed(client: Client) -> None:
    response = await client.put("/submit/json")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}


async def test_a_value_may_nest_as_deep_through_the_api_as_through_the_form(
    client: Client, ask: Ask
) -> None:
    deepest = "[" * strict_json.MAX_DEPTH + "]" * strict_json.MAX_DEPTH
    too_deep = "[" + deepest + "]"
    by_api, by_form = await ask(list[Any]), await ask(list[Any])
    body = f'{{"request_id": "{by_api.request_id}", "value": {deepest}}}'.encode()
    response = await client.post(
        "/submit/json", data=body, headers=RAW_JSON, query_string=by_api.query
    )
    assert response.status_code == 200
    fields = {"request_id": by_form.request_id, "token": by_form.token, "value": deepest}
    assert (await client.post("/submit", form=fields)).status_code == 200
    refused_api, refused_form = await ask(list[Any]), await ask(list[Any])
    body = f'{{"request_id": "{refused_api.request_id}", "value": {too_deep}}}'.encode()
    response = await client.post(
        "/submit/json", data=body, headers=RAW_JSON, query_string=refused_api.query
    )
    assert response.status_code == 400
    fields = {"request_id": refused_form.request_id, "token": refused_form.token, "value": too_deep}
    assert (await client.post("/submit", form=fields)).status_code == 422
    assert refused_api.outcome() is None and refused_form.outcome() is None


async def test_without_a_token_nothing_is_told_of_the_store(client: Client, ask: Ask) -> None:
    asked = await ask()
    for path in (asked.outcome_path(), "/somewhere/else.json"):
        response = await client.post("/submit/json", json=asked.body(1, response_path=path))
        assert response.status_code == 401
        assert "response_path" not in await response.get_data(as_text=True)
