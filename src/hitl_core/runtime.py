"""What hitl keeps per process, in one object of bounded size.

    current()                    the process's Runtime
    Runtime.run_id               the run of this process when no setting names one
    Runtime.next_occurrence()    counts calls of a name in a run (request ids; occurrences.py)
    Runtime.type_spec()          a TypeSpec per data type, built once
    Runtime.remember_event()     live events, so an app in this process knows their Python types
    Runtime.shared()             objects the flavors share (stores), built once per key
    Runtime.wakeups              waiters to wake when this process stores an outcome
    Runtime.embedded_endpoint()  this process's app, started on first use by a server factory
    Runtime.auto_answers         canned answers of testing.auto_answer(), innermost first
    Runtime.deliveries           sends notifications on worker threads (delivery.py)

Every table is either bounded (least recently used entries go) or holds only
what is live (waiters, events still referenced), so a process that creates a
million events does not keep a million entries.

The embedded server belongs to the web layer, above this one: it is reached
through a factory that the web layer registers (set_server_factory(), or the
"hitl.servers" entry point its distribution declares), never by importing it.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
import weakref
from collections.abc import Callable, Hashable
from importlib.metadata import entry_points
from typing import Any, Protocol, TypeVar

from . import codec
from .bounded import Bounded
from .config import ProvidedApp, Settings, new_process_run_id
from .delivery import Deliveries
from .errors import HitlError
from .occurrences import Occurrence, Occurrences
from .reminders import Reminders
from .wakeups import Wakeups

__all__ = ["EmbeddedServer", "Runtime", "ServerFactory", "current"]

log = logging.getLogger("hitl")

T = TypeVar("T")

# Names whose calls are counted; past this, the least recently used is forgotten
# and later counts start a new generation of request ids (occurrences.py).
MAX_COUNTED_NAMES = 10_000
MAX_SHARED = 256
MAX_TYPE_SPECS = 256
SERVER_ENTRY_POINTS = "hitl.servers"


class EmbeddedServer(Protocol):
    """An app serving one store from inside this process."""

    @property
    def endpoint(self) -> str: ...

    def stop(self) -> None: ...


ServerFactory = Callable[[Settings, "Runtime"], EmbeddedServer]


class _HasSpec(Protocol):
    @property
    def spec(self) -> codec.TypeSpec: ...


class Runtime:
    """Everything hitl keeps per process. Thread-safe; every table is bounded."""

    def __init__(self, *, counted_names: int = MAX_COUNTED_NAMES) -> None:
        self._lock = threading.Lock()
        self._occurrences = Occurrences(counted_names)
        self._shared = Bounded(MAX_SHARED)
        self._type_specs = Bounded(MAX_TYPE_SPECS)
        # Sends notifications on worker threads, each claimed in the store first.
        self.deliveries = Deliveries()
        # Sends the reminders, escalations and closing words of watched events.
        self.reminders = Reminders(lambda: self.deliveries)
        self._live_events: weakref.WeakValueDictionary[str, _HasSpec] = (
            weakref.WeakValueDictionary()
        )
        self._checked_endpoints = Bounded(MAX_SHARED)
        self._servers_lock = threading.Lock()  # held while a server starts
        self._server_factory: ServerFactory | None = None
        self._servers: dict[tuple[str, str | None, str, int], EmbeddedServer] = {}
        self._stop_at_exit = False
        self.wakeups = Wakeups()
        # The run of calls that neither a setting nor an orchestrator places (orchestrators).
        self.run_id = new_process_run_id()
        # Objects the waits of the blocking flavor share (per event loop in the async one).
        self.blocking_state: dict[str, Any] = {}
        # testing.auto_answer(): the canned answers of each open context, innermost last.
        self._auto_answers: list[dict[str, Any]] = []
        self._app_provider: Callable[[], ProvidedApp | None] | None = None
        self._provided_app: ProvidedApp | None = None
        # id of a live object -> (a weak reference to it, its label); objects of
        # orchestrators are often unhashable, so they are told apart by identity.
        self._labels: dict[int, tuple[weakref.ref[Any], str]] = {}
        self._labels_made = 0

    # Request ids count the calls of a name within a run.

    def next_occurrence(
        self, run_id: str, scope: str, name: str, attempt: Hashable = None
    ) -> Occurrence:
        """Which call of name in this attempt of the run this is (see occurrences.py)."""
        with self._lock:
            return self._occurrences.next(run_id, scope, name, attempt)

    def release_occurrence(
        self, run_id: str, scope: str, name: str, occurrence: Occurrence
    ) -> None:
        """Give back the occurrence of a call that failed, so a retry takes the same request."""
        with self._lock:
            self._occurrences.release(run_id, scope, name, occurrence)

    def label_for(self, marker: Any) -> str:
        """A label unique in this process for a live object (a local run with no id of its own)."""
        key = id(marker)
        with self._lock:
            found = self._labels.get(key)
            if found is not None and found[0]() is marker:
                return found[1]
            self._labels_made += 1
            label = f"run-{self._labels_made}"
            forget = functools.partial(self._forget, key)
            self._labels[key] = (weakref.ref(marker, forget), label)
            return label

    def _forget(self, key: int, _: object = None) -> None:
        # Called by the garbage collector, maybe while this thread holds the lock:
        # no lock here; the one-step dict operations are atomic.
        found = self._labels.get(key)
        if found is not None and found[0]() is None:
            self._labels.pop(key, None)

    def forget_occurrences(self) -> None:
        """Count every name from the start again, as a new process would."""
        with self._lock:
            self._occurrences.clear()

    # Types.

    def type_spec(self, data_type: Any) -> codec.TypeSpec:
        """The TypeSpec of data_type, built once (pydantic adapters are costly to build)."""
        try:
            hash(data_type)
        except TypeError:
            return codec.describe(data_type)
        with self._lock:
            spec: codec.TypeSpec | None = self._type_specs.get(data_type)
            if spec is not None:
                self._type_specs.touch(data_type)
                return spec
        spec = codec.describe(data_type)
        with self._lock:
            self._type_specs[data_type] = spec
            self._type_specs.touch(data_type)
        return spec

    def remember_event(self, request_id: str, event: _HasSpec) -> None:
        """While event lives, an app in this process validates answers with its Python type."""
        with self._lock:
            self._live_events[request_id] = event

    def live_type(self, request_id: str) -> codec.TypeSpec | None:
        """The TypeSpec of a live event of this process, if there is one."""
        with self._lock:
            event = self._live_events.get(request_id)
        return None if event is None else event.spec

    # Objects shared by the events of this process.

    def shared(self, kind: str, key: Hashable, make: Callable[[], T]) -> T:
        """The object of this kind for key, made on first use (stores, by URL)."""
        slot = (kind, key)
        with self._lock:
            found: T | None = self._shared.get(slot)
            if found is None:
                found = make()
                self._shared[slot] = found
            self._shared.touch(slot)
            return found

    def first_look_at(self, endpoint: str, store_url: str) -> bool:
        """True the first time this pair is seen: a configured endpoint is checked once."""
        key = (endpoint, store_url)
        with self._lock:
            seen = key in self._checked_endpoints
            self._checked_endpoints[key] = True
            self._checked_endpoints.touch(key)
            return not seen

    # Canned answers (testing.auto_answer()).

    def push_auto_answers(self, answers: dict[str, Any]) -> None:
        with self._lock:
            self._auto_answers.append(answers)

    def pop_auto_answers(self, answers: dict[str, Any]) -> None:
        with self._lock:
            self._auto_answers.remove(answers)

    def auto_answer_for(self, name: str) -> tuple[bool, Any]:
        """(True, the canned answer) for events named name, the innermost context first."""
        with self._lock:
            for answers in reversed(self._auto_answers):
                if name in answers:
                    return True, answers[name]
        return False, None

    # An app that a deployment provides (hitl_flyte registers one for Flyte tasks).

    def set_app_provider(self, provider: Callable[[], ProvidedApp | None] | None) -> None:
        """Ask provider for the app to use when no endpoint is configured (None: no provider)."""
        with self._lock:
            self._app_provider = provider
            self._provided_app = None

    @property
    def asks_for_an_app(self) -> bool:
        """Whether provided_app() may have to ask its provider (which may block)."""
        return self._app_provider is not None and self._provided_app is None

    def provided_app(self) -> ProvidedApp | None:
        """The provider's app, asked until it has one: an app's address does not change.

        A provider that fails is logged, and the process serves its events itself.
        """
        with self._lock:
            provider, found = self._app_provider, self._provided_app
        if found is not None or provider is None:
            return found
        try:
            found = provider()
        except Exception as failed:
            log.warning("hitl: could not find the app to use (%s); serving events here", failed)
            return None
        with self._lock:
            if self._app_provider is provider:
                self._provided_app = found
        return found

    # The embedded server.

    def set_server_factory(self, factory: ServerFactory | None) -> None:
        """Start embedded servers with factory (None: the installed web layer's)."""
        with self._servers_lock:
            self._server_factory = factory

    def embedded_endpoint(self, settings: Settings) -> str:
        """The endpoint of this process's app for the store, started on first use."""
        key = (settings.store, settings.s3_endpoint_url, settings.host, settings.port)
        with self._servers_lock:
            server = self._servers.get(key)
            if server is None:
                server = self._factory()(settings, self)
                self._servers[key] = server
                self.wakeups.mark_served_here(server.endpoint)
                if not self._stop_at_exit:
                    atexit.register(self.stop_servers)
                    self._stop_at_exit = True
            return server.endpoint

    def stop_servers(self) -> None:
        """Stop every embedded server of this runtime."""
        with self._servers_lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            self.wakeups.unmark_served_here(server.endpoint)
            server.stop()

    def _factory(self) -> ServerFactory:
        if self._server_factory is None:
            found = entry_points(group=SERVER_ENTRY_POINTS, name="embedded")
            if not found:
                raise HitlError(
                    "no embedded hitl server is installed: set HITL_ENDPOINT to a running "
                    "`hitl serve`, or install the hitl-events distribution"
                )
            self._server_factory = next(iter(found)).load()
        return self._server_factory

    def sizes(self) -> dict[str, int]:
        """Entries per table, to show that they stay bounded."""
        with self._lock:
            return {
                "counted names": len(self._occurrences),
                "shared objects": len(self._shared),
                "type specs": len(self._type_specs),
                "live events": len(self._live_events),
                "run labels": len(self._labels),
                "waiters": len(self.wakeups),
                "embedded servers": len(self._servers),
                "checked endpoints": len(self._checked_endpoints),
            }


_current = Runtime()


def current() -> Runtime:
    """The runtime of this process."""
    return _current


def _start_afresh_in_child() -> None:
    # A forked child is a process of its own: its own run id and call counts
    # (two workers must not ask the same request), and no server threads.
    global _current
    _current = Runtime()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_start_afresh_in_child)
