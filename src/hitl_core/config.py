"""Settings, resolved as argument > environment > default, in one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_PORT",
    "ProvidedApp",
    "Settings",
    "default_store_url",
    "new_process_run_id",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# The raw data path Flyte 2 gives an app it serves (flyte.app.ctx().raw_data_path).
FLYTE_APP_RAW_DATA_PATH = "_FLYTE_APP_RAW_DATA_PATH"


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def default_store_url() -> str:
    """HITL_STORE, else RAW_DATA_PATH/hitl, else the raw data path of the Flyte app this
    runs as + /hitl, else a folder in the user's data directory."""
    explicit = _env("HITL_STORE")
    if explicit:
        return explicit
    raw = _env("RAW_DATA_PATH") or _env(FLYTE_APP_RAW_DATA_PATH)
    if raw:
        return raw.rstrip("/") + "/hitl"
    data_home = _env("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data_home) / "hitl")


def new_process_run_id() -> str:
    """A run id for a process that no setting names."""
    return "local-" + secrets.token_hex(8)


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_PORT
    try:
        port = int(value)
    except ValueError:
        raise ValueError(f"HITL_PORT must be a port number, not {value!r}") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"HITL_PORT must be between 0 and 65535, not {port}")
    return port


def _positive_seconds(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise ValueError(
            f"HITL_REACH_SCAN_SECONDS must be seconds between 0 and 86400, not {value!r}"
        )
    return seconds


@dataclass(frozen=True)
class ProvidedApp:
    """A running app that a deployment offers (a Flyte app the tasks depend on), and its store."""

    endpoint: str
    store: str | None = None
    public_url: str | None = None


@dataclass(frozen=True)
class Settings:
    """Where events are stored, served and shown."""

    store: str
    endpoint: str | None
    public_url: str | None
    host: str
    port: int
    api_key: str | None
    s3_endpoint_url: str | None = None
    # The header an authenticating proxy sets to the user's id; None: trust no header.
    trusted_user_header: str | None = None
    # Apprise URLs told of every event that names no notify= of its own (HITL_NOTIFY).
    notify: tuple[str, ...] = ()
    # How often `hitl serve` looks for events with notices to send (HITL_REACH_SCAN_SECONDS).
    reach_scan_seconds: float = 15.0

    @classmethod
    def resolve(
        cls,
        *,
        store: str | None = None,
        endpoint: str | None = None,
        public_url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        s3_endpoint_url: str | None = None,
        provided: Callable[[], ProvidedApp | None] | None = None,
    ) -> Settings:
        """provided is asked for an app only when neither endpoint= nor HITL_ENDPOINT names one;
        its store comes after store= and HITL_STORE."""
        endpoint = endpoint or _env("HITL_ENDPOINT")
        app = provided() if provided is not None and not endpoint else None
        if app is not None:
            endpoint = app.endpoint
        return cls(
            store=store or _env("HITL_STORE") or (app and app.store) or default_store_url(),
            endpoint=(endpoint or "").rstrip("/") or None,
            public_url=(
                public_url or _env("HITL_PUBLIC_URL") or (app and app.public_url) or ""
            ).rstrip("/")
            or None,
            host=host or _env("HITL_HOST") or DEFAULT_HOST,
            port=port if port is not None else _port(_env("HITL_PORT")),
            api_key=_env("HITL_API_KEY"),
            s3_endpoint_url=s3_endpoint_url or _env("HITL_S3_ENDPOINT_URL"),
            trusted_user_header=_env("HITL_TRUSTED_USER_HEADER"),
            notify=tuple((_env("HITL_NOTIFY") or "").replace(",", " ").split()),
            reach_scan_seconds=_positive_seconds(_env("HITL_REACH_SCAN_SECONDS"), 15.0),
        )
