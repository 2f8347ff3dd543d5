"""The hitl command: the demo end to end, and show, answer and cancel on the store."""

from __future__ import annotations

import argparse
import getpass
import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import hitl_cli
import hitl_sync
from hitl_core import runtime
from hitl_sync import _operations
from hitl_sync._store import open_store

from .conftest import Lines
from .servers import MotoServer, start_server, stop_server

pytestmark = pytest.mark.once
HITL = [shutil.which("hitl") or ""] if shutil.which("hitl") else [sys.executable, "-m", "hitl_cli"]


def test_demo_shows_the_question_and_a_curl_line_that_answers_it(isolated_settings: Path) -> None:
    process = subprocess.Popen(
        [*HITL, "demo", "--type", "int", "--prompt", "How many?"],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = Lines(process.stdout)
    try:
        assert lines.next(timeout=60) == "Question: How many?\n"
        assert lines.next(timeout=30) == "Expected answer: int (for example 42)\n"
        form_url = lines.next(timeout=30).removeprefix("Answer in a browser:").strip()
        form = httpx.get(form_url, timeout=30)
        assert form.status_code == 200 and "How many?" in form.text
        curl = lines.next(timeout=30).removeprefix("or with the JSON API:").strip()
        assert lines.next(timeout=30).startswith("Waiting for an answer")
        # The printed command, run as a person would paste it.
        done = subprocess.run(shlex.split(curl), capture_output=True, text=True, timeout=60)
        assert json.loads(done.stdout)["status"] == "submitted", done.stdout + done.stderr
        assert lines.next(timeout=60) == "Answer: 42\n"
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        lines.join()
        assert process.stdout is not None
        process.stdout.close()


def hitl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command, run with this test's settings plus env."""
    return subprocess.run(
        [*HITL, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def asked(data_type: Any = int, **options: Any) -> hitl_sync.Event[Any]:
    """An event in this test's store (HITL_STORE), served by nobody in particular."""
    event = hitl_sync.new_event("cli", data_type=data_type, prompt="How many?", **options)
    runtime.current().stop_servers()  # the CLI works on the store alone
    return event


def test_show_answer_and_cancel_apply_the_rules_on_the_store() -> None:
    event = asked(int)
    shown = hitl("show", event.request_id)
    assert shown.returncode == 0
    assert f"{event.request_id}: pending" in shown.stdout and "How many?" in shown.stdout

    refused = hitl("answer", event.request_id, "1.5")
    assert refused.returncode == 1 and "not a whole number" in refused.stderr
    answered = hitl("answer", event.request_id, "7", "--comment", "counted twice", "--json")
    assert answered.returncode == 0, answered.stderr
    body = json.loads(answered.stdout)
    assert (body["status"], body["value"], body["comment"]) == ("answered", 7, "counted twice")
    assert event.wait() == 7
    status = event.status()
    assert (status.via, status.by, status.comment) == ("cli", getpass.getuser(), "counted twice")
    assert "comment:  counted twice" in hitl("show", event.request_id).stdout
    again = hitl("answer", event.request_id, "8")
    assert again.returncode == 1 and "already answered" in again.stderr
    cancelled = hitl("cancel", event.request_id)
    assert cancelled.returncode == 1 and "already answered" in cancelled.stderr
    stored = json.loads(
        (Path(os.environ["HITL_STORE"]) / "outcomes" / f"{event.request_id}.json").read_text()
    )
    assert (stored["value"], stored["via"]) == (7, "cli")


def test_list_pages_through_the_events_on_the_store() -> None:
    first = asked(int)
    second = hitl_sync.new_event("other", data_type=str, prompt="Why?")
    assert hitl("answer", first.request_id, "3").returncode == 0
    pending = hitl("list")
    assert pending.returncode == 0, pending.stderr
    assert second.request_id in pending.stdout and first.request_id not in pending.stdout
    every = json.loads(hitl("list", "--state", "all", "--json").stdout)
    assert [e["request_id"] for e in every["events"]] == [second.request_id, first.request_id]
    assert [e["status"] for e in every["events"]] == ["pending", "answered"]
    paged = hitl("list", "--state", "all", "--per-page", "1")
    assert "(more: --page 2)" in paged.stdout and first.request_id not in paged.stdout
    assert hitl("list", "--per-page", "0").returncode == 2
    assert hitl("list", "--state", "everything").returncode == 2


def test_the_commands_go_through_the_app_when_hitl_endpoint_is_set(tmp_path: Path) -> None:
    event = asked(int)
    other = hitl_sync.new_event("other", data_type=bool, prompt="Ship?")
    runtime.current().stop_servers()
    served = start_server(os.environ["HITL_STORE"], api_key="operator-key", log_dir=tmp_path)
    # A store nobody can open: whatever the commands do, they do through the app.
    app = {
        "HITL_ENDPOINT": served.endpoint,
        "HITL_API_KEY": "operator-key",
        "HITL_STORE": str(tmp_path / "not-the-store"),
    }
    try:
        listed = json.loads(hitl("list", "--json", env=app).stdout)
        assert {e["request_id"] for e in listed["events"]} == {event.request_id, other.request_id}
        answered = hitl("answer", event.request_id, "5", "--comment", "from ops", "--json", env=app)
        assert answered.returncode == 0, answered.stderr
        body = json.loads(answered.stdout)
        assert (body["status"], body["value"], body["via"], body["by"]) == (
            "answered",
            5,
            "cli",
            "operator",
        )
        assert body["comment"] == "from ops"
        again = hitl("answer", event.request_id, "6", env=app)
        assert again.returncode == 1 and "already answered" in again.stderr
        assert "(value: 5)" in again.stderr
        cancelled = hitl("cancel", other.request_id, env=app)
        assert cancelled.returncode == 0 and f"{other.request_id}: cancelled" in cancelled.stdout
        shown = hitl("show", event.request_id, env=app)
        assert "answer:   5" in shown.stdout and "by operator" in shown.stdout
        missing = hitl("show", "nobody-0123456789abcdef01234567", env=app)
        assert missing.returncode == 1 and "no event" in missing.stderr
        no_key = hitl("list", env={**app, "HITL_API_KEY": ""})
        assert no_key.returncode == 1 and "set HITL_API_KEY" in no_key.stderr
        wrong_key = hitl("show", event.request_id, env={**app, "HITL_API_KEY": "guess"})
        assert wrong_key.returncode == 1 and "refused the operator key" in wrong_key.stderr
    finally:
        stop_server(served)
    assert not (tmp_path / "not-the-store").exists()
    unreachable = hitl("list", env=app)
    assert unreachable.returncode == 1 and "cannot reach the app" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


def test_show_lists_the_votes_on_an_approval() -> None:
    event = asked(hitl_sync.Approval, respondents=["alice", "bob"], quorum=2)
    store = open_store(os.environ["HITL_STORE"])
    document = _operations.read_event(store, event.request_id)
    _operations.vote(store, document, True, person="alice", via="form", comment="ok")
    shown = hitl("show", event.request_id)
    assert "who:      alice, bob (2 approvals decide)" in shown.stdout
    assert "vote:     alice approves at" in shown.stdout and "via form: ok" in shown.stdout


def test_cancel_from_the_cli_and_after_the_deadline() -> None:
    event = asked(bool)
    done = hitl("cancel", event.request_id, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "cancelled"
    assert event.status().state == "cancelled"
    late = asked(bool, timeout_seconds=0.01)
    refused = hitl("cancel", late.request_id)
    assert refused.returncode == 1 and "already expired" in refused.stderr
    assert late.status().state == "expired"


def test_unknown_and_malformed_ids_are_refused() -> None:
    missing = hitl("show", "nobody-0123456789abcdef01234567")
    assert missing.returncode == 1 and "no event" in missing.stderr
    malformed = hitl("answer", "../etc/passwd", "1")
    assert malformed.returncode == 2 and "not a request id" in malformed.stderr


@pytest.mark.parametrize("store", ["ftp://example.invalid/hitl", "s3://"])
def test_a_store_hitl_cannot_use_is_a_message_not_a_traceback(store: str) -> None:
    done = hitl("show", "nobody-0123456789abcdef01234567", "--store", store)
    assert done.returncode == 1
    assert done.stderr.startswith("hitl: ") and "Traceback" not in done.stderr


def test_serve_rejects_a_bad_port() -> None:
    done = subprocess.run([*HITL, "serve", "--port", "nope"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "invalid int value" in done.stderr


def test_serve_takes_the_s3_endpoint_as_an_option(
    s3_store: str, s3_server: MotoServer, tmp_path: Path
) -> None:
    import hitl_sync as hitl

    event = hitl.new_event("flag", data_type=bool, prompt="Flag?")  # this process: from the env
    served = start_server(
        s3_store,
        log_dir=tmp_path,
        env={"HITL_S3_ENDPOINT_URL": ""},  # the server learns it from the option alone
        args=("--s3-endpoint-url", s3_server.endpoint),
    )
    try:
        token = event.form_url.split("token=", 1)[1]
        form = httpx.get(f"{served.endpoint}/form/{event.request_id}?token={token}", timeout=30)
        assert form.status_code == 200 and "Flag?" in form.text
    finally:
        stop_server(served)


def test_version_and_help_on_every_option() -> None:
    shown = hitl("--version")
    assert shown.returncode == 0
    assert shown.stdout.strip() == f"hitl {importlib.metadata.version('hitl-events')}"
    parser = hitl_cli._parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in commands.choices.items():
        for action in command._actions:
            assert action.help, (name, action.dest)
