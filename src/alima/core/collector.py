"""Python's cycle collector held off while a bulk transfer runs (a sync batch or page).

Decoding a push or a pull page of thousands of rows makes hundreds of thousands of dicts and
strings. Every one of them counts towards an automatic collection, and the full collections
that follow walk every object the process holds: held off, a first push of 10,000 cases took
a quarter less of the hub's CPU and a fresh laptop's pull a fifth less of the laptop's
(benchmarks/README.md), for those rows form no reference cycle (reference counting frees
them). While :func:`paused` is held the collector
does not run; it runs again once the last holder leaves, and collects then whatever cycles
were made meanwhile.

The collector is one per process: threads that hold :func:`paused` at the same time share one
pause, and the collector is switched back on only if it was on when the first of them came in.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Hold off automatic cycle collection for the ``with`` block (also a decorator)."""
    global _holders, _was_enabled  # noqa: PLW0603 - one collector per process
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def freeze_once() -> None:
    """Put every object alive now out of the collector's reach, once per process.

    Called when a server process has started: its modules, classes, mappers and compiled
    statements (hundreds of thousands of objects) live as long as the process, yet every full
    collection would walk them all again (0.2 s each on the hub during a push). Objects made
    later are collected as usual.
    """
    with _lock:
        if gc.get_freeze_count() == 0:
            gc.collect()
            gc.freeze()
