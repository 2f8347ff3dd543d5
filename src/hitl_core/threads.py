"""The threads hitl starts leave process signals to the program's main thread.

Python runs signal handlers in the main thread only. A signal sent to the
process (Ctrl-C, a supervisor's SIGTERM) is delivered by the kernel to any
thread that does not block it; caught by one of hitl's threads, it would not
wake a main thread asleep on a lock (a blocking wait), and the program would
not stop. Every thread hitl starts blocks them first, as libuv's do.
"""

from __future__ import annotations

import signal

__all__ = ["leave_signals_to_the_main_thread"]

_PROCESS_SIGNALS = frozenset(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")
    if hasattr(signal, name)
)


def leave_signals_to_the_main_thread() -> None:
    """Block process signals in the calling thread (a thread hitl started); no-op where
    threads have no signal masks."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, _PROCESS_SIGNALS)
