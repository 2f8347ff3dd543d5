"""Sending notices through Apprise, each exactly once across processes and replicas.

A notice is claimed before it is sent: a write-once document in the store,
notices/{request_id}/{key}.json. Whichever process creates the claim sends it;
every other one finds it and does nothing. A sent notice gets {key}-sent.json;
one that failed every attempt gets {key}-failed.json with the last error, so
status() can list what was not delivered.

Sending happens on worker threads of the process (Deliveries), never in the
caller: a failing channel is retried with backoff and logged, and never fails
new_event() or wait(). At exit, the process gives its sends a few seconds to
finish.

Apprise throttles the sends of one notifier object (about 5.5 s apart); each
notice gets a notifier of its own with that throttle off, so reminders and
replicas are neither slowed nor merged by it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from . import documents
from .errors import StoreError
from .reach import Notice, channel
from .storage import Backend
from .threads import leave_signals_to_the_main_thread

__all__ = [
    "Deliveries",
    "NoticeFailed",
    "check_url",
    "check_urls",
    "documents_to_read",
    "notice_states",
    "send",
]

log = logging.getLogger("hitl")

ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 1.0
EXIT_GRACE_SECONDS = 5.0
WORKERS = 4


class NoticeFailed(Exception):
    """A notice could not be sent; the message says why, without the channel's secrets."""


_loading = threading.Lock()
_loaded: list[Any] = []


def _apprise() -> Any:
    """Apprise, its plugins loaded once (they load together, on first use)."""
    with _loading:
        if _loaded:
            return _loaded[0]
        with warnings.catch_warnings():
            # Its e-mail plugin imports imghdr, deprecated since Python 3.11.
            warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
            try:
                import apprise
            except ImportError:
                raise NoticeFailed(
                    "notifications need Apprise: pip install 'hitl-events[notify]'"
                ) from None
            apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory")).add("json://x")
        _loaded.append(apprise)
        return apprise


def _notifier(url: str) -> Any:
    apprise = _apprise()
    # Kept in memory: Apprise would otherwise keep state files in the user's folders.
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
    if not notifier.add(url):
        raise NoticeFailed(f"not an Apprise URL it can send to ({channel(url)}://...)")
    return notifier


def check_url(url: str) -> None:
    """Raise ValueError unless Apprise can send to url (ModuleNotFoundError without it)."""
    try:
        _notifier(url)
    except NoticeFailed as exc:
        if "Apprise URL" in str(exc):
            raise ValueError(str(exc)) from None
        raise ModuleNotFoundError(str(exc)) from None


def check_urls(urls: Iterable[str]) -> None:
    """check_url() for each."""
    for url in urls:
        check_url(url)


def send(notice: Notice) -> None:
    """Send one notice now; NoticeFailed if the channel did not take it."""
    notifier = _notifier(notice.url)
    for plugin in notifier:
        plugin.request_rate_per_sec = 0  # hitl spaces its own messages
    apprise = _apprise()
    if not notifier.notify(
        title=notice.title, body=notice.body, body_format=apprise.NotifyFormat.MARKDOWN
    ):
        raise NoticeFailed(f"the {channel(notice.url)} channel did not take the message")


def _path(request_id: str, key: str, suffix: str = "") -> str:
    return f"{documents.notices_folder(request_id)}/{key}{suffix}.json"


def _document(request_id: str, notice: Notice, **extra: Any) -> bytes:
    now = documents.timestamp(documents.utc_now())
    body = {"version": documents.VERSION, "request_id": request_id, "at": now}
    body.update(notice.describe(), key=notice.key, **extra)
    return json.dumps(body).encode()


