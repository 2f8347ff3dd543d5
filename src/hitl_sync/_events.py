# WARNING: generated from src/hitl_async/_events.py by codegen/unasync.py. DO NOT EDIT.
"""Events: create a typed question, wait for its answer, read its status, cancel it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic_core import to_jsonable_python

from hitl_core import (
    codec,
    delivery,
    documents,
    identity,
    links,
    orchestrators,
    people,
    reach,
    rules,
    runtime,
    schedule,
    strict_json,
)
from hitl_core.config import Settings
from hitl_core.endpoint import check_endpoint
from hitl_core.errors import (
    AlreadyAnswered,
    EventCancelled,
    EventTimeout,
    HitlError,
    InvalidValue,
)
from hitl_core.occurrences import Occurrence
from hitl_core.status import UNSET, EventStatus, Unset

from . import _compat, _operations
from ._store import Store, open_store
from ._waiting import LongPoll, outcome_of

__all__ = ["Event", "new_event"]

T = TypeVar("T")
log = logging.getLogger("hitl")

DEFAULT_PROMPT = "Please provide a value"
_MAX_PROMPT = 10_000


@dataclass(frozen=True)
class EventState:
    """Everything an Event is, shared as-is by the Event of either flavor."""

    name: str
    scope: str
    run_id: str
    spec: codec.TypeSpec
    prompt: str
    request_id: str
    token: str
    endpoint: str
    public_url: str
    timeout_seconds: float
    poll_interval_seconds: float
    default: Any
    store_url: str
    s3_endpoint_url: str | None
    event_document: dict[str, Any]
    personal_tokens: dict[str, str]  # respondent -> their token for this event
    contacts: dict[str, str]  # respondent -> where to reach them (an Apprise URL)


@_compat.event_factory
def new_event(
    name: str,
    data_type: Any,
    scope: str = "run",
    prompt: str = DEFAULT_PROMPT,
    timeout_seconds: float = 3600,
    poll_interval_seconds: float = 5,
    default: Any = UNSET,
    key: str | None = None,
    *,
    run_id: str | None = None,
    store: str | None = None,
    endpoint: str | None = None,
    public_url: str | None = None,
    respondents: Iterable[str] | Mapping[str, str | None] | None = None,
    quorum: int | str = 1,
    notify: Iterable[str] | str | None = None,
    remind_every: float | None = None,
    escalate_after: float | None = None,
    escalate_to: Mapping[str, str] | None = None,
    show: bool = True,
    _bound_to: str | None = None,
) -> Event[Any]:
    """Create (or re-attach to) the event that asks people for a value of data_type.

    data_type is any type pydantic validates (int, bool, an Enum, Literal[...],
    Optional[int], a dataclass, a model, ...); Event[int] comes back for int.
    The n-th call with a given name in a run (in an orchestrator, in one attempt
    of a task) is the same request every time the run's code executes, so a
    restarted or retried task finds its question and any answer given
    meanwhile. key= names the request explicitly instead.

    The link to the form is logged on the "hitl.links" logger, shown even where
    the program configured no logging, and shown where an orchestrator's user
    looks (a Flyte report, a flytekit Deck, a Prefect link artifact); show=False
    turns all of that off.

    respondents= names who may answer (ids, or a mapping of id to contact): each
    answers through their own link, event.link_for(id), and is recorded as the
    one who answered; the event's own link then shows the question but takes no
    answer. With data_type=hitl.Approval, quorum= approvals from distinct
    respondents decide (a number, or "all"), and the first rejection decides at once.

    notify= (HITL_NOTIFY by default) lists Apprise URLs told of the question with
    its link; respondents given with a contact are sent their own links. Each
    message is sent once, from a worker thread: a failing channel is retried and
    logged, and status() lists what was not delivered. remind_every= seconds
    reminds respondents who have not answered (the notify= targets, without
    respondents) until the deadline; escalate_after= seconds adds the escalate_to=
    people ({id: contact}) as respondents and sends them their links. Once the
    event closes, the notify= targets are told the outcome and who decided. Any
    process watching (this one while it lives, any `hitl serve`) sends what falls
    due, each notice once.
    """
    identity.check_name(name)
    identity.check_name(scope, "scope")
    if not isinstance(prompt, str) or len(prompt) > _MAX_PROMPT or strict_json.problem(prompt):
        raise ValueError(f"prompt must be text of at most {_MAX_PROMPT} characters")
    timeout = _check_seconds(timeout_seconds, "timeout_seconds")
    poll = _check_seconds(poll_interval_seconds, "poll_interval_seconds")
    process = runtime.current()
    spec = process.type_spec(data_type)
    listed, contacts = people.check_respondents(respondents)
    quorum = people.check_quorum(quorum, spec.kind, listed)
    settings = resolved_settings(store, endpoint, public_url)
    targets = reach.check_targets(notify) if notify is not None else settings.notify
    later = reach.check_schedule(
        timeout,
        listed,
        contacts,
        targets,
        remind_every=remind_every,
        escalate_after=escalate_after,
        escalate_to=escalate_to,
    )
    urls = (*targets, *contacts.values(), *later.escalate_to.values())
    if urls:  # before anything is stored; Apprise loads slowly: not on the loop
        _compat.run_sync(delivery.check_urls, urls)
    canned, canned_answer = process.auto_answer_for(name)
    if canned:  # testing.auto_answer(): refuse a wrong canned answer before storing anything
        canned_answer = codec.validate_answer(
            spec.describe(), to_jsonable_python(canned_answer), spec
        )
    place = orchestrators.locate(run_id, process)
    run = place.run_id
    # Calls are counted per name, and per binding: an approval of other arguments
    # is another question, whichever came first.
    counted = name if _bound_to is None else f"{name}\x1f{_bound_to}"
    occurrence = (
        Occurrence(0)
        if key is not None
        else process.next_occurrence(run, scope, counted, place.attempt)
    )
    request_id = identity.derive_request_id(
        name,
        run_id=run,
        scope=scope,
        occurrence=occurrence.number,
        generation=occurrence.generation,
        key=key,
        bound_to=_bound_to,
    )

    try:
        event_store = open_store(settings.store, s3_endpoint_url=settings.s3_endpoint_url)
        served_by = serving_endpoint(settings, event_store.url)
        reach_document = schedule.reach_document(
            targets=targets,
            contacts=contacts,
            remind_every=later.remind_every,
            escalate_after=later.escalate_after,
            escalate_to=later.escalate_to,
            link_base=settings.public_url or served_by,
        )
        question = _Question(
            name, scope, run, prompt, spec, timeout, _bound_to, listed, quorum, reach_document
        )
        token, standing, earlier = _create_or_attach(event_store, request_id, question)
        secret = event_store.secret()
        personal = {
            p: identity.personal_token(secret, request_id, p) for p in (*listed, *later.escalate_to)
        }
        state = earlier or documents.PENDING
        if canned and state == documents.PENDING:
            _operations.answer(
                event_store, request_id, canned_answer, via="auto", spec=spec, event=standing
            )
            state = documents.ANSWERED
    except BaseException:
        # A retry of a failed call must get the same request, as a restart would.
        if key is None:
            process.release_occurrence(run, scope, counted, occurrence)
        raise
    event: Event[Any] = Event(
        EventState(
            name=name,
            scope=scope,
            run_id=run,
            spec=spec,
            prompt=standing["prompt"],
            request_id=request_id,
            token=token,
            endpoint=served_by,
            public_url=settings.public_url or served_by,
            timeout_seconds=timeout,
            poll_interval_seconds=poll,
            default=default,
            store_url=settings.store,
            s3_endpoint_url=settings.s3_endpoint_url,
            event_document=standing,
            personal_tokens=personal,
            contacts=contacts,
        )
    )
    link = links.Link(
        name=name,
        prompt=event.prompt,
        type_name=spec.type_name,
        request_id=request_id,
        form_url=event.form_url,
        api_url=event.api_url,
        asked_before=earlier is not None,
        state=state,
    )
    if state == documents.PENDING and (targets or contacts):
        notices = reach.asking(
            standing,
            event_link=event.form_url,
            personal_links={person: event.link_for(person) for person in contacts},
            contacts=contacts,
            targets=targets,
        )
        process.deliveries.submit(event_store.backend, request_id, notices)
    if state == documents.PENDING and standing.get("reach"):
        process.reminders.watch(event_store.backend, standing)
    if show:
        links.announce_in_log(link)
        if place.orchestrator is not None:  # its calls may block: a report flush, an API call
            _compat.run_sync(orchestrators.show, place, link)
    else:
        log.debug("hitl: event %r (%s) created, not shown", name, request_id)
    return event


class Event(Generic[T]):
    """A typed question waiting for a person's answer.

    Create one with new_event() or Event.create(); give people form_url (a web
    form) or api_url (JSON API); wait() returns the answer as data_type.
    """

    # Event.create() is the same call as new_event(); type checkers see the
    # factory itself (with its overloads), Python a static method of the class.
    if TYPE_CHECKING:
        create = new_event
    else:
        create = staticmethod(new_event)

    def __init__(self, state: EventState) -> None:
        self._state = state
        self._store: Store = open_store(state.store_url, s3_endpoint_url=state.s3_endpoint_url)
        # While this event lives, an app in this process validates with its Python type.
        runtime.current().remember_event(state.request_id, state)

    def __repr__(self) -> str:
        return f"<Event {self.name!r} request_id={self.request_id!r} type={self.spec.type_name}>"

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def scope(self) -> str:
        return self._state.scope

    @property
    def data_type(self) -> Any:
        return self._state.spec.data_type

    @property
    def spec(self) -> codec.TypeSpec:
        return self._state.spec

    @property
    def prompt(self) -> str:
        return self._state.prompt

    @property
    def request_id(self) -> str:
        return self._state.request_id

    @property
    def endpoint(self) -> str:
        """The app this event is served by."""
        return self._state.endpoint

    @property
    def form_url(self) -> str:
        """The web form people answer on; it carries the event's token."""
        return f"{self._state.public_url}/form/{self.request_id}?token={self._state.token}"

    @property
    def api_url(self) -> str:
        """Where the JSON answer is POSTed; it carries the event's token."""
        return f"{self._state.public_url}/submit/json?token={self._state.token}"

    @property
    def respondents(self) -> tuple[str, ...]:
        """Who may answer, then whom it escalates to (they may answer once it has);
        empty when anyone holding the event's link may answer."""
        return tuple(self._state.personal_tokens)

    def link_for(self, respondent: str) -> str:
        """A respondent's personal form URL: it answers as them, on this event only."""
        token = self._state.personal_tokens.get(respondent)
        if token is None:
            listed = ", ".join(map(repr, self._state.personal_tokens)) or "nobody"
            raise ValueError(f"{respondent!r} is not a respondent of this event ({listed})")
        return f"{self._state.public_url}/form/{self.request_id}?token={token}"

    @property
    def timeout_seconds(self) -> float:
        return self._state.timeout_seconds

    @property
    def poll_interval_seconds(self) -> float:
        return self._state.poll_interval_seconds

    @_compat.twin_method
    def wait(self) -> T:
        """Block until the event is answered and return the answer as data_type.

        After timeout_seconds with no answer (counted from the event's creation,
        so a restarted task does not start again from zero) the event is marked
        expired and the default is returned if one was given, else EventTimeout
        is raised. A cancelled event raises EventCancelled.

        While the store does not answer (StoreUnavailable), the wait logs and
        retries with backoff, past the deadline if need be: the expiry must be
        stored before it is reported, and an answer may be standing already.
        A store that refuses access or is damaged raises StoreError.
        """
        _compat.check_loop_not_blocked("event.wait")
        stored_left = rules.seconds_left(self._state.event_document, documents.utc_now())
        until = _compat.monotonic() + min(self.timeout_seconds, max(0.0, stored_left))
        # One frame fewer per wait (thousands may wait at once): outcome_of is awaited here.
        long_poll = None
        if not self._store.wakeups.served_here(self.endpoint):
            long_poll = LongPoll(self.endpoint, self.request_id, self._state.token)
        document = self._state.event_document
        try:
            outcome = outcome_of(
                self._store,
                self.request_id,
                until=until,
                poll_interval=self.poll_interval_seconds,
                long_poll=long_poll,
                expire=True,
                voted_on=document if rules.takes_votes(document) else None,
            )
        finally:
            if long_poll is not None:
                long_poll.close()
        assert outcome is not None  # an expiry was given
        return self._settle(outcome)

    def _settle(self, outcome: dict[str, Any]) -> T:
        state = outcome.get("state")
        if state == documents.ANSWERED:
            value: T = self.spec.from_json(outcome.get("value"))
            return value
        if state == documents.CANCELLED:
            raise EventCancelled(self.request_id)
        if state == documents.EXPIRED:
            if not isinstance(self._state.default, Unset):
                default: T = self._state.default
                return default
            raise EventTimeout(self.request_id, self.timeout_seconds)
        raise HitlError(f"event {self.request_id!r} has an unknown state {state!r}")

    @_compat.twin_method
    def status(self) -> EventStatus:
        """Where the event stands: pending, answered, cancelled or expired."""
        _, outcome = _operations.look(self._store, self.request_id)
        undelivered = tuple(self._store.undelivered(self._state.event_document))
        if outcome is None:
            return EventStatus(self.request_id, documents.PENDING, undelivered=undelivered)
        state = outcome["state"]
        value = self.spec.from_json(outcome["value"]) if state == documents.ANSWERED else None
        return EventStatus(
            self.request_id,
            state,
            value,
            outcome.get("at"),
            via=outcome.get("via"),
            by=outcome.get("by"),
            comment=outcome.get("comment"),
            question_sha256=outcome.get("question_sha256"),
            undelivered=undelivered,
        )

    @_compat.twin_method
    def cancel(self) -> None:
        """Mark the event cancelled, so its waiters raise EventCancelled.

        Cancelling a cancelled or expired event does nothing; an answered one
        raises AlreadyAnswered, with the answer as data_type.
        """
        try:
            _operations.cancel(self._store, self.request_id, via="cancel")
        except AlreadyAnswered as refused:
            if refused.state == documents.ANSWERED:
                value = self.spec.from_json(refused.value)
                raise AlreadyAnswered(self.request_id, refused.state, value) from None


