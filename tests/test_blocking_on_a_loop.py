"""Blocking calls on a thread that runs an event loop warn and name the awaitable twin;
approvals cross flavors: each guards sync and async functions alike."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import signal
import threading
import warnings
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest

import hitl_async
import hitl_sync
from hitl_async import _compat as hitl_compat
from hitl_core import orchestrators
from hitl_core.orchestrators import Place

from ._async.helpers import answer, answer_when_asked, pending_event

pytestmark = pytest.mark.anyio


async def answered_event() -> hitl_sync.Event[Any]:
    event = await hitl_sync.new_event.aio("blocking", data_type=int, show=False)
    assert (await answer(event, 7)).status_code == 200
    return event


async def test_a_blocking_wait_on_the_loop_warns_and_says_what_to_use(
    caplog: pytest.LogCaptureFixture,
) -> None:
    event = await answered_event()
    with caplog.at_level(logging.WARNING, logger="hitl"), pytest.warns(RuntimeWarning) as seen:
        assert event.wait() == 7
    (warning,) = seen.list
    assert "blocks the" in str(warning.message) and "await event.wait.aio()" in str(warning.message)
    assert warning.filename == __file__  # it points at the line that blocks
    assert "use `await event.wait.aio()` instead" in caplog.text


async def test_a_blocking_wait_in_a_worker_thread_does_not_warn() -> None:
    event = await answered_event()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert await anyio.to_thread.run_sync(event.wait) == 7


async def test_the_blocking_flavor_guards_a_coroutine_function_by_awaiting() -> None:
    ran: list[str] = []

    @hitl_sync.require_approval
    async def deploy(version: str) -> str:
        ran.append(version)
        return version

    async def call() -> None:
        assert await deploy("v2") == "v2"

    async def approve() -> None:
        await answer_when_asked("approve deploy", True)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing blocks the loop
        async with anyio.create_task_group() as group:
            group.start_soon(call)
            group.start_soon(approve)
    assert ran == ["v2"]


async def test_the_async_flavor_guards_a_plain_function_by_blocking() -> None:
    ran: list[str] = []

    @hitl_async.require_approval
    def rollback(version: str) -> None:
        ran.append(version)

    async def approve() -> None:
        await answer_when_asked("approve rollback", True)

    async with anyio.create_task_group() as group:
        group.start_soon(approve)
        await anyio.to_thread.run_sync(rollback, "v1")  # a plain caller, in its own thread
    assert ran == ["v1"]
    # On a loop's own thread it still works, and warns that it blocks the loop:
    # the answer must come from elsewhere, here another thread.
    answerer = threading.Thread(
        target=anyio.run, args=(answer_when_asked, "approve rollback", False)
    )
    answerer.start()
    try:
        with pytest.warns(RuntimeWarning, match="blocks the"):
            with pytest.raises(hitl_async.ApprovalRejected):
                rollback("v0")
    finally:
        answerer.join(60)
    assert ran == ["v1"]


async def test_an_approval_asked_from_a_loop_thread_keeps_the_callers_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An orchestrator's run lives in context variables; the helper thread must see them."""
    current_run: contextvars.ContextVar[str] = contextvars.ContextVar("run")

    def orchestrator_place(process: Any) -> Place | None:
        return Place(f"orchestrated/{current_run.get('none')}", None, None)

    monkeypatch.setattr(orchestrators, "_orchestrator_place", orchestrator_place)
    monkeypatch.delenv("HITL_RUN_ID")

    @hitl_async.require_approval
    def restart(service: str) -> None: ...

    current_run.set("run-7")
    answerer = threading.Thread(target=anyio.run, args=(answer_when_asked, "approve restart", True))
    answerer.start()
    try:
        with pytest.warns(RuntimeWarning, match="blocks the"):
            restart("api")
    finally:
        answerer.join(60)
    (stored,) = (Path(os.environ["HITL_STORE"]) / "events").glob("approve-restart-*.json")
    assert json.loads(stored.read_text())["run_id"] == "orchestrated/run-7"


def test_an_interrupt_stops_a_blocking_approval_and_its_helper_thread() -> None:
    ran: list[str] = []

    @hitl_async.require_approval(timeout_seconds=600)
    def wipe(disk: str) -> None:
        ran.append(disk)

    def interrupt_once_asked() -> None:
        anyio.run(pending_event, "approve wipe")
        # Ctrl-C, to the main thread as the kernel prefers: sent to the process, it may
        # land on a thread of another library's (fsspec's loop), which runs no Python
        # handler and would leave the main thread asleep until something else wakes it.
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    async def call_on_a_loop() -> None:
        wipe("/dev/sda")

    # A program's own Ctrl-C handler, whatever an earlier test in this process left
    # (trio installs its own only over this default one).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupter = threading.Thread(target=interrupt_once_asked)
    interrupter.start()
    try:
        # Unless the interrupt cancels the wait, this takes the 600 s timeout
        # and the test's own timeout fails it. (On trio, Ctrl-C raises in the
        # blocked code at once; asyncio.run spends a first Ctrl-C on cancelling
        # its main task, which cannot run while the loop is blocked.)
        with pytest.warns(RuntimeWarning), pytest.raises(KeyboardInterrupt):
            anyio.run(call_on_a_loop, backend="trio")
    finally:
        interrupter.join(60)
        signal.signal(signal.SIGINT, previous)
    assert ran == []
    assert not [t for t in threading.enumerate() if t.name.startswith("hitl-blocking")]


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no signal masks here")
def test_the_threads_hitl_starts_leave_ctrl_c_to_the_main_thread() -> None:
    # Caught by one of them, a Ctrl-C would not wake a main thread asleep in a wait.
    async def mask_of_a_storage_thread() -> set[int]:
        return set(await hitl_compat.run_sync(signal.pthread_sigmask, signal.SIG_BLOCK, []))

    assert signal.SIGINT in asyncio.run(mask_of_a_storage_thread())
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # not this one


def test_storage_calls_run_in_the_callers_context() -> None:
    # An orchestrator's run (Flyte's report, Prefect's artifacts) lives in context
    # variables: the threads that do the blocking work must see them.
    run = contextvars.ContextVar[str]("run")

    async def seen_by_a_storage_thread() -> str:
        run.set("flow-run-7")
        return await hitl_compat.run_sync(run.get)

    assert asyncio.run(seen_by_a_storage_thread()) == "flow-run-7"
