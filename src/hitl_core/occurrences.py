"""Counting the calls of a name within a run, in bounded memory, never reusing a request.

The n-th new_event() of a name in a run is request n of that name. A process
keeps the counts of at most a fixed number of names. When it must forget one
(the least recently used), it starts a new generation: every name counted from
then on carries its generation in its request ids, so a forgotten name asked
again gets requests of its own instead of re-attaching to the answers of those
it asked before. Below the bound the generation is 0 and leaves request ids as
they always were; a run replayed by a restarted process forgets at the same
points, so it finds the same requests.

Counting is per attempt. When an orchestrator retries a task in the same
process, the retry is a new attempt of the same run (orchestrators.py): the
first call of a name in it is call 0 again, so it finds the question the
failed attempt asked, and the answer given meanwhile.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from .bounded import Bounded

__all__ = ["Occurrence", "Occurrences"]

Key = tuple[str, str, str]  # run id, scope, name


@dataclass(frozen=True)
class Occurrence:
    """Which call of a name this is: the number, in the generation its count began."""

    number: int
    generation: int = 0
    attempt: Hashable = None


class Occurrences:
    """The counts of the names most recently used. Not thread-safe: the runtime locks."""

    def __init__(self, size: int) -> None:
        self._counts = Bounded(size)  # Key -> the next call's Occurrence
        self._generation = 0

    def next(self, run_id: str, scope: str, name: str, attempt: Hashable = None) -> Occurrence:
        """This call's occurrence; the next call of the name in the attempt gets the one after."""
        key = (run_id, scope, name)
        current: Occurrence = self._counts.get(key) or Occurrence(0, self._generation, attempt)
        if current.attempt != attempt:  # a new attempt counts from the start
            current = Occurrence(0, current.generation, attempt)
        self._counts[key] = Occurrence(current.number + 1, current.generation, attempt)
        self._generation += self._counts.touch(key)
        return current

    def release(self, run_id: str, scope: str, name: str, given: Occurrence) -> None:
        """Give back the occurrence of a call that failed, so its retry asks the same request.

        Only the latest can be given back: a later call may already hold the next.
        """
        key = (run_id, scope, name)
        if self._counts.get(key) == Occurrence(given.number + 1, given.generation, given.attempt):
            self._counts[key] = given

    def clear(self) -> None:
        """Count every name from the start, as a new process does."""
        self._counts.clear()
        self._generation = 0

    def __len__(self) -> int:
        return len(self._counts)
