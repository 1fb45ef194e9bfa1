"""ingest.deadline: a time limit per document that no parser code can swallow."""

from __future__ import annotations

import re
import signal
import threading
import time

import pytest

from ingest.deadline import can_interrupt, deadline
from records import ParseError


def spin(seconds: float) -> None:
    """Busy for `seconds` (pure Python, so only a signal can stop it early)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def timer_left() -> float:
    return signal.getitimer(signal.ITIMER_REAL)[0]


@pytest.fixture(autouse=True)
def no_timer_left_behind():
    handler = signal.getsignal(signal.SIGALRM)
    yield
    assert timer_left() == 0
    assert signal.getsignal(signal.SIGALRM) is handler


def test_a_slow_block_is_interrupted():
    start = time.monotonic()
    with pytest.raises(ParseError, match=r"^parsing took longer than 0\.2 s$"), deadline(0.2):
        spin(5)
    assert time.monotonic() - start < 1


def test_a_catastrophic_regex_is_interrupted():
    # The regex engine checks for signals, so even a backtracking match stops.
    with pytest.raises(ParseError), deadline(0.2):
        re.match(r"(a+)+$", "a" * 40 + "b")


def test_parser_code_cannot_swallow_the_timeout():
    # ParseError is a ValueError; a parser's `except ValueError` must not eat the deadline.
    def stubborn() -> None:
        while True:
            try:
                spin(0.01)
            except ValueError:
                pass
            except Exception:
                pass

    with pytest.raises(ParseError), deadline(0.1):
        stubborn()


def test_a_fast_block_runs_normally_and_leaves_no_timer():
    with deadline(5):
        assert 0 < timer_left() <= 5
        value = sum(range(1000))
    assert value == 499500


def test_errors_from_the_block_pass_through():
    with pytest.raises(KeyError), deadline(5):
        raise KeyError("x")
    with pytest.raises(ParseError, match="not a trial page"), deadline(5):
        raise ParseError("not a trial page")


@pytest.mark.parametrize("seconds", [0, None])
def test_zero_or_none_means_no_limit(seconds):
    with deadline(seconds):
        assert timer_left() == 0
        spin(0.05)


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError, match="0 or more seconds"), deadline(-1):
        pass


def test_nested_inner_expires_first():
    with deadline(5):
        with pytest.raises(ParseError, match=r"0\.1 s"), deadline(0.1):
            spin(5)
        assert 4 < timer_left() <= 5  # the outer limit is armed again, minus the time spent


def test_nested_outer_expires_first():
    with pytest.raises(ParseError, match=r"0\.1 s"), deadline(0.1):
        with deadline(5):  # cannot extend the outer limit
            spin(5)


def test_the_outer_limit_still_counts_after_an_inner_block():
    with pytest.raises(ParseError, match=r"0\.1 s"), deadline(0.1):
        with deadline(0.05):
            spin(0.01)
        spin(5)  # the outer timer was re-armed when the inner block ended


def test_off_the_main_thread_it_is_a_no_op():
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(can_interrupt())
            with deadline(0.01):
                spin(0.1)
            outcome.append("finished")
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert outcome == [False, "finished"]
    assert can_interrupt()