class Deliveries:
    """The process's notice senders: a few daemon threads, started on first use.

    At exit the process gives the sends under way EXIT_GRACE_SECONDS to end
    (retries included), then goes: a send cut short stays claimed, never sent
    twice.
    """

    def __init__(
        self,
        *,
        attempts: int = ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF_SECONDS,
        sender: Callable[[Notice], None] = send,
    ) -> None:
        self.attempts = attempts
        self.first_backoff = first_backoff
        self.sender = sender
        self._lock = threading.Condition()
        self._queue: list[tuple[Backend, str, Notice]] = []
        self._busy = 0
        self._workers: list[threading.Thread] = []
        self._closing = False  # the process is exiting: nothing new is taken

    def submit(self, backend: Backend, request_id: str, notices: Iterable[Notice]) -> None:
        """Claim and send each notice on a worker thread; returns at once."""
        if self.sender is send:
            # Loaded while the process runs: loading it as the interpreter stops fails.
            with contextlib.suppress(NoticeFailed):
                _apprise()
        with self._lock:
            if self._closing:
                return  # the next process that watches the event sends them
            self._queue.extend((backend, request_id, notice) for notice in notices)
            if not self._workers:
                # Before the interpreter stops thread pools (Apprise sends through one):
                # threading's own exit hooks run first; atexit's would run too late.
                getattr(threading, "_register_atexit", atexit.register)(self._at_exit)
            while len(self._workers) < min(WORKERS, len(self._queue) + self._busy):
                worker = threading.Thread(target=self._work, name="hitl-notify", daemon=True)
                self._workers.append(worker)
                worker.start()
            self._lock.notify_all()

    def finish(self, seconds: float) -> bool:
        """Wait up to seconds for the sends queued and under way; whether all ended."""
        deadline = time.monotonic() + seconds
        with self._lock:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def _at_exit(self) -> None:
        with self._lock:
            self._closing = True
        self.finish(EXIT_GRACE_SECONDS)

    def _work(self) -> None:
        leave_signals_to_the_main_thread()
        while True:
            with self._lock:
                while not self._queue:
                    self._lock.wait()
                backend, request_id, notice = self._queue.pop(0)
                self._busy += 1
            try:
                self._deliver(backend, request_id, notice)
            finally:
                with self._lock:
                    self._busy -= 1
                    self._lock.notify_all()

    def _deliver(self, backend: Backend, request_id: str, notice: Notice) -> None:
        try:
            if not backend.create(_path(request_id, notice.key), _document(request_id, notice)):
                return  # claimed by another process, which sends it
            error = self._send_with_retries(notice, request_id)
            if error is None:
                backend.create(
                    _path(request_id, notice.key, "-sent"), _document(request_id, notice)
                )
            else:
                failed = _document(request_id, notice, error=error, attempts=self.attempts)
                backend.create(_path(request_id, notice.key, "-failed"), failed)
        except StoreError as exc:
            log.warning("hitl: a notice of %s was not recorded: %s", request_id, exc)
        except Exception:  # a bug must not end the worker silently
            log.exception("hitl: a notice of %s failed", request_id)

    def _send_with_retries(self, notice: Notice, request_id: str) -> str | None:
        """None once sent, else the last error after every attempt."""
        error = "not sent"
        for attempt in range(self.attempts):
            try:
                self.sender(notice)
                return None
            except NoticeFailed as exc:
                error = str(exc)
            except Exception as exc:  # Apprise's plugins may raise their own
                error = f"{type(exc).__name__}: {exc}"
            last = attempt == self.attempts - 1
            log.warning(
                "hitl: a notice of %s to %s (%s) failed%s: %s",
                request_id,
                notice.to,
                channel(notice.url),
                "" if last else f", retrying (attempt {attempt + 1} of {self.attempts})",
                error,
            )
            if not last:
                time.sleep(self.first_backoff * 2**attempt)
        return error


def _undelivered_keys(names: set[str]) -> list[tuple[str, bool]]:
    keys = []
    for name in sorted(names):
        if not name.endswith(".json") or name.endswith(("-sent.json", "-failed.json")):
            continue
        key = name[: -len(".json")]
        if f"{key}-sent.json" not in names:
            keys.append((key, f"{key}-failed.json" in names))
    return keys


def documents_to_read(names: Iterable[str]) -> list[str]:
    """Which documents of an event's notices folder say what was not delivered."""
    return [
        f"{key}-failed.json" if failed else f"{key}.json"
        for key, failed in _undelivered_keys(set(names))
    ]


def notice_states(
    names: Iterable[str], read: Callable[[str], dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """The notices not delivered, from the names in an event's notices folder: each
    one claimed and not sent is "sending" or "failed" (with its error). read(name)
    gives one document of the folder (those documents_to_read() names)."""
    found = []
    for key, failed in _undelivered_keys(set(names)):
        document = read(f"{key}-failed.json" if failed else f"{key}.json") or {}
        shown = {field: document.get(field) for field in ("kind", "to", "channel", "at")}
        shown["state"] = "failed" if failed else "sending"
        if failed:
            shown["error"] = document.get("error")
        found.append(shown)
    return found
