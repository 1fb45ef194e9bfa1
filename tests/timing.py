"""Time limits for tests that guard against slow (quadratic) code, robust on a busy machine.

`cpu_limit(seconds)` counts the CPU time this process spends in the block, which other
processes cannot inflate the way they inflate wall-clock time; a block that hangs still
fails, by a wall-clock deadline ten times longer.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from ingest.deadline import deadline


@contextmanager
def cpu_limit(seconds: float):
    started = time.process_time()
    with deadline(seconds * 10):
        yield
    spent = time.process_time() - started
    assert spent < seconds, f"took {spent:.2f} s of CPU, more than {seconds} s"