@dataclass(frozen=True)
class _Question:
    """What a call asks, as new_event() checked it."""

    name: str
    scope: str
    run: str
    prompt: str
    spec: codec.TypeSpec
    timeout: float
    bound_to: str | None
    respondents: tuple[str, ...]
    quorum: int | str
    reach: dict[str, Any] | None


def _check_same_question(standing: dict[str, Any], question: _Question) -> None:
    """Refuse to re-attach a call to a stored request that asks something else.

    Request ids count calls by name, so two tasks of one run that ask different
    questions under one name in a varying order would otherwise swap answers.
    """
    request_id = standing["request_id"]
    spec, prompt = question.spec, question.prompt
    if not spec.matches(standing["type"]):
        raise InvalidValue(
            f"request {request_id!r} already exists with type "
            f"{standing['type'].get('type_name')!r}, "
            f"not {spec.type_name!r}; give each distinct question its own name or key="
        )
    if standing["prompt"] != prompt:
        raise InvalidValue(
            f"request {request_id!r} already exists with the prompt {standing['prompt']!r}, "
            f"not {prompt!r}; give each distinct question its own name or key="
        )
    asked_of = (standing.get("respondents") or [], standing.get("quorum", 1))
    if asked_of != (list(question.respondents), question.quorum):
        raise InvalidValue(
            f"request {request_id!r} already exists for the respondents {asked_of[0]} "
            f"with quorum {asked_of[1]!r}, not {list(question.respondents)} with "
            f"quorum {question.quorum!r}; give each distinct question its own name or key="
        )


