"""Notifications through Apprise, to real servers on 127.0.0.1: an SMTP server (aiosmtpd)
for mailto:// and an HTTP receiver for json://. Nothing leaves the machine."""

from __future__ import annotations

import contextlib
import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

import hitl_sync as hitl
from hitl_core import runtime
from hitl_core.delivery import Deliveries
from hitl_core.reach import Notice
from hitl_core.storage import LocalBackend

from .servers import free_port, start_server, stop_server

pytestmark = pytest.mark.once


@dataclass
class Inbox:
    """What a server received, with a signal for each arrival."""

    messages: list[Any] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, message: Any) -> None:
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()

    def wait_for(self, count: int, seconds: float = 30) -> list[Any]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, seconds):
                raise AssertionError(f"{len(self.messages)} of {count} messages within {seconds} s")
            return list(self.messages)


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    """An SMTP server on 127.0.0.1 that keeps what it receives."""
    from aiosmtpd.controller import Controller

    received = Inbox()

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            received.add((envelope.rcpt_tos, parsed))
            return "250 OK"

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


@contextlib.contextmanager
def receiver(status: int, keep: Callable[[bytes, str], Any]) -> Iterator[tuple[int, Inbox]]:
    """An HTTP server on 127.0.0.1 that answers every POST with status and keeps
    keep(body, path) of each."""
    received = Inbox()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.add(keep(body, self.path))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def webhook() -> Iterator[tuple[int, Inbox]]:
    """An HTTP server on 127.0.0.1 that keeps the JSON bodies POSTed to it."""
    with receiver(200, lambda body, path: json.loads(body)) as served:
        yield served


def mailto(port: int, to: str) -> str:
    return f"mailto://127.0.0.1:{port}?mode=insecure&from=hitl@example.com&to={to}"


