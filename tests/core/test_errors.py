"""Every public exception survives pickling: multiprocessing and orchestrators carry them."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

import hitl_async
import hitl_sync
from hitl_core import errors

EXAMPLES: list[Any] = [
    errors.HitlError("something failed"),
    errors.EventTimeout("approve-0123", 3600),
    errors.EventTimeout("approve-0123", 0.25),
    errors.EventCancelled("approve-0123"),
    errors.EventNotFound("approve-0123"),
    errors.InvalidValue("'banana' is not a yes/no answer"),
    errors.AlreadyAnswered("approve-0123", "answered", {"replicas": 3}),
    errors.AlreadyAnswered("approve-0123", "expired"),
    errors.ApprovalRejected("approve-send-0123", "mail.send", "wrong recipient"),
    errors.ApprovalRejected("approve-send-0123", "mail.send"),
    errors.AlreadyVoted("deploy-0123", "alice", {"by": "alice", "approved": True}),
    errors.NotARespondent("deploy-0123", "mallory"),
    errors.NotARespondent("deploy-0123", None),
    errors.StoreError("cannot read events/x.json in s3://bucket: AccessDenied"),
    errors.StoreUnavailable("cannot list outcomes in s3://bucket: timed out"),
]


def test_every_public_exception_has_an_example() -> None:
    public = {
        obj
        for module in (hitl_async, hitl_sync)
        for name in module.__all__
        if isinstance(obj := getattr(module, name), type) and issubclass(obj, BaseException)
    }
    assert public == {type(example) for example in EXAMPLES}


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_unpickled_errors_equal_the_original(error: Exception, protocol: int) -> None:
    copy = pickle.loads(pickle.dumps(error, protocol=protocol))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)


def test_errors_keep_the_builtin_bases_users_catch() -> None:
    timeout = pickle.loads(pickle.dumps(errors.EventTimeout("x-1", 5)))
    assert isinstance(timeout, TimeoutError) and timeout.timeout_seconds == 5
    assert "within 5 seconds" in str(timeout)
    invalid = pickle.loads(pickle.dumps(errors.InvalidValue("bad")))
    assert isinstance(invalid, ValueError)
    assert repr(errors.EventCancelled("x-1")).startswith("EventCancelled(")