def resolved_settings(store: str | None, endpoint: str | None, public_url: str | None) -> Settings:
    """The settings of an event or an inbox link, arguments first."""
    process = runtime.current()
    resolve = functools.partial(
        Settings.resolve,
        store=store,
        endpoint=endpoint,
        public_url=public_url,
        provided=process.provided_app,
    )
    # A deployment's app may be looked up over the network, once: not on the loop.
    return _compat.run_sync(resolve) if process.asks_for_an_app else resolve()


def serving_endpoint(settings: Settings, store_url: str) -> str:
    """The configured endpoint (checked once), else this process's embedded server."""
    process = runtime.current()
    if settings.endpoint is None:
        return _compat.run_sync(process.embedded_endpoint, settings)
    if process.first_look_at(settings.endpoint, store_url):
        _compat.run_sync(check_endpoint, settings.endpoint, store_url)
    return settings.endpoint


def _create_or_attach(
    event_store: Store, request_id: str, question: _Question
) -> tuple[str, dict[str, Any], str | None]:
    """Store the question unless it is stored: the token, the standing document, and the
    state of the question when it was asked before (None when asked now)."""
    token = identity.event_token(event_store.secret(), request_id)
    document = documents.event_document(
        request_id=request_id,
        name=question.name,
        scope=question.scope,
        run_id=question.run,
        prompt=question.prompt,
        type_description=question.spec.describe(),
        token_hash=identity.hash_token(token),
        timeout_seconds=question.timeout,
        now=documents.utc_now(),
        bound_to=question.bound_to,
        respondents=question.respondents,
        quorum=question.quorum,
        reach=question.reach,
    )
    standing = event_store.create_event(document)
    if standing is document:
        return token, standing, None
    _check_same_question(standing, question)
    outcome = event_store.read_outcome(request_id)
    if outcome is None:
        return token, standing, documents.PENDING
    if outcome["state"] != documents.ANSWERED:
        log.warning(
            "hitl: event %r (%s) was %s in an earlier attempt and will not be asked "
            "again; give it a new key= to ask again",
            question.name,
            request_id,
            outcome["state"],
        )
    return token, standing, str(outcome["state"])


def _check_seconds(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {value!r}")
    return float(value)
