"""The deadline stops pure-Python work in its own thread, and never fires after its block."""

from __future__ import annotations

import threading
import time

import pytest

from strategylinks.deadline import DeadlinePassed, deadline


def test_a_loop_that_never_returns_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(DeadlinePassed), deadline(0.2):
        while True:
            pass
    assert time.monotonic() - started < 5


def test_work_within_the_deadline_is_untouched_and_nothing_fires_later() -> None:
    with deadline(0.2):
        total = sum(range(1000))
    time.sleep(0.5)  # past the deadline: a timer left running would raise here
    assert total == 499500


def test_only_the_thread_of_the_block_is_stopped() -> None:
    other_done = threading.Event()

    def other() -> None:
        end = time.monotonic() + 0.6
        while time.monotonic() < end:
            pass
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with pytest.raises(DeadlinePassed), deadline(0.1):
        while True:
            pass
    thread.join()
    assert other_done.is_set()


def test_no_bound_runs_the_block_as_it_is() -> None:
    with deadline(None):
        time.sleep(0.05)
