"""The progress bar of the long management commands (ingest, reclassify): one line on stderr,
drawn again in place after each item when stderr is a terminal; the command ends it with a
newline."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

WIDTH = 30


def bar(done: int, total: int, unit: str = "") -> str:
    """ "[#######        ] 7/30 files" """
    filled = min(WIDTH, WIDTH * done // total) if total > 0 else WIDTH
    line = f"[{'#' * filled}{' ' * (WIDTH - filled)}] {done}/{total}"
    return f"{line} {unit}" if unit else line


def draw(stream: OutputWrapper, done: int, total: int, unit: str = "") -> None:
    # Only on a terminal: in a log (CI, docker, cron mail) every redraw would be one more
    # copy of the line, thousands of them for a big file.
    if not stream.isatty():
        return
    stream.write("\r" + bar(done, total, unit), ending="")
    stream.flush()
