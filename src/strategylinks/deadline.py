"""Stop pure-Python work in the current thread at a deadline.

rdflib evaluates SPARQL updates in Python, in loops that may never touch the store (a join of two
materialised solution sets), so no check inside the data access can stop them. CPython can raise an
exception in another thread at its next bytecode (``PyThreadState_SetAsyncExc``, the mechanism of
the unmaintained ``stopit``); a timer thread does that here at the deadline.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class DeadlinePassed(Exception):
    """Raised in the thread whose :func:`deadline` ran out."""


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the block for at most ``seconds`` (``None``: no bound), else :class:`DeadlinePassed` is raised
    inside it. Work in C (a store's own call) is interrupted when it returns to Python."""
    if seconds is None:
        yield
        return
    target = threading.get_ident()
    guard = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with guard:
            if not state["done"]:
                state["fired"] = True
                _raise_in(target, DeadlinePassed)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with guard:
            state["done"] = True
            fired = state["fired"]
        timer.cancel()
        if fired:
            # The exception may still be pending (the block ended before it was delivered): withdraw it,
            # and report the deadline here instead, so that it never lands in the caller's later code.
            _raise_in(target, None)
    if fired:
        raise DeadlinePassed
