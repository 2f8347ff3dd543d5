"""What an approval binds and shows: the same call has one digest in every process, a call
with no stable form is never bound to an old approval, and every argument is shown."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import Any

import pytest

from hitl_core.approvals import describe_call, guard


def call_of(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return describe_call(fn, inspect.signature(fn), args, kwargs)


def grant(users: set[str], roles: dict[str, frozenset[str]] | None = None) -> None: ...


def test_the_same_call_has_one_digest_whatever_the_hash_seed() -> None:
    program = textwrap.dedent(
        """
        import inspect
        from hitl_core.approvals import describe_call
        def grant(users, roles=None): ...
        args = ({"alice", "bob", "carol", "dave"},)
        kwargs = {"roles": {"x": frozenset({"r1", "r2", "r3"})}}
        print(describe_call(grant, inspect.signature(grant), args, kwargs).digest)
        """
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


def test_other_arguments_are_another_digest() -> None:
    assert call_of(grant, {"alice"}).digest != call_of(grant, {"mallory"}).digest
    assert call_of(grant, {"alice"}).digest == call_of(grant, users={"alice"}).digest


def test_a_call_with_no_stable_form_is_bound_to_itself_alone() -> None:
    token = object()
    assert call_of(grant, {"alice"}, token).digest != call_of(grant, {"alice"}, token).digest


@dataclass
class Repo:
    name: str

    def drop(self, table: str) -> None: ...


def test_a_method_binds_and_shows_its_object() -> None:
    prod, test = Repo("prod"), Repo("test")
    on_prod = call_of(Repo.drop, prod, "users")
    assert on_prod.digest != call_of(Repo.drop, test, "users").digest
    assert on_prod.digest == call_of(Repo.drop, Repo("prod"), "users").digest
    assert 'self={"name": "prod"}' in on_prod.prompt(None)


def test_every_argument_is_named_however_long_the_others() -> None:
    def send(body: str, to: str) -> None: ...

    prompt = call_of(send, "x" * 50_000, "attacker@example.com").prompt("Send?")
    assert 'to="attacker@example.com"' in prompt
    assert "(cut; 50002 characters)" in prompt
    assert len(prompt) < 10_000


def test_invisible_and_reordering_characters_are_shown_as_escapes() -> None:
    def pay(to: str) -> None: ...

    prompt = call_of(pay, "alice\u202emallory\u200b").prompt(None)
    assert "\u202e" not in prompt and "\u200b" not in prompt
    assert "alice\\u202emallory\\u200b" in prompt


def test_a_static_or_class_method_must_be_guarded_beneath_its_decorator() -> None:
    async def ask(call: Any) -> None: ...

    def ask_blocking(call: Any) -> None: ...

    with pytest.raises(TypeError, match="below @staticmethod"):
        guard(staticmethod(grant), ask, ask_blocking)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="below @classmethod"):
        guard(classmethod(grant), ask, ask_blocking)  # type: ignore[arg-type]