def link_in(message: Any) -> str:
    """The form link of an email, as a person would click it."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = set(re.findall(r"http://127\.0\.0\.1:\d+/form/[^\s>)\]]+", text))
    return html.unescape(link)


def test_respondents_are_emailed_their_own_link_and_it_answers(smtp: tuple[int, Inbox]) -> None:
    port, received = smtp
    event = hitl.new_event(
        "deploy",
        data_type=hitl.Approval,
        prompt="Deploy **v2.3** to production?",
        respondents={"alice": mailto(port, "alice@example.com"), "bob": None},
    )
    ((recipients, message),) = received.wait_for(1)
    assert recipients == ["alice@example.com"]
    assert message["Subject"] == "deploy: Deploy v2.3 to production?"
    link = link_in(message)
    assert link == event.link_for("alice")
    assert "<strong>v2.3</strong>" in message.get_body(preferencelist=("html",)).get_content()
    # The link from the email opens the form and answers as alice.
    form = httpx.get(link, timeout=30)
    assert form.status_code == 200 and "you are alice" in form.text
    token = link.split("token=", 1)[1]
    submitted = httpx.post(
        link.split("/form/", 1)[0] + "/submit/json",
        params={"token": token},
        json={"request_id": event.request_id, "value": True, "comment": "from my inbox"},
        timeout=30,
    )
    assert submitted.status_code == 200
    assert event.wait() == hitl.Approval(True, "from my inbox", ("alice",))
    assert runtime.current().deliveries.finish(30)
    assert event.status().undelivered == ()


def test_notify_targets_get_the_events_link_the_prompt_and_the_deadline(
    webhook: tuple[int, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, received = webhook
    monkeypatch.setenv("HITL_NOTIFY", f"json://127.0.0.1:{port}/hitl")
    event = hitl.new_event("replicas", data_type=int, prompt="How many replicas?")
    (posted,) = received.wait_for(1)
    assert posted["title"] == "replicas: How many replicas?"
    assert event.form_url in posted["message"]
    assert "a whole number" in posted["message"] and "before 20" in posted["message"]
    # notify= names the targets of one event instead of HITL_NOTIFY.
    hitl.new_event("quiet", data_type=int, notify=[])
    assert runtime.current().deliveries.finish(30)
    assert len(received.messages) == 1


def test_a_failing_channel_never_fails_the_event_and_status_says_so(
    webhook: tuple[int, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, received = webhook
    deliveries = Deliveries(attempts=3, first_backoff=0.01)
    monkeypatch.setattr(runtime.current(), "deliveries", deliveries)
    closed = free_port()  # nothing listens there: every attempt is refused
    event = hitl.new_event(
        "count",
        data_type=int,
        notify=[f"json://127.0.0.1:{closed}/hook", f"json://127.0.0.1:{port}/hook"],
    )
    assert deliveries.finish(60)
    (failed,) = event.status().undelivered
    assert (failed["to"], failed["channel"], failed["state"]) == ("notify", "json", "failed")
    assert failed["error"] and str(closed) not in json.dumps(failed)  # no URL, no secret
    assert len(received.wait_for(1)) == 1  # the other target got it
    httpx.post(event.api_url, json={"request_id": event.request_id, "value": 3}, timeout=30)
    assert event.wait() == 3
    shown = httpx.get(event.form_url.replace("/form/", "/status/"), timeout=30).json()
    assert [n["state"] for n in shown["undelivered"]] == ["failed"]


def test_each_notice_is_sent_once_whoever_plans_it(tmp_path: Path) -> None:
    sent: list[str] = []
    lock = threading.Lock()

    def sender(notice: Notice) -> None:
        with lock:
            sent.append(notice.key)

    backend = LocalBackend(tmp_path)
    notices = [Notice(f"k{n}", "ask", "notify", "json://x", "t", "b") for n in range(5)]
    senders = [Deliveries(sender=sender) for _ in range(4)]
    for deliveries in senders:  # four processes, say, that asked the same question
        deliveries.submit(backend, "deploy-0123456789abcdef01234567", notices)
    assert all(deliveries.finish(30) for deliveries in senders)
    assert sorted(sent) == [f"k{n}" for n in range(5)]


@pytest.mark.parametrize(
    ("notify", "error"),
    [
        ("not a url", ValueError),
        (["slack://"], ValueError),
        ([7], ValueError),
        ({"url": "json://x"}, TypeError),
    ],
)
def test_bad_targets_are_refused_before_anything_is_stored(
    notify: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        hitl.new_event("count", data_type=int, notify=notify)
    with pytest.raises(ValueError):
        hitl.new_event("count", data_type=int, respondents={"bob": "nonsense://x"})
    events = Path(os.environ["HITL_STORE"]) / "events"
    assert not events.exists() or not list(events.iterdir())


def subjects(received: Inbox) -> list[str]:
    return [str(message["Subject"]) for _, message in received.messages]


def wait_until(check: Any, seconds: float = 30) -> None:
    """Return once check() holds (polled, bounded in time)."""
    deadline = threading.Event()
    timer = threading.Timer(seconds, deadline.set)
    timer.start()
    try:
        while not check():
            if deadline.wait(0.02):
                raise AssertionError(f"not within {seconds} s")
    finally:
        timer.cancel()


def rounds(mail: Inbox, to: str) -> list[int]:
    """The reminder rounds a recipient has received, in order."""
    found = [
        re.match(r"Reminder (\d+):", str(message["Subject"]))
        for recipients, message in list(mail.messages)
        if recipients == [to]
    ]
    return [int(match[1]) for match in found if match]


def test_reminders_until_answered_then_the_outcome_goes_to_notify(
    smtp: tuple[int, Inbox], webhook: tuple[int, Inbox]
) -> None:
    port, mail = smtp
    hook_port, hook = webhook
    event = hitl.new_event(
        "deploy",
        data_type=hitl.Approval,
        prompt="Deploy v2.3?",
        respondents={"alice": mailto(port, "a@x.org"), "bob": mailto(port, "b@x.org")},
        quorum=2,
        notify=[f"json://127.0.0.1:{hook_port}/hook"],
        remind_every=0.3,
        timeout_seconds=60,
    )
    wait_until(lambda: 2 in rounds(mail, "a@x.org") and 2 in rounds(mail, "b@x.org"))
    base = event.link_for("alice").split("/form/", 1)[0]

    def vote(person: str) -> int:
        token = event.link_for(person).split("token=", 1)[1]
        body = {"request_id": event.request_id, "value": True}
        return httpx.post(f"{base}/submit/json", params={"token": token}, json=body).status_code

    assert vote("alice") == 200
    after_alice = max(rounds(mail, "a@x.org"))
    # bob is reminded on; alice, who answered, is not (but for rounds under way).
    wait_until(lambda: max(rounds(mail, "b@x.org")) >= after_alice + 5)
    assert max(rounds(mail, "a@x.org")) <= after_alice + 3  # those already on their way
    assert vote("bob") == 200
    assert event.wait() == hitl.Approval(True, None, ("alice", "bob"))
    told = [m for m in hook.wait_for(2) if "approved" in m["title"]]
    assert [m["title"] for m in told] == ["deploy: approved by alice, bob"]
    store_url = str(Path(os.environ["HITL_STORE"]).absolute())
    wait_until(lambda: not runtime.current().reminders.watches(store_url, event.request_id))
    for person in ("a@x.org", "b@x.org"):  # each round once
        assert len(rounds(mail, person)) == len(set(rounds(mail, person)))
    asked = [str(m["Subject"]) for _, m in mail.messages].count("deploy: Deploy v2.3?")
    assert asked == 2  # the question, once to each


def test_an_escalation_brings_in_a_new_respondent_with_their_own_link(
    smtp: tuple[int, Inbox],
) -> None:
    port, mail = smtp
    event = hitl.new_event(
        "restore",
        data_type=int,
        prompt="Which backup?",
        respondents=["alice"],
        escalate_after=0.3,
        escalate_to={"carol": mailto(port, "carol@example.com")},
        timeout_seconds=60,
    )
    ((recipients, message),) = mail.wait_for(1)
    assert recipients == ["carol@example.com"]
    assert message["Subject"] == "Escalated: restore: Which backup?"
    link = link_in(message)
    assert link == event.link_for("carol")
    form = httpx.get(link, timeout=30)
    assert form.status_code == 200 and "you are carol" in form.text
    token = link.split("token=", 1)[1]
    answered = httpx.post(
        link.split("/form/", 1)[0] + "/submit/json",
        params={"token": token},
        json={"request_id": event.request_id, "value": 7},
        timeout=30,
    )
    assert answered.status_code == 200
    assert event.wait() == 7 and event.status().by == "carol"


def test_bad_reminders_and_escalations_are_refused() -> None:
    with pytest.raises(ValueError, match="nobody to remind"):
        hitl.new_event("q", data_type=int, respondents=["a"], remind_every=60)
    with pytest.raises(ValueError, match="between 0 and the timeout"):
        hitl.new_event("q", data_type=int, notify=["json://localhost/x"], remind_every=7200)
    with pytest.raises(ValueError, match="go together"):
        hitl.new_event("q", data_type=int, respondents=["a"], escalate_after=60)
    with pytest.raises(ValueError, match="needs respondents"):
        hitl.new_event("q", data_type=int, escalate_after=60, escalate_to={"b": "json://x/y"})
    with pytest.raises(ValueError, match="a respondent already"):
        hitl.new_event(
            "q",
            data_type=int,
            respondents=["a"],
            escalate_after=60,
            escalate_to={"a": "json://x/y"},
        )
    events = Path(os.environ["HITL_STORE"]) / "events"
    assert not events.exists() or not list(events.iterdir())


@pytest.mark.every_store
def test_hitl_serve_goes_on_reminding_and_escalating_once_the_task_is_gone(
    smtp: tuple[int, Inbox], tmp_path: Path
) -> None:
    port, mail = smtp
    store = os.environ["HITL_STORE"]
    quick = {"HITL_REACH_SCAN_SECONDS": "0.1"}
    replicas = [start_server(store, log_dir=tmp_path, env=quick) for _ in range(2)]
    try:
        # A task asks, and is gone at once: it sends nothing more itself.
        script = (
            "import os, hitl_sync as hitl\n"
            "hitl.new_event('deploy', data_type=int, prompt='Deploy?', key='gone',\n"
            f"    respondents={{'alice': {mailto(port, 'a@x.org')!r}}},\n"
            f"    escalate_after=1, escalate_to={{'carol': {mailto(port, 'c@x.org')!r}}},\n"
            "    remind_every=0.3, timeout_seconds=60)\n"
            "os._exit(0)\n"
        )
        env = {**os.environ, "HITL_ENDPOINT": replicas[0].endpoint}
        subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
        # Two replicas watch it: each round goes once (a round the task missed while it
        # was starting is skipped: a late reminder is sent for the latest round only).
        wait_until(lambda: len(rounds(mail, "a@x.org")) >= 2)
        sent = rounds(mail, "a@x.org")
        assert len(sent) == len(set(sent))
        # The escalation too goes out from the replicas, once (carol is reminded too: two
        # more rounds to her give a second copy every chance to arrive).
        escalated = "Escalated: deploy: Deploy?"
        wait_until(lambda: escalated in subjects(mail))
        seen = len(rounds(mail, "c@x.org"))
        wait_until(lambda: len(rounds(mail, "c@x.org")) >= seen + 2)
        assert subjects(mail).count(escalated) == 1
    finally:
        for replica in replicas:
            stop_server(replica)


@pytest.fixture
def failing_webhook() -> Iterator[tuple[int, Inbox]]:
    """An HTTP server on 127.0.0.1 that answers every POST with 503."""
    with receiver(503, lambda body, path: path) as served:
        yield served


def test_a_channel_answering_5xx_is_retried_then_listed(
    failing_webhook: tuple[int, Inbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, received = failing_webhook
    deliveries = Deliveries(attempts=3, first_backoff=0.01)
    monkeypatch.setattr(runtime.current(), "deliveries", deliveries)
    event = hitl.new_event("count", data_type=int, notify=[f"json://127.0.0.1:{port}/hook"])
    assert deliveries.finish(60)
    assert len(received.messages) == 3  # every attempt reached the channel
    (failed,) = event.status().undelivered
    assert failed["state"] == "failed" and failed["channel"] == "json"


@pytest.mark.parametrize("closing", ["cancelled", "expired"])
def test_the_notify_targets_hear_of_a_cancel_and_an_expiry(
    webhook: tuple[int, Inbox], closing: str
) -> None:
    port, hook = webhook
    event = hitl.new_event(
        "deploy",
        data_type=bool,
        notify=[f"json://127.0.0.1:{port}/hook"],
        timeout_seconds=0.5 if closing == "expired" else 60,
    )
    if closing == "cancelled":
        hook.wait_for(1)
        event.cancel()
    titles = [m["title"] for m in hook.wait_for(2)]
    assert titles[-1] == f"deploy: {closing}"


def test_rounds_to_one_channel_are_neither_slowed_nor_merged(smtp: tuple[int, Inbox]) -> None:
    """Apprise spaces the sends of one notifier 5.5 s apart; hitl gives each notice a
    notifier of its own. Eight rounds 0.2 s apart would take over 38 s if they were
    spaced out (beyond this wait's bound); they arrive, one message per round."""
    port, mail = smtp
    hitl.new_event(
        "deploy",
        data_type=int,
        respondents={"alice": mailto(port, "a@x.org")},
        remind_every=0.2,
        timeout_seconds=60,
    )
    wait_until(lambda: len(rounds(mail, "a@x.org")) >= 8, seconds=30)
    sent = rounds(mail, "a@x.org")
    assert len(sent) == len(set(sent))
