"""A time limit per document, so that one hostile page cannot stall a whole import.

    with deadline(5):
        record = parse_document(data, filename)

raises `ParseError("parsing took longer than 5 s")` when the block runs longer, which the
loader reports and skips like any other unreadable file.

The limit is a SIGALRM timer (`signal.setitimer`), the only way to interrupt a regex or a
loop from outside without a second process. Signals can only be handled on the main thread
of the main interpreter, on Unix. Anywhere else (a web request thread, a sub-interpreter,
Windows) `deadline` is a no-op and the block runs unbounded: the parsers are written to run
in linear time, and this limit is the safety net behind that, not the only defence.

Deadlines nest: an inner one never extends an outer one, and the outer timer is re-armed
with what is left of it when the inner block ends.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from records import ParseError


class _Expired(BaseException):
    """Raised by the alarm handler. A BaseException, so that no `except ValueError` or
    `except Exception` inside the parsers can swallow it; `deadline` turns it into ParseError."""

    def __init__(self, owner: object) -> None:
        super().__init__()
        self.owner = owner


def can_interrupt() -> bool:
    """Whether `deadline` can enforce its limit here (SIGALRM, main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise ParseError if the block runs longer than `seconds`; 0 or None means no limit."""
    if seconds is not None and seconds < 0:
        raise ValueError(f"deadline must be 0 or more seconds, not {seconds}")
    if not seconds or not can_interrupt():
        yield
        return
    outer_left, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield  # an enclosing deadline expires first; it stays in charge
        return
    owner = object()

    def expire(signum, frame):
        raise _Expired(owner)

    try:
        outer_handler = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main interpreter
        yield
        return
    started = time.monotonic()
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            yield
        finally:
            # Disarm before anything else: an alarm landing here is caught just below.
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired as expired:
        if expired.owner is not owner:
            raise
        raise ParseError(f"parsing took longer than {seconds:g} s") from None
    finally:
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left:
            # Re-arm the enclosing timer; if its time is already up, let it fire at once.
            left = max(outer_left - (time.monotonic() - started), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
