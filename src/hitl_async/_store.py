"""The event store: event documents and their outcomes over a storage backend.

Layout below the store root (every document is JSON with a "version" field):

    secret.json                  store-wide key from which event tokens derive
    events/{request_id}.json     the question, written once
    outcomes/{request_id}.json   answered, cancelled or expired, written once
    votes/{request_id}/...       respondents' votes on an approval, each written once
    listing/, people/...         the inboxes: an entry per event, named to sort newest first
    changes/{hour}/...           the change feed: an entry per outcome and vote, named by time

The first outcome written wins: a late answer, a cancel after an answer, or an
expiry after an answer all find the standing outcome instead.

Every outcome and vote is announced in the change feed BEFORE it is written. A
crash between the two leaves an entry that names nothing, which costs its
readers a few reads (they look again while the entry is recent, until the
margin passes); the other order would lose the announcement of an outcome
that stands, and a waiter in another process would learn of the answer only
at its deadline. A write that takes so long that its entry may have aged past
the readers' margin is announced a second time, after it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hitl_core import delivery, documents, runtime, strict_json
from hitl_core.errors import StoreError
from hitl_core.storage import Backend, new_secret, open_backend
from hitl_core.waiting import CHANGE_MARGIN_SECONDS
from hitl_core.wakeups import Wakeups
from hitl_core.written_once import EVENTS_REMEMBERED, OUTCOMES_REMEMBERED, WrittenOnce

from . import _compat

__all__ = ["Store", "open_store"]

Check = Callable[[dict[str, Any]], None]
# A write slower than this is announced again after it: its first entry may be seen
# by readers only while it is younger than their margin.
ANNOUNCE_AGAIN_AFTER_SECONDS = CHANGE_MARGIN_SECONDS / 4


def _any_document(document: dict[str, Any]) -> None:
    """A notice's documents need no more than a version: status() shows what they hold."""


