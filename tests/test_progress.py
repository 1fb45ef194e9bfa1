"""catalogue.management.progress: the bar the long commands draw on stderr."""

from __future__ import annotations

import io

from django.core.management.base import OutputWrapper

from catalogue.management import progress


def test_the_bar_fills_with_the_share_done():
    assert progress.bar(0, 60) == "[" + " " * 30 + "] 0/60"
    assert progress.bar(30, 60) == "[" + "#" * 15 + " " * 15 + "] 30/60"
    assert (
        progress.bar(60, 60, "files, 900 records") == "[" + "#" * 30 + "] 60/60 files, 900 records"
    )


def test_the_bar_never_overflows():
    assert progress.bar(7, 5).startswith("[" + "#" * 30 + "]")
    assert progress.bar(0, 0).startswith("[" + "#" * 30 + "]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_drawing_returns_to_the_start_of_the_line():
    out = Terminal()
    stream = OutputWrapper(out)
    progress.draw(stream, 1, 2)
    progress.draw(stream, 2, 2)
    assert out.getvalue() == "\r" + progress.bar(1, 2) + "\r" + progress.bar(2, 2)


def test_a_log_gets_no_bar():
    out = io.StringIO()  # a file, a pipe: CI's log, docker's
    progress.draw(OutputWrapper(out), 1, 2)
    assert out.getvalue() == ""
