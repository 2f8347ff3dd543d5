"""Testing a flow without a person: canned answers for events, by name.

    with hitl.testing.auto_answer({"approve": True, "count": 3}):
        run_my_flow()   # its new_event("approve", bool) is answered True at once

An event created while the context is open, whose name has a canned answer,
is answered as it is created, through the same validation as a person's
answer, and recorded with via="auto". A canned answer the event's type refuses
raises InvalidValue from new_event(), before anything is stored. Contexts nest
(the innermost answer wins) and hold for every thread and task of the process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from hitl_core import runtime

__all__ = ["auto_answer"]


@contextlib.contextmanager
def auto_answer(answers: Mapping[str, Any]) -> Iterator[None]:
    """Answer the events named in answers with their values as they are created."""
    canned = dict(answers)
    for name in canned:
        if not isinstance(name, str):
            raise TypeError(f"auto_answer() takes event names, not {name!r}")
    process = runtime.current()
    process.push_auto_answers(canned)
    try:
        yield
    finally:
        process.pop_auto_answers(canned)