class Store:
    """Event documents in one store; every method may raise StoreError."""

    def __init__(
        self, backend: Backend, *, wakeups: Wakeups, s3_endpoint_url: str | None = None
    ) -> None:
        self.backend = backend
        # The waiters of this process, woken when it stores an outcome.
        self.wakeups = wakeups
        self.url = backend.url
        # Names the store within this process: one URL on two S3 servers is two stores.
        self.key = f"{backend.url} at {s3_endpoint_url}" if s3_endpoint_url else backend.url
        self._secret: bytes | None = None
        # Questions and outcomes never change once stored: what was read is kept.
        self._events = WrittenOnce(EVENTS_REMEMBERED)
        self._outcomes = WrittenOnce(OUTCOMES_REMEMBERED)

    async def _read_json(self, path: str, check: Check) -> dict[str, Any] | None:
        data = await _compat.run_sync(self.backend.read, path)
        if data is None:
            return None
        try:
            document = json.loads(data)
            if not isinstance(document, dict) or "version" not in document:
                raise ValueError("it is not a versioned JSON object")
            check(document)
        except (ValueError, RecursionError) as exc:
            raise StoreError(f"{path} in {self.url} is damaged: {exc}") from exc
        return document

    async def _create_json(
        self, path: str, document: dict[str, Any], check: Check
    ) -> dict[str, Any]:
        """Create the document unless one exists; return the one that stands."""
        data = strict_json.dumps(document)
        if await _compat.run_sync(self.backend.create, path, data):
            return document
        return await self._standing(path, document, check)

    async def _standing(self, path: str, document: dict[str, Any], check: Check) -> dict[str, Any]:
        """The document that stands at path, where creating document found one."""
        standing = await self._read_json(path, check)
        if standing is None:
            raise StoreError(f"{path} in {self.url} exists but cannot be read")
        # A create retried after its response was lost finds its own document.
        return document if standing == document else standing

    async def secret(self) -> bytes:
        """The store's token key, created by whoever needs it first."""
        if self._secret is None:
            standing = await self._create_json(
                documents.SECRET_PATH,
                {"version": 1, "secret": new_secret()},
                documents.check_secret,
            )
            self._secret = bytes.fromhex(standing["secret"])
        return self._secret

    async def existing_secret(self) -> bytes | None:
        """The store's token key, or None while no event has made one (nothing is written)."""
        if self._secret is None:
            document = await self._read_json(documents.SECRET_PATH, documents.check_secret)
            if document is not None:
                self._secret = bytes.fromhex(document["secret"])
        return self._secret

    async def create_event(self, document: dict[str, Any]) -> dict[str, Any]:
        """Store the question unless it is stored; return the standing one, listed in the
        inboxes (after it is stored, so that every entry names an event; a task that
        re-attaches writes whatever a crash left out)."""
        path = documents.event_path(document["request_id"])
        standing = await self._create_json(path, document, documents.check_event)
        await self._list_in_inboxes(standing)
        return standing

    async def read_event(self, request_id: str) -> dict[str, Any] | None:
        """The event document (read once, then kept), or None if there is none."""
        path = documents.event_path(request_id)
        return await self._read_once(self._events, request_id, path, documents.check_event)

    async def read_outcome(self, request_id: str) -> dict[str, Any] | None:
        """The outcome (read until there is one, then kept), or None while pending."""
        path = documents.outcome_path(request_id)
        return await self._read_once(self._outcomes, request_id, path, documents.check_outcome)

    async def _read_once(
        self, kept: WrittenOnce, request_id: str, path: str, check: Check
    ) -> dict[str, Any] | None:
        """A write-once document: the copy kept, else read (and kept once it exists)."""
        document = kept.get(request_id)
        if document is None:
            document = await self._read_json(path, check)
            kept.remember(request_id, document)
        return document

    def known_outcome(self, request_id: str) -> dict[str, Any] | None:
        """The outcome if this process has read or written it already (no I/O)."""
        return self._outcomes.get(request_id)

    async def write_outcome(self, document: dict[str, Any]) -> dict[str, Any]:
        """Record an outcome unless one stands, announced in the change feed first;
        return the standing one."""
        request_id = document["request_id"]
        path = documents.outcome_path(request_id)
        standing, slow = await self._create_announced(
            path, document, documents.check_outcome, documents.OUTCOME_CHANGE
        )
        self._outcomes.remember(request_id, standing)
        if standing is document:
            self.wakeups.notify(self.key, request_id)
            if slow:
                await self.announce(request_id, documents.OUTCOME_CHANGE)
        return standing

    async def create_vote(self, document: dict[str, Any]) -> dict[str, Any]:
        """Record a vote unless this respondent voted, announced in the change feed
        first (a wait on the approval counts the votes when one lands); return the
        standing vote."""
        path = documents.vote_path(document["request_id"], document["by"])
        standing, slow = await self._create_announced(
            path, document, documents.check_vote, documents.VOTE_CHANGE
        )
        if standing is document and slow:
            await self.announce(document["request_id"], documents.VOTE_CHANGE)
        return standing

    async def _create_announced(
        self, path: str, document: dict[str, Any], check: Check, kind: str
    ) -> tuple[dict[str, Any], bool]:
        """_create_json(), the change entry written first, both in one call to the
        backend; and whether it took so long that the entry may have aged past the
        readers' margin (then it is announced again, after the write)."""
        began = _compat.monotonic()
        entry = self._change(document["request_id"], kind)
        data = strict_json.dumps(document)
        created = await _compat.run_sync(self._announce_then_create, entry, path, data)
        slow = _compat.monotonic() - began > ANNOUNCE_AGAIN_AFTER_SECONDS
        if created:
            return document, slow
        return await self._standing(path, document, check), slow

    def _announce_then_create(self, entry: tuple[str, bytes], path: str, data: bytes) -> bool:
        # The entry only tells readers where to look: on a local disk it need not be
        # synced, since every reader is on this machine and, should the machine stop
        # before it is written out, begins again with a direct read.
        self.backend.create(*entry, durable=False)
        return self.backend.create(path, data)

    def _change(self, request_id: str, kind: str) -> tuple[str, bytes]:
        """A new change entry for request_id: its path, and what it holds."""
        now = documents.utc_now()
        path = documents.change_path(request_id, kind, now)
        return path, strict_json.dumps(documents.change_document(request_id, kind, now))

    async def announce(self, request_id: str, kind: str) -> None:
        """Write a change entry for request_id (written once, as every document)."""
        # The name is new (a nonce): only a retried request whose first try landed
        # can find it taken, and then the entry is there.
        await _compat.run_sync(self.backend.create, *self._change(request_id, kind), durable=False)

    async def list_changes(self, start_ms: int, folders: tuple[str, ...]) -> list[documents.Change]:
        """The change entries of the folders named from start_ms on: one listing per
        folder from a cursor (on S3, one request per 1,000 entries listed)."""
        cursor = documents.change_cursor(start_ms)
        changes = []
        for folder in folders:
            for name in await _compat.run_sync(self.backend.list_after, folder, cursor):
                change = documents.parse_change(name)
                if change is not None:
                    changes.append(change)
        return changes

    async def read_votes(self, request_id: str) -> list[dict[str, Any]]:
        """Every vote on an approval: one listing, then one read per respondent who voted."""
        folder = documents.votes_folder(request_id)
        names = await _compat.run_sync(self.backend.list, folder)
        votes = []
        for name in names:
            if name.endswith(".json"):
                vote = await self._read_json(f"{folder}/{name}", documents.check_vote)
                if vote is not None:
                    votes.append(vote)
        return votes

    async def undelivered(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The event's notices not delivered (being sent, or failed): one listing, then a
        read of each such notice. Only an event with a reach has notices: no listing for
        the others."""
        if not event.get("reach"):
            return []
        folder = documents.notices_folder(event["request_id"])
        names = await _compat.run_sync(self.backend.list, folder)
        read: dict[str, dict[str, Any] | None] = {}
        for name in delivery.documents_to_read(names):
            read[name] = await self._read_json(f"{folder}/{name}", _any_document)
        return delivery.notice_states(names, read.get)

    async def read_vote(self, request_id: str, person: str) -> dict[str, Any] | None:
        path = documents.vote_path(request_id, person)
        return await self._read_json(path, documents.check_vote)

    async def _list_in_inboxes(self, event: dict[str, Any]) -> None:
        """Write the event's entries in the operator's listing and its respondents' inboxes
        (again is harmless)."""
        name = documents.entry_name(event)
        entry = documents.entry_document(event)
        folders = [documents.listing_folder(p) for p in [None, *(event.get("respondents") or ())]]
        if event.get("reach"):
            folders.append(documents.REACH_DIR)
        for folder in folders:
            await self._create_json(f"{folder}/{name}", entry, documents.check_entry)

    async def reach_entries(self) -> list[documents.Entry]:
        """The events with notices to send, newest first, from one listing of names."""
        return await self._entries(documents.REACH_DIR)

    async def inbox_entries(self, person: str | None = None) -> list[documents.Entry]:
        """The events of an inbox, newest first, from one listing of names: every event
        (None), or those a respondent may answer."""
        return await self._entries(documents.listing_folder(person))

    async def _entries(self, folder: str) -> list[documents.Entry]:
        names = await _compat.run_sync(self.backend.list, folder)
        entries = (documents.parse_entry(name) for name in names)
        return [entry for entry in entries if entry is not None]

    async def list_events(self) -> list[str]:
        return await self._list_ids(documents.EVENTS_DIR)

    async def list_outcomes(self) -> list[str]:
        """The request ids that have an outcome, from one listing."""
        return await self._list_ids(documents.OUTCOMES_DIR)

    async def _list_ids(self, folder: str) -> list[str]:
        names = await _compat.run_sync(self.backend.list, folder)
        return [name[: -len(".json")] for name in names if name.endswith(".json")]

    def outcome_location(self, request_id: str) -> str:
        return f"{self.url.rstrip('/')}/{documents.outcome_path(request_id)}"


def open_store(
    url: str, *, s3_endpoint_url: str | None = None, process: runtime.Runtime | None = None
) -> Store:
    """The Store for a URL, shared by every event of the process (this one by default)."""
    process = process or runtime.current()

    def make() -> Store:
        backend = open_backend(url, s3_endpoint_url=s3_endpoint_url)
        return Store(backend, s3_endpoint_url=s3_endpoint_url, wakeups=process.wakeups)

    return process.shared(__name__, (url, s3_endpoint_url), make)
