"""What `hitl list`, `show`, `answer` and `cancel` do, on a store or through an app.

OnStore works on the store directly (HITL_STORE or --store), with the same
rules as the app; ThroughApp sends the same requests as any client, with the
operator key, to the app HITL_ENDPOINT names. Both return the JSON the app
gives (GET /status, GET /events), so the commands print one thing either way.
"""

from __future__ import annotations

import getpass
import json
from typing import Any, Protocol

from hitl_core import rules
from hitl_core.documents import utc_now
from hitl_core.errors import AlreadyAnswered, AlreadyVoted, HitlError
from hitl_core.identity import is_valid_request_id
from hitl_core.status import describe

__all__ = ["CommandFailed", "Events", "OnStore", "ThroughApp"]


class CommandFailed(Exception):
    """A command that cannot be done: its message, and the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Events(Protocol):
    def list(self, state: str, page: int, per_page: int) -> dict[str, Any]: ...
    def show(self, request_id: str) -> dict[str, Any]: ...
    def answer(self, request_id: str, value: str, comment: str | None) -> dict[str, Any]: ...
    def cancel(self, request_id: str) -> dict[str, Any]: ...


def checked_id(request_id: str) -> str:
    if not is_valid_request_id(request_id):
        raise CommandFailed(f"{request_id!r} is not a request id", 2)
    return request_id


def _local_user() -> str | None:
    """Who runs the command, as the system names them (recorded as who answered)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a bare container)
        return None


class OnStore:
    """The commands on a store, as its operator: an answer decides, even an approval."""

    def __init__(self, store_url: str, s3_endpoint_url: str | None) -> None:
        from hitl_sync._store import open_store

        try:
            self.store = open_store(store_url, s3_endpoint_url=s3_endpoint_url)
        except HitlError as exc:
            raise CommandFailed(str(exc)) from None

    def _status(self, request_id: str) -> dict[str, Any]:
        from hitl_sync import _operations

        event, outcome = _operations.look(self.store, request_id)
        location = self.store.outcome_location(request_id)
        body = describe(event, outcome, now=utc_now(), response_path=location)
        if rules.takes_votes(event):
            votes = sorted(self.store.read_votes(request_id), key=lambda v: v["at"])
            fields = ("by", "approved", "comment", "at", "via")
            body["votes"] = [{field: vote.get(field) for field in fields} for vote in votes]
        undelivered = self.store.undelivered(event)
        if undelivered:
            body["undelivered"] = undelivered
        return body

    def _run(self, request_id: str, act: Any) -> dict[str, Any]:
        checked_id(request_id)
        try:
            act()
            return self._status(request_id)
        except AlreadyAnswered as exc:
            raise CommandFailed(f"{exc} (value: {json.dumps(exc.value)})") from None
        except (AlreadyVoted, HitlError) as exc:
            raise CommandFailed(str(exc)) from None

    def list(self, state: str, page: int, per_page: int) -> dict[str, Any]:
        from hitl_sync import _listing

        try:
            found = _listing.page_of(
                self.store, None, state=state, number=page, per_page=per_page, now=utc_now()
            )
        except HitlError as exc:
            raise CommandFailed(str(exc)) from None
        listed = [
            describe(
                e, o, now=utc_now(), response_path=self.store.outcome_location(e["request_id"])
            )
            for e, o in found.events
        ]
        return {
            "events": listed,
            "state": state,
            "page": page,
            "per_page": per_page,
            "next_page": page + 1 if found.more else None,
        }

    def show(self, request_id: str) -> dict[str, Any]:
        return self._run(request_id, lambda: None)

    def answer(self, request_id: str, value: str, comment: str | None) -> dict[str, Any]:
        from hitl_sync import _operations

        return self._run(
            request_id,
            lambda: _operations.answer(
                self.store, request_id, value, via="cli", by=_local_user(), comment=comment
            ),
        )

    def cancel(self, request_id: str) -> dict[str, Any]:
        from hitl_sync import _operations

        return self._run(request_id, lambda: _operations.cancel(self.store, request_id, via="cli"))


class ThroughApp:
    """The commands through a running app, with the operator key (HITL_API_KEY)."""

    def __init__(self, endpoint: str, api_key: str | None) -> None:
        if not api_key:
            raise CommandFailed(
                f"HITL_ENDPOINT names an app ({endpoint}): set HITL_API_KEY to its operator "
                "key, or unset HITL_ENDPOINT to work on the store"
            )
        self.endpoint = endpoint.rstrip("/")
        self.headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One request to the app (the standard library's client: a command starts fast)."""
        import urllib.error
        import urllib.parse
        import urllib.request

        url = f"{self.endpoint}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = dict(self.headers)
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as refused:
            status, raw = refused.code, refused.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommandFailed(f"cannot reach the app at {self.endpoint}: {reason}") from None
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise CommandFailed(f"{url} answered {status} without JSON")
        if status == 200:
            return body
        detail = body.get("detail") or body.get("status") or "refused"
        if status in (401, 403):
            raise CommandFailed(f"the app refused the operator key (HITL_API_KEY): {detail}")
        if status == 404:
            raise CommandFailed(f"no event {path.rsplit('/', 1)[-1]!r} at {self.endpoint}")
        if status == 409 and "value" in body:
            raise CommandFailed(f"{detail} (value: {json.dumps(body['value'])})")
        raise CommandFailed(f"{detail} ({status})")

    def list(self, state: str, page: int, per_page: int) -> dict[str, Any]:
        query = {"state": state, "page": page, "per_page": per_page}
        return self._call("GET", "/events", params=query)

    def show(self, request_id: str) -> dict[str, Any]:
        return self._call("GET", f"/status/{checked_id(request_id)}")

    def answer(self, request_id: str, value: str, comment: str | None) -> dict[str, Any]:
        body = {"request_id": checked_id(request_id), "value": value, "via": "cli"}
        if comment is not None:
            body["comment"] = comment
        self._call("POST", "/submit/json", json_body=body)
        return self.show(request_id)

    def cancel(self, request_id: str) -> dict[str, Any]:
        self._call("POST", f"/events/{checked_id(request_id)}/cancel")
        return self.show(request_id)
