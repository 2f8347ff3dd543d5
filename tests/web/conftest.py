"""The app through Quart's test client: the route contract, flavor-neutral, once per run.

Events are written straight into the store (as a task would), so no server starts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from hitl_async._store import Store, open_store
from hitl_core import documents, identity, runtime
from hitl_web import create_app

from ..conftest import OPERATOR_KEY


@pytest.fixture
def anyio_backend() -> str:
    """Quart's test client runs on asyncio only, as the app does."""
    return "asyncio"


@dataclass
class Asked:
    """An event in the store, as a task would have created it."""

    request_id: str
    token: str
    store_dir: Path
    personal: dict[str, str] = field(default_factory=dict)  # respondent -> their token

    def votes(self) -> list[dict[str, Any]]:
        """The stored vote documents, read from disk."""
        folder = self.store_dir / "votes" / self.request_id
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]

    @property
    def query(self) -> dict[str, str]:
        return {"token": self.token}

    def body(self, value: Any, **extra: Any) -> dict[str, Any]:
        return {"request_id": self.request_id, "value": value, **extra}

    def outcome(self) -> dict[str, Any] | None:
        """The stored outcome document, read from disk."""
        path = self.store_dir / "outcomes" / f"{self.request_id}.json"
        return dict(json.loads(path.read_text())) if path.exists() else None

    def outcome_path(self) -> str:
        return str(self.store_dir / "outcomes" / f"{self.request_id}.json")


Ask = Callable[..., Coroutine[Any, Any, Asked]]


@pytest.fixture
def store(isolated_settings: Path) -> Store:
    return open_store(str(isolated_settings))


@pytest.fixture
def app(isolated_settings: Path) -> Quart:
    return create_app(str(isolated_settings), api_key=OPERATOR_KEY)


@pytest.fixture
def client(app: Quart) -> Client:
    return app.test_client()


@pytest.fixture
def ask(store: Store, isolated_settings: Path) -> Ask:
    """Create an event in the store; returns its id and token."""
    counter = iter(range(1_000_000))

    async def make(
        data_type: Any = int,
        *,
        prompt: str = "How many?",
        name: str = "question",
        timeout_seconds: float = 3600,
        respondents: tuple[str, ...] = (),
        quorum: int | str = 1,
    ) -> Asked:
        spec = runtime.current().type_spec(data_type)
        request_id = identity.derive_request_id(
            name, run_id="web-tests", scope="run", occurrence=next(counter)
        )
        token = identity.event_token(await store.secret(), request_id)
        await store.create_event(
            documents.event_document(
                request_id=request_id,
                name=name,
                scope="run",
                run_id="web-tests",
                prompt=prompt,
                type_description=spec.describe(),
                token_hash=identity.hash_token(token),
                timeout_seconds=timeout_seconds,
                now=documents.utc_now(),
                respondents=respondents,
                quorum=quorum,
            )
        )
        secret = await store.secret()
        personal = {p: identity.personal_token(secret, request_id, p) for p in respondents}
        return Asked(request_id, token, isolated_settings, personal)

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
